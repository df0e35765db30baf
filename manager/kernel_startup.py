"""Kernel side of the Manager's console: what the IPython kernel preloads.

This module runs *inside the kernel process* and never imports Qt: the kernel
is a plain ipykernel started by :mod:`manager.views.console` with
``--ext=manager.kernel_startup``, so IPython calls
:func:`load_ipython_extension` before the kernel answers its first
``kernel_info_request`` — the first prompt already has the library.

Preloaded names (see ``docs/console.md``):

``get_signal``, ``get_signals``
    The signal approach, on the default testbed.
``testbed``, ``index``, ``registry``
    The default :class:`core.testbed.Testbed` — built from the environment the
    Manager passed (``GILGAMESH_DB_URL``, ``GILGAMESH_SHOTS_DIR``,
    ``GILGAMESH_HOME``, ``GILGAMESH_CONFIG``), i.e. the app's own database and
    shot folder.
``machine``
    The machine tree, when :func:`core.machine.load_machine` exists.
``shot``, ``shots``
    The shot selected in the browser and the whole selection, kept in sync
    by the Manager with silent executions.
``show``
    Plot into the Manager's plot area (:func:`show`).
``np``
    numpy.

``show`` travels over the Jupyter protocol itself: it publishes a
``display_data`` message whose bundle holds :data:`PLOT_MIME`; the Manager's
console widget intercepts that MIME type and draws the curves. Any other
frontend shows the ``text/plain`` fallback.
"""
from __future__ import annotations

import base64
import sys
import time
from typing import Any

import numpy as np

PLOT_MIME = "application/vnd.gilgamesh.plot+json"
STATE_NAME = "__gilgamesh__"
MAX_POINTS = 20000  # per curve sent to the app (min/max decimated beyond that)

__all__ = ["PLOT_MIME", "show", "plot_payload", "load_ipython_extension", "kernel_arguments",
           "encode_array", "decode_array"]


# -- arrays over JSON ----------------------------------------------------------
def encode_array(a) -> dict:
    """A float array as base64 little-endian float64 (compact, exact, NaN-safe)."""
    a = np.ascontiguousarray(np.asarray(a, dtype="<f8"))
    return {"dtype": "<f8", "shape": [int(a.size)], "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def decode_array(d: dict) -> np.ndarray:
    """Inverse of :func:`encode_array`."""
    return np.frombuffer(base64.b64decode(d["b64"]), dtype=np.dtype(d.get("dtype", "<f8"))).copy()


def _decimate(t: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS):
    """Min/max per column so that peaks survive; first and last samples kept."""
    n = len(y)
    if n <= max_points:
        return t, y
    cols = max_points // 2 - 1
    k = n // cols
    m = k * cols
    blk = y[:m].reshape(cols, k)
    finite = np.where(np.isfinite(blk), blk, 0.0)
    lo, hi = np.argmin(finite, axis=1), np.argmax(finite, axis=1)
    base = np.arange(cols) * k
    idx = np.empty(2 * cols + 2, dtype=np.int64)
    idx[0], idx[-1] = 0, n - 1
    idx[1:-1:2] = np.minimum(lo, hi) + base
    idx[2:-1:2] = np.maximum(lo, hi) + base
    return t[idx], y[idx]


# -- show() --------------------------------------------------------------------
def _curve(obj, t=None, units: str | None = None, name: str | None = None) -> dict:
    """One curve from a Signal, a pandas Series, a ``(t, y)`` pair or an array."""
    x_units = "s"
    if hasattr(obj, "data") and hasattr(obj, "time") and hasattr(obj, "units"):  # core Signal
        y = np.asarray(obj.data)
        tt = np.asarray(obj.time) if t is None else np.asarray(t)
        units = obj.units if units is None else units
        default = f"{obj.name} #{obj.shot}" if getattr(obj, "shot", None) is not None else str(obj.name)
    elif hasattr(obj, "index") and hasattr(obj, "to_numpy"):  # pandas Series
        y = obj.to_numpy()
        tt = np.asarray(obj.index, dtype=float) if t is None else np.asarray(t)
        units = units if units is not None else str(getattr(obj, "attrs", {}).get("units", ""))
        default = str(obj.name) if obj.name is not None else "series"
    elif isinstance(obj, tuple) and len(obj) == 2:
        tt, y = np.asarray(obj[0]), np.asarray(obj[1])
        default = "curve"
    else:
        y = np.asarray(obj)
        if t is None:
            tt, x_units = np.arange(len(y), dtype=float), ""  # sample index, not time
        else:
            tt = np.asarray(t)
        default = "array"
    if np.iscomplexobj(y):
        raise TypeError("show() plots real data; pass abs(y), y.real or np.angle(y)")
    y = np.asarray(y, dtype=float)
    tt = np.asarray(tt, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"show() plots 1-D data; got an array of shape {y.shape}")
    if tt.shape != y.shape:
        raise ValueError(f"time base ({tt.shape}) and data ({y.shape}) differ in length")
    n = len(y)
    tt, y = _decimate(tt, y)
    return {"name": name or default, "units": units or "", "x_units": x_units, "n": int(n),
            "t": encode_array(tt), "y": encode_array(y)}


def plot_payload(*objs, label: str | None = None, t=None, units: str | None = None,
                 names: list[str] | None = None) -> dict:
    """The JSON bundle :func:`show` publishes (also useful to test the widget side)."""
    if not objs:
        raise TypeError("show() needs something to plot: a Signal, a Series, (t, y) or an array")
    curves = [_curve(o, t=t, units=units, name=(names[i] if names and i < len(names) else None))
              for i, o in enumerate(objs)]
    if label is None:
        first = objs[0]
        label = str(getattr(first, "name", None) or curves[0]["name"])
    return {"version": 1, "label": str(label), "curves": curves}


def show(*objs, label: str | None = None, t=None, units: str | None = None, names: list[str] | None = None):
    """Plot into the Gilgamesh plot area (one plot titled *label*, one curve per object).

    Parameters
    ----------
    *objs : Signal, pandas.Series, (t, y) tuple or 1-D array
        A Signal brings its time base, units and ``name #shot`` legend; an
        array without *t* is drawn against the sample index.
    label : str, optional
        Plot title (default: the first object's name). Showing again with
        the same label and curve name replaces the curve.
    t : array, optional
        Time base in seconds for arrays.
    units : str, optional
        Y units (default: the Signal's).
    names : list of str, optional
        Legend entries.

    Notes
    -----
    The curves travel as a ``display_data`` message with the MIME type
    ``application/vnd.gilgamesh.plot+json``; curves longer than 20,000 points
    are min/max decimated in the kernel first.
    """
    from IPython.display import publish_display_data

    payload = plot_payload(*objs, label=label, t=t, units=units, names=names)
    desc = ", ".join(f"{c['name']} ({c['n']} points)" for c in payload["curves"])
    publish_display_data({PLOT_MIME: payload, "text/plain": f"[plotted in '{payload['label']}': {desc}]"})


# -- preload -------------------------------------------------------------------
class KernelState:
    """What the preload did; the Manager asks for :meth:`summary` after each start."""

    def __init__(self):
        self.loaded: list[str] = []
        self.errors: list[str] = []
        self.seconds = 0.0

    def __repr__(self) -> str:
        return f"KernelState(loaded={self.loaded!r}, errors={self.errors!r})"

    def summary(self) -> dict:
        return {"loaded": list(self.loaded), "errors": list(self.errors), "seconds": round(self.seconds, 3)}


def _load_machine(testbed):
    """The machine tree if ``core.machine.load_machine`` exists (it is being written)."""
    try:
        from core.machine import load_machine
    except ImportError:
        try:
            from core.machine.tree import load_machine
        except ImportError:
            return None
    try:
        return load_machine(testbed=testbed)
    except TypeError:
        return load_machine()


def preload(shell) -> KernelState:
    """Push the library into *shell*'s namespace; failures are recorded, never raised."""
    t0 = time.perf_counter()
    state = KernelState()
    ns: dict[str, Any] = {"np": np, "show": show}
    try:
        from core import get_signal, get_signals
        from core.testbed import default_testbed

        testbed = default_testbed()
        ns.update(get_signal=get_signal, get_signals=get_signals, testbed=testbed,
                  index=testbed.index, registry=testbed.registry)
    except Exception as exc:  # noqa: BLE001 - a broken configuration must not kill the kernel
        state.errors.append(f"testbed: {type(exc).__name__}: {exc}")
        testbed = None
    if testbed is not None:
        try:
            machine = _load_machine(testbed)
            if machine is not None:
                ns["machine"] = machine
        except Exception as exc:  # noqa: BLE001
            state.errors.append(f"machine: {type(exc).__name__}: {exc}")
    shell.push(ns, interactive=False)  # library names stay out of %who
    shell.push({"shot": None, "shots": []})
    state.loaded = sorted(ns) + ["shot", "shots"]
    state.seconds = time.perf_counter() - t0
    shell.user_ns[STATE_NAME] = state
    shell.user_ns_hidden[STATE_NAME] = state
    return state


def load_ipython_extension(ipython) -> None:
    """IPython extension entry point (``--ext=manager.kernel_startup``)."""
    preload(ipython)


def kernel_arguments(history: bool = True) -> list[str]:
    """Command line of the console kernel (``{connection_file}`` filled by jupyter_client).

    ``history=False`` keeps IPython from writing a history database (tests).
    """
    argv = [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}",
            "--ext=manager.kernel_startup",
            "--InteractiveShell.banner2=Gilgamesh: get_signal, get_signals, testbed, index, registry, "
            "machine (when available), shot/shots (browser selection) and show() are preloaded.\n"]
    if not history:
        argv += ["--HistoryManager.enabled=False", "--HistoryManager.hist_file=:memory:"]
    return argv
