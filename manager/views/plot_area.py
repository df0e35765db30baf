"""The plot area: stacked pyqtgraph plots with linked time axes.

* One plot row per entry of the layout; a row holds one or several signals.
* The selected shots are overlaid, one colour per shot, legend by shot number,
  with an optional time offset per shot.
* Every curve goes through the big-signal engine
  (:meth:`core.testbed.Testbed.get_envelope`) in a worker: a view costs
  O(pixels) whatever the channel length, and zoom/pan re-requests the
  envelope of the visible range (debounced), so 1e8-sample channels stay
  fluid. The GUI thread only hands small arrays to pyqtgraph.
* Crosshair with value read-out, two cursors A/B with Δt and Δy, zoom
  history (back/forward), autoscale, export of the visible range (PNG/SVG
  image; CSV/HDF5 data with provenance), named views (JSON).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from manager.ui.ui_plot_area import Ui_PlotArea
from manager.views.signal_list import MIME_SIGNAL
from manager.workers import TaskRunner

log = logging.getLogger(__name__)
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
DARK_COLORS = ["#4fc3f7", "#ff8a65", "#aed581", "#fff176", "#ce93d8", "#80cbc4", "#f48fb1", "#e0e0e0"]
EXTERNAL_ROW = "console"


@dataclass
class Curve:
    """One drawn curve: a signal of a shot (or an external array)."""

    name: str
    shot: int | None
    item: pg.PlotDataItem
    units: str = ""
    provenance: str = ""
    t_first: float = 0.0
    t_last: float = 0.0
    gen: int = 0
    external: bool = False
    t: np.ndarray = field(default_factory=lambda: np.empty(0))
    y: np.ndarray = field(default_factory=lambda: np.empty(0))
    raw: bool = True  # False: t, y is a min/max envelope (pairs per pixel column)


def load_view(testbed, name: str, shot: int, t_start, t_stop, n_pixels: int, task=None):
    """Worker: the envelope of a signal over a view (or a physics quantity's signal)."""
    if "." in name:  # a physics quantity of the machine tree: "langmuir1.te"
        from core.machine import quantity_signal  # noqa: PLC0415 - optional until the tree exists

        sig = quantity_signal(testbed, name, shot, task=task)
        t, y = sig.time, np.asarray(sig.data, dtype=float)
        return {"name": name, "shot": shot, "t": t, "y": y, "units": sig.units,
                "provenance": sig.provenance.summary(), "t_first": float(t[0]) if len(t) else 0.0,
                "t_last": float(t[-1]) if len(t) else 0.0, "raw": True}
    env = testbed.get_envelope(name, shot, t_start, t_stop, n_pixels, task=task)
    return {"name": name, "shot": shot, "t": env.t, "y": env.y, "units": env.units,
            "provenance": env.provenance.summary(), "t_first": env.t_first, "t_last": env.t_last,
            "raw": env.raw, "note": env.note}


def cursor_values(testbed, keys, times, offsets, task=None) -> dict:
    """Worker: exact samples of each ``(name, shot)`` at the cursor times (one sample read each)."""
    out = {}
    for name, shot in keys:
        off = offsets.get(shot, 0.0)
        out[(name, shot)] = tuple(testbed.value_at(name, shot, t - off)[1] for t in times)
        if task is not None:
            task.check()
    return out


def export_task(testbed, keys, t_range, offsets, path: str, fmt: str, task=None):
    """Worker: the full-resolution data of the visible range, with provenance."""
    path = Path(path)
    if fmt == "hdf5" and path.exists():
        path.unlink()
    chunks = []
    for i, (name, shot) in enumerate(keys):
        if task is not None:
            task.progress(i / max(1, len(keys)), f"{name} #{shot}")
        off = offsets.get(shot, 0.0)
        sig = testbed.get_signal(name, shot, (t_range[0] - off, t_range[1] - off), allow_acquiring=True)
        if fmt == "hdf5":
            sig.to_hdf5(path, f"{name}_{shot}")
        else:
            chunks.append(sig)
    if fmt == "csv":
        import pandas as pd

        with open(path, "w", encoding="utf-8", newline="") as fh:
            for sig in chunks:
                fh.write(f"# {sig.name} shot {sig.shot} [{sig.units}] provenance: {sig.provenance.to_json()}\n")
            fh.write("signal,shot,time_s,value\n")
            for sig in chunks:
                pd.DataFrame({"signal": sig.name, "shot": sig.shot, "time_s": sig.time, "value": sig.data}).to_csv(
                    fh, header=False, index=False, float_format="%.17g")
    return str(path)


class PlotArea(QWidget):
    """Stacked plots with linked time axes.

    Signals
    -------
    sig_error(str)
        A curve could not be loaded (the message says why).
    sig_curve_added(str, int)
        ``(name, shot)`` drawn for the first time.
    sig_view_updated()
        Every pending envelope of the current view has arrived.
    sig_cursor_readout(str)
        The cursor A/B read-out text changed.
    """

    sig_error = Signal(str)
    sig_curve_added = Signal(str, int)
    sig_view_updated = Signal()
    sig_cursor_readout = Signal(str)
    sig_cursor_exact = Signal()

    def __init__(self, testbed, parent=None, theme: str = "light"):
        super().__init__(parent)
        self.testbed = testbed
        self.theme = theme
        self.colors = DARK_COLORS if theme == "dark" else COLORS
        self.runner = TaskRunner(self)
        self.ui = Ui_PlotArea()
        self.ui.setupUi(self)
        self.readout = self.ui.plotReadout
        self.glw = self.ui.glw
        self.glw.setBackground("#101418" if theme == "dark" else "w")
        self.rows: list[list[str]] = []
        self.plots: dict[str, pg.PlotItem] = {}          # row key -> plot
        self._row_of: dict[str, str] = {}                # signal name -> row key
        self.curves: dict[tuple[str, int | None], Curve] = {}
        self.shots: list[int] = []
        self.offsets: dict[int, float] = {}
        self._gen = 0
        self._yscale: dict[str, float] = {}
        self._inflight = 0
        self._history: list[tuple[float, float]] = []
        self._hist_pos = -1
        self._navigating = False
        self._crosshair: dict[str, tuple] = {}
        self.cursors_on = False
        self._cursor_lines: dict[str, tuple[pg.InfiniteLine, pg.InfiniteLine]] = {}
        self.cursor_pos = [None, None]
        self._exact: dict = {}  # (name, shot) -> ((t_a, t_b), (y_a, y_b)) exact cursor samples
        self._exact_timer = QTimer(self, singleShot=True, interval=120)
        self._exact_timer.timeout.connect(self._fetch_exact)
        self._view_timer = QTimer(self, singleShot=True, interval=60)
        self._view_timer.timeout.connect(self._refresh_view)
        self.glw.scene().sigMouseMoved.connect(self._mouse_moved)
        self.setAcceptDrops(True)

    def __repr__(self) -> str:
        return f"PlotArea(rows={self.rows}, shots={self.shots})"

    # -- layout ----------------------------------------------------------------
    @property
    def layout_names(self) -> list[str]:
        """Every plotted signal name, row by row."""
        return [n for row in self.rows for n in row]

    def set_shots(self, shots: list[int]) -> None:
        """Overlay *shots* (the browser selection) in every plot."""
        shots = list(dict.fromkeys(shots))[:len(self.colors)]
        if shots == self.shots:
            return
        self.shots = shots
        self._reload()

    def add_signals(self, names: list[str], same_plot: bool = False) -> None:
        """Add one plot per new name (or all into one plot with *same_plot*)."""
        new = [n for n in names if n and n not in self._row_of]
        if not new:
            return
        groups = [new] if same_plot else [[n] for n in new]
        for g in groups:
            self.rows.append(list(g))
            key = g[0]
            self._plot_for(key)
            for n in g:
                self._row_of[n] = key
                for s in self.shots:
                    self._load(n, s)

    def add_to_plot(self, name: str, row_key: str) -> None:
        """Add *name* to the existing plot row *row_key* (several signals per plot)."""
        if name in self._row_of or row_key not in self.plots:
            return
        for row in self.rows:
            if row[0] == row_key:
                row.append(name)
        self._row_of[name] = row_key
        for s in self.shots:
            self._load(name, s)

    def set_layout(self, rows) -> None:
        """Replace the layout: a list of names, or of lists of names sharing a plot."""
        self.clear()
        for r in rows:
            if isinstance(r, str):
                self.add_signals([r])
            elif r:
                self.add_signals(list(r), same_plot=True)

    def clear(self) -> None:
        self._gen += 1
        self.runner.cancel_all()
        self.glw.clear()
        self.plots.clear()
        self._row_of.clear()
        self.curves.clear()
        self._crosshair.clear()
        self._cursor_lines.clear()
        self._yscale.clear()
        self._exact.clear()
        self.rows = []
        self._inflight = 0

    def autoscale(self) -> None:
        for p in self.plots.values():
            p.enableAutoRange()

    def set_offset(self, shot: int, offset_s: float) -> None:
        """Shift *shot*'s curves by *offset_s* seconds (align shots on an event)."""
        self.offsets[int(shot)] = float(offset_s)
        self._reload()

    def _plot_for(self, key: str) -> pg.PlotItem:
        p = self.plots.get(key)
        if p is not None:
            return p
        p = self.glw.addPlot(row=len(self.plots), col=0)
        p.showGrid(x=True, y=True, alpha=0.25)
        p.addLegend(offset=(-10, 5))
        p.setLabel("left", key)
        p.setLabel("bottom", "time", units="s")
        p.setClipToView(True)
        if self.theme == "dark":  # the control room: readable at a distance
            from PySide6.QtGui import QFont

            font = QFont()
            font.setPointSize(15)
            for ax in ("left", "bottom"):
                a = p.getAxis(ax)
                a.setTextPen("#f5f5f5")
                a.setPen("#b0bec5")
                a.setStyle(tickFont=font)
                a.label.setFont(font)
            p.getAxis("left").setWidth(110)
            if p.legend is not None:
                p.legend.setLabelTextSize("15pt")
                p.legend.setLabelTextColor("#f5f5f5")
        first = next(iter(self.plots.values()), None)
        if first is not None:
            p.setXLink(first)
        else:
            p.sigXRangeChanged.connect(self._x_changed)
        vline = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine))
        hline = pg.InfiniteLine(angle=0, movable=False, pen=pg.mkPen("#888", style=Qt.PenStyle.DashLine))
        for ln in (vline, hline):
            ln.setVisible(False)
            p.addItem(ln, ignoreBounds=True)
        self._crosshair[key] = (vline, hline)
        self.plots[key] = p
        if self.cursors_on:
            self._add_cursor_lines(key)
        return p

    # -- loading ---------------------------------------------------------------
    def _width(self) -> int:
        return max(200, int(self.glw.width() or 800))

    def _view_range(self) -> tuple[float | None, float | None]:
        p = next(iter(self.plots.values()), None)
        if p is None or not self.curves:
            return None, None
        (x0, x1) = p.viewRange()[0]
        return float(x0), float(x1)

    def _reload(self) -> None:
        self._gen += 1
        self.runner.cancel_all()
        self._inflight = 0
        for key, p in self.plots.items():
            for c in [c for c in self.curves.values() if self._row_of.get(c.name) == key and not c.external]:
                p.removeItem(c.item)
                if p.legend is not None:
                    p.legend.removeItem(c.item)
        self.curves = {k: c for k, c in self.curves.items() if c.external}
        for n in self.layout_names:
            for s in self.shots:
                self._load(n, s)

    def _load(self, name: str, shot: int, t_range=(None, None)) -> None:
        gen = self._gen
        self._inflight += 1
        off = self.offsets.get(shot, 0.0)
        t0 = None if t_range[0] is None else t_range[0] - off
        t1 = None if t_range[1] is None else t_range[1] - off
        self.runner.submit(load_view, self.testbed, name, shot, t0, t1, self._width(),
                           on_result=lambda d, g=gen: self._add_curve(d) if g == self._gen else None,
                           on_error=lambda exc, tb, n=name, s=shot, g=gen: self._failed(n, s, exc, g),
                           on_finished=lambda g=gen: self._done_one(g), name=f"{name}#{shot}")

    def _done_one(self, gen: int) -> None:
        if gen != self._gen:
            return
        self._inflight = max(0, self._inflight - 1)
        if self._inflight == 0:
            self.sig_view_updated.emit()

    def _failed(self, name, shot, exc, gen) -> None:
        if gen != self._gen:
            return
        msg = f"{name}, shot {shot}: {exc}"
        log.warning(msg)
        key = self._row_of.get(name)
        p = self.plots.get(key) if key else None
        if p is not None and len(self.shots) <= 1:
            p.setTitle(f"<span style='color:#d32f2f'>{exc}</span>", size="9pt")
        self.sig_error.emit(msg)

    def _add_curve(self, d: dict) -> None:
        name, shot = d["name"], d["shot"]
        key = self._row_of.get(name)
        if key is None or shot not in self.shots:
            return  # layout changed while loading
        p = self.plots[key]
        off = self.offsets.get(shot, 0.0)
        t = np.asarray(d["t"], dtype=float) + off
        y = np.asarray(d["y"], dtype=float)
        scale = self._scale_for(key, d["units"], y)
        shown = y / scale if scale != 1.0 else y
        c = self.curves.get((name, shot))
        if c is None:
            color = self.colors[self.shots.index(shot) % len(self.colors)]
            style = Qt.PenStyle.SolidLine if self.rows and name == key else Qt.PenStyle.DashLine
            width = 2.5 if self.theme == "dark" else 1.2
            label = f"#{shot}" if name == key else f"{name} #{shot}"
            item = p.plot(t, shown, pen=pg.mkPen(color, width=width, style=style), name=label)
            c = Curve(name, shot, item)
            self.curves[(name, shot)] = c
            first = True
        else:
            c.item.setData(t, shown)
            first = False
        c.t, c.y = t, y
        c.raw = bool(d.get("raw", True))
        c.units, c.provenance = d["units"], d["provenance"]
        c.t_first, c.t_last = d["t_first"] + off, d["t_last"] + off
        c.item.setToolTip(d["provenance"] + (f"\n{d['note']}" if d.get("note") else ""))
        p.setTitle(None)
        if name == key:
            self._set_units(p, name, d["units"])
        if first:
            self.sig_curve_added.emit(name, shot)

    def _scale_for(self, key: str, units: str, y: np.ndarray) -> float:
        """Display factor of a plot row: SI prefixes for plain units, a power of ten otherwise.

        pyqtgraph would write a density axis as 'Pm^-3'; compound units get
        '10^17 m^-3' instead, fixed by the row's first curve so overlays agree.
        """
        if key in self._yscale:
            return self._yscale[key]
        scale = 1.0
        if units and any(ch in units for ch in "^/*· "):
            finite = np.abs(y[np.isfinite(y)])
            if finite.size and finite.max() > 0:
                e = int(np.floor(np.log10(finite.max())))
                if abs(e) >= 3:
                    scale = 10.0 ** e
        self._yscale[key] = scale
        return scale

    def _set_units(self, p: pg.PlotItem, name: str, units: str) -> None:
        ax = p.getAxis("left")
        scale = self._yscale.get(name, 1.0)  # keyed by the row (its first signal's name)
        if self.theme == "dark":  # big title instead of a long rotated axis label
            p.setTitle(f"<span style='font-size:17pt; color:#f5f5f5'>{name}</span>", justify="left")
            name = ""
        if units and any(ch in units for ch in "^/*· "):
            ax.enableAutoSIPrefix(False)
            ax.autoSIPrefixScale, ax.labelUnitPrefix = 1.0, ""
            exp = f"10^{int(round(np.log10(scale)))} " if scale != 1.0 else ""
            p.setLabel("left", f"{name} ({exp}{units})")
        else:
            ax.enableAutoSIPrefix(True)
            p.setLabel("left", name, units=units or None)

    # -- zoom/pan: new envelopes for the visible range ---------------------------
    def _x_changed(self, *_a) -> None:
        if not self._navigating:
            x = self._view_range()
            if x[0] is not None:
                if self._hist_pos < len(self._history) - 1:
                    del self._history[self._hist_pos + 1:]
                if not self._history or not np.allclose(self._history[-1], x):
                    self._history.append(x)
                    self._hist_pos = len(self._history) - 1
        self._view_timer.start()

    def _refresh_view(self) -> None:
        t0, t1 = self._view_range()
        if t0 is None:
            return
        self._gen += 1
        self.runner.cancel_all()
        self._inflight = 0
        for name in self.layout_names:
            for shot in self.shots:
                if "." in name:  # physics results are computed once for the whole shot
                    if (name, shot) not in self.curves:
                        self._load(name, shot)
                else:
                    self._load(name, shot, (t0, t1))

    def refresh_data(self) -> None:
        """Re-read every curve over its whole length, keeping the curves (a shot still growing)."""
        self._gen += 1
        self.runner.cancel_all()
        self._inflight = 0
        for (name, shot), c in list(self.curves.items()):
            if not c.external:
                self._load(name, shot)
        for n in self.layout_names:  # signals that had no data yet
            for s in self.shots:
                if (n, s) not in self.curves:
                    self._load(n, s)

    def zoom_back(self) -> bool:
        return self._goto_history(self._hist_pos - 1)

    def zoom_forward(self) -> bool:
        return self._goto_history(self._hist_pos + 1)

    def _goto_history(self, pos: int) -> bool:
        if not (0 <= pos < len(self._history)):
            return False
        self._hist_pos = pos
        p = next(iter(self.plots.values()), None)
        if p is None:
            return False
        self._navigating = True
        try:
            p.setXRange(*self._history[pos], padding=0)
        finally:
            self._navigating = False
        return True

    def set_x_range(self, t0: float, t1: float) -> None:
        p = next(iter(self.plots.values()), None)
        if p is not None:
            p.setXRange(t0, t1, padding=0)

    # -- crosshair and cursors ------------------------------------------------------
    def _mouse_moved(self, pos) -> None:
        for key, p in self.plots.items():
            vline, hline = self._crosshair[key]
            inside = p.sceneBoundingRect().contains(pos)
            vline.setVisible(inside)
            hline.setVisible(inside)
            if not inside:
                continue
            pt = p.vb.mapSceneToView(pos)
            vline.setPos(pt.x())
            hline.setPos(pt.y())
            self.readout.setText(self.value_text(pt.x()))

    def values_at(self, t: float) -> list[tuple[str, int | None, float | tuple[float, float], str]]:
        """``(name, shot, value, units)`` of every curve at time *t*, from what is drawn.

        For a raw curve, the nearest sample; for an envelope, the ``(min, max)``
        of the pixel column under *t* (a single value there would be a lie).
        """
        out = []
        for (name, shot), c in self.curves.items():
            if len(c.t) == 0 or t < c.t[0] or t > c.t[-1]:
                continue
            if c.raw or len(c.t) < 4:
                i = int(np.clip(np.searchsorted(c.t, t), 0, len(c.t) - 1))
                if i > 0 and abs(c.t[i - 1] - t) <= abs(c.t[i] - t):
                    i -= 1
                out.append((name, shot, float(c.y[i]), c.units))
            else:
                tc = c.t[1:-1:2]  # column centres (each appears twice: min, max)
                j = int(np.clip(np.searchsorted(tc, t), 0, len(tc) - 1))
                if j > 0 and abs(tc[j - 1] - t) <= abs(tc[j] - t):
                    j -= 1
                a, b = c.y[1 + 2 * j], c.y[2 + 2 * j]
                out.append((name, shot, (float(min(a, b)), float(max(a, b))), c.units))
        return out

    def value_text(self, t: float) -> str:
        parts = [f"<b>t = {pg.siFormat(t, suffix='s')}</b>"]
        for name, shot, v, units in self.values_at(t):
            if isinstance(v, tuple):
                parts.append(f"{name} #{shot}: {pg.siFormat(v[0], suffix=units)} … {pg.siFormat(v[1], suffix=units)}")
            else:
                parts.append(f"{name} #{shot}: {pg.siFormat(v, suffix=units)}")
        return " &nbsp; ".join(parts)

    def set_cursors(self, on: bool) -> None:
        """Show or hide the two cursors A and B (draggable, shared by all plots)."""
        self.cursors_on = on
        if on:
            t0, t1 = self._view_range()
            if t0 is None:
                t0, t1 = 0.0, 1.0
            if self.cursor_pos[0] is None:
                self.cursor_pos = [t0 + 0.33 * (t1 - t0), t0 + 0.66 * (t1 - t0)]
            for key in self.plots:
                self._add_cursor_lines(key)
            self._cursor_moved()
        else:
            for key, (a, b) in self._cursor_lines.items():
                self.plots[key].removeItem(a)
                self.plots[key].removeItem(b)
            self._cursor_lines.clear()

    def _add_cursor_lines(self, key: str) -> None:
        if key in self._cursor_lines:
            return
        lines = []
        for i, (lab, col) in enumerate((("A", "#00897b"), ("B", "#6a1b9a"))):
            ln = pg.InfiniteLine(pos=self.cursor_pos[i], angle=90, movable=True, pen=pg.mkPen(col, width=1.5),
                                 label=lab, labelOpts={"position": 0.95, "color": col})
            ln.sigPositionChanged.connect(lambda line, idx=i: self._cursor_dragged(idx, line.value()))
            self.plots[key].addItem(ln, ignoreBounds=True)
            lines.append(ln)
        self._cursor_lines[key] = tuple(lines)

    def _cursor_dragged(self, idx: int, value: float) -> None:
        self.cursor_pos[idx] = float(value)
        for lines in self._cursor_lines.values():
            if abs(lines[idx].value() - value) > 0:
                lines[idx].blockSignals(True)
                lines[idx].setValue(value)
                lines[idx].blockSignals(False)
        self._cursor_moved()

    def move_cursor(self, idx: int, t: float) -> None:
        self._cursor_dragged(idx, t)

    def cursor_deltas(self) -> dict:
        """``{"dt": ..., "curves": [(name, shot, y_a, y_b, dy, units)]}`` for cursors A and B.

        Values are exact samples at the cursors: read from the shot in a worker
        for signals (whatever the zoom), taken from the data for raw curves.
        """
        a, b = self.cursor_pos
        if a is None or b is None:
            return {"dt": None, "curves": []}
        rows = []
        for key, c in self.curves.items():
            ex = self._exact.get(key)
            if ex is not None and ex[0] == (a, b):
                ya, yb = ex[1]
            else:
                va = [v for n, s, v, u in self.values_at(a) if (n, s) == key]
                vb = [v for n, s, v, u in self.values_at(b) if (n, s) == key]
                if not va or not vb or isinstance(va[0], tuple) or isinstance(vb[0], tuple):
                    continue  # an envelope: wait for the exact samples
                ya, yb = va[0], vb[0]
            rows.append((key[0], key[1], ya, yb, yb - ya, c.units))
        return {"dt": b - a, "curves": rows}

    def _cursor_moved(self) -> None:
        self._show_cursor_readout()
        self._exact_timer.start()

    def _show_cursor_readout(self) -> None:
        d = self.cursor_deltas()
        if d["dt"] is None:
            return
        parts = [f"<b>Δt = {pg.siFormat(d['dt'], suffix='s')}</b>"]
        for n, s, ya, yb, dy, u in d["curves"]:
            parts.append(f"{n} #{s}: Δy = {pg.siFormat(dy, suffix=u)}")
        text = " &nbsp; ".join(parts)
        self.readout.setText(text)
        self.sig_cursor_readout.emit(text)

    def _fetch_exact(self) -> None:
        a, b = self.cursor_pos
        if a is None or b is None or not self.cursors_on:
            return
        keys = [k for k, c in self.curves.items() if not c.external and "." not in k[0]]
        if not keys:
            return

        def done(vals, pos=(a, b)):
            if tuple(self.cursor_pos) != pos:
                return  # moved again meanwhile
            for k, v in vals.items():
                self._exact[k] = (pos, v)
            self._show_cursor_readout()
            self.sig_cursor_exact.emit()

        self.runner.submit(cursor_values, self.testbed, keys, (a, b), dict(self.offsets), on_result=done,
                           on_error=lambda e, tb: self.sig_error.emit(f"cursor read-out: {e}"))

    # -- external curves (console show()) -------------------------------------------
    def add_external(self, label: str, t, y, units: str = "") -> None:
        """Plot an arbitrary curve (from the console) in a dedicated plot row."""
        t = np.asarray(t, dtype=float)
        y = np.asarray(y, dtype=float)
        if EXTERNAL_ROW not in self.plots:
            self.rows.append([EXTERNAL_ROW])
            self._plot_for(EXTERNAL_ROW)
        p = self.plots[EXTERNAL_ROW]
        key = (label, None)
        old = self.curves.pop(key, None)
        if old is not None:
            p.removeItem(old.item)
        n_ext = sum(1 for c in self.curves.values() if c.external)
        item = p.plot(t, y, pen=pg.mkPen(self.colors[n_ext % len(self.colors)], width=1.2), name=label)
        c = Curve(label, None, item, units=units, external=True, t=t, y=y,
                  t_first=float(t[0]) if len(t) else 0.0, t_last=float(t[-1]) if len(t) else 0.0)
        self.curves[key] = c
        p.setLabel("left", EXTERNAL_ROW, units=units)

    # -- export and views ------------------------------------------------------------
    def visible_range(self) -> tuple[float | None, float | None]:
        return self._view_range()

    def export_image(self, path: str) -> str:
        """PNG (or SVG when the name ends in .svg) of the plots as shown."""
        if str(path).lower().endswith(".svg"):
            # Qt's own SVG generator: pyqtgraph's SVGExporter trips over Qt 6.11's path syntax
            from PySide6.QtCore import QRect
            from PySide6.QtGui import QPainter
            from PySide6.QtSvg import QSvgGenerator

            gen = QSvgGenerator()
            gen.setFileName(str(path))
            gen.setSize(self.glw.size())
            gen.setViewBox(QRect(0, 0, self.glw.width(), self.glw.height()))
            gen.setTitle("Gilgamesh plots")
            painter = QPainter(gen)
            try:
                self.glw.render(painter)
            finally:
                painter.end()
        else:
            self.glw.grab().save(str(path))
        return str(path)

    def export_data(self, path: str, on_done=None, on_error=None):
        """CSV or HDF5 (by extension) of the visible range at full resolution, with provenance."""
        fmt = "hdf5" if str(path).lower().endswith((".h5", ".hdf5")) else "csv"
        t0, t1 = self._view_range()
        keys = [(n, s) for (n, s), c in self.curves.items() if not c.external and "." not in n]
        return self.runner.submit(export_task, self.testbed, keys, (t0, t1), dict(self.offsets), str(path), fmt,
                                  on_result=on_done, on_error=on_error or (lambda e, tb: self.sig_error.emit(
                                      f"export failed: {e}")))

    def view_state(self) -> dict:
        """What a named view stores: rows, per-shot offsets, time range."""
        t0, t1 = self._view_range()
        return {"rows": [list(r) for r in self.rows if r != [EXTERNAL_ROW]],
                "offsets": {str(k): v for k, v in self.offsets.items()},
                "x_range": [t0, t1] if t0 is not None else None}

    def apply_view(self, state: dict) -> None:
        """Re-apply a named view (to the current shots)."""
        self.offsets = {int(k): float(v) for k, v in (state.get("offsets") or {}).items()}
        self.set_layout(state.get("rows") or [])
        xr = state.get("x_range")
        if xr and xr[0] is not None:
            QTimer.singleShot(0, lambda: self.set_x_range(*xr))

    # -- drag and drop from the signal list --------------------------------------------
    def dragEnterEvent(self, ev):  # noqa: N802
        if ev.mimeData().hasFormat(MIME_SIGNAL):
            ev.acceptProposedAction()

    def dropEvent(self, ev):  # noqa: N802
        names = [n for n in bytes(ev.mimeData().data(MIME_SIGNAL)).decode().split("\n") if n]
        target = None
        pos = ev.position().toPoint() if hasattr(ev, "position") else ev.pos()
        scene_pos = self.glw.mapToScene(self.glw.mapFrom(self, pos))
        for key, p in self.plots.items():
            if p.sceneBoundingRect().contains(scene_pos):
                target = key
        if target is not None and target != EXTERNAL_ROW:
            for n in names:
                self.add_to_plot(n, target)
        else:
            self.add_signals(names)
        ev.acceptProposedAction()

    def has_pending(self) -> bool:
        return self.runner.has_pending()

    def shutdown(self) -> None:
        self._view_timer.stop()
        self._exact_timer.stop()
        self.runner.shutdown()


def save_view(path: Path, state: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)


def load_view_file(path: Path) -> dict:
    state = json.loads(Path(path).read_text())
    if not isinstance(state, dict) or not isinstance(state.get("rows", []), list):
        raise ValueError(f"{path} is not a Gilgamesh plot view")
    return state
