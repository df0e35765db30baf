"""The control-room dashboard: the newest shot at a glance, readable at a distance.

Full screen, dark and high-contrast, large fonts. It polls the shot index
(in a worker), switches to each new shot by itself, shows *ACQUIRING* while
the shot is being written (plotting what has arrived, refreshed at every
poll) and refreshes once more when the shot is final.

Configuration (``[dashboard]`` in config.toml)::

    [dashboard]
    signals = ["Langmuir_I", "Interf_phase", "RF_fwd", "Photodiode"]
    poll_ms = 1000
"""
from __future__ import annotations

from datetime import timezone

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from manager.ui.ui_dashboard import Ui_Dashboard
from manager.views.plot_area import PlotArea
from manager.workers import TaskRunner

DEFAULT_SIGNALS = ["Langmuir_I", "Interf_phase", "RF_fwd", "Photodiode"]
STATUS_STYLE = {
    "complete": ("COMPLETE", "#1b5e20", "#c8e6c9"),
    "acquiring": ("ACQUIRING", "#ff8f00", "#101418"),
    "corrupt": ("CORRUPT", "#b71c1c", "#ffebee"),
    "unreadable": ("UNREADABLE", "#b71c1c", "#ffebee"),
    "missing": ("MISSING", "#616161", "#fafafa"),
}


def _latest_task(testbed, task=None):
    testbed.update_index(task=task, quick=True)
    return testbed.index.latest()


class Dashboard(QWidget):
    """Full-screen view of the newest shot.

    Signals
    -------
    sig_shot_changed(int)
        The dashboard switched to a new shot.
    sig_status_changed(int, str)
        ``(shot, status)`` — e.g. acquiring → complete.
    """

    sig_shot_changed = Signal(int)
    sig_status_changed = Signal(int, str)

    def __init__(self, testbed, config: dict | None = None, parent=None):
        super().__init__(parent)
        config = config or {}
        self.ui = Ui_Dashboard()
        self.ui.setupUi(self)
        self.testbed = testbed
        self.signal_names = list(config.get("signals") or DEFAULT_SIGNALS)
        self.plots = PlotArea(testbed, theme="dark")
        self.ui.plotsLayout.addWidget(self.plots)
        self.plots.set_layout(self.signal_names)
        self.runner = TaskRunner(self)
        self.shot: int | None = None
        self.status: str | None = None
        self._pending = None
        self.timer = QTimer(self, interval=int(config.get("poll_ms", 1000)))
        self.timer.timeout.connect(self.poll)
        self.timer.start()
        self.poll()

    def __repr__(self) -> str:
        return f"Dashboard(shot={self.shot}, status={self.status!r}, signals={self.signal_names})"

    def poll(self) -> None:
        if self._pending is not None and not self._pending.done:
            return
        self._pending = self.runner.submit(_latest_task, self.testbed, on_result=self._on_latest,
                                           on_error=lambda e, tb: self.ui.footerLabel.setText(
                                               f"Cannot read the shot index: {e}"))

    def _on_latest(self, row) -> None:
        if row is None:
            return
        if row.shot != self.shot:
            self.shot, self.status = row.shot, None
            self.plots.set_shots([row.shot])
            self.sig_shot_changed.emit(row.shot)
        elif row.status == "acquiring":
            self.plots.refresh_data()  # more samples have arrived
        if row.status != self.status:
            if self.status == "acquiring":
                self.plots.refresh_data()  # final data
            self.status = row.status
            self.sig_status_changed.emit(row.shot, row.status)
        self._show_header(row)

    def _show_header(self, row) -> None:
        text, bg, fg = STATUS_STYLE.get(row.status, (row.status.upper(), "#616161", "#fafafa"))
        self.ui.shotLabel.setText(f"Shot {row.shot}")
        self.ui.statusLabel.setText(text)
        self.ui.statusLabel.setStyleSheet(f"background: {bg}; color: {fg};")
        when = row.start_time.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC") if row.start_time else ""
        self.ui.timeLabel.setText(when)
        self.ui.commentLabel.setText(row.comment or "")
        st = row.settings
        bits = []
        for key, label in (("gas", "gas"), ("fill_pressure", "p"), ("b_field", "B"), ("rf_power", "P_RF")):
            if key in st:
                v = st[key]
                val = v["value"]
                bits.append(f"{label} {val:.4g} {v.get('units', '')}" if isinstance(val, float) else f"{label} {val}")
        self.ui.settingsLabel.setText("   ".join(bits))

    def showEvent(self, ev):  # noqa: N802
        super().showEvent(ev)
        if not self.timer.isActive():  # reopened after a close: follow the shots again
            self.timer.start()
            self.poll()

    def keyPressEvent(self, ev):  # noqa: N802
        if ev.key() == Qt.Key.Key_Escape:
            self.showNormal() if self.isFullScreen() else self.close()
            return
        super().keyPressEvent(ev)

    def shutdown(self) -> None:
        self.timer.stop()
        self.plots.shutdown()
        self.runner.shutdown()

    def closeEvent(self, ev):  # noqa: N802
        self.shutdown()
        super().closeEvent(ev)
