"""The diagnostic tree panel: Qt model over the machine tree, per-shot state, plotting quantities."""
import pytest
from PySide6.QtCore import QModelIndex, Qt

from core.machine import load_machine
from core.machine.components import Diagnostic


def find(model, text, parent=QModelIndex()):
    for r in range(model.rowCount(parent)):
        idx = model.index(r, 0, parent)
        if model.data(idx) == text:
            return idx
        hit = find(model, text, idx)
        if hit is not None:
            return hit
    return None


@pytest.fixture
def panel(qtbot, demo_sqlite):
    from manager.views.machine_tree import MachineTreePanel

    tb, _ = demo_sqlite
    p = MachineTreePanel(tb, load_machine(testbed=tb))
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def test_model_tester_and_structure(qtmodeltester, panel):
    m = panel.model
    qtmodeltester.check(m, force_py=True)
    probes = find(m, "probes")
    lp = find(m, "langmuir1", probes)
    names = [m.data(m.index(r, 0, lp)) for r in range(m.rowCount(lp))]
    assert names[:2] == ["bias", "current"] and "te" in names and "n_e" in names
    te = find(m, "te", lp)
    assert m.data(te, Qt.ItemDataRole.UserRole + 1) == "langmuir1.te"


def test_follows_tree_events_without_copying(qtmodeltester, panel, qtbot):
    m = panel.model
    probes_idx = find(m, "probes")
    n = m.rowCount(probes_idx)
    probes = panel.machine.probes
    with qtbot.waitSignal(m.rowsInserted, timeout=1000):
        probes.add(Diagnostic("probe3", signals={"current": "Isat2"}))
    assert m.rowCount(probes_idx) == n + 1
    assert find(m, "probe3", probes_idx) is not None
    qtmodeltester.check(m, force_py=True)
    with qtbot.waitSignal(m.rowsRemoved, timeout=1000):
        probes.remove("probe3")
    assert m.rowCount(probes_idx) == n


def test_disconnected_greyed_and_provenance_tooltips(panel, qtbot):
    m = panel.model
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        panel.set_shot(1009)
    light = find(m, "light", find(m, "photodiode"))
    assert m.data(light, Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    assert "fibre connector broken" in m.data(light, Qt.ItemDataRole.ToolTipRole)
    assert not (m.flags(light) & Qt.ItemFlag.ItemIsDragEnabled)
    with qtbot.waitSignal(panel.sig_loaded, timeout=10000):
        panel.set_shot(1021)
    cur = find(m, "current", find(m, "langmuir1"))
    tip = m.data(cur, Qt.ItemDataRole.ToolTipRole)
    assert "channel ch05" in tip and "wiring r2 [1020, ∞)" in tip and "l.tonks" in tip
    assert "calibration r2 [1015, ∞)" in tip and "m.curie" in tip
    assert m.data(light, Qt.ItemDataRole.ForegroundRole) is None


def test_quantity_plots_through_the_worker(qtbot, demo_sqlite):
    from manager.app import MainWindow

    tb, _ = demo_sqlite
    win = MainWindow(tb, fresh=True, poll_ms=0)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.browser.model.total() > 0, timeout=10000)
    win.browser.select_shots([1021])
    m = win.machine_tree.model
    te = find(m, "te", find(m, "langmuir1"))
    win.machine_tree.ui.tree.doubleClicked.emit(te)
    qtbot.waitUntil(lambda: ("langmuir1.te", 1021) in win.plots.curves, timeout=60000)
    c = win.plots.curves[("langmuir1.te", 1021)]
    assert c.units == "eV" and 100 < len(c.t) < 1000
    win.close()
