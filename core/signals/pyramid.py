"""Multi-resolution min/max pyramid of a long channel, in memory or on disk.

Level 0 is the raw channel itself. Level *j* ≥ 1 holds, for consecutive
blocks of ``factor(j) = factor0 * ratio**(j-1)`` samples, the minimum and the
maximum of the block (the last block of a level may be shorter). Values are
stored in the channel's own dtype — raw integer counts for shot channels — so
a pyramid does not depend on the calibration: calibration is applied to the
envelope on read (see :mod:`core.signals.envelope`).

Building streams the channel in blocks of :attr:`PyramidSpec.block` samples:
memory stays bounded whatever the channel length (level 1 is written straight
into a memory-mapped temporary file when the pyramid goes to disk; the upper
levels are reduced from the level below, in bounded chunks). The inner kernel
is tsdownsample's SIMD ``MinMaxDownsampler`` when it is installed and
validated for the dtype (measured 1.5–2.5× faster than numpy's row-wise
reductions for integer counts, see ``docs/bigsignal.md``), else numpy.

Float data (in-memory arrays) may hold NaN: NaN is ignored by every min/max
(``numpy.fmin``/``fmax``) and a block made only of NaN has a NaN min and max.

File format (``*.gpyr``): 8 bytes magic ``b"GPYRMD1\\n"``, an unsigned
little-endian 64-bit header length, a UTF-8 JSON header, then per level the
array of minima and the array of maxima at 4096-aligned offsets given in the
header. Files are written to a temporary name and renamed into place, so a
reader never sees a partial pyramid.
"""
from __future__ import annotations

import json
import mmap
import os
import struct
import tempfile
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from core.tasks import check, progress

MAGIC = b"GPYRMD1\n"
FILE_VERSION = 1
_ALIGN = 4096


@dataclass(frozen=True)
class PyramidSpec:
    """Shape of a pyramid (part of the cache key).

    Attributes
    ----------
    factor0 : int
        Samples per block at level 1 (at least 2).
    ratio : int
        Decimation factor between successive levels (at least 2).
    min_blocks : int
        Levels are added until a level has at most this many blocks.
    block : int
        Samples read per step while building (rounded down to a multiple of
        ``factor0``); bounds the build's memory.
    small : int
        Channels of at most this many samples get no pyramid: reading them
        raw is as fast as reading a pyramid.
    """

    factor0: int = 256
    ratio: int = 8
    min_blocks: int = 64
    block: int = 1 << 23
    small: int = 1 << 20

    def __post_init__(self):
        if self.factor0 < 2 or self.ratio < 2 or self.min_blocks < 1:
            raise ValueError("PyramidSpec needs factor0 >= 2, ratio >= 2, min_blocks >= 1")
        if self.block < self.factor0:
            raise ValueError("PyramidSpec.block must be at least factor0")

    def factor(self, level: int) -> int:
        """Samples per block at *level* (1 for level 0, the raw data)."""
        return 1 if level == 0 else self.factor0 * self.ratio ** (level - 1)

    def level_sizes(self, n: int) -> list[int]:
        """Number of blocks of each level ≥ 1 for a channel of *n* samples."""
        sizes = []
        j = 1
        while True:
            nb = -(-n // self.factor(j))
            sizes.append(nb)
            if nb <= self.min_blocks:
                return sizes
            j += 1


# ---------------------------------------------------------------- kernels

def is_float(dtype) -> bool:
    return np.dtype(dtype).kind == "f"


def rmin(x, axis=None):
    """Minimum ignoring NaN (all-NaN → NaN) for floats; plain minimum for integers."""
    return (np.fmin if is_float(x.dtype) else np.minimum).reduce(x, axis=axis)


def rmax(x, axis=None):
    """Maximum ignoring NaN (all-NaN → NaN) for floats; plain maximum for integers."""
    return (np.fmax if is_float(x.dtype) else np.maximum).reduce(x, axis=axis)


_tsd_lock = threading.Lock()
_tsd_checked: dict = {}
#: Set to False to force the numpy kernel (the benchmark compares both).
USE_TSDOWNSAMPLE = True


def _tsd_downsampler():
    try:
        from tsdownsample import MinMaxDownsampler
    except ImportError:  # optional dependency (extra "fast")
        return None
    return MinMaxDownsampler()


def _tsd_minmax(ds, x: np.ndarray, f: int):
    idx = ds.downsample(x, n_out=2 * (len(x) // f))
    v = x[idx]
    # Per bin, tsdownsample returns the two indices in time order: min and max in either order.
    return np.minimum(v[0::2], v[1::2]), np.maximum(v[0::2], v[1::2])


def _tsd_for(dtype, f: int):
    """A validated tsdownsample downsampler for (*dtype*, *f*), or None (use numpy).

    Validated once against numpy on random data: the kernel must return one
    (min, max) pair per bin of exactly *f* samples. Guards against a version
    of tsdownsample that bins differently.
    """
    if not USE_TSDOWNSAMPLE or is_float(dtype) or f < 3:
        return None
    key = (np.dtype(dtype).str, f)
    with _tsd_lock:
        if key not in _tsd_checked:
            ds = _tsd_downsampler()
            ok = False
            if ds is not None:
                try:
                    rng = np.random.default_rng(1)
                    info = np.iinfo(dtype)
                    x = rng.integers(max(info.min, -1000), min(info.max, 1000), 37 * f, endpoint=True).astype(dtype)
                    mn, mx = _tsd_minmax(ds, x, f)
                    v = x.reshape(-1, f)
                    ok = np.array_equal(mn, v.min(1)) and np.array_equal(mx, v.max(1))
                except Exception:  # unsupported dtype or API change: numpy it is
                    ok = False
            _tsd_checked[key] = ds if ok else None
        return _tsd_checked[key]


def block_minmax(x: np.ndarray, f: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max of consecutive blocks of *f* samples of *x* (last block may be short)."""
    n = len(x)
    full = n - n % f
    parts_mn, parts_mx = [], []
    if full:
        ds = _tsd_for(x.dtype, f)
        xf = x[:full]
        if ds is not None and xf.flags.c_contiguous:
            mn, mx = _tsd_minmax(ds, xf, f)
        else:
            v = xf.reshape(-1, f)
            mn, mx = rmin(v, 1), rmax(v, 1)
        parts_mn.append(mn)
        parts_mx.append(mx)
    if full < n:
        parts_mn.append(np.atleast_1d(rmin(x[full:])))
        parts_mx.append(np.atleast_1d(rmax(x[full:])))
    if len(parts_mn) == 1:
        return parts_mn[0], parts_mx[0]
    return np.concatenate(parts_mn), np.concatenate(parts_mx)


def _read(data, a: int, b: int, buf: np.ndarray | None = None) -> np.ndarray:
    """``data[a:b]`` as a numpy array, into *buf* for h5py datasets (no allocation)."""
    if buf is not None and hasattr(data, "read_direct"):
        out = buf[: b - a]
        data.read_direct(out, np.s_[a:b], np.s_[0:b - a])
        return out
    return np.asarray(data[a:b])


# ---------------------------------------------------------------- the pyramid

class MinMaxPyramid:
    """Min/max pyramid of one channel (read-only once built).

    Use :meth:`from_array` (in memory), :meth:`build_file` (streaming, to
    disk) or :meth:`load` (memory-mapped file). Reading is thread-safe.

    Attributes
    ----------
    n_samples : int
    dtype : numpy.dtype
    spec : PyramidSpec
    levels : list of (mins, maxs)
        ``levels[j - 1]`` is level *j*; arrays may be memory-mapped.
    meta : dict
        Free metadata stored with the file (the cache key).
    """

    def __init__(self, n_samples: int, dtype, spec: PyramidSpec, levels, meta=None, _mm=None):
        self.n_samples = int(n_samples)
        self.dtype = np.dtype(dtype)
        self.spec = spec
        self.levels = levels
        self.meta = meta or {}
        self._mm = _mm  # keeps the mapping alive as long as the arrays

    def __repr__(self) -> str:
        return (f"MinMaxPyramid(n_samples={self.n_samples}, dtype={self.dtype.name!r}, "
                f"spec={self.spec!r}, n_levels={self.n_levels})")

    @property
    def n_levels(self) -> int:
        """Number of levels above the raw data."""
        return len(self.levels)

    def factor(self, level: int) -> int:
        return self.spec.factor(level)

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes + b.nbytes for a, b in self.levels)

    # -- building

    @classmethod
    def from_array(cls, data, spec: PyramidSpec | None = None, task=None) -> "MinMaxPyramid":
        """Build in memory from an array-like (numpy array, h5py dataset, memmap ...)."""
        spec = spec or PyramidSpec()
        n = int(data.shape[0])
        dtype = np.dtype(data.dtype)
        sizes = spec.level_sizes(max(n, 1))
        levels = [(np.empty(nb, dtype), np.empty(nb, dtype)) for nb in sizes]
        _fill(data, n, spec, levels, task)
        return cls(n, dtype, spec, levels)

    @classmethod
    def build_file(cls, data, path, spec: PyramidSpec | None = None, meta: dict | None = None,
                   task=None, n: int | None = None) -> "MinMaxPyramid":
        """Stream *data* into a pyramid file at *path* (atomically) and return it loaded.

        Only ``data[:n]`` is used when *n* is given. On error or cancellation
        the temporary file is removed and *path* is untouched.
        """
        spec = spec or PyramidSpec()
        path = Path(path)
        n = int(data.shape[0]) if n is None else int(n)
        if n < 1:
            raise ValueError("cannot build a pyramid of an empty channel")
        dtype = np.dtype(data.dtype)
        sizes = spec.level_sizes(n)
        header = {"version": FILE_VERSION, "n_samples": n, "dtype": dtype.str,
                  "spec": asdict(spec), "meta": meta or {}, "levels": []}
        # Offsets depend on the header length; reserve room generously, then place arrays.
        off = _ALIGN * (1 + (len(json.dumps(header)) + 64 * len(sizes) + 256) // _ALIGN)
        for nb in sizes:
            lv = {"n_blocks": nb, "min": off}
            off += -(-nb * dtype.itemsize // _ALIGN) * _ALIGN
            lv["max"] = off
            off += -(-nb * dtype.itemsize // _ALIGN) * _ALIGN
            header["levels"].append(lv)
        total = off
        hb = json.dumps(header).encode()
        if 16 + len(hb) > header["levels"][0]["min"]:
            raise AssertionError("pyramid header overflow")  # cannot happen: room reserved above
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "r+b") as fh:
                fh.truncate(total)
                fh.write(MAGIC + struct.pack("<Q", len(hb)) + hb)
                fh.flush()
                mm = mmap.mmap(fh.fileno(), total)
                try:
                    levels = [(np.frombuffer(mm, dtype, lv["n_blocks"], lv["min"]),
                               np.frombuffer(mm, dtype, lv["n_blocks"], lv["max"]))
                              for lv in header["levels"]]
                    _fill(data, n, spec, levels, task)
                    del levels
                    mm.flush()
                finally:
                    try:
                        mm.close()
                    except BufferError:  # a traceback still holds views: the GC unmaps it
                        pass
            check(task)
            try:
                os.replace(tmp, path)
            except OSError:
                # Windows refuses to replace a file mapped by a reader: someone built it first.
                if not path.exists():
                    raise
                os.unlink(tmp)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return cls.load(path)

    @classmethod
    def load(cls, path) -> "MinMaxPyramid":
        """Memory-map a pyramid file. Raises ValueError if it is not a valid pyramid."""
        path = Path(path)
        with open(path, "rb") as fh:
            head = fh.read(16)
            if len(head) != 16 or head[:8] != MAGIC:
                raise ValueError(f"{path} is not a pyramid file")
            (hl,) = struct.unpack("<Q", head[8:])
            try:
                header = json.loads(fh.read(hl).decode())
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise ValueError(f"{path}: damaged pyramid header") from exc
            if header.get("version") != FILE_VERSION:
                raise ValueError(f"{path}: pyramid file version {header.get('version')}")
            size = os.fstat(fh.fileno()).st_size
            dtype = np.dtype(header["dtype"])
            spec = PyramidSpec(**header["spec"])
            for lv in header["levels"]:
                if lv["max"] + lv["n_blocks"] * dtype.itemsize > size:
                    raise ValueError(f"{path}: truncated pyramid file")
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        levels = [(np.frombuffer(mm, dtype, lv["n_blocks"], lv["min"]),
                   np.frombuffer(mm, dtype, lv["n_blocks"], lv["max"]))
                  for lv in header["levels"]]
        return cls(header["n_samples"], dtype, spec, levels, header.get("meta", {}), mm)


def _fill(data, n: int, spec: PyramidSpec, levels, task=None) -> None:
    """Compute every level of the pyramid of ``data[:n]`` into the given arrays."""
    f0 = spec.factor0
    step = max(f0, spec.block - spec.block % f0)
    buf = np.empty(min(step, n), np.dtype(data.dtype)) if hasattr(data, "read_direct") else None
    mn1, mx1 = levels[0]
    for a in range(0, n, step):
        b = min(n, a + step)
        x = _read(data, a, b, buf)
        mn, mx = block_minmax(x, f0)
        mn1[a // f0:a // f0 + len(mn)] = mn
        mx1[a // f0:a // f0 + len(mx)] = mx
        progress(task, 0.95 * b / n, "building min/max pyramid")
    r = spec.ratio
    chunk = r * (1 << 18)  # blocks of the lower level reduced per step
    for j in range(1, len(levels)):
        lo_mn, lo_mx = levels[j - 1]
        up_mn, up_mx = levels[j]
        nb = len(lo_mn)
        for a in range(0, nb, chunk):
            b = min(nb, a + chunk)
            mn = _group(lo_mn[a:b], r, rmin)
            mx = _group(lo_mx[a:b], r, rmax)
            up_mn[a // r:a // r + len(mn)] = mn
            up_mx[a // r:a // r + len(mx)] = mx
        check(task)


def _group(x: np.ndarray, r: int, red) -> np.ndarray:
    """Reduce consecutive groups of *r* values (last group may be short)."""
    full = len(x) - len(x) % r
    out = red(x[:full].reshape(-1, r), 1) if full else x[:0]
    if full < len(x):
        out = np.concatenate([out, np.atleast_1d(red(x[full:]))])
    return out
