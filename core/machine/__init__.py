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
           "MachineDescriptionError", "register_component_type", "component_type", "quantity"]

_TREE = {"load_machine", "Machine", "Component", "Subsystem", "MachineError", "MachineDescriptionError",
         "register_component_type", "component_type", "quantity"}
_COMPONENTS = {"Diagnostic", "LangmuirProbe", "IonSaturationProbe", "RogowskiCoil", "Interferometer", "RFSystem"}


def __getattr__(name):  # PEP 562
    if name in _TREE:
        from core.machine import tree

        return getattr(tree, name)
    if name in _COMPONENTS:
        from core.machine import components

        return getattr(components, name)
    raise AttributeError(f"module 'core.machine' has no attribute {name!r}")
