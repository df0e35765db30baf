"""The machine tree without data: addressing, repr, events, description files, component types."""
from __future__ import annotations

import sys
import textwrap

import pytest

import core.machine.components as comp
from core.machine.events import Event, EventedList
from core.machine.tree import (Component, Machine, MachineDescriptionError, MachineError, Subsystem,
                               component_type, convert_units, default_description, load_machine,
                               register_component_type)


@pytest.fixture
def machine():
    return load_machine()  # the demo description; no database is touched until a shot is asked for


# -- addressing ---------------------------------------------------------------
def test_paths_attributes_and_flat_shortcut(machine):
    lp = machine["probes/langmuir1"]
    assert isinstance(lp, comp.LangmuirProbe)
    assert machine.probes.langmuir1 is lp and machine.langmuir1 is lp and machine["/probes/langmuir1/"] is lp
    assert lp.path == "probes/langmuir1" and lp.parent is machine.probes and lp.machine is machine
    assert lp.row == 0 and machine.probes.langmuir2.row == 1
    assert machine.rogowski is machine["heating/rogowski"]
    assert isinstance(machine.interferometer, comp.Interferometer)
    assert isinstance(machine.rf, comp.RFSystem) and isinstance(machine.langmuir2, comp.IonSaturationProbe)
    assert isinstance(machine.photodiode, comp.Diagnostic) and isinstance(machine.probes, Subsystem)
    assert "probes/langmuir1" in machine and "probes/nope" not in machine
    assert [c.name for c in machine] == ["heating", "probes", "optics", "gas", "magnet"]
    assert [c.path for c in machine.walk()][:3] == ["", "heating", "heating/rf"]
    assert "langmuir1" in dir(machine) and "langmuir1" in dir(machine.probes)
    with pytest.raises(KeyError, match=r"'probes' has no component 'langmuir3'; did you mean .*'langmuir1'"):
        machine["probes/langmuir3"]
    with pytest.raises(AttributeError, match="did you mean 'langmuir1'"):
        machine.langmuir_1
    with pytest.raises(AttributeError, match="has no attribute or child 'nope'"):
        machine.probes.nope


def test_flat_shortcut_refuses_ambiguous_names(machine):
    machine.magnet.add(comp.Diagnostic("antenna", signals={"voltage": "Antenna_V"}))
    with pytest.raises(AttributeError, match=r"'antenna' is ambiguous.*'heating/antenna', 'magnet/antenna'"):
        machine.antenna
    assert machine.heating.antenna is machine["heating/antenna"]


def test_signals_roles_quantities_catalog(machine):
    lp = machine.langmuir1
    assert lp.signals == {"bias": "Langmuir_V", "current": "Langmuir_I"}
    assert [q["name"] for q in lp.quantities()] == ["te", "n_e", "n_i", "v_float", "v_plasma", "i_sat"]
    te = lp.quantities()[0]
    assert te["label"] == "T_e" and te["units"] == "eV" and te["method"] == lp.te
    assert [q["name"] for q in machine.rogowski.quantities()] == ["current"]
    assert [q["name"] for q in machine.interferometer.quantities()] == ["line_density", "mean_density"]
    assert [q["name"] for q in machine.rf.quantities()] == ["absorbed_power", "reflection"]
    assert [q["name"] for q in machine.langmuir2.quantities()] == ["n_e", "n_i"]
    assert machine.photodiode.quantities() == []
    cat = machine.photodiode.catalog()
    assert cat[0]["kind"] == "signal" and cat[0]["name"] == "light" and cat[0]["signal"] == "Photodiode"
    assert [r["kind"] for r in lp.catalog()] == ["signal"] * 2 + ["quantity"] * 6
    assert callable(machine.photodiode.light) and "light" in dir(machine.photodiode)
    with pytest.raises(MachineError, match="has no signal role 'volts'.*roles: voltage"):
        machine.rogowski.signal_name("volts")


def test_description_defaults_and_units(machine):
    lp = machine.langmuir1
    assert lp.get_property("length") == 5.0e-3  # no shot: the description's default
    assert lp.get_property("length", units="mm") == pytest.approx(5.0)
    assert machine.langmuir2.get_property("area", units="mm^2") == pytest.approx(3.0)
    assert machine.langmuir2.property_value("bias").source == "description"
    with pytest.raises(MachineError, match="langmuir1.ion is not set"):
        lp.get_property("ion")
    assert lp.get_property("ion", default="Ar+") == "Ar+"
    assert convert_units(5, "mm", "m") == pytest.approx(5e-3)
    assert convert_units(2, "cm^2", "m2") == pytest.approx(2e-4)
    assert convert_units(1.05, "uH", "H") == pytest.approx(1.05e-6)
    with pytest.raises(ValueError):
        convert_units(1, "mm", "H")


def test_detached_component_has_no_testbed():
    lp = comp.LangmuirProbe("lp", signals={"bias": "V", "current": "I"})
    assert lp.machine is None
    with pytest.raises(MachineError, match="not part of a Machine"):
        lp.current(1001)


# -- repr reads as code -------------------------------------------------------
def test_repr_reads_as_code(machine):
    ns = {**{n: getattr(comp, n) for n in comp.__all__}, "Subsystem": Subsystem, "Machine": Machine}
    for c in machine.walk():
        again = eval(repr(c), ns)
        assert type(again) is type(c) and again.name == c.name and again.signals == c.signals
        assert again.options == c.options and again.label == c.label
        assert {k: (pv.value, pv.units) for k, pv in again.properties().items()} == \
            {k: (pv.value, pv.units) for k, pv in c.properties().items()}
        assert [k.name for k in again.walk()] == [k.name for k in c.walk()]
    assert repr(machine.rogowski).startswith("RogowskiCoil('rogowski', label=")
    assert "options={'pretrigger_window': [-0.0045, -0.0005]" in repr(machine.rogowski)
    assert repr(machine).startswith("Machine('demo', label='Demo linear RF plasma device'")


# -- events -------------------------------------------------------------------
def test_evented_list_announces_before_and_after():
    lst = EventedList(["a", "b"])
    seen = []
    state = []

    def cb(ev: Event):
        seen.append((ev.type, ev.index, ev.value, ev.new_index))
        state.append(list(lst))

    lst.events.connect(cb)
    lst.append("c")
    lst.insert(0, "z")
    del lst[1]
    lst.move(0, 2)
    lst[0] = "B"
    lst.remove("c")
    assert seen == [
        ("inserting", 2, "c", None), ("inserted", 2, "c", None),
        ("inserting", 0, "z", None), ("inserted", 0, "z", None),
        ("removing", 1, "a", None), ("removed", 1, "a", None),
        ("moving", 0, "z", 2), ("moved", 0, "z", 2),
        ("changing", 0, "B", None), ("changed", 0, "B", None),
        ("removing", 1, "c", None), ("removed", 1, "c", None),
    ]
    # "before" callbacks see the list unchanged, "after" callbacks see it changed
    assert state[0] == ["a", "b"] and state[1] == ["a", "b", "c"]
    assert state[4] == ["z", "a", "b", "c"] and state[5] == ["z", "b", "c"]
    assert list(lst) == ["B", "z"]


def test_evented_list_typed_filter_block_veto_and_weak():
    lst = EventedList()
    only = []
    lst.events.connect(lambda ev: only.append(ev.index), type="inserted")
    with lst.events.blocked():
        lst.append(1)
    lst.append(2)
    assert only == [1]

    def veto(ev):
        if ev.type == "inserting" and ev.value == "bad":
            raise ValueError("refused")
    lst.events.connect(veto)
    with pytest.raises(ValueError):
        lst.append("bad")
    assert list(lst) == [1, 2]
    lst.events.disconnect(veto)

    class Listener:
        def __init__(self):
            self.n = 0

        def on(self, ev):
            self.n += 1
    obj = Listener()
    lst.events.connect(obj.on, weak=True)
    lst.append(3)
    assert obj.n == 2
    n_before = len(lst.events)
    del obj
    lst.append(4)  # the dead weak connection is dropped, nothing raises
    assert len(lst.events) == n_before - 1


def test_tree_changes_bubble_to_the_root_with_indices(machine):
    events = []
    machine.events.connect(lambda ev: events.append((ev.type, ev.source.owner.path, ev.index, ev.value.name)))
    probe = comp.Diagnostic("langmuir3", signals={"current": "Isat2"})
    machine.probes.add(probe, index=1)
    assert events == [("inserting", "probes", 1, "langmuir3"), ("inserted", "probes", 1, "langmuir3")]
    assert probe.parent is machine.probes and probe.path == "probes/langmuir3" and probe.row == 1
    assert machine.langmuir3 is probe
    events.clear()
    got = machine.probes.remove("langmuir3")
    assert got is probe and probe.parent is None
    assert events == [("removing", "probes", 1, "langmuir3"), ("removed", "probes", 1, "langmuir3")]
    with pytest.raises(ValueError, match="already has a child named 'langmuir1'"):
        machine.probes.add(comp.Diagnostic("langmuir1"))
    with pytest.raises(ValueError, match="already belongs to 'probes'"):
        machine.optics.add(machine.langmuir1)
    with pytest.raises(TypeError):
        machine.probes.children.append("not a component")
    # a whole subsystem added at once: one pair of events at its level
    events.clear()
    sub = Subsystem("spectroscopy", label="Spectroscopy", children=[comp.Diagnostic("spectrometer")])
    machine.add(sub)
    assert [e[:3] for e in events] == [("inserting", "", 5), ("inserted", "", 5)]
    assert machine.spectrometer.path == "spectroscopy/spectrometer"


# -- description files -------------------------------------------------------------
def _write(tmp_path, text, name="lab.toml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_description_errors_name_the_file_and_table(tmp_path):
    bad_toml = _write(tmp_path, "[probes\nlabel = 'x'\n", "bad.toml")
    with pytest.raises(MachineDescriptionError, match=r"bad\.toml: invalid TOML: .*line 1"):
        load_machine(bad_toml)
    unknown = _write(tmp_path, """
        [probes.lp]
        type = "langmuir_prob"
        signals = { bias = "Langmuir_V", current = "Langmuir_I" }
        """, "unknown.toml")
    with pytest.raises(MachineDescriptionError,
                       match=r"unknown\.toml: \[probes\.lp\] unknown component type 'langmuir_prob'\. "
                             r"Did you mean 'langmuir_probe'\?.*Known types: .*rogowski_coil"):
        load_machine(unknown)
    missing = _write(tmp_path, """
        [probes.lp]
        type = "langmuir_probe"
        signals = { bias = "Langmuir_V" }
        """, "missing.toml")
    with pytest.raises(MachineDescriptionError,
                       match=r"missing\.toml: \[probes\.lp\] missing signal name for role\(s\) 'current' "
                             r"\(LangmuirProbe needs bias, current\)"):
        load_machine(missing)
    empty = _write(tmp_path, """
        [coil]
        type = "diagnostic"
        signals = { current = "" }
        """, "empty.toml")
    with pytest.raises(MachineDescriptionError, match=r"empty\.toml: \[coil\] signal role 'current' needs a signal name"):
        load_machine(empty)
    typo = _write(tmp_path, """
        [coil]
        type = "diagnostic"
        signal = { current = "Coil_I" }
        """, "typo.toml")
    with pytest.raises(MachineDescriptionError, match=r"typo\.toml: \[coil\] unknown key 'signal': did you mean 'signals'"):
        load_machine(typo)
    scalar = _write(tmp_path, "[coil]\ntype = 'diagnostic'\ncolour = 'red'\n", "scalar.toml")
    with pytest.raises(MachineDescriptionError, match=r"scalar\.toml: \[coil\] unknown key 'colour'"):
        load_machine(scalar)
    opt = _write(tmp_path, """
        [rog]
        type = "rogowski_coil"
        signals = { voltage = "Rogowski_V" }
        options = { pretriger_window = [0, 1] }
        """, "opt.toml")
    with pytest.raises(MachineDescriptionError, match=r"opt\.toml: \[rog\] unknown option\(s\) 'pretriger_window'"):
        load_machine(opt)
    with pytest.raises(MachineDescriptionError, match=r"nowhere\.toml: cannot read machine description"):
        load_machine(tmp_path / "nowhere.toml")


def test_a_lab_description_with_its_own_type_by_dotted_path(tmp_path, monkeypatch):
    (tmp_path / "mylab_diag.py").write_text(textwrap.dedent('''
        from core.machine.components import Diagnostic
        from core.machine.tree import quantity

        class TripleProbe(Diagnostic):
            """A lab's own diagnostic type."""
            roles = {"v_plus": "V+", "current": "I"}
            required_roles = ("current",)

            @quantity("te", "T_e", "eV")
            def te(self, shot):
                return None
        '''), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    p = _write(tmp_path, """
        [machine]
        name = "lab"
        [edge.triple]
        type = "mylab_diag:TripleProbe"
        signals = { current = "Isat2" }
        [edge.triple2]
        type = "mylab_diag.TripleProbe"
        signals = { current = "Isat2" }
        """)
    m = load_machine(p)
    assert type(m.triple).__name__ == "TripleProbe" and type(m.triple2) is type(m.triple)
    assert [q["name"] for q in m.triple.quantities()] == ["te"]
    bad = _write(tmp_path, "[x]\ntype = 'mylab_diag:Nope'\n", "bad.toml")
    with pytest.raises(MachineDescriptionError, match=r"bad\.toml: \[x\] component type 'mylab_diag:Nope' cannot be imported"):
        load_machine(bad)


def test_a_lab_type_by_entry_point_and_by_registration(tmp_path, monkeypatch):
    """A lab package declares ``[project.entry-points."gilgamesh.components"]``; emulate its installed metadata."""
    (tmp_path / "labpkg_components.py").write_text(
        "from core.machine.components import Diagnostic\n"
        "class Bolometer(Diagnostic):\n"
        "    roles = {'power': 'radiated power (W)'}\n"
        "    required_roles = ('power',)\n", encoding="utf-8")
    dist = tmp_path / "labpkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: labpkg\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[gilgamesh.components]\nbolometer = labpkg_components:Bolometer\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert component_type("bolometer").__name__ == "Bolometer"
    m = load_machine(_write(tmp_path, "[bolo]\ntype = 'bolometer'\nsignals = { power = 'Photodiode' }\n"))
    assert type(m.bolo).__name__ == "Bolometer" and m.bolo.signals == {"power": "Photodiode"}

    @register_component_type("gauge_head")
    class GaugeHead(comp.Diagnostic):
        roles = {"pressure": "Pa"}
    try:
        m2 = load_machine(_write(tmp_path, "[g]\ntype = 'gauge_head'\nsignals = { pressure = 'Fill_pressure' }\n",
                                 "g.toml"))
        assert type(m2.g) is GaugeHead
    finally:
        from core.machine import tree
        tree._TYPES.pop("gauge_head", None)


def test_demo_description_is_the_default_and_core_stays_qt_free():
    assert default_description().name == "machine.toml" and default_description().is_file()
    import subprocess

    code = ("import sys; from core.machine import load_machine; m = load_machine(); m.langmuir1.quantities(); "
            "bad = [k for k in sys.modules if k.split('.')[0] in ('PySide6', 'pyqtgraph', 'qtconsole', 'manager')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=str(default_description()
                                                                                              .parents[2]))
    assert r.returncode == 0, r.stdout + r.stderr
