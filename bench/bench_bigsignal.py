"""Benchmark of the big-signal engine (core.signals.envelope), with same-run baselines.

Run from the project root::

    .venv/bin/python bench/bench_bigsignal.py            # 1e8-sample channel (200 MB)
    .venv/bin/python bench/bench_bigsignal.py --n 3e7    # another length
    .venv/bin/python bench/bench_bigsignal.py --huge     # also a 1e9-sample channel (2 GB)

Every figure is printed next to a baseline measured in the same run (the
machine is shared and noisy: medians of repeats, ratios). Files go to a
temporary folder under /tmp (``--dir``) that is deleted at the end unless
``--keep``. The figures in docs/bigsignal.md come from this script.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import h5py  # noqa: E402
import numpy as np  # noqa: E402

from core.demo_big import write_big_shot  # noqa: E402
from core.shots.hdf5source import HDF5Source  # noqa: E402
from core.signals import pyramid as pyrmod  # noqa: E402
from core.signals.calibration import Calibration  # noqa: E402
from core.signals.envelope import clear_memory_cache, envelope  # noqa: E402

CHANNEL = ("fast", "ip")
CAL = Calibration("linear", (1.0e5, 0.0), "A")  # Rogowski: 100 kA per volt
PIXELS = 1800


def med(f, repeats: int) -> float:
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def bare_read(path) -> np.ndarray:
    with h5py.File(path, "r") as f:
        return f["/".join(("digitizers",) + CHANNEL)][:]


def streamed_read(path, block=1 << 23) -> None:
    """Read the whole channel in blocks (the bare read of a channel too big for memory)."""
    with h5py.File(path, "r") as f:
        ds = f["/".join(("digitizers",) + CHANNEL)]
        n = ds.shape[0]
        buf = np.empty(block, ds.dtype)
        for a in range(0, n, block):
            b = min(n, a + block)
            ds.read_direct(buf, np.s_[a:b], np.s_[0:b - a])


def channel(path):
    src = HDF5Source(Path(path).parent)
    info = src.inspect(str(path), verify=False)
    return src, info, info.channel(*CHANNEL)


def line(label: str, value: float, baseline: float, unit="s", target: str = "") -> None:
    scale = 1e3 if unit == "ms" else 1.0
    print(f"  {label:<46} {value * scale:9.4g} {unit}   {value / baseline:7.3f}x baseline"
          + (f"   (target {target})" if target else ""))


# ---------------------------------------------------------------- 1e8 (in process)

def bench_main(path: Path, cache: Path, repeats: int) -> dict:
    src, info, ci = channel(path)
    loc = str(path)
    res = {"n": ci.n_samples}
    print(f"\nchannel {'/'.join(CHANNEL)}: {ci.n_samples:,} int16 samples ({path.stat().st_size / 1e6:.0f} MB file)")
    bare_read(path)  # page cache warm for everybody
    t_bare = med(lambda: bare_read(path), repeats)
    res["bare_read_s"] = t_bare
    print(f"  baseline: bare h5py read of the whole raw channel     {t_bare:.4f} s")

    def first(kernel_tsd: bool):
        pyrmod.USE_TSDOWNSAMPLE = kernel_tsd

        def run():
            shutil.rmtree(cache, ignore_errors=True)
            clear_memory_cache()
            envelope(src, loc, ci, CAL, None, None, PIXELS, cache)
        return med(run, repeats)

    envelope(src, loc, ci, CAL, None, None, PIXELS, cache)  # imports, kernel validation
    t_np = first(False)
    t_tsd = first(True)
    pyrmod.USE_TSDOWNSAMPLE = t_tsd <= t_np
    res.update(first_nopyr_numpy_s=t_np, first_nopyr_tsd_s=t_tsd)
    print("first envelope, no pyramid yet (builds it):")
    line("numpy kernel", t_np, t_bare)
    line("tsdownsample kernel", t_tsd, t_bare, target="<= 2.5x")

    def with_pyr():
        clear_memory_cache()  # load the pyramid file as a new process would
        envelope(src, loc, ci, CAL, None, None, PIXELS, cache)
    envelope(src, loc, ci, CAL, None, None, PIXELS, cache)
    t_pyr = med(with_pyr, max(repeats, 20))
    res["first_pyr_s"] = t_pyr
    print("first envelope, pyramid on disk (not yet loaded in the process):")
    line("whole channel, 1800 px", t_pyr, t_bare, "ms", target="<= 0.1x")

    rng = np.random.default_rng(0)
    t_end = ci.n_samples * ci.dt
    times, kinds = [], {"raw": 0, "raw-envelope": 0, "pyramid": 0}
    for _ in range(400):
        width = 10 ** rng.uniform(np.log10(50 * ci.dt), np.log10(t_end))
        a = ci.trigger_time_s + rng.uniform(-0.05 * width, t_end - 0.95 * width)
        px = int(rng.integers(200, 4000))
        t = time.perf_counter()
        e = envelope(src, loc, ci, CAL, a, a + width, px, cache)
        times.append(time.perf_counter() - t)
        kinds["raw" if e.raw else ("raw-envelope" if e.level == 0 else "pyramid")] += 1
    times = np.array(times)
    res.update(zoom_median_s=float(np.median(times)), zoom_p95_s=float(np.percentile(times, 95)),
               zoom_max_s=float(times.max()))
    print(f"zoom/pan: 400 random views, widths 50 samples..whole channel, 200..4000 px {kinds}:")
    line("median", float(np.median(times)), t_bare, "ms", target="<= 30 ms")
    line("95th percentile", float(np.percentile(times, 95)), t_bare, "ms")
    line("max", float(times.max()), t_bare, "ms")
    return res


def bench_paint(path: Path, cache: Path, repeats: int) -> dict:
    """First paint end-to-end: ours vs pyqtgraph's own peak downsampling + clipToView."""
    import pyqtgraph as pg
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    src, info, ci = channel(path)
    loc = str(path)
    w = pg.PlotWidget()
    w.resize(PIXELS + 80, 600)
    w.show()
    app.processEvents()
    t_end = ci.trigger_time_s + ci.n_samples * ci.dt

    def paint(x, y, pg_path: bool):
        w.clear()
        item = pg.PlotDataItem()
        # PlotItem.addItem imposes the plot's own downsampling/clip settings on the
        # item, so configure pyqtgraph's path on the PlotItem (and check it took).
        w.getPlotItem().setDownsampling(auto=pg_path, mode="peak")
        w.getPlotItem().setClipToView(pg_path)
        w.addItem(item)
        assert item.opts["autoDownsample"] == pg_path and item.opts["clipToView"] == pg_path
        if x is None:
            w.setXRange(0, ci.n_samples, padding=0)
        else:
            w.setXRange(ci.trigger_time_s, t_end, padding=0)
        if x is None:
            item.setData(y)
        else:
            item.setData(x, y)
        img = w.grab()
        assert not img.isNull()
        if pg_path:  # pyqtgraph really decimated what it drew
            assert len(item.curve.xData) < len(y) / 100

    def ours(build: bool):
        if build:
            shutil.rmtree(cache, ignore_errors=True)
        clear_memory_cache()
        px = int(w.getPlotItem().getViewBox().width()) or PIXELS
        e = envelope(src, loc, ci, CAL, None, None, px, cache)
        paint(e.t, e.y, False)

    def theirs():  # time axis in seconds, float64 physical units
        raw = bare_read(path)
        y = CAL.apply(raw * ci.volts_per_count + ci.offset_v)
        x = ci.trigger_time_s + np.arange(ci.n_samples) * ci.dt
        paint(x, y, True)

    def theirs_lean():  # pyqtgraph's cheapest input: float32 y only, implicit x (sample index)
        raw = bare_read(path)
        y = raw.astype(np.float32)
        y *= np.float32(ci.volts_per_count * CAL.coefficients[0])
        paint(None, y, True)

    theirs()  # warm up all paths
    theirs_lean()
    ours(True)
    r = max(3, repeats // 2)
    t_full = med(theirs, r)
    t_lean = med(theirs_lean, r)
    t_theirs = min(t_full, t_lean)
    t_ours_build = med(lambda: ours(True), r)
    t_ours = med(lambda: ours(False), r)
    w.close()
    print("first paint, read -> (envelope) -> PlotDataItem.setData -> grab() offscreen:")
    print(f"  pyqtgraph peak downsampling + clipToView, float64 t,y  {t_full:.4f} s")
    print(f"  pyqtgraph, float32 y only (implicit x)               {t_lean:.4f} s")
    print(f"  baseline: the faster pyqtgraph path                  {t_theirs:.4f} s")
    line("ours, no pyramid yet", t_ours_build, t_theirs)
    line("ours, pyramid on disk", t_ours, t_theirs)
    return {"paint_pyqtgraph_s": t_theirs, "paint_pyqtgraph_f64_s": t_full, "paint_pyqtgraph_f32_s": t_lean, "paint_ours_build_s": t_ours_build, "paint_ours_pyr_s": t_ours}


# ---------------------------------------------------------------- 1e9 (subprocesses)

def child(mode: str, path: str, cache: str) -> None:
    """Run one measurement in a fresh process and print JSON with its peak RSS."""
    out = {}
    if mode == "python":
        pass  # the interpreter with the same imports: the RSS floor
    elif mode == "stream":
        t = time.perf_counter()
        streamed_read(path)
        out["s"] = time.perf_counter() - t
    else:
        src, info, ci = channel(path)
        t = time.perf_counter()
        envelope(src, path, ci, CAL, None, None, PIXELS, cache)
        out["first_s"] = time.perf_counter() - t
        if mode == "view":
            rng = np.random.default_rng(1)
            t_end = ci.n_samples * ci.dt
            ts = []
            for _ in range(100):
                width = 10 ** rng.uniform(np.log10(50 * ci.dt), np.log10(t_end))
                a = ci.trigger_time_s + rng.uniform(0, t_end - width)
                t = time.perf_counter()
                envelope(src, path, ci, CAL, a, a + width, int(rng.integers(200, 4000)), cache)
                ts.append(time.perf_counter() - t)
            out["zoom_median_s"] = float(np.median(ts))
            out["zoom_max_s"] = float(np.max(ts))
    out["peak_rss_mb"] = peak_rss_mb()
    print(json.dumps(out))


def peak_rss_mb() -> float:
    """Peak resident set size of this process, in MB.

    VmHWM (Linux) belongs to the process image and restarts at exec; getrusage's
    ru_maxrss survives fork + exec, so a child of a big parent would report the
    parent's peak.
    """
    try:
        with open("/proc/self/status") as fh:
            for ln in fh:
                if ln.startswith("VmHWM:"):
                    return int(ln.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(mode, path, cache) -> dict:
    r = subprocess.run([sys.executable, __file__, "--child", mode, "--file", str(path), "--cache", str(cache)],
                       check=True, capture_output=True, text=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


def bench_huge(folder: Path, repeats: int) -> dict:
    path = folder / "huge.h5"
    cache = folder / "cache_huge"
    if not path.exists():
        t = time.perf_counter()
        write_big_shot(path, shot=9002, n_samples=1_000_000_000, n_channels=1)
        print(f"\n(wrote {path.stat().st_size / 1e9:.2f} GB in {time.perf_counter() - t:.0f} s)")
    print(f"\nhuge channel: 1,000,000,000 int16 samples, each figure in a fresh process:")
    floor = run_child("python", path, cache)
    stream = [run_child("stream", path, cache) for _ in range(max(1, repeats // 2))]
    t_stream = statistics.median(s["s"] for s in stream)
    print(f"  baseline: streamed h5py read of the whole channel     {t_stream:.3f} s, "
          f"peak RSS {max(s['peak_rss_mb'] for s in stream):.0f} MB "
          f"(interpreter + imports alone: {floor['peak_rss_mb']:.0f} MB)")
    shutil.rmtree(cache, ignore_errors=True)
    build = run_child("build", path, cache)
    line("first envelope, no pyramid (builds it)", build["first_s"], t_stream)
    print(f"  {'':<46} peak RSS {build['peak_rss_mb']:.0f} MB (target <= 400 MB)")
    views = [run_child("view", path, cache) for _ in range(max(1, repeats // 2))]
    v_first = statistics.median(v["first_s"] for v in views)
    line("first envelope, pyramid on disk", v_first, t_stream, target="<= 0.3 s")
    line("then zoom/pan, median of 100 views", statistics.median(v["zoom_median_s"] for v in views),
         t_stream, "ms")
    line("               max", max(v["zoom_max_s"] for v in views), t_stream, "ms")
    print(f"  {'':<46} peak RSS {max(v['peak_rss_mb'] for v in views):.0f} MB (target <= 400 MB)")
    return {"huge_stream_s": t_stream, "huge_build": build, "huge_views": views, "floor": floor}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=float, default=1e8, help="samples of the main channel (default 1e8)")
    ap.add_argument("--huge", action="store_true", help="also benchmark a 1e9-sample channel (2 GB)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--dir", default=None, help="work folder (default: a new one in /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the shot files")
    ap.add_argument("--no-paint", action="store_true", help="skip the Qt first-paint comparison")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--file", help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        return child(a.child, a.file, a.cache)
    folder = Path(a.dir) if a.dir else Path(tempfile.mkdtemp(prefix="gil_bigsignal_", dir="/tmp"))
    folder.mkdir(parents=True, exist_ok=True)
    n = int(a.n)
    print(f"bench_bigsignal: work folder {folder}; tsdownsample "
          f"{'available' if pyrmod._tsd_downsampler() is not None else 'missing'}; "
          f"{os.cpu_count()} CPUs; repeats {a.repeats}")
    try:
        path = folder / f"big_{n}.h5"
        if not path.exists():
            t = time.perf_counter()
            write_big_shot(path, n_samples=n, n_channels=1)
            print(f"(wrote {path.stat().st_size / 1e6:.0f} MB with write_big_shot in {time.perf_counter() - t:.1f} s)")
        res = bench_main(path, folder / "cache", a.repeats)
        if not a.no_paint:
            res.update(bench_paint(path, folder / "cache_paint", a.repeats))
        if a.huge:
            res.update(bench_huge(folder, a.repeats))
        (folder / "results.json").write_text(json.dumps(res, indent=1))
    finally:
        if not a.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
