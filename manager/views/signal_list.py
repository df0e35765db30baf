"""Signals of the selected shot, as the registry resolves them.

Disconnected signals are greyed with the reason; the tooltip shows the
provenance for that shot: digitizer, channel, calibration revision and its
validity range, who changed it and why.
"""
from __future__ import annotations

from PySide6.QtCore import QMimeData, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidgetItem, QWidget

from manager.ui.ui_signal_list import Ui_SignalList
from manager.workers import TaskRunner

NAME_ROLE = Qt.ItemDataRole.UserRole + 1
MIME_SIGNAL = "application/x-gilgamesh-signal"


def resolve_rows(registry, shot: int) -> list[dict]:
    """Worker: one display row per known signal for *shot*."""
    registry.refresh(force=True)
    out = []
    for r in registry.wiring_table(shot):
        w, c = r["wiring"], r["calibration"]
        if w is None:
            state, tip = "uncovered", f"{r['signal']}: no wiring record covers shot {shot}"
        elif w.disconnected:
            state = "disconnected"
            tip = (f"{r['signal']} is disconnected for shot {shot}\n"
                   f"wiring r{w.revision} {w.range_text()} — {w.author}: {w.reason}")
        else:
            state = "ok"
            lines = [f"{r['signal']} for shot {shot}",
                     f"digitizer {w.payload['digitizer']}, channel {w.payload['channel']}",
                     f"wiring r{w.revision} {w.range_text()} — {w.author}: {w.reason}"]
            if c is not None:
                lines.append(f"calibration r{c.revision} {c.range_text()}: {c.calibration.describe()}")
                lines.append(f"    {c.author}, {c.recorded_at:%Y-%m-%d}: {c.reason}")
            else:
                lines.append("no calibration: digitizer volts")
            if w.payload.get("description"):
                lines.insert(1, w.payload["description"])
            tip = "\n".join(lines)
        out.append({"name": r["signal"], "channel": r["channel"], "units": r["units"], "state": state, "tip": tip})
    return out


class SignalListPanel(QWidget):
    """The signals of one shot (Designer form ``signal_list.ui``).

    Signals
    -------
    sig_plot_requested(list)
        Names to plot (double-click, Enter, or the Plot button).
    """

    sig_plot_requested = Signal(list)
    sig_loaded = Signal(int)

    def __init__(self, testbed, parent=None):
        super().__init__(parent)
        self.ui = Ui_SignalList()
        self.ui.setupUi(self)
        self.testbed = testbed
        self.runner = TaskRunner(self)
        self.shot: int | None = None
        self.rows: list[dict] = []
        self.ui.tree.setColumnWidth(0, 130)
        self.ui.tree.setColumnWidth(1, 100)
        self.ui.tree.itemDoubleClicked.connect(lambda it, _c: self._request([it.data(0, NAME_ROLE)]))
        self.ui.plotButton.clicked.connect(lambda: self._request(self.selected_names()))
        self.ui.searchEdit.textChanged.connect(self._apply_search)
        self.ui.tree.mimeData = self._mime  # drag a signal onto the plot area

    def __repr__(self) -> str:
        return f"SignalListPanel(shot={self.shot}, {len(self.rows)} signals)"

    def set_shot(self, shot: int | None) -> None:
        self.shot = shot
        if shot is None:
            self.ui.shotLabel.setText("No shot selected")
            self._fill([])
            return
        self.ui.shotLabel.setText(f"Signals of shot {shot}")
        self.runner.submit(resolve_rows, self.testbed.registry, shot,
                           on_result=lambda rows, s=shot: self._fill(rows) if s == self.shot else None)

    def _fill(self, rows: list[dict]) -> None:
        self.rows = rows
        t = self.ui.tree
        t.clear()
        grey = QBrush(QColor("#9e9e9e"))
        for r in rows:
            it = QTreeWidgetItem([r["name"], r["channel"], r["units"]])
            it.setData(0, NAME_ROLE, r["name"])
            for c in range(3):
                it.setToolTip(c, r["tip"])
                if r["state"] != "ok":
                    it.setForeground(c, grey)
            if r["state"] != "ok":
                it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
            t.addTopLevelItem(it)
        self._apply_search(self.ui.searchEdit.text())
        self.sig_loaded.emit(len(rows))

    def _apply_search(self, text: str) -> None:
        text = text.lower().strip()
        for i in range(self.ui.tree.topLevelItemCount()):
            it = self.ui.tree.topLevelItem(i)
            it.setHidden(bool(text) and text not in it.text(0).lower())

    def selected_names(self) -> list[str]:
        return [it.data(0, NAME_ROLE) for it in self.ui.tree.selectedItems()]

    def _request(self, names: list[str]) -> None:
        names = [n for n in names if n]
        if names:
            self.sig_plot_requested.emit(names)

    def _mime(self, items):
        md = QMimeData()
        names = [it.data(0, NAME_ROLE) for it in items]
        md.setData(MIME_SIGNAL, "\n".join(names).encode())
        md.setText("\n".join(f'get_signal("{n}", shot)' for n in names))
        return md

    def shutdown(self) -> None:
        self.runner.shutdown()
