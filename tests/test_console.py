"""The console dock: a real out-of-process IPython kernel wired to the main window (pytest-qt, offscreen)."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import psutil
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt
from PySide6.QtGui import QAction, QDropEvent

from manager.kernel_startup import PLOT_MIME, plot_payload
from manager.views.signal_list import MIME_SIGNAL

READY_MS = 20000


@pytest.fixture(autouse=True)
def _no_history(monkeypatch):
    monkeypatch.setenv("GILGAMESH_CONSOLE_HISTORY", "0")  # test kernels never write IPython history


def _kernel_children() -> set[int]:
    out = set()
    for p in psutil.Process().children(recursive=True):
        try:
            if p.status() != psutil.STATUS_ZOMBIE and "ipykernel_launcher" in " ".join(p.cmdline()):
                out.add(p.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def make_window(qtbot, tb):
    from manager.app import MainWindow

    win = MainWindow(tb, fresh=True, poll_ms=0)
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: win.browser.selected_shots() != [], timeout=10000)
    win.docks["console"].raise_()  # opening the console starts its kernel
    qtbot.waitUntil(win.console.is_ready, timeout=READY_MS)
    return win


def evaluate(qtbot, console, expr):
    box = []
    console.evaluate(expr, box.append)
    qtbot.waitUntil(lambda: bool(box), timeout=10000)
    return box[0]


def run(qtbot, console, code, expect):
    console.execute(code)
    qtbot.waitUntil(lambda: expect in console.transcript(), timeout=15000)


def settled_transcript(qtbot, console, quiet_ms=400, timeout=15000):
    """The transcript once nothing has changed in it for *quiet_ms* (the next prompt is drawn)."""
    import time

    deadline = time.monotonic() + timeout / 1000
    last, since = console.transcript(), time.monotonic()
    while time.monotonic() < deadline:
        qtbot.wait(50)
        now = console.transcript()
        if now != last:
            last, since = now, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return now
    raise AssertionError("console output did not settle")


def test_console_runs_code_follows_selection_sends_and_plots(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    win = make_window(qtbot, tb)
    con = win.console
    assert "Kernel ready" in con.status_text()
    # the library is preloaded, on the app's own database and shot folder
    assert {"get_signal", "get_signals", "testbed", "index", "show", "shot"} <= set(con.presenter.preload["loaded"])
    assert evaluate(qtbot, con, "str(testbed.config.db_url)") == str(tb.config.db_url)
    assert evaluate(qtbot, con, "str(testbed.config.shots_dir)") == str(tb.config.shots_dir)
    # code executes and its output appears
    run(qtbot, con, "print(6 * 7)", "42")
    # `shot` follows the browser, silently (nothing echoed into the console)
    before = settled_transcript(qtbot, con)
    win.browser.select_shots([1021])
    qtbot.waitUntil(lambda: evaluate(qtbot, con, "shot") == 1021, timeout=10000)
    win.browser.select_shots([1021, 1014])
    qtbot.waitUntil(lambda: sorted(evaluate(qtbot, con, "shots")) == [1014, 1021], timeout=10000)
    assert con.transcript() == before
    # send to console from the signal list's context menu: working code at the prompt
    win.browser.select_shots([1021])
    qtbot.waitUntil(lambda: win.signals.shot == 1021 and len(win.signals.rows) > 10, timeout=10000)
    tree = win.signals.ui.tree
    item = next(tree.topLevelItem(i) for i in range(tree.topLevelItemCount())
                if tree.topLevelItem(i).text(0) == "Langmuir_I")
    tree.clearSelection()
    item.setSelected(True)
    act = win.signals.findChild(QAction, "actionSendToConsole")
    assert act in win.signals.actions()
    act.trigger()
    assert con.widget.input_buffer == 'sig = get_signal("Langmuir_I", 1021)'
    con.widget.execute()  # run what is at the prompt
    qtbot.waitUntil(lambda: evaluate(qtbot, con, "(sig.name, sig.shot, sig.units)") == ("Langmuir_I", 1021, "A"),
                    timeout=15000)
    # dragging a signal from the list onto the console does the same
    md = QMimeData()
    md.setData(MIME_SIGNAL, b"Langmuir_V")
    md.setText('get_signal("Langmuir_V", shot)')
    drop = QDropEvent(QPoint(20, 20), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    con.widget.dropEvent(drop)
    assert con.widget.input_buffer == 'sig = get_signal("Langmuir_V", 1021)'
    con.widget.input_buffer = ""
    # the shots and the plot area send code too
    assert win.send_to_console(shots=[1021, 1014]) == "sel = [1021, 1014]\nrows = [index.get(s) for s in sel]"
    con.widget.execute()
    qtbot.waitUntil(lambda: evaluate(qtbot, con, "[r.shot for r in rows]") == [1021, 1014], timeout=15000)
    code = win.send_to_console(signals=win.plots.layout_names, shots=[1021, 1014])
    assert code.startswith("sigs = get_signals([") and '"Langmuir_I"' in code
    con.widget.execute()
    qtbot.waitUntil(lambda: evaluate(qtbot, con, "len(sigs)") == 2 * len(win.plots.layout_names), timeout=20000)
    # show() in the kernel draws in the app's plot area, over the Jupyter protocol
    run(qtbot, con, 'show(get_signal("Langmuir_I", 1021)); show(np.arange(50.0) ** 2, label="squares")',
        "[plotted in 'squares'")
    qtbot.waitUntil(lambda: ("Langmuir_I #1021", None) in win.plots.curves, timeout=10000)
    curve = win.plots.curves[("Langmuir_I #1021", None)]
    sig = tb.get_signal("Langmuir_I", 1021)
    assert curve.external and curve.units == "A"
    assert curve.t[0] == pytest.approx(sig.time[0]) and curve.t[-1] == pytest.approx(sig.time[-1])
    assert np.nanmax(curve.y) == pytest.approx(np.nanmax(sig.data))  # min/max decimation keeps the peaks
    assert np.array_equal(win.plots.curves[("array", None)].y, np.arange(50.0) ** 2)
    pid = con.kernel_pid()
    win.grab().save(os.path.join(os.environ["GILGAMESH_HOME"], "console.png"))
    win.close()
    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_kernel_death_recovery_restart_and_no_orphans(qtbot, demo_sqlite):
    tb, _ = demo_sqlite
    baseline = _kernel_children()
    win = make_window(qtbot, tb)
    con = win.console
    win.browser.select_shots([1014])
    qtbot.waitUntil(lambda: evaluate(qtbot, con, "shot") == 1014, timeout=10000)
    # interrupt a long computation
    con.execute("import time; time.sleep(60)")
    qtbot.waitUntil(lambda: "Kernel busy" in con.status_text(), timeout=10000)
    # SIGINT is asynchronous: one sent before the kernel enters sleep() can be lost; send again
    for attempt in range(5):
        con.interrupt()
        try:
            qtbot.waitUntil(lambda: "KeyboardInterrupt" in con.transcript(), timeout=3000)
            break
        except qtbot.TimeoutError:
            if attempt == 4:
                raise
    # SIGKILL: the app stays up, says so, and a new kernel with the library is ready within 15 s
    for how in ("sigkill", "os._exit"):
        pid = con.kernel_pid()
        t0 = time.perf_counter()
        if how == "sigkill":
            os.kill(pid, signal.SIGKILL)
        else:
            con.execute("import os; os._exit(3)")
        qtbot.waitUntil(lambda p=pid: con.is_ready() and con.kernel_pid() != p, timeout=15000)
        assert time.perf_counter() - t0 < 15
        assert "Kernel died" in con.transcript()
        assert evaluate(qtbot, con, "shot") == 1014  # the selection is bound again
        assert evaluate(qtbot, con, 'get_signal("Rogowski_V", shot).name') == "Rogowski_V"
    assert win.isVisible()
    # the Restart action: a fresh kernel, the transcript kept
    pid = con.kernel_pid()
    con.ui.restartButton.click()
    qtbot.waitUntil(lambda: con.is_ready() and con.kernel_pid() != pid, timeout=15000)
    assert "Restarting the kernel" in con.transcript()
    assert "NameError" in evaluate(qtbot, con, "time")  # variables are gone, the library is back
    assert evaluate(qtbot, con, "callable(show) and callable(get_signal)") is True
    assert _kernel_children() - baseline == {con.kernel_pid()}
    # quitting shuts the kernel down: no orphan process is left
    win.close()
    qtbot.waitUntil(lambda: _kernel_children() - baseline == set(), timeout=10000)


def test_kernel_that_cannot_start_leaves_a_message(qtbot):
    from manager.views.console import ConsolePanel

    panel = ConsolePanel(kernel_argv=[sys.executable, "-c", "import sys; sys.stderr.write('no kernel here'); "
                                                            "sys.exit(3)"])
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitUntil(lambda: panel.presenter.state == "failed", timeout=15000)
    assert "could not start" in panel.message_text() and "no kernel here" in panel.message_text()
    assert "exit code 3" in panel.message_text()
    panel.shutdown()
    assert _kernel_children() == set()


def test_generated_code_compiles_and_payload_round_trips(demo_sqlite):
    from manager.views.console import code_for_shots, code_for_signals, decode_curves

    assert code_for_signals(["Langmuir_I"], [1234]) == 'sig = get_signal("Langmuir_I", 1234)'
    assert code_for_signals(["Langmuir_I", "RF fwd"], [1021]) == (
        'langmuir_i = get_signal("Langmuir_I", 1021)\nrf_fwd = get_signal("RF fwd", 1021)')
    assert code_for_signals(["A", "B"], [1, 2]) == 'sigs = get_signals(["A", "B"], [1, 2], errors="collect")'
    assert code_for_signals(["A"], []) == 'sig = get_signal("A", shot)'
    for code in (code_for_signals(["A", "B"], [1, 2]), code_for_shots([3, 4])):
        compile(code, "<console>", "exec")
    tb, _ = demo_sqlite
    sig = tb.get_signal("Langmuir_I", 1021)
    payload = plot_payload(sig, (np.array([0.0, 1.0]), np.array([np.nan, 2.0])), names=[None, "pair"])
    (c1, c2) = decode_curves(payload)
    assert payload["label"] == "Langmuir_I" and c1["name"] == "Langmuir_I #1021" and c1["n"] == len(sig)
    assert len(c1["t"]) <= 20000 and c1["y"].max() == sig.data.max() and c1["y"].min() == sig.data.min()
    assert c2["name"] == "pair" and np.isnan(c2["y"][0]) and c2["y"][1] == 2.0
    with pytest.raises(ValueError, match="1-D"):
        plot_payload(np.zeros((2, 2)))
    assert PLOT_MIME == "application/vnd.gilgamesh.plot+json"


def test_kernel_side_code_imports_no_qt():
    code = ("import sys, manager.kernel_startup\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'qtpy', 'qtconsole', 'pyqtgraph')]\n"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.path.dirname(os.path.dirname(__file__)))
