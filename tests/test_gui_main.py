"""The main window on the demo testbed (pytest-qt, offscreen)."""
import gc
import json
import shutil
import weakref
from datetime import datetime, timedelta, timezone

import pytest

from core.demo import create_demo, plan, write_shot
from core.shots.index import ShotFile
from core.testbed import Testbed


@pytest.fixture
def small_demo(tmp_path):
    """A private demo (8 shots) the test may add shots to."""
    tb = create_demo(tmp_path / "demo", f"sqlite:///{tmp_path / 'i.sqlite'}", n_shots=8)
    return tb, tmp_path / "demo"


def make_window(qtbot, tb, poll_ms=100, fresh=True):
    from manager.app import MainWindow

    win = MainWindow(tb, fresh=fresh, poll_ms=poll_ms)
    qtbot.addWidget(win)
    win.resize(1400, 850)
    win.show()
    qtbot.waitUntil(lambda: win.browser.model.total() > 0, timeout=10000)
    return win


def wait_idle(qtbot, win, timeout=20000):
    qtbot.waitUntil(lambda: not win.plots.has_pending() and not win.signals.runner.has_pending(), timeout=timeout)


def test_model_passes_qt_model_tester(qtmodeltester, demo_sqlite):
    from manager.views.shot_browser import ShotTableModel

    tb, _ = demo_sqlite
    m = ShotTableModel()
    rows = tb.index.list("")
    m.set_rows(rows[:10], len(rows))
    qtmodeltester.check(m, force_py=True)
    m.append_rows(10, rows[10:20], len(rows))
    assert m.loaded() == 20 and m.canFetchMore()
    qtmodeltester.check(m, force_py=True)


def test_select_shot_plots_signals_and_closes_cleanly(qtbot, demo_sqlite, tmp_path):
    tb, _ = demo_sqlite
    win = make_window(qtbot, tb)
    qtbot.waitUntil(lambda: win.browser.selected_shots() != [], timeout=10000)
    assert win.browser.selected_shots() == [1036]  # newest first, selected on start
    win.browser.select_shots([1021])
    qtbot.waitUntil(lambda: ("Langmuir_I", 1021) in win.plots.curves, timeout=20000)
    wait_idle(qtbot, win)
    assert {"Langmuir_I", "langmuir1.te", "langmuir1.n_e", "RF_fwd", "Interf_phase"} <= set(win.plots.plots)
    # the signal list resolved for shot 1021: Langmuir_I on its new channel
    rows = {r["name"]: r for r in win.signals.rows}
    assert rows["Langmuir_I"]["channel"] == "dtacq1/ch05" and "r2" in rows["Langmuir_I"]["tip"]
    # overlay a second shot: one curve per shot in each plot, legend by shot number
    win.browser.select_shots([1021, 1014])
    qtbot.waitUntil(lambda: ("Langmuir_I", 1014) in win.plots.curves and ("Langmuir_I", 1021) in win.plots.curves,
                    timeout=20000)
    wait_idle(qtbot, win)
    names = [c.name() for c in win.plots.plots["Langmuir_I"].listDataItems()]
    assert sorted(names) == ["#1014", "#1021"]
    out = tmp_path / "main.png"
    win.grab().save(str(out))
    assert out.stat().st_size > 20000
    ref = weakref.ref(win)
    win.close()
    assert not win.plots.has_pending() and not win.browser.runner.has_pending()
    win.deleteLater()
    del win
    for _ in range(40):  # queued signals of finished workers may still be in the event queue
        qtbot.wait(25)
        gc.collect()
        if ref() is None:
            break
    assert ref() is None, "main window still alive after close"


def test_disconnected_signal_greyed_with_reason(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    win = make_window(qtbot, tb)
    win.browser.select_shots([1009])
    qtbot.waitUntil(lambda: win.signals.shot == 1009 and len(win.signals.rows) > 10, timeout=10000)
    rows = {r["name"]: r for r in win.signals.rows}
    assert rows["Photodiode"]["state"] == "disconnected"
    assert "fibre connector broken" in rows["Photodiode"]["tip"]
    win.close()


def test_bad_shots_give_messages_not_crashes(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    win = make_window(qtbot, tb)
    msgs = []
    win.plots.sig_error.connect(msgs.append)
    win.browser.select_shots([1025])
    qtbot.waitUntil(lambda: any("corrupt" in m for m in msgs), timeout=20000)
    wait_idle(qtbot, win)
    win.plots.add_signals(["No_such_signal"])
    qtbot.waitUntil(lambda: any("Unknown signal 'No_such_signal'" in m for m in msgs), timeout=20000)
    win.close()


def test_new_shot_appears_and_selection_is_kept(qtbot, small_demo):
    tb, root = small_demo
    win = make_window(qtbot, tb, poll_ms=100)
    assert win.browser.model.total() == 8
    win.browser.select_shots([1003, 1005])
    qtbot.waitUntil(lambda: win.browser.selected_shots() == [1005, 1003], timeout=5000)
    p = plan(n=9)[-1]
    write_shot(p, tb.registry, root / "shots", root / "truth")
    qtbot.waitUntil(lambda: win.browser.model.total() == 9, timeout=15000)
    assert win.browser.shots_in_view()[0] == 1009
    assert win.browser.selected_shots() == [1005, 1003]
    # follow mode switches to the newest shot by itself
    win.ui.actionFollowLatest.setChecked(True)
    write_shot(plan(n=10)[-1], tb.registry, root / "shots", root / "truth")
    qtbot.waitUntil(lambda: win.browser.selected_shots() == [1010], timeout=15000)
    win.close()


def test_filter_and_paging(qtbot, tmp_path):
    tb = Testbed(db_url=f"sqlite:///{tmp_path / 'big.sqlite'}", shots_dir=tmp_path / "none")
    t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
    with tb.engine.begin() as c:
        c.execute(ShotFile.__table__.insert(), [dict(
            location=f"/x/{i}", shot=i, source="hdf5", status="complete", error="", start_time=t0 + timedelta(hours=i),
            duration_s=0.05, comment="scan" if i % 2 else "ref", operator="", settings_json="{}", search_text="",
            channels_json="[]", n_channels=0, checksum="", size=0, mtime_ns=0, indexed_at=t0) for i in range(1, 1301)])
    from manager.views.shot_browser import PAGE, ShotBrowserPanel

    panel = ShotBrowserPanel(tb, poll_ms=0)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.model.total() == 1300, timeout=10000)
    assert panel.model.loaded() == PAGE  # rows fetched lazily
    panel.model.fetchMore()
    qtbot.waitUntil(lambda: panel.model.loaded() == 2 * PAGE, timeout=10000)
    panel.set_filter_text("1200-1250")
    qtbot.waitUntil(lambda: panel.model.total() == 51, timeout=10000)
    assert panel.shots_in_view()[0] == 1250
    panel.set_filter_text("status:nonsense")
    assert panel.ui.errorLabel.isVisibleTo(panel) and "unknown status" in panel.ui.errorLabel.text()
    panel.shutdown()


def test_layout_and_recent_shots_restored(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    win = make_window(qtbot, tb, fresh=False)
    win.plots.set_layout(["Coil_I", "Fill_pressure"])
    win.browser.select_shots([1012])
    qtbot.waitUntil(lambda: win.browser.selected_shots() == [1012], timeout=5000)
    win.close()
    win2 = make_window(qtbot, tb, fresh=False)
    assert win2.plots.layout_names == ["Coil_I", "Fill_pressure"]
    qtbot.waitUntil(lambda: win2.browser.selected_shots() == [1012], timeout=10000)
    win2.close()
    win3 = make_window(qtbot, tb, fresh=True)
    assert win3.plots.layout_names[0] == "Langmuir_I"
    win3.close()


def test_uncaught_exception_is_logged_and_shown(qtbot, demo_sqlite, caplog):
    import sys

    from PySide6.QtWidgets import QApplication, QMessageBox

    from manager.app import install_excepthook

    tb, _ = demo_sqlite
    win = make_window(qtbot, tb)
    old = sys.excepthook
    install_excepthook(lambda: win)
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert any("boom in a slot" in r.getMessage() for r in caplog.records)
    boxes = [w for w in QApplication.topLevelWidgets()
             if isinstance(w, QMessageBox) and w.objectName() == "gilgameshErrorDialog" and w.isVisible()]
    assert boxes and "boom in a slot" in boxes[0].text() and "still running" in boxes[0].text()
    boxes[0].close()
    assert win.isVisible()  # the app stays up
    win.close()


@pytest.mark.postgres
def test_unreachable_database_is_reported_not_fatal(qtbot, tmp_path):
    """The lab database goes away under a running browser: a message in the panel, no crash."""
    from core.testing import PostgresServer
    from manager.views.shot_browser import ShotBrowserPanel

    srv = PostgresServer(port=5433).start()
    try:
        tb = Testbed(db_url=srv.create_database("gone"), shots_dir=tmp_path / "none")
        panel = ShotBrowserPanel(tb, poll_ms=0)
        qtbot.addWidget(panel)
        qtbot.waitUntil(lambda: panel.presenter._stamp is not None, timeout=10000)
        srv._run(str(srv.bindir / "pg_ctl"), "-D", str(srv.datadir), "-m", "immediate", "-w", "stop")
        panel.presenter.refresh(update=True)
        qtbot.waitUntil(lambda: panel.ui.errorLabel.isVisibleTo(panel), timeout=30000)
        assert "Cannot list shots" in panel.ui.errorLabel.text()
        panel.shutdown()
    finally:
        srv.stop()


def test_restored_shot_beyond_the_first_page_is_selected(qtbot, demo_sqlite, monkeypatch):
    import manager.views.shot_browser as sb

    monkeypatch.setattr(sb, "PAGE", 10)  # 36 demo shots: three pages
    tb, _ = demo_sqlite
    from manager.app import MainWindow

    win = MainWindow(tb, fresh=True, poll_ms=0)
    qtbot.addWidget(win)
    win._restored_shots = [1003]
    win.show()
    qtbot.waitUntil(lambda: win.browser.selected_shots() == [1003], timeout=15000)
    assert win.browser.model.loaded() >= 34
    win.browser.select_shots([999999], fallback_newest=True)
    qtbot.waitUntil(lambda: win.browser.selected_shots() == [1036], timeout=15000)
    win.close()


def test_dashboard_follows_again_after_reopening(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    from manager.views.dashboard import Dashboard

    dash = Dashboard(tb, {"signals": ["Coil_I"], "poll_ms": 100})
    qtbot.addWidget(dash)
    dash.show()
    dash.close()
    assert not dash.timer.isActive()
    dash.show()
    assert dash.timer.isActive()
    dash.close()


def test_machine_tree_ignores_stale_results(qtbot, demo_sqlite):
    from core.machine import load_machine
    from manager.views.machine_tree import MachineTreePanel

    tb, _ = demo_sqlite
    p = MachineTreePanel(tb, load_machine(testbed=tb))
    qtbot.addWidget(p)
    p.set_shot(1021)
    p.set_shot(None)
    qtbot.waitUntil(lambda: not p.runner.has_pending(), timeout=10000)
    assert p.model.shot is None
    p.shutdown()
