"""The Gilgamesh Manager main window and application bootstrap.

Arguments are parsed before Qt starts (:mod:`manager.cli`); an exception
anywhere is logged and shown in a dialog and the app stays up; window layout
and recent shots live in ``QSettings`` (``--fresh`` ignores them); every
panel's worker pool is stopped and waited for on close.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QDockWidget, QFileDialog, QMainWindow, QMessageBox,
                               QPlainTextEdit, QProgressDialog, QWidget)

from manager.ui.ui_main_window import Ui_MainWindow
from manager.views.plot_area import PlotArea
from manager.views.shot_browser import ShotBrowserPanel
from manager.views.signal_list import SignalListPanel
from manager.workers import TaskRunner

log = logging.getLogger("gilgamesh")
#: Plot layout on a first start (config: ``[gui] default_layout``); dotted names are physics quantities.
DEFAULT_LAYOUT = ["Langmuir_I", "langmuir1.te", "langmuir1.n_e", "Interf_phase", "RF_fwd"]
SETTINGS_ORG, SETTINGS_APP = "Gilgamesh", "Manager"


class _LogEmitter(QObject):
    sig_line = Signal(str)


class LogPanel(QWidget):
    """The log/messages panel (Designer form ``log_panel.ui``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        from manager.ui.ui_log_panel import Ui_LogPanel

        self.ui = Ui_LogPanel()
        self.ui.setupUi(self)

    def append(self, line: str) -> None:
        self.ui.text.appendPlainText(line)


class QtLogHandler(logging.Handler):
    """Forward log records to the log dock (thread-safe through a queued signal)."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.emitter = _LogEmitter()
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))

    def emit(self, record):
        try:
            self.emitter.sig_line.emit(self.format(record))
        except RuntimeError:  # emitter already deleted at shutdown
            pass


def _settings() -> QSettings:
    home = os.environ.get("GILGAMESH_HOME")
    if home:  # tests and demos never touch the user's settings
        return QSettings(str(Path(home) / "config" / "manager.ini"), QSettings.Format.IniFormat)
    return QSettings(SETTINGS_ORG, SETTINGS_APP)


class MainWindow(QMainWindow):
    """Main window: shot browser, signal list, plot area, bibliography and log docks."""

    sig_closed = Signal()

    def __init__(self, testbed, fresh: bool = False, poll_ms: int = 2000, parent: QWidget | None = None):
        super().__init__(parent)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.testbed = testbed
        self.fresh = fresh
        self.runner = TaskRunner(self)
        self.plots = PlotArea(testbed)
        self.ui.centralLayout.addWidget(self.plots)
        self.browser = ShotBrowserPanel(testbed, poll_ms=poll_ms)
        self.signals = SignalListPanel(testbed)
        self.log_panel = LogPanel()
        self.log_view = self.log_panel.ui.text
        self.panels: dict[str, QWidget] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.add_panel("shots", "Shots", self.browser, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.add_panel("signals", "Signals", self.signals, Qt.DockWidgetArea.LeftDockWidgetArea)
        self._add_machine_panel()
        self.add_panel("log", "Log", self.log_panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._add_optional_panels()
        self._add_console_panel()
        self.log_handler = QtLogHandler()
        self.log_handler.emitter.sig_line.connect(self.log_panel.append)
        logging.getLogger().addHandler(self.log_handler)
        if logging.getLogger().level > logging.INFO or logging.getLogger().level == 0:
            logging.getLogger().setLevel(logging.INFO)
        for noisy in ("alembic", "urllib3", "asyncio", "traitlets"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        self._connect()
        self._first_rows = True
        self._restore()

    def __repr__(self) -> str:
        return f"MainWindow(testbed={self.testbed!r})"

    # -- panels ---------------------------------------------------------------
    def add_panel(self, key: str, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea):
        if key in ("bibliography", "notebooks"):
            widget.setMinimumSize(300, 120)  # tabbed below the plots: let the plots keep the height
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.ui.menuView.addAction(dock.toggleViewAction())
        self.panels[key] = widget
        self.docks[key] = dock
        return dock

    def _add_machine_panel(self) -> None:
        """The diagnostic tree (machine description); the window works without it."""
        self.machine_tree = None
        try:
            from manager.views.machine_tree import MachineTreePanel

            panel = MachineTreePanel(self.testbed)
        except Exception as exc:  # noqa: BLE001 - a broken description must not stop the app
            log.warning("diagnostic tree unavailable: %s", str(exc))
            return
        self.machine_tree = panel
        self.add_panel("machine", "Diagnostics", panel, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.tabifyDockWidget(self.docks["signals"], self.docks["machine"])
        self.docks["signals"].raise_()

    def _add_optional_panels(self) -> None:
        from core.config import resources_dir

        bib_files = self.testbed.config.raw.get("biblio", {}).get("files") or [
            str(resources_dir() / "demo" / "bibliography.bib")]
        docs = self.testbed.config.raw.get("biblio", {}).get("documents_dir")
        try:
            from manager.views.bibliography import BibliographyPanel

            panel = BibliographyPanel([Path(p).expanduser() for p in bib_files],
                                      Path(docs).expanduser() if docs else None)
            self.add_panel("bibliography", "Bibliography", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
            self.tabifyDockWidget(self.docks["log"], self.docks["bibliography"])
        except ImportError as exc:
            log.warning("bibliography panel unavailable: %s", str(exc))
        try:
            from manager.views.hub import HubPanel

            self.add_panel("hub", "Hub", HubPanel(self), Qt.DockWidgetArea.RightDockWidgetArea)
            self.docks["hub"].hide()  # View > Hub
        except ImportError as exc:
            log.warning("hub panel unavailable: %s", exc)
        try:
            from manager.views.notebooks import NotebooksPanel  # noqa: F401
        except ImportError:
            return
        try:
            panel = self._make_notebooks_panel()
            if panel is not None:
                self.add_panel("notebooks", "Notebooks", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
                self.tabifyDockWidget(self.docks["bibliography"], self.docks["notebooks"])
        except Exception as exc:  # noqa: BLE001 - an optional panel must not stop the app
            log.warning("notebooks panel unavailable: %s", str(exc))

    def _add_console_panel(self) -> None:
        """The IPython console dock (docs/console.md); the window works without it.

        The kernel starts the first time the dock is shown, off the GUI thread.
        """
        self.console = None
        try:
            from PySide6.QtGui import QAction

            from manager.views.console import ConsolePanel

            panel = ConsolePanel(self.testbed, autostart=False)
        except Exception as exc:  # noqa: BLE001 - qtconsole/jupyter missing or broken
            log.warning("console unavailable: %s", str(exc))
            return
        self.console = panel
        dock = self.add_panel("console", "Console", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["log"], dock)
        self.docks["log"].raise_()

        def roomy(visible, first=[True]):  # noqa: B006 - once per session: a console needs lines
            if visible and first[0] and dock.height() < 240:
                first[0] = False
                self.resizeDocks([dock], [280], Qt.Orientation.Vertical)

        dock.visibilityChanged.connect(roomy)
        panel.sig_plot_requested.connect(self._plot_from_console)
        self.browser.sig_selection_changed.connect(self._console_selection)
        for owner, text, slot in (
                (self.signals, "Send to console", lambda: self.send_to_console(
                    signals=self.signals.selected_names(), shots=[self.signals.shot] if self.signals.shot else None)),
                (self.browser, "Send selected shots to console",
                 lambda: self.send_to_console(shots=self.browser.selected_shots())),
                (self.plots, "Send plotted signals to console",
                 lambda: self.send_to_console(signals=self.plots.layout_names, shots=self.plots.shots))):
            act = QAction(text, owner)
            act.setObjectName("action" + text.title().replace(" ", ""))
            act.triggered.connect(slot)
            if owner is self.plots:
                self.plots.glw.scene().contextMenu.append(act)  # pyqtgraph's right-click menu
            else:
                owner.addAction(act)
                owner.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    def send_to_console(self, signals: list[str] | None = None, shots: list[int] | None = None) -> str:
        """Insert code at the console's prompt: reading *signals* for *shots*, or the *shots*."""
        if self.console is None:
            return ""
        self.docks["console"].show()
        self.docks["console"].raise_()
        self.console.ensure_started()
        if signals:
            return self.console.send_signals(signals, shots)
        return self.console.send_shots(shots or [])

    def _console_selection(self, shots: list[int]) -> None:
        current = self.browser.current_shot()
        if current not in shots:
            current = shots[0] if shots else None
        self.console.set_shot(current, shots)

    def _plot_from_console(self, payload: dict) -> None:
        from manager.views.console import decode_curves

        for c in decode_curves(payload):
            self.plots.add_external(c["name"], c["t"], c["y"], c["units"])

    def _make_notebooks_panel(self):
        """The notebook sync panel, on the configured store (default: the lab database)."""
        from manager.views.notebooks import NotebooksPanel

        nb = self.testbed.config.raw.get("notebooks", {})
        import os

        url = nb.get("store_url") or os.environ.get("GILGAMESH_NOTEBOOKS_URL") or self.testbed.config.db_url
        return NotebooksPanel(store_url=url)

    def _connect(self) -> None:
        ui = self.ui
        ui.actionQuit.triggered.connect(self.close)
        ui.actionReindex.triggered.connect(lambda: self.browser.presenter.refresh(update=True))
        ui.actionClearPlots.triggered.connect(self.plots.clear)
        ui.actionAutoscale.triggered.connect(self.plots.autoscale)
        ui.actionNextShot.triggered.connect(lambda: self.step_shot(+1))
        ui.actionPrevShot.triggered.connect(lambda: self.step_shot(-1))
        ui.actionLatestShot.triggered.connect(self.go_latest)
        ui.actionExportPng.triggered.connect(lambda: self.export_png())
        ui.actionExportCsv.triggered.connect(lambda: self.export_csv())
        ui.actionZoomBack.triggered.connect(self.plots.zoom_back)
        ui.actionZoomForward.triggered.connect(self.plots.zoom_forward)
        ui.actionCursors.toggled.connect(self.plots.set_cursors)
        ui.actionTimeOffset.triggered.connect(self.ask_time_offset)
        ui.actionSaveView.triggered.connect(lambda: self.save_view())
        ui.actionLoadView.triggered.connect(lambda: self.load_view())
        ui.actionCompareRegistry.triggered.connect(self.compare_registry)
        ui.actionDashboard.triggered.connect(self.open_dashboard)
        ui.actionAbout.triggered.connect(self.about)
        self.browser.sig_selection_changed.connect(self.on_selection)
        self.browser.sig_rows_updated.connect(self.on_rows_updated)
        self.browser.sig_message.connect(self.message)
        self.signals.sig_plot_requested.connect(self.plots.add_signals)
        if self.machine_tree is not None:
            self.machine_tree.sig_plot_requested.connect(self.plots.add_signals)
        self.plots.sig_error.connect(self.message)

    # -- behaviour ------------------------------------------------------------
    def message(self, text: str) -> None:
        self.statusBar().showMessage(text, 10000)
        log.info(text)

    def on_selection(self, shots: list[int]) -> None:
        current = self.browser.current_shot()
        if current not in shots:
            current = shots[0] if shots else None
        self.signals.set_shot(current)
        if self.machine_tree is not None:
            self.machine_tree.set_shot(current)
        self.plots.set_shots(shots)
        if shots:
            log.info("showing shot%s %s", "s" if len(shots) > 1 else "", ", ".join(map(str, shots)))
            self.setWindowTitle(f"Gilgamesh — shot {', '.join(map(str, shots[:5]))}"
                                + ("…" if len(shots) > 5 else ""))

    def on_rows_updated(self, n: int) -> None:
        if self._first_rows:
            self._first_rows = False
            if not self.browser.selected_shots():
                target = self._restored_shots or ([self.browser.shots_in_view()[0]]
                                                  if self.browser.shots_in_view() else [])
                self.browser.select_shots(target, fallback_newest=True)
            return
        if self.ui.actionFollowLatest.isChecked():
            latest = self.browser.shots_in_view()[:1]
            if latest and latest != self.browser.selected_shots()[:1]:
                self.browser.select_shots(latest)

    def step_shot(self, delta: int) -> None:
        shots = self.browser.shots_in_view()  # newest first
        cur = self.browser.current_shot()
        if not shots:
            return
        if cur not in shots:
            self.browser.select_shots([shots[0]])
            return
        i = shots.index(cur) - delta
        if 0 <= i < len(shots):
            self.browser.select_shots([shots[i]])
        elif i >= len(shots) and self.browser.model.loaded() < self.browser.model.total():
            self.browser.model.fetchMore()  # older shots are on the next page
            QTimer.singleShot(300, lambda: self.step_shot(delta))

    def go_latest(self) -> None:
        shots = self.browser.shots_in_view()
        if shots:
            self.browser.select_shots([shots[0]])

    def export_png(self, path: str | None = None) -> str | None:
        """Image of the plots (PNG, or SVG by extension)."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export plots", "plots.png", "PNG (*.png);;SVG (*.svg)")
        if path:
            self.plots.export_image(path)
            self.message(f"plots written to {path}")
        return path or None

    def export_csv(self, path: str | None = None):
        """Full-resolution data of the visible range (CSV or HDF5 by extension), with provenance."""
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export visible data", "signals.h5",
                                                  "HDF5 (*.h5);;CSV (*.csv)")
        if not path:
            return None
        return self.plots.export_data(path, on_done=lambda p: self.message(f"data written to {p} (with provenance)"))

    # -- named views --------------------------------------------------------------
    @staticmethod
    def views_dir() -> Path:
        from core.config import config_dir

        return config_dir() / "views"

    def save_view(self, name: str | None = None) -> Path | None:
        """Save the plot layout (rows, offsets, time range) as a named view (JSON)."""
        from PySide6.QtWidgets import QInputDialog

        from manager.views.plot_area import save_view

        if name is None:
            name, ok = QInputDialog.getText(self, "Save plot view", "Name:")
            if not ok or not name.strip():
                return None
        safe = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in name.strip())
        path = self.views_dir() / f"{safe}.json"
        save_view(path, self.plots.view_state())
        self.message(f"view {name!r} saved ({path})")
        return path

    def load_view(self, name_or_path: str | None = None) -> bool:
        """Apply a named view to the selected shots."""
        from manager.views.plot_area import load_view_file

        if name_or_path is None:
            path, _ = QFileDialog.getOpenFileName(self, "Open plot view", str(self.views_dir()), "Views (*.json)")
            if not path:
                return False
        else:
            path = name_or_path if name_or_path.endswith(".json") else str(self.views_dir() / f"{name_or_path}.json")
        try:
            state = load_view_file(Path(path))
        except (OSError, ValueError) as exc:
            self.message(f"cannot open view {path}: {exc}")
            return False
        self.plots.apply_view(state)
        self.message(f"view {Path(path).stem!r} applied")
        return True

    def ask_time_offset(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        shots = self.browser.selected_shots()
        if not shots:
            return
        shot, ok = QInputDialog.getItem(self, "Time offset", "Shot:", [str(s) for s in shots], 0, False)
        if not ok:
            return
        ms, ok = QInputDialog.getDouble(self, "Time offset", f"Shift shot {shot} by (ms):",
                                        self.plots.offsets.get(int(shot), 0.0) * 1e3, -1e6, 1e6, 3)
        if ok:
            self.plots.set_offset(int(shot), ms * 1e-3)

    def compare_registry(self) -> None:
        from manager.views.registry_compare import RegistryCompareDialog

        shots = self.browser.selected_shots()
        a, b = (shots[-1], shots[0]) if len(shots) >= 2 else (shots[0] if shots else 0, shots[0] if shots else 0)
        dlg = RegistryCompareDialog(self.testbed.registry, a, b, self)
        dlg.show()
        self._compare_dialog = dlg

    def open_dashboard(self):
        from manager.views.dashboard import Dashboard

        dash = getattr(self, "dashboard", None)
        if dash is None:
            dash = Dashboard(self.testbed, self.testbed.config.raw.get("dashboard", {}))
            self.dashboard = dash
        dash.showFullScreen()
        return dash

    def about(self) -> None:
        import core

        QMessageBox.about(self, "About Gilgamesh",
                          f"Gilgamesh {core.__version__}\nData management for a plasma testbed.\n\n{self.testbed!r}")

    # -- settings -------------------------------------------------------------
    def _restore(self) -> None:
        self._restored_shots: list[int] = []
        layout = self.testbed.config.raw.get("gui", {}).get("default_layout") or DEFAULT_LAYOUT
        if not self.fresh:
            s = _settings()
            geo, state = s.value("geometry"), s.value("windowState")
            if geo is not None:
                self.restoreGeometry(geo)
            if state is not None:
                self.restoreState(state)
            try:
                self._restored_shots = [int(x) for x in json.loads(s.value("recentShots", "[]"))][:8]
                saved = json.loads(s.value("plotLayout", "null"))
                if isinstance(saved, list) and all(isinstance(x, (str, list)) for x in saved):
                    layout = saved
            except (ValueError, TypeError):
                pass
        self._needs_default_geometry = self.fresh or _settings().value("windowState") is None
        self.plots.set_layout(layout)

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if getattr(self, "_needs_default_geometry", False):
            self._needs_default_geometry = False
            self._default_geometry()

    def _default_geometry(self) -> None:
        """First start: plots dominate; browser and signals left; log, console, bibliography, notebooks as tabs below."""
        h, v = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
        left = [self.docks[k] for k in ("shots",) if k in self.docks]
        self.resizeDocks(left, [460] * len(left), h)
        self.resizeDocks([self.docks["shots"], self.docks["signals"]], [400, 330], v)
        self.resizeDocks([self.docks["log"]], [170], v)
        self.docks["log"].raise_()

    def save_settings(self) -> None:
        s = _settings()
        s.setValue("geometry", self.saveGeometry())
        s.setValue("windowState", self.saveState())
        s.setValue("recentShots", json.dumps(self.browser.selected_shots()[:8]))
        s.setValue("plotLayout", json.dumps([r for r in self.plots.rows if r != ["console"]]))
        s.sync()

    def shutdown(self) -> None:
        """Stop every worker and wait for it (called on close)."""
        dash = getattr(self, "dashboard", None)
        if dash is not None:
            dash.close()
        dlg = getattr(self, "_compare_dialog", None)
        if dlg is not None:
            dlg.close()
        for w in [self.browser, self.signals, self.plots, *self.panels.values()]:  # machine tree is a panel
            if hasattr(w, "shutdown"):
                w.shutdown()
        self.runner.shutdown()
        logging.getLogger().removeHandler(self.log_handler)

    def closeEvent(self, ev):  # noqa: N802
        try:
            self.save_settings()
        finally:
            self.shutdown()
            self.sig_closed.emit()
        super().closeEvent(ev)


def install_excepthook(parent_getter=lambda: None) -> None:
    """Log every uncaught exception and show it in a dialog; the app stays up."""

    def hook(etype, value, tb):
        text = "".join(traceback.format_exception(etype, value, tb))
        log.error("uncaught exception:\n%s", text)
        app = QApplication.instance()
        if app is None:
            return
        box = QMessageBox(QMessageBox.Icon.Critical, "Gilgamesh — unexpected error",
                          f"{etype.__name__}: {value}\n\nThe application is still running; "
                          "details are in the log panel.", parent=parent_getter())
        box.setObjectName("gilgameshErrorDialog")
        box.setDetailedText(text)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.show()

    sys.excepthook = hook


def ensure_data(testbed, parent=None) -> None:
    """First launch with no data configured: write the demo testbed (with progress)."""
    from core.config import data_dir

    if testbed.index.count() or Path(testbed.config.shots_dir).exists():
        return
    if Path(testbed.config.shots_dir) != data_dir() / "demo" / "shots":
        return  # a configured folder that does not exist: the browser will say it is empty
    dlg = QProgressDialog("Writing the demo testbed…", "Cancel", 0, 100, parent)
    dlg.setWindowTitle("Gilgamesh — first start")
    dlg.setMinimumDuration(0)
    runner = TaskRunner()
    done = {"ok": False}

    def work(task=None):
        from core.demo import create_demo

        create_demo(db_url=testbed.config.db_url, task=task)

    app = QApplication.instance()
    h = runner.submit(work, on_progress=lambda f, m: (dlg.setValue(int(f * 100)), dlg.setLabelText(m)),
                      on_result=lambda _r: done.update(ok=True),
                      on_error=lambda e, tb: log.error("demo creation failed: %s", e))
    dlg.canceled.connect(h.cancel)
    while not h.done:
        app.processEvents()
        runner.pool.waitForDone(20)
    dlg.close()
    runner.shutdown()


def run_app(fresh: bool = False, shot: int | None = None, argv=None) -> int:
    from core.testbed import Testbed

    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Gilgamesh")
    app.setOrganizationName(SETTINGS_ORG)
    signal.signal(signal.SIGINT, lambda *_: app.quit())  # Ctrl-C in the terminal quits
    tick = QTimer()
    tick.start(250)  # let Python handle signals while Qt runs
    tick.timeout.connect(lambda: None)
    win_ref = {}
    install_excepthook(lambda: win_ref.get("w"))
    try:
        testbed = Testbed()
    except Exception as exc:  # noqa: BLE001 - unusable configuration: say so
        QMessageBox.critical(None, "Gilgamesh", f"Cannot open the data: {exc}")
        return 2
    ensure_data(testbed)
    win = MainWindow(testbed, fresh=fresh)
    win_ref["w"] = win
    if shot is not None:
        win._restored_shots = [shot]
    win.show()
    rc = app.exec()
    return rc
