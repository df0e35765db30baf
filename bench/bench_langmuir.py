"""Langmuir analysis throughput against PlasmaPy, measured in the same run.

Run: ``.venv/bin/python bench/bench_langmuir.py``. Prints medians of repeated
timings (the machine is shared: repeats, medians) and ratios to the same-run PlasmaPy
baseline; no assertion (timing belongs in benchmarks, not tests).
"""
from __future__ import annotations

import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.machine.langmuir import analyze_shot, analyze_sweep  # noqa: E402
from core.machine.probe_model import ProbeGeometry, probe_current  # noqa: E402

PACE = ROOT.parent / "shared" / "data" / "langmuir" / "Pace2015.npy"


def timeit(fn, repeat=7, number=1):
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t0) / number)
    return statistics.median(ts)


def main() -> int:
    v, i = np.load(PACE)
    print(f"Pace2015 sweep: {v.size} points")
    ours = timeit(lambda: analyze_sweep(v, i, area_m2=0.738e-4, ion="Ar+"), repeat=15, number=20)
    print(f"  gilgamesh analyze_sweep : {ours * 1e3:8.3f} ms/sweep  ({1 / ours:9.1f} sweeps/s)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import astropy.units as u
            from plasmapy.diagnostics.langmuir import Characteristic, swept_probe_analysis
        ch = Characteristic(u.Quantity(v, u.V), u.Quantity(i, u.A))

        def pp():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                swept_probe_analysis(ch, 0.738 * u.cm ** 2, "Ar+", bimaxwellian=False, visualize=False,
                                     plot_EEDF=False)

        theirs = timeit(pp, repeat=9, number=3)
        print(f"  PlasmaPy swept_probe_analysis: {theirs * 1e3:8.3f} ms/sweep  ({1 / theirs:9.1f} sweeps/s)")
        print(f"  ratio (ours/PlasmaPy sweeps per second): {theirs / ours:6.1f}x   (goal >= 100x)")
    except Exception as exc:  # PlasmaPy is an optional benchmark dependency
        print(f"  PlasmaPy unavailable ({exc!r}); baseline not measured")
        theirs = None

    # shot: 500-point sweeps
    geo = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
    ns, nsw = 500, 20000
    k = np.arange(nsw * ns + ns // 2)
    t = k / (ns * 20e3)
    vb = -60 + 75 * (1 - np.abs(((k / ns) % 2) - 1))
    T = t[-1]
    cur = probe_current(vb, 1e16 * (1 + 0.5 * np.sin(2 * np.pi * t / T)), 3 + np.cos(2 * np.pi * t / T), 3.0, "Ar+", geo)
    cur += np.random.default_rng(0).normal(0, 1e-3 * np.abs(cur).max(), cur.size)
    shot_t = timeit(lambda: analyze_shot(t, vb, cur, geo, "Ar+"), repeat=5)
    rate = nsw / shot_t
    print(f"Shot: {nsw} sweeps x {ns} points")
    print(f"  gilgamesh analyze_shot  : {shot_t:8.3f} s  ({rate:9.1f} sweeps/s; goal >= 20000)")
    # same-run baseline: analyze_sweep in a Python loop over the same sweeps
    loop_n = 200
    sl = [(vb[j * ns:(j + 1) * ns], cur[j * ns:(j + 1) * ns]) for j in range(loop_n)]
    loop_t = timeit(lambda: [analyze_sweep(a, b, ion="Ar+", geometry=geo, eedf=False) for a, b in sl], repeat=3)
    print(f"  baseline loop of analyze_sweep: {loop_n / loop_t:9.1f} sweeps/s -> vectorised speed-up {rate / (loop_n / loop_t):6.1f}x")
    if theirs is not None:
        print(f"  vs PlasmaPy single-sweep rate: {rate * theirs:8.1f}x   (goal: 20000 sweeps/s = {20000 * theirs:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
