"""``gilgamesh screenshot OUT.png``: render the main window on the demo testbed offscreen."""
from __future__ import annotations

import os
import time
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("screenshot", help="render the main window (demo testbed) to a PNG, offscreen")
    p.add_argument("out", type=Path)
    p.add_argument("--shot", type=int, action="append", help="shot(s) to show (default: latest complete)")
    p.add_argument("--size", default="1500x900", help="window size WxH")
    p.add_argument("--dashboard", action="store_true", help="render the control-room dashboard instead")
    p.set_defaults(func=cmd_screenshot)


def _app_and_testbed():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from core.testbed import Testbed
    from manager.app import ensure_data

    app = QApplication.instance() or QApplication([])
    tb = Testbed()
    ensure_data(tb)
    return app, tb


def _wait(app, done, timeout_s: float) -> None:
    """Process events until *done()* (or the timeout), then let the last paints land."""
    deadline = time.monotonic() + timeout_s
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()
        time.sleep(0.01)


def _save(widget, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(out))
    widget.close()
    return out


def render(out: Path, shots: list[int] | None = None, size=(1500, 900), timeout_s: float = 60) -> Path:
    from manager.app import MainWindow

    app, tb = _app_and_testbed()
    win = MainWindow(tb, fresh=True, poll_ms=0)
    win.resize(*size)
    win.show()
    _wait(app, lambda: win.browser.model.total() > 0, timeout_s)
    if not shots:
        shots = [r.shot for r in win.browser.model.rows() if r.status == "complete"][:1]
    win.browser.select_shots(shots)
    if "machine" in win.docks:
        win.docks["machine"].raise_()
    want = len(win.plots.layout_names) * len(shots)
    _wait(app, lambda: len(win.plots.curves) >= want and not win.plots.has_pending()
          and not win.signals.runner.has_pending(), timeout_s)
    return _save(win, out)


def render_dashboard(out: Path, size=(1600, 900), timeout_s: float = 60) -> Path:
    from manager.views.dashboard import Dashboard

    app, tb = _app_and_testbed()
    dash = Dashboard(tb, tb.config.raw.get("dashboard", {}))
    dash.resize(*size)
    dash.show()
    _wait(app, lambda: dash.shot is not None and len(dash.plots.curves) >= len(dash.signal_names)
          and not dash.plots.has_pending(), timeout_s)
    return _save(dash, out)


def cmd_screenshot(args) -> int:
    w, h = (int(x) for x in args.size.lower().split("x"))
    if args.dashboard:
        p = render_dashboard(args.out, (w, h))
    else:
        p = render(args.out, args.shot, (w, h))
    print(f"screenshot written to {p}")
    return 0
