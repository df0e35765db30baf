"""The big-signal engine: min/max pyramid and envelopes, checked against brute force."""
from __future__ import annotations

import os
import threading
from datetime import datetime, timezone

import h5py
import numpy as np
import pytest

from core.shots.format import DigitizerSettings, ShotWriter
from core.shots.hdf5source import HDF5Source
from core.signals import envelope as envmod
from core.signals import pyramid as pyrmod
from core.signals.calibration import Calibration
from core.signals.envelope import (NOTE_NON_MONOTONIC, build_pyramid, clear_memory_cache,
                                   envelope, envelope_array, index_range)
from core.signals.pyramid import MinMaxPyramid, PyramidSpec, block_minmax
from core.tasks import Cancelled, TaskState

FS = 1e6
T0 = -2e-3
#: A tiny pyramid so that a few thousand samples exercise every level and boundary.
SMALL = PyramidSpec(factor0=4, ratio=3, min_blocks=2, block=64, small=0)


def write_shot(path, data, bits=14, rng_v=5.0, offset_v=0.25, dtype="int16"):
    w = ShotWriter(path, 1, datetime(2024, 1, 1, tzinfo=timezone.utc))
    w.add_digitizer(DigitizerSettings("dig", FS, T0, bits, rng_v, offset_v))
    w.create_channel("dig", "ch", dtype=dtype, data=data, chunk=1000)
    w.finish()
    return path


def open_channel(path):
    src = HDF5Source(os.path.dirname(path))
    info = src.inspect(str(path))
    assert info.status == "complete", info.error
    return src, info, info.channel("dig", "ch")


def phys(raw, ci, cal):
    v = raw.astype(float) * ci.volts_per_count + ci.offset_v
    return cal.apply(v) if cal is not None else v


def check_against_brute_force(e, raw, ci, cal, i0, i1, n_pixels):
    """Every property of an envelope that a brute-force min/max can check."""
    assert (e.i_start, e.i_stop) == (i0, i1)
    y_all = phys(raw[i0:i1], ci, cal)
    if e.raw:
        np.testing.assert_allclose(e.y, y_all, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(e.t, T0 + np.arange(i0, i1) / FS, rtol=0, atol=1e-12)
        return
    edges = e.edges
    assert edges[0] == i0 and edges[-1] == i1
    assert np.all(np.diff(edges) > 0)
    assert e.n_columns <= 1.2 * n_pixels + 2
    lo = np.fmin.reduceat(y_all, edges[:-1] - i0)
    hi = np.fmax.reduceat(y_all, edges[:-1] - i0)
    np.testing.assert_allclose(e.ymin, lo, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(e.ymax, hi, rtol=1e-12, atol=1e-9)
    # the line: exact first and last samples, min/max per column, time non-decreasing
    assert e.y[0] == pytest.approx(y_all[0]) and e.y[-1] == pytest.approx(y_all[-1])
    assert e.t[0] == pytest.approx(T0 + i0 / FS) and e.t[-1] == pytest.approx(T0 + (i1 - 1) / FS)
    assert np.all(np.diff(e.t) >= 0)
    np.testing.assert_array_equal(e.y[1:-1:2], e.ymin)
    np.testing.assert_array_equal(e.y[2:-1:2], e.ymax)


def t_of(i):
    return T0 + i / FS


@pytest.fixture
def shot(tmp_path):
    rng = np.random.default_rng(42)
    n = 5003  # not a multiple of any factor: the last block of every level is short
    raw = (np.cumsum(rng.integers(-300, 301, n)) % 16000 - 8000).astype(np.int16)
    path = write_shot(tmp_path / "s.h5", raw)
    src, info, ci = open_channel(path)
    return src, str(path), ci, raw, tmp_path / "cache"


def test_random_views_match_brute_force(shot):
    src, loc, ci, raw, cache = shot
    n = len(raw)
    rng = np.random.default_rng(0)
    cal = Calibration("poly", (0.5, 3.0), "T")
    factors = [SMALL.factor(j) for j in range(1, 8)]
    views = []
    for _ in range(250):
        kind = rng.integers(4)
        if kind == 0:  # any view
            a, b = sorted(rng.integers(0, n, 2))
        elif kind == 1:  # tiny
            a = int(rng.integers(0, n))
            b = a + int(rng.integers(0, 4))
        elif kind == 2:  # ends on or next to pyramid block boundaries
            f = int(rng.choice(factors))
            a = f * int(rng.integers(0, n // f + 1)) + int(rng.integers(-1, 2))
            b = a + f * int(rng.integers(1, 40)) + int(rng.integers(-1, 2))
        else:  # past the ends
            a = int(rng.integers(-500, 50))
            b = int(rng.integers(n - 50, n + 500))
        views.append((a, b, int(rng.choice([1, 2, 3, 7, 50, 333, 1000, 4000]))))
    levels = set()
    for a, b, px in views:
        e = envelope(src, loc, ci, cal, t_of(a), t_of(b), px, cache, spec=SMALL)
        i0, i1 = min(max(a, 0), n - 1), min(max(b, 0), n - 1) + 1
        if b < 0 or a > n - 1:
            assert e.n_columns == 0 and len(e.t) == 0
            continue
        check_against_brute_force(e, raw, ci, cal, i0, max(i1, i0 + 1), px)
        levels.add(e.level)
    levels |= {envelope(src, loc, ci, cal, None, None, px, cache, spec=SMALL).level
               for px in (2, 5, 10, 20, 50, 150, 300, 1000)}
    assert levels >= {0, 1, 2, 3, 4, 5}, levels  # every level was exercised


def test_whole_channel_and_default_spec(tmp_path):
    """A channel above the default 'small' size, with the default (tsdownsample-sized) pyramid."""
    rng = np.random.default_rng(7)
    n = 3_000_017
    raw = np.clip(np.cumsum(rng.integers(-40, 41, n)), -8192, 8191).astype(np.int16)
    raw[1_234_567] = 8191  # a single-sample spike must show at every zoom
    path = write_shot(tmp_path / "big.h5", raw)
    src, info, ci = open_channel(path)
    cache = tmp_path / "cache"
    e = envelope(src, str(path), ci, None, None, None, 1500, cache)
    assert e.level >= 1 and not e.raw
    check_against_brute_force(e, raw, ci, None, 0, n, 1500)
    assert e.ymax.max() == pytest.approx(8191 * ci.volts_per_count + ci.offset_v)
    for _ in range(12):
        a = int(rng.integers(0, n - 10))
        b = min(n, a + int(10 ** rng.uniform(1, 6.5)))
        px = int(rng.integers(200, 3000))
        e = envelope(src, str(path), ci, None, t_of(a), t_of(b - 1), px, cache)
        check_against_brute_force(e, raw, ci, None, a, b, px)
    assert len(list((cache / "pyramids").glob("*.gpyr"))) == 1


def test_index_range_and_outside_views():
    assert index_range(10, 0.0, 1.0, 2.5, 4.5) == (2, 6)  # neighbours included
    assert index_range(10, 0.0, 1.0, 2.0, 4.0) == (2, 5)
    assert index_range(10, 0.0, 1.0, -5, 100) == (0, 10)
    assert index_range(10, 0.0, 1.0, 10.5, 20) == (0, 0)
    assert index_range(10, 0.0, 1.0, -3, -1) == (0, 0)
    assert index_range(10, 0.0, 1.0, 5, 3) == (0, 0)
    assert index_range(0, 0.0, 1.0) == (0, 0)
    e = envelope_array(np.arange(10), 20, 30, 100)
    assert e.n_columns == 0 and len(e.t) == 0 and repr(e).startswith("Envelope(")


def test_single_sample_channel(tmp_path):
    path = write_shot(tmp_path / "one.h5", np.array([123], np.int16))
    src, info, ci = open_channel(path)
    for px in (1, 1000):
        e = envelope(src, str(path), ci, None, None, None, px, tmp_path / "c", spec=SMALL)
        assert e.raw and e.y.tolist() == [pytest.approx(123 * ci.volts_per_count + ci.offset_v)]
        assert e.t.tolist() == [pytest.approx(T0)]
    e = envelope_array(np.array([7.0]), None, None, 3, pyramid=MinMaxPyramid.from_array(np.array([7.0]), SMALL))
    assert e.y.tolist() == [7.0]


def test_nan_handling_in_arrays():
    rng = np.random.default_rng(3)
    n = 4000
    x = rng.standard_normal(n)
    x[rng.random(n) < 0.3] = np.nan
    x[1000:1400] = np.nan  # whole columns of NaN
    x[0] = np.nan  # NaN first sample
    pyr = MinMaxPyramid.from_array(x, SMALL)
    for p in (None, pyr):
        for a, b, px in [(0, n - 1, 40), (37, 3001, 100), (990, 1410, 20), (1001, 1399, 5), (5, 3990, 1800)]:
            e = envelope_array(x, a, b, px, pyramid=p)
            seg = x[a:b + 1]
            lo = np.fmin.reduceat(seg, e.edges[:-1] - a)
            hi = np.fmax.reduceat(seg, e.edges[:-1] - a)
            np.testing.assert_array_equal(e.ymin, lo)  # NaN where a column is all NaN
            np.testing.assert_array_equal(e.ymax, hi)
            inside = (e.edges[:-1] >= 1000) & (e.edges[1:] <= 1400)
            if inside.any():
                assert np.isnan(e.ymin[inside]).all() and np.isnan(e.ymax[inside]).all()
            assert not np.isnan(e.ymin[~inside & (np.diff(e.edges) > 60)]).any()
    # the pyramid levels themselves ignore NaN
    assert np.isnan(pyr.levels[0][0][1000 // 4 + 1]) and not np.isnan(pyr.levels[-1][0]).any()


@pytest.mark.parametrize("cal", [
    Calibration("linear", (-2.5, 1.0), "A"),                       # negative gain
    Calibration("table", (-10.0, 50.0, 0.0, 10.0, 10.0, -40.0), "mbar"),  # decreasing table
    Calibration("poly", (1.0, -1.0, 0.0, -0.01), "K"),             # decreasing cubic
])
def test_decreasing_calibrations_swap_min_and_max(shot, cal):
    src, loc, ci, raw, cache = shot
    n = len(raw)
    for a, b, px in [(0, n - 1, 100), (17, 4099, 333), (400, 530, 40)]:
        e = envelope(src, loc, ci, cal, t_of(a), t_of(b), px, cache, spec=SMALL)
        assert not e.note and np.all(e.ymin <= e.ymax)
        check_against_brute_force(e, raw, ci, cal, a, b + 1, px)


def test_negative_volts_per_count_in_arrays():
    x = np.random.default_rng(5).integers(-100, 100, 3000).astype(np.int16)
    pyr = MinMaxPyramid.from_array(x, SMALL)
    e = envelope_array(x, 11, 2900, 64, volts_per_count=-0.5, offset_v=3.0, pyramid=pyr)
    v = x[11:2901] * -0.5 + 3.0
    np.testing.assert_array_equal(e.ymin, np.minimum.reduceat(v, e.edges[:-1] - 11))
    np.testing.assert_array_equal(e.ymax, np.maximum.reduceat(v, e.edges[:-1] - 11))


def test_non_monotonic_calibration_falls_back_to_raw(shot):
    src, loc, ci, raw, cache = shot
    cal = Calibration("poly", (0.0, 0.0, 1.0), "W")  # V²: not monotonic across 0 V
    e = envelope(src, loc, ci, cal, None, None, 64, cache, spec=SMALL)
    assert e.note == NOTE_NON_MONOTONIC
    check_against_brute_force(e, raw, ci, cal, 0, len(raw), 64)
    # ... but monotonic over a view whose volts stay positive: the fast path, no note
    v = raw * ci.volts_per_count + ci.offset_v
    pos = np.flatnonzero(v > 0.5)
    runs = np.split(pos, np.flatnonzero(np.diff(pos) != 1) + 1)
    run = max(runs, key=len)
    assert len(run) > 50
    a, b = int(run[0]), int(run[-1])
    e = envelope(src, loc, ci, cal, t_of(a), t_of(b), 8, cache, spec=SMALL)
    assert e.note == ""
    check_against_brute_force(e, raw, ci, cal, a, b + 1, 8)


def test_recalibration_uses_the_same_pyramid(shot):
    src, loc, ci, raw, cache = shot
    c1 = Calibration("linear", (2.0, 0.0), "A")
    c2 = Calibration("linear", (-3.0, 5.0), "A")  # a new revision
    e1 = envelope(src, loc, ci, c1, None, None, 100, cache, spec=SMALL)
    files = sorted((cache / "pyramids").glob("*.gpyr"))
    stamp = [f.stat().st_mtime_ns for f in files]
    clear_memory_cache()
    e2 = envelope(src, loc, ci, c2, None, None, 100, cache, spec=SMALL)
    assert sorted((cache / "pyramids").glob("*.gpyr")) == files and len(files) == 1
    assert [f.stat().st_mtime_ns for f in files] == stamp  # not rebuilt
    check_against_brute_force(e1, raw, ci, c1, 0, len(raw), 100)
    check_against_brute_force(e2, raw, ci, c2, 0, len(raw), 100)
    np.testing.assert_allclose(e2.ymax, 5.0 - 1.5 * e1.ymin)  # v = y1/2 → y2 = -3 v + 5


def test_pyramid_rebuilt_when_file_changes(shot):
    src, loc, ci, raw, cache = shot
    e = envelope(src, loc, ci, None, None, None, 50, cache, spec=SMALL)
    old = list((cache / "pyramids").glob("*.gpyr"))
    # Same size, new content (a repaired file) and a new mtime.
    new = raw.copy()
    new[2500] = 8191
    with h5py.File(loc, "r+") as f:
        f["digitizers/dig/ch"][2500] = 8191
    st = os.stat(loc)
    os.utime(loc, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert os.stat(loc).st_size == st.st_size
    e2 = envelope(src, loc, ci, None, None, None, 50, cache, spec=SMALL)
    check_against_brute_force(e2, new, ci, None, 0, len(raw), 50)
    assert e2.ymax.max() > e.ymax.max()
    now = list((cache / "pyramids").glob("*.gpyr"))
    assert len(now) == 1 and now != old  # the stale pyramid is gone
    # A different length (rewritten file): a new pyramid of the new length.
    os.unlink(loc)
    longer = np.concatenate([raw, raw[:777]])
    write_shot(loc, longer)
    src, info, ci2 = open_channel(loc)
    e3 = envelope(src, loc, ci2, None, None, None, 50, cache, spec=SMALL)
    check_against_brute_force(e3, longer, ci2, None, 0, len(longer), 50)


def test_checksum_and_extra_are_part_of_the_key(shot):
    src, loc, ci, raw, cache = shot
    p1 = build_pyramid(src, loc, ci, cache, spec=SMALL)
    p2 = build_pyramid(src, loc, ci, cache, "rev2", spec=SMALL)
    p3 = build_pyramid(src, loc, ci, cache, checksum="sha256:abc", spec=SMALL)
    assert len({p1.meta["extra"], p2.meta["extra"]}) == 2 and p3.meta["checksum"] == "sha256:abc"
    # p3 superseded p1 (same channel and extra, new identity); p2 (other extra) is kept
    names = sorted(f.name for f in (cache / "pyramids").glob("*.gpyr"))
    assert len(names) == 2 and len({n.split("-")[0] for n in names}) == 2


def test_damaged_cache_file_is_rebuilt(shot):
    src, loc, ci, raw, cache = shot
    envelope(src, loc, ci, None, None, None, 50, cache, spec=SMALL)
    (p,) = (cache / "pyramids").glob("*.gpyr")
    clear_memory_cache()
    p.write_bytes(p.read_bytes()[:100])  # truncated
    e = envelope(src, loc, ci, None, None, None, 50, cache, spec=SMALL)
    check_against_brute_force(e, raw, ci, None, 0, len(raw), 50)
    assert MinMaxPyramid.load(p).n_samples == len(raw)


def test_cancellation_leaves_no_files(shot):
    src, loc, ci, raw, cache = shot
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        envelope(src, loc, ci, None, None, None, 50, cache, task=task, spec=SMALL)
    calls = []

    def on_progress(frac, msg):
        calls.append(frac)
        if len(calls) == 3:  # mid-build
            task2.cancel()

    task2 = TaskState(on_progress)
    with pytest.raises(Cancelled):
        build_pyramid(src, loc, ci, cache, task=task2, spec=SMALL)
    assert 0 < max(calls) < 1
    assert list((cache / "pyramids").iterdir()) == []
    e = envelope(src, loc, ci, None, None, None, 50, cache, spec=SMALL)  # works afterwards
    check_against_brute_force(e, raw, ci, None, 0, len(raw), 50)
    # a view computed from raw data is cancellable too
    task3 = TaskState()
    task3.cancel()
    with pytest.raises(Cancelled):
        envelope_array(raw, None, None, 10, task=task3)


def test_two_threads_build_once(shot, monkeypatch):
    src, loc, ci, raw, cache = shot
    builds = []
    real = MinMaxPyramid.build_file.__func__

    def counting(cls, *a, **k):
        builds.append(threading.get_ident())
        return real(cls, *a, **k)

    monkeypatch.setattr(MinMaxPyramid, "build_file", classmethod(counting))
    barrier = threading.Barrier(4)
    out, errors = [], []

    def work():
        try:
            barrier.wait()
            out.append(envelope(src, loc, ci, None, None, None, 80, cache, spec=SMALL))
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(out) == 4
    assert len(builds) == 1
    for e in out:
        check_against_brute_force(e, raw, ci, None, 0, len(raw), 80)


@pytest.mark.parametrize("dtype", ["int16", "int32", "uint16", "int8", "float32"])
@pytest.mark.parametrize("f", [3, 4, 256])
def test_block_kernel_matches_numpy(dtype, f):
    rng = np.random.default_rng(f)
    info = np.iinfo(dtype) if np.dtype(dtype).kind != "f" else None
    x = (rng.integers(info.min, info.max, 10 * f + 5, endpoint=True) if info
         else rng.standard_normal(10 * f + 5)).astype(dtype)
    mn, mx = block_minmax(x, f)
    pad = -len(x) % f
    ref = np.concatenate([x, np.repeat(x[-1:], pad)]).reshape(-1, f)
    np.testing.assert_array_equal(mn, ref.min(1))
    np.testing.assert_array_equal(mx, ref.max(1))


def test_numpy_fallback_kernel_builds_identical_pyramid(monkeypatch):
    x = np.random.default_rng(9).integers(-30000, 30000, 100_003).astype(np.int16)
    spec = PyramidSpec(factor0=16, ratio=4, min_blocks=4, block=4096, small=0)
    assert pyrmod._tsd_for(np.int16, 16) is not None  # tsdownsample (dev dependency) validated
    fast = MinMaxPyramid.from_array(x, spec)
    monkeypatch.setattr(pyrmod, "USE_TSDOWNSAMPLE", False)
    slow = MinMaxPyramid.from_array(x, spec)
    for (a, b), (c, d) in zip(fast.levels, slow.levels):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)


def test_pyramid_file_roundtrip(tmp_path):
    x = np.random.default_rng(2).integers(-5, 5, 1001).astype(np.int16)
    p = MinMaxPyramid.build_file(x, tmp_path / "x.gpyr", SMALL, meta={"k": 1})
    q = MinMaxPyramid.load(tmp_path / "x.gpyr")
    r = MinMaxPyramid.from_array(x, SMALL)
    assert q.meta == {"k": 1} and q.n_levels == r.n_levels == p.n_levels
    for (a, b), (c, d) in zip(q.levels, r.levels):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    assert [f.name for f in tmp_path.iterdir()] == ["x.gpyr"]  # no temp file left
    (tmp_path / "bad.gpyr").write_bytes(b"nope")
    with pytest.raises(ValueError):
        MinMaxPyramid.load(tmp_path / "bad.gpyr")


def test_pan_keeps_column_grid(shot):
    """Panning at a fixed zoom reuses the same column boundaries (no shimmer)."""
    src, loc, ci, raw, cache = shot
    e1 = envelope(src, loc, ci, None, t_of(100), t_of(2100), 100, cache, spec=SMALL)
    e2 = envelope(src, loc, ci, None, t_of(700), t_of(2700), 100, cache, spec=SMALL)
    common = np.intersect1d(e1.edges[1:-1], e2.edges[1:-1])
    assert len(common) > 0.6 * e1.n_columns
    w = np.diff(e1.edges[1:-1])
    assert len(set(w)) == 1 and 16 <= w[0] <= 24  # ≈ 2000 / 100 samples per column


def test_write_big_shot_small(tmp_path):
    from core.demo_big import write_big_shot

    p = write_big_shot(tmp_path / "big.h5", shot=77, n_samples=300_001, n_channels=3)
    src = HDF5Source(tmp_path)
    info = src.inspect(str(p), verify=True)
    assert info.status == "complete" and info.shot == 77
    assert [c.channel for c in info.channels] == ["ip", "probe_i", "probe_v"]
    ip = src.read_raw(str(p), "fast", "ip")
    assert len(ip) == 300_001 and ip.dtype == np.int16 and abs(ip).max() < 2 ** 13
    ci = info.channel("fast", "ip")
    v = ip * ci.volts_per_count
    assert v[:10_000].mean() < 0.2 and v[150_000:160_000].mean() > 2.0  # ramp-up, flat-top
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        write_big_shot(tmp_path / "c.h5", n_samples=10_000, task=task)
    assert not (tmp_path / "c.h5").exists()


def test_core_envelope_does_not_import_qt():
    import subprocess
    import sys

    code = ("import sys, core.signals.envelope, core.signals.pyramid, core.demo_big; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')]; "
            "assert not bad, bad")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


@pytest.fixture(autouse=True)
def _fresh_memory_cache():
    clear_memory_cache()
    yield
    clear_memory_cache()
    assert envmod.MEMORY_CACHE_SIZE > 0
