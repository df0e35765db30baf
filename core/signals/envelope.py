"""Screen-resolution min/max envelopes of long signals (the big-signal engine).

For a view (time range, width in pixels) of a channel, :func:`envelope`
returns the minimum and the maximum of the samples under each pixel column,
in physical units, ready to draw as one connected line — or the raw samples
themselves when there are fewer than :data:`RAW_BELOW` samples per column.
It reads a multi-resolution min/max pyramid (:mod:`core.signals.pyramid`)
cached on disk, so that a view costs O(pixels), not O(samples), and a
channel larger than memory can be browsed. The GUI calls it from a worker
thread; nothing here imports Qt.

Exactness
    Every column's min and max are exact for the samples the column covers
    (``Envelope.edges``). Interior column boundaries are multiples of the
    column width ``W = k * factor(level)`` in absolute sample index, so
    panning at a given zoom keeps the same columns (no shimmer); the first
    and last columns are cut at the view's ends and computed exactly from
    finer levels down to the raw samples. The line starts and ends at the
    exact first and last samples of the range, so adjacent views join
    without seams.

Range
    The envelope covers samples ``[i_start, i_stop)``: from the last sample
    at or before ``t_start`` to the first sample at or after ``t_stop`` (the
    samples needed to draw the whole view), clipped to the channel. A view
    entirely outside the channel gives an empty envelope.

Calibration
    The pyramid stores raw counts (calibration-independent), so one pyramid
    serves every calibration revision and a recalibration is visible at
    once. Counts become volts (``counts * volts_per_count + offset_v``),
    then :meth:`Calibration.apply` gives physical units. A decreasing map
    (negative gain, negative volts per count) swaps min and max. The
    calibration is checked for monotonicity over the volts range actually
    present in the view; if it is not monotonic there, the envelope is
    computed from calibrated raw samples instead (exact but O(samples in
    view)) and ``Envelope.note`` says so.

Cache
    ``<cache_dir>/pyramids/<channel hash>-<identity hash>.gpyr``. The identity
    is the file's absolute location, size, mtime_ns, the shot checksum (when
    given), the channel, its length and dtype, the pyramid spec and
    ``cache_key_extra``: a changed file gets a new pyramid; the stale one is
    deleted when the new one is written. Files are written to a temporary
    name and renamed. In the process, one lock per pyramid makes concurrent
    requests build it once; loaded pyramids stay memory-mapped in a small
    LRU.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.signals.pyramid import FILE_VERSION, MinMaxPyramid, PyramidSpec, is_float, rmax, rmin
from core.tasks import check, progress

#: Fewer samples than this per pixel column: return the raw samples.
RAW_BELOW = 2.0
#: A pyramid level is used only if a column spans at least this many of its blocks
#: (keeps the column width within ±1/(2·4) of the requested samples per pixel).
MIN_BLOCKS_PER_COLUMN = 4
#: Samples read per step when a view must be computed from raw data.
RAW_BLOCK = 1 << 23
#: Loaded pyramids kept memory-mapped in this process.
MEMORY_CACHE_SIZE = 32

NOTE_NON_MONOTONIC = ("calibration is not monotonic over this view's range: "
                      "envelope computed from calibrated raw samples")


@dataclass(repr=False, eq=False)
class Envelope:
    """A drawable min/max envelope of one view of a signal.

    Attributes
    ----------
    t, y : ndarray of float64
        The line to draw (connected): the exact first sample, then per column
        ``(tc, ymin), (tc, ymax)``, then the exact last sample. In raw mode,
        the samples themselves.
    ymin, ymax : ndarray of float64
        Per column, in physical units (NaN for a column of NaN only).
    edges : ndarray of int64
        Column *c* covers samples ``[edges[c], edges[c + 1])``.
    tc : ndarray of float64
        Time of each column's centre.
    level : int
        Pyramid level read (0 = raw samples).
    factor : int
        Samples per block of that level.
    raw : bool
        True when ``t, y`` are the raw samples (too few per column).
    units : str
    i_start, i_stop : int
        Samples covered, ``[i_start, i_stop)``.
    note : str
        Non-empty when a slower exact path was taken, and why.
    """

    t: np.ndarray
    y: np.ndarray
    ymin: np.ndarray
    ymax: np.ndarray
    edges: np.ndarray
    tc: np.ndarray
    level: int
    factor: int
    raw: bool
    units: str
    i_start: int
    i_stop: int
    note: str = ""

    @property
    def n_columns(self) -> int:
        return len(self.ymin)

    def __len__(self) -> int:
        return len(self.t)

    def __repr__(self) -> str:
        return (f"Envelope(n_columns={self.n_columns}, samples=[{self.i_start}, {self.i_stop}), "
                f"level={self.level}, raw={self.raw}, units={self.units!r}"
                + (f", note={self.note!r}" if self.note else "") + ")")

    @classmethod
    def empty(cls, units: str = "") -> "Envelope":
        z = np.empty(0)
        return cls(z, z, z, z, np.zeros(1, np.int64), z, 0, 1, True, units, 0, 0)


# ---------------------------------------------------------------- public API

def envelope(source, location, channel_info, calibration, t_start, t_stop, n_pixels: int,
             cache_dir, cache_key_extra: str = "", task=None, *, checksum: str = "",
             spec: PyramidSpec | None = None, build: bool = True) -> Envelope:
    """Min/max envelope of a shot channel over ``[t_start, t_stop]`` at *n_pixels* columns.

    Parameters
    ----------
    source : core.shots.source.ShotSource
        Where the shot lives; its ``open_raw`` gives the raw counts.
    location : str
        The shot's location in *source* (a file path for HDF5).
    channel_info : core.shots.source.ChannelInfo
        The channel and its digitizer settings (counts → volts, time base).
    calibration : core.signals.calibration.Calibration or None
        Volts → physical units; None leaves volts.
    t_start, t_stop : float or None
        The view, in seconds of the shot's time base (None: the channel's ends).
    n_pixels : int
        Width of the view in pixel columns.
    cache_dir : path-like
        Folder of the pyramid cache (``Config.cache_dir``).
    cache_key_extra : str
        Anything else that must invalidate the pyramid when it changes.
    task : core.tasks.TaskState, optional
        Progress and cancellation (a first view may build the pyramid).
    checksum : str
        The shot's checksum, part of the pyramid's identity when given.
    spec : PyramidSpec, optional
        Pyramid shape (tests use small ones).
    build : bool
        Build the pyramid if it is missing (else compute from raw data).

    Returns
    -------
    Envelope
    """
    spec = spec or PyramidSpec()
    ci = channel_info
    units = calibration.units if calibration is not None else "V"
    pyr = None
    if ci.n_samples > spec.small:
        pyr = get_pyramid(source, location, ci, cache_dir, cache_key_extra, task,
                          checksum=checksum, spec=spec, build=build)
    with source.open_raw(location, ci.digitizer, ci.channel) as ds:
        n = min(int(ci.n_samples), int(ds.shape[0]))
        if pyr is not None and pyr.n_samples != n:
            pyr = None  # cannot happen with a consistent key; never trust a mismatched pyramid
        i0, i1 = index_range(n, ci.trigger_time_s, ci.dt, t_start, t_stop)
        return _envelope(lambda a, b: np.asarray(ds[a:b]), pyr, i0, i1, n_pixels,
                         ci.trigger_time_s, ci.dt, ci.volts_per_count, ci.offset_v,
                         calibration, units, task)


def envelope_array(data, t_start=None, t_stop=None, n_pixels: int = 1000, *, t0: float = 0.0,
                   dt: float = 1.0, volts_per_count: float = 1.0, offset_v: float = 0.0,
                   calibration=None, units: str = "", pyramid: MinMaxPyramid | None = None,
                   task=None) -> Envelope:
    """Min/max envelope of an array-like (numpy array, memmap, h5py dataset).

    Sample *i* is at ``t0 + i * dt``; values become ``data * volts_per_count
    + offset_v`` and then go through *calibration* if given. Float data may
    hold NaN (ignored; a column of NaN only gives NaN). Without *pyramid*
    the view is reduced from the data (O(samples in view), streamed in
    blocks); pass ``MinMaxPyramid.from_array(data)`` to browse a long array
    repeatedly in O(pixels).

    Returns
    -------
    Envelope
    """
    n = int(data.shape[0])
    if pyramid is not None and pyramid.n_samples != n:
        raise ValueError(f"pyramid is of {pyramid.n_samples} samples, data has {n}")
    if calibration is not None and not units:
        units = calibration.units
    i0, i1 = index_range(n, t0, dt, t_start, t_stop)
    return _envelope(lambda a, b: np.asarray(data[a:b]), pyramid, i0, i1, n_pixels, t0, dt,
                     volts_per_count, offset_v, calibration, units, task)


def build_pyramid(source, location, channel_info, cache_dir, cache_key_extra: str = "",
                  task=None, *, checksum: str = "", spec: PyramidSpec | None = None
                  ) -> MinMaxPyramid | None:
    """Build (or load) the cached pyramid of a channel, e.g. at index time.

    Returns None for channels short enough to need none (``spec.small``).
    """
    spec = spec or PyramidSpec()
    if channel_info.n_samples <= spec.small:
        return None
    return get_pyramid(source, location, channel_info, cache_dir, cache_key_extra, task,
                       checksum=checksum, spec=spec, build=True)


def index_range(n: int, t0: float, dt: float, t_start=None, t_stop=None) -> tuple[int, int]:
    """Samples ``[i0, i1)`` needed to draw ``[t_start, t_stop]`` (see module doc)."""
    if n <= 0:
        return 0, 0
    x0 = 0.0 if t_start is None else (float(t_start) - t0) / dt
    x1 = float(n - 1) if t_stop is None else (float(t_stop) - t0) / dt
    if not (np.isfinite(x0) and np.isfinite(x1)) or x1 < x0:
        return 0, 0
    eps = 1e-6
    if x1 < -eps or x0 > n - 1 + eps:
        return 0, 0
    i0 = min(max(int(np.floor(x0 + eps)), 0), n - 1)
    i1 = min(max(int(np.ceil(x1 - eps)), 0), n - 1) + 1
    return i0, max(i1, i0 + 1)


# ---------------------------------------------------------------- cache

_mem_lock = threading.Lock()
_mem_cache: "OrderedDict[str, MinMaxPyramid]" = OrderedDict()
_build_locks: dict[str, threading.Lock] = {}


def clear_memory_cache() -> None:
    """Forget the pyramids loaded in this process (files stay on disk)."""
    with _mem_lock:
        _mem_cache.clear()


def file_identity(location) -> tuple[int, int]:
    """``(size, mtime_ns)`` of a local file, ``(0, 0)`` for non-file locations."""
    try:
        st = os.stat(location)
    except (OSError, TypeError, ValueError):
        return 0, 0
    return st.st_size, st.st_mtime_ns


def pyramid_key(location, channel_info, checksum: str = "", cache_key_extra: str = "",
                spec: PyramidSpec | None = None) -> dict:
    """The identity a cached pyramid is valid for."""
    spec = spec or PyramidSpec()
    loc = str(location)
    if os.path.exists(loc):
        loc = os.path.abspath(loc)
    size, mtime = file_identity(loc)
    ci = channel_info
    return {"location": loc, "size": size, "mtime_ns": mtime, "checksum": checksum or "",
            "digitizer": ci.digitizer, "channel": ci.channel, "n_samples": int(ci.n_samples),
            "dtype": np.dtype(ci.dtype).str, "extra": cache_key_extra or "",
            "spec": asdict(spec), "file_version": FILE_VERSION}


def _h(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:20]


def pyramid_path(cache_dir, key: dict) -> Path:
    """File of the pyramid of *key*: ``<cache_dir>/pyramids/<channel>-<identity>.gpyr``.

    ``<channel>`` hashes the location, channel and ``cache_key_extra``: building
    a pyramid deletes the other pyramids of the same prefix (older versions of
    the file), never those of another *extra*.
    """
    chan = _h([key["location"], key["digitizer"], key["channel"], key["extra"]])
    return Path(cache_dir) / "pyramids" / f"{chan}-{_h(key)}.gpyr"


def get_pyramid(source, location, channel_info, cache_dir, cache_key_extra: str = "",
                task=None, *, checksum: str = "", spec: PyramidSpec | None = None,
                build: bool = True) -> MinMaxPyramid | None:
    """The channel's pyramid: from memory, from the disk cache, or built now.

    Thread-safe: concurrent callers for the same pyramid wait for one build.
    Returns None when absent and *build* is False.
    """
    spec = spec or PyramidSpec()
    key = pyramid_key(location, channel_info, checksum, cache_key_extra, spec)
    path = pyramid_path(cache_dir, key)
    sp = str(path)
    pyr = _cached(sp, key)
    if pyr is not None:
        return pyr
    with _mem_lock:
        lock = _build_locks.setdefault(sp, threading.Lock())
    while not lock.acquire(timeout=0.05):  # stay cancellable while another thread builds
        check(task)
    try:
        pyr = _cached(sp, key)
        if pyr is not None:
            return pyr
        if not build:
            return None
        ci = channel_info
        progress(task, 0.0, f"building min/max pyramid of {ci.digitizer}/{ci.channel}")
        with source.open_raw(location, ci.digitizer, ci.channel) as ds:
            n = min(int(ci.n_samples), int(ds.shape[0]))
            pyr = MinMaxPyramid.build_file(ds, path, spec, meta=key, task=task, n=n)
        _remember(sp, pyr)
        _remove_stale(path)
        return pyr
    finally:
        lock.release()


def _cached(sp: str, key: dict) -> MinMaxPyramid | None:
    with _mem_lock:
        pyr = _mem_cache.get(sp)
        if pyr is not None:
            _mem_cache.move_to_end(sp)
            return pyr
    if not os.path.exists(sp):
        return None
    try:
        pyr = MinMaxPyramid.load(sp)
        if pyr.meta != key:
            raise ValueError("pyramid key mismatch")
    except (OSError, ValueError, KeyError, TypeError):
        # Damaged or foreign file: drop it, it will be rebuilt.
        try:
            os.unlink(sp)
        except OSError:
            pass
        return None
    _remember(sp, pyr)
    return pyr


def _remember(sp: str, pyr: MinMaxPyramid) -> None:
    with _mem_lock:
        _mem_cache[sp] = pyr
        _mem_cache.move_to_end(sp)
        while len(_mem_cache) > MEMORY_CACHE_SIZE:
            _mem_cache.popitem(last=False)


def _remove_stale(path: Path) -> None:
    """Delete older pyramids of the same channel (the file changed) and orphaned temp files."""
    chan = path.name.split("-", 1)[0]
    now = time.time()
    for p in path.parent.glob(chan + "-*"):
        if p == path:
            continue
        try:
            if p.suffix == ".gpyr" or now - p.stat().st_mtime > 3600:
                p.unlink()
        except OSError:
            pass
        with _mem_lock:
            _mem_cache.pop(str(p), None)


# ---------------------------------------------------------------- the computation

def _envelope(reader, pyr, i0, i1, n_pixels, t0, dt, vpc, off, calibration, units, task) -> Envelope:
    if i1 <= i0:
        return Envelope.empty(units)
    n_pixels = max(1, int(n_pixels))
    check(task)

    def phys(x):
        v = np.asarray(x, dtype=np.float64) * vpc + off
        return calibration.apply(v) if calibration is not None else v

    spp = (i1 - i0) / n_pixels
    if spp < RAW_BELOW:
        x = reader(i0, i1)
        y = phys(x)
        t = t0 + dt * np.arange(i0, i1, dtype=np.float64)
        return Envelope(t, y, y, y, np.arange(i0, i1 + 1, dtype=np.int64), t, 0, 1, True,
                        units, i0, i1)

    level = 0
    if pyr is not None:
        for j in range(1, pyr.n_levels + 1):
            if pyr.factor(j) * MIN_BLOCKS_PER_COLUMN <= spp:
                level = j
    f = pyr.factor(level) if pyr is not None else 1
    k = max(1, int(round(spp / f)))
    w = k * f
    first = (i0 // w + 1) * w
    grid = np.arange(first, i1, w, dtype=np.int64)
    edges = np.concatenate([[i0], grid, [i1]]).astype(np.int64)
    ncols = len(edges) - 1

    if level == 0:
        lo, hi = _raw_columns(reader, edges, None, task)
    else:
        lo = np.empty(ncols)
        hi = np.empty(ncols)
        if len(grid) >= 2:
            mn, mx = pyr.levels[level - 1]
            b0, b1 = grid[0] // f, grid[-1] // f
            lo[1:-1] = rmin(mn[b0:b1].reshape(-1, k), 1)
            hi[1:-1] = rmax(mx[b0:b1].reshape(-1, k), 1)
        for c in {0, ncols - 1}:
            lo[c], hi[c] = _range_minmax(pyr, reader, int(edges[c]), int(edges[c + 1]), level)
    check(task)

    # counts → volts (a negative volts_per_count swaps min and max)
    vlo = lo * vpc + off
    vhi = hi * vpc + off
    if vpc < 0:
        vlo, vhi = vhi, vlo
    note = ""
    if calibration is None:
        ylo, yhi = vlo, vhi
    else:
        a, b = np.nanmin(vlo) if np.isfinite(vlo).any() else 0.0, np.nanmax(vhi) if np.isfinite(vhi).any() else 0.0
        direction = calibration.monotonic_on(a, b) if b > a else 1
        if direction > 0:
            ylo, yhi = calibration.apply(vlo), calibration.apply(vhi)
        elif direction < 0:
            ylo, yhi = calibration.apply(vhi), calibration.apply(vlo)
        else:
            ylo, yhi = _raw_columns(reader, edges, phys, task)
            note = NOTE_NON_MONOTONIC
    y_first = phys(reader(i0, i0 + 1))[0]
    y_last = phys(reader(i1 - 1, i1))[0]

    tc = t0 + dt * (edges[:-1] + edges[1:] - 1) * 0.5
    t = np.empty(2 * ncols + 2)
    y = np.empty(2 * ncols + 2)
    t[0], y[0] = t0 + dt * i0, y_first
    t[-1], y[-1] = t0 + dt * (i1 - 1), y_last
    t[1:-1:2] = tc
    t[2:-1:2] = tc
    y[1:-1:2] = ylo
    y[2:-1:2] = yhi
    return Envelope(t, y, ylo, yhi, edges, tc, level, f, False, units, i0, i1, note)


def _range_minmax(pyr, reader, a: int, b: int, level: int):
    """Exact (min, max) of samples ``[a, b)`` from *level* and finer; None if empty."""
    if b <= a:
        return None
    if level == 0:
        x = reader(a, b)
        return rmin(x), rmax(x)
    f = pyr.factor(level)
    lo_b = -(-a // f)  # first whole block
    hi_b = -(-b // f) if b == pyr.n_samples else b // f  # the last block may be short
    if lo_b >= hi_b:
        return _range_minmax(pyr, reader, a, b, level - 1)
    mn, mx = pyr.levels[level - 1]
    parts = [(rmin(mn[lo_b:hi_b]), rmax(mx[lo_b:hi_b])),
             _range_minmax(pyr, reader, a, lo_b * f, level - 1),
             _range_minmax(pyr, reader, min(hi_b * f, b), b, level - 1)]
    parts = [p for p in parts if p is not None]
    lo = parts[0][0]
    hi = parts[0][1]
    for p in parts[1:]:
        lo = np.fmin(lo, p[0])
        hi = np.fmax(hi, p[1])
    return lo, hi


def _raw_columns(reader, edges: np.ndarray, conv, task):
    """Per-column (min, max) as float64 from raw samples, streamed in blocks.

    *conv*, if given, maps raw samples to the values to reduce (calibration).
    """
    ncols = len(edges) - 1
    lo = np.full(ncols, np.nan)
    hi = np.full(ncols, np.nan)
    i0, i1 = int(edges[0]), int(edges[-1])
    for a in range(i0, i1, RAW_BLOCK):
        b = min(a + RAW_BLOCK, i1)
        x = reader(a, b)
        if conv is not None:
            x = conv(x)
        c0 = int(np.searchsorted(edges, a, "right")) - 1
        c1 = int(np.searchsorted(edges, b - 1, "right")) - 1
        starts = np.maximum(edges[c0:c1 + 1], a) - a
        fl = is_float(x.dtype)
        mn = (np.fmin if fl else np.minimum).reduceat(x, starts)
        mx = (np.fmax if fl else np.maximum).reduceat(x, starts)
        lo[c0:c1 + 1] = np.fmin(lo[c0:c1 + 1], mn)
        hi[c0:c1 + 1] = np.fmax(hi[c0:c1 + 1], mx)
        check(task)
    return lo, hi
