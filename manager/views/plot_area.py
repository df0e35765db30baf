"""The plot area: stacked pyqtgraph plots with linked time axes.

One plot per signal name; the selected shots are overlaid in distinct
colours with a legend of shot numbers. Data are loaded in a worker; the GUI
thread only hands arrays to pyqtgraph.
"""
from __future__ import annotations

import logging

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from manager.views.signal_list import MIME_SIGNAL
from manager.workers import TaskRunner

log = logging.getLogger(__name__)
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
MAX_POINTS = 4000  # per curve handed to pyqtgraph (min/max per pixel column)


def minmax_decimate(t: np.ndarray, y: np.ndarray, n_cols: int = MAX_POINTS // 2):
    """Min/max per column (two points each), first/last samples kept exactly."""
    n = len(y)
    if n <= 2 * n_cols:
        return t, y
    k = n // n_cols
    m = k * n_cols
    blk = y[:m].reshape(n_cols, k)
    lo, hi = np.nanargmin(blk, axis=1), np.nanargmax(blk, axis=1)
    base = np.arange(n_cols) * k
    i0, i1 = np.minimum(lo, hi) + base, np.maximum(lo, hi) + base
    idx = np.empty(2 * n_cols + 2, dtype=np.int64)
    idx[0] = 0
    idx[1:-1:2], idx[2:-1:2] = i0, i1
    idx[-1] = n - 1
    return t[idx], y[idx]


def load_curve(testbed, name: str, shot: int, task=None):
    """Worker: read a signal and reduce it for drawing."""
    sig = testbed.get_signal(name, shot, allow_acquiring=True)
    t, y = minmax_decimate(sig.time, sig.data)
    return {"name": name, "shot": shot, "t": t, "y": y, "units": sig.units, "n": len(sig),
            "provenance": sig.provenance.summary()}


class PlotArea(QWidget):
    """Stacked plots, one per signal name, x axes linked.

    Signals
    -------
    sig_error(str)
        A curve could not be loaded (the message says why).
    sig_curve_added(str, int)
        ``(name, shot)`` drawn.
    """

    sig_error = Signal(str)
    sig_curve_added = Signal(str, int)

    def __init__(self, testbed, parent=None):
        super().__init__(parent)
        self.testbed = testbed
        self.runner = TaskRunner(self)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.glw = pg.GraphicsLayoutWidget()
        self.glw.setBackground("w")
        lay.addWidget(self.glw)
        self.plots: dict[str, pg.PlotItem] = {}
        self.curves: dict[tuple[str, int], pg.PlotDataItem] = {}
        self.layout_names: list[str] = []
        self.shots: list[int] = []
        self._gen = 0  # bumped on every reload: late results of an older layout are dropped
        self.setAcceptDrops(True)

    def __repr__(self) -> str:
        return f"PlotArea(signals={self.layout_names}, shots={self.shots})"

    # -- layout --------------------------------------------------------------
    def set_shots(self, shots: list[int]) -> None:
        """Show every plotted signal for *shots* (the browser selection)."""
        shots = list(dict.fromkeys(shots))[:len(COLORS)]
        if shots == self.shots:
            return
        self.shots = shots
        self._reload()

    def add_signals(self, names: list[str]) -> None:
        for n in names:
            if n not in self.layout_names:
                self.layout_names.append(n)
                self._plot_for(n)
                for s in self.shots:
                    self._load(n, s)

    def set_layout(self, names: list[str]) -> None:
        self.clear()
        self.add_signals(names)

    def clear(self) -> None:
        self._gen += 1
        self.runner.cancel_all()
        self.glw.clear()
        self.plots.clear()
        self.curves.clear()
        self.layout_names = []

    def autoscale(self) -> None:
        for p in self.plots.values():
            p.enableAutoRange()

    def _plot_for(self, name: str) -> pg.PlotItem:
        p = self.plots.get(name)
        if p is None:
            p = self.glw.addPlot(row=len(self.plots), col=0)
            p.showGrid(x=True, y=True, alpha=0.25)
            p.addLegend(offset=(-10, 5))
            p.setLabel("left", name)
            p.setLabel("bottom", "time", units="s")
            first = next(iter(self.plots.values()), None)
            if first is not None:
                p.setXLink(first)
            self.plots[name] = p
        return p

    def _reload(self) -> None:
        self._gen += 1
        self.runner.cancel_all()
        for p in self.plots.values():
            p.clear()
            if p.legend is not None:
                p.legend.clear()
        self.curves.clear()
        for n in self.layout_names:
            for s in self.shots:
                self._load(n, s)

    def _load(self, name: str, shot: int) -> None:
        gen = self._gen
        self.runner.submit(load_curve, self.testbed, name, shot,
                           on_result=lambda d, g=gen: self._add_curve(d) if g == self._gen else None,
                           on_error=lambda exc, tb, n=name, s=shot: self._failed(n, s, exc))

    def _failed(self, name, shot, exc) -> None:
        msg = f"{name}, shot {shot}: {exc}"
        log.warning(msg)
        p = self.plots.get(name)
        if p is not None and len(self.shots) == 1:
            p.setTitle(f"<span style='color:#b00020'>{exc}</span>", size="9pt")
        self.sig_error.emit(msg)

    def _add_curve(self, d: dict) -> None:
        name, shot = d["name"], d["shot"]
        if name not in self.plots or shot not in self.shots:
            return  # layout changed while loading
        p = self.plots[name]
        old = self.curves.pop((name, shot), None)
        if old is not None:
            p.removeItem(old)
        color = COLORS[self.shots.index(shot) % len(COLORS)]
        curve = p.plot(d["t"], d["y"], pen=pg.mkPen(color, width=1.2), name=f"#{shot}")
        curve.setToolTip(d["provenance"])
        p.setLabel("left", name, units=d["units"])
        p.setTitle(None)
        self.curves[(name, shot)] = curve
        self.sig_curve_added.emit(name, shot)

    # -- drag and drop from the signal list ----------------------------------
    def dragEnterEvent(self, ev):  # noqa: N802
        if ev.mimeData().hasFormat(MIME_SIGNAL):
            ev.acceptProposedAction()

    def dropEvent(self, ev):  # noqa: N802
        names = bytes(ev.mimeData().data(MIME_SIGNAL)).decode().split("\n")
        self.add_signals([n for n in names if n])
        ev.acceptProposedAction()

    def has_pending(self) -> bool:
        return self.runner.has_pending()

    def shutdown(self) -> None:
        self.runner.shutdown()
