"""Diagnostics of the testbed: the component tree and the physics models.

* :mod:`core.machine.tree` — :class:`Machine`, :class:`Component`,
  :func:`load_machine` (the machine description file, ``docs/machine.md``);
* :mod:`core.machine.components` — diagnostic types (Langmuir probe, ion
  saturation probe, Rogowski coil, interferometer, RF system, generic);
* :mod:`core.machine.events` — the evented containers a GUI adapts;
* physics models: :mod:`~core.machine.langmuir`, :mod:`~core.machine.probe_model`,
  :mod:`~core.machine.physics`, :mod:`~core.machine.ions` (``docs/physics.md``).

Names are re-exported lazily so that importing a physics module stays cheap.
"""
from __future__ import annotations

__all__ = ["load_machine", "Machine", "Component", "Subsystem", "Diagnostic", "LangmuirProbe",
           "IonSaturationProbe", "RogowskiCoil", "Interferometer", "RFSystem", "MachineError",
           "MachineDescriptionError", "register_component_type", "component_type", "quantity",
           "machine_for", "quantity_signal"]

_TREE = {"load_machine", "Machine", "Component", "Subsystem", "MachineError", "MachineDescriptionError",
         "register_component_type", "component_type", "quantity"}
_COMPONENTS = {"Diagnostic", "LangmuirProbe", "IonSaturationProbe", "RogowskiCoil", "Interferometer", "RFSystem"}


def machine_for(testbed):
    """The machine tree of *testbed* (its configured description, else the demo's), built once."""
    m = getattr(testbed, "_machine", None)
    if m is None:
        from core.machine.tree import load_machine

        path = (testbed.config.raw.get("machine") or {}).get("description")
        m = load_machine(path, testbed=testbed)
        testbed._machine = m
    return m


def quantity_signal(testbed, dotted: str, shot: int, task=None):
    """The Signal of a physics quantity named ``"component.quantity"`` (``"langmuir1.te"``).

    *component* is a path (``probes/langmuir1``) or a unique component name.
    """
    import inspect

    from core.machine.tree import MachineError

    comp_name, _, qname = dotted.rpartition(".")
    m = machine_for(testbed)
    comp = m[comp_name] if "/" in comp_name else getattr(m, comp_name)
    for q in comp.quantities():
        if q["name"] == qname:
            method = q["method"]
            try:
                takes_task = "task" in inspect.signature(method).parameters
            except (TypeError, ValueError):
                takes_task = False
            return method(shot, task=task) if takes_task else method(shot)
    names = ", ".join(q["name"] for q in comp.quantities()) or "none"
    raise MachineError(f"{comp_name!r} has no physics quantity {qname!r} (it has: {names})")


def __getattr__(name):  # PEP 562
    if name in _TREE:
        from core.machine import tree

        return getattr(tree, name)
    if name in _COMPONENTS:
        from core.machine import components

        return getattr(components, name)
    raise AttributeError(f"module 'core.machine' has no attribute {name!r}")
