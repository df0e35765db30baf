"""Langmuir analysis throughput against PlasmaPy, measured in the same run.

Run: ``.venv/bin/python bench/bench_langmuir.py [--quick]``. Prints medians of
repeated timings (the machine is shared: repeats, medians) of

* the numba kernel's first call, cold (empty cache: compile) and warm (cache
  load), each in a fresh interpreter;
* one sweep (Pace2015: 2,400 samples, 161 distinct biases; and a synthetic
  2,400-point sweep) by the kernel path, the numpy path and PlasmaPy's
  ``swept_probe_analysis``;
* a shot of 500-point sweeps by the kernel path on 2 and 1 threads and the
  numpy path,

each next to the same-run PlasmaPy rate as a ratio. No assertion (timing
belongs in benchmarks, not tests).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.machine import langmuir as lm  # noqa: E402
from core.machine.probe_model import ProbeGeometry, probe_current  # noqa: E402

PACE = ROOT.parent / "shared" / "data" / "langmuir" / "Pace2015.npy"

_FIRST_CALL = r"""
import sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
import numpy as np
from core.machine import langmuir as lm
from core.machine.probe_model import ProbeGeometry, probe_current
t1 = time.perf_counter()
v, i = np.load({pace!r})
lm.analyze_sweep(v, i, area_m2=0.738e-4, ion="Ar+")
t2 = time.perf_counter()
geo = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
k = np.arange(20 * 500 + 250)
vb = -60 + 75 * (1 - np.abs(((k / 500) % 2) - 1))
cur = probe_current(vb, 1e16, 3.0, 3.0, "Ar+", geo)
t3 = time.perf_counter()
lm.analyze_shot(k / 1e7, vb, cur, geo, "Ar+")
t4 = time.perf_counter()
print(lm.backend(), t1 - t0, t2 - t1, t4 - t3)
"""


def timeit(fn, repeat=7, number=1):
    """Median over ``repeat`` of the mean time of ``number`` calls."""
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        ts.append((time.perf_counter() - t0) / number)
    return statistics.median(ts)


def first_call_times():
    """(cold compile, warm cache load) first-call seconds, each in a fresh interpreter."""
    code = _FIRST_CALL.format(root=str(ROOT), pace=str(PACE))
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        for label in ("cold (compile)", "warm (cache load)"):
            p = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
            if p.returncode:
                print(p.stderr)
                return out
            backend, t_imp, t_sweep, t_shot = p.stdout.split()
            out[label] = (backend, float(t_imp), float(t_sweep), float(t_shot))
    return out


def plasmapy_rate(v, i, area_cm2, repeat, number):
    """Seconds per ``swept_probe_analysis`` call, or None if PlasmaPy is missing or fails."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import astropy.units as u
            from plasmapy.diagnostics.langmuir import Characteristic, swept_probe_analysis
        ch = Characteristic(u.Quantity(v, u.V), u.Quantity(i, u.A))

        def pp():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                swept_probe_analysis(ch, area_cm2 * u.cm ** 2, "Ar+", bimaxwellian=False, visualize=False,
                                     plot_EEDF=False)
        pp()
        return timeit(pp, repeat=repeat, number=number)
    except Exception as exc:  # PlasmaPy is an optional benchmark dependency
        print(f"  PlasmaPy unavailable or failed ({exc!r}); baseline not measured")
        return None


def with_backend(use_numba, fn):
    old = lm.USE_NUMBA
    lm.USE_NUMBA = use_numba
    try:
        return fn()
    finally:
        lm.USE_NUMBA = old


def line(label, sec, pp, goal=None, unit="sweep"):
    ratio = f"  = {pp / sec:7.1f}x PlasmaPy" if pp else ""
    g = f"   (goal >= {goal}x)" if goal else ""
    print(f"  {label:34s}: {sec * 1e6:10.1f} us/{unit} ({1 / sec:9.1f} sweeps/s){ratio}{g}")


def main() -> int:
    quick = "--quick" in sys.argv
    numba_ok = lm._kernel() is not None
    print(f"backend: {lm.backend()}" + ("" if numba_ok else " (numba unavailable or GILGAMESH_NO_NUMBA set)"))
    if numba_ok:
        import numba
        nthreads = numba.get_num_threads()
        print(f"numba {numba.__version__}, {nthreads} threads, threading layer chosen at first parallel call")
        print("First call in a fresh interpreter (import / first analyze_sweep / first analyze_shot, s):")
        for label, (backend, t_imp, t_sweep, t_shot) in first_call_times().items():
            print(f"  {label:18s}: import {t_imp:6.2f}  sweep {t_sweep:6.2f}  shot {t_shot:6.2f}   [{backend}]")

    rep = 5 if quick else 15
    # --- single sweeps
    v, i = np.load(PACE)
    geo_syn = ProbeGeometry("planar", area_m2=0.738e-4)
    vs = np.linspace(-57, 18, 2400)
    isyn = probe_current(vs, 1e15, 3.5, 3.0, "Ar+", geo_syn)
    isyn = isyn + np.random.default_rng(0).normal(0, 1e-3 * np.abs(isyn).max(), isyn.size)
    for name, vv, ii in ((f"Pace2015 sweep ({v.size} samples, {np.unique(v).size} distinct biases)", v, i),
                         ("synthetic planar sweep (2400 distinct biases)", vs, isyn)):
        print(name)
        pp = plasmapy_rate(vv, ii, 0.738, repeat=5 if quick else 9, number=3)
        if pp:
            print(f"  {'PlasmaPy swept_probe_analysis':34s}: {pp * 1e6:10.1f} us/sweep ({1 / pp:9.1f} sweeps/s)")
        one = lambda: lm.analyze_sweep(vv, ii, area_m2=0.738e-4, ion="Ar+")  # noqa: E731
        if numba_ok:
            one()
            line("analyze_sweep, numba kernel", timeit(one, repeat=rep, number=50), pp, goal=100)
        line("analyze_sweep, numpy path", with_backend(False, lambda: timeit(one, repeat=rep, number=10)), pp)

    # --- shot: 500-point sweeps
    geo = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
    ns, nsw = 500, 4000 if quick else 20000
    k = np.arange(nsw * ns + ns // 2)
    t = k / (ns * 20e3)
    vb = -60 + 75 * (1 - np.abs(((k / ns) % 2) - 1))
    T = t[-1]
    cur = probe_current(vb, 1e16 * (1 + 0.5 * np.sin(2 * np.pi * t / T)), 3 + np.cos(2 * np.pi * t / T), 3.0, "Ar+",
                        geo)
    cur += np.random.default_rng(0).normal(0, 1e-3 * np.abs(cur).max(), cur.size)
    print(f"Shot: {nsw} sweeps x {ns} points (rates per sweep; goal >= 20000 sweeps/s)")
    pp500 = plasmapy_rate(vb[:ns], cur[:ns], geo.area * 1e4, repeat=5 if quick else 9, number=3)
    if pp500:
        print(f"  {'PlasmaPy, one 500-point sweep':34s}: {pp500 * 1e6:10.1f} us/sweep ({1 / pp500:9.1f} sweeps/s)")
    shot = lambda: lm.analyze_shot(t, vb, cur, geo, "Ar+")  # noqa: E731
    srep = 3 if quick else 7
    if numba_ok:
        import numba
        shot()
        for nt in sorted({numba.get_num_threads(), 1}, reverse=True):
            numba.set_num_threads(nt)
            line(f"analyze_shot, numba, {nt} thread{'s' if nt > 1 else ''}", timeit(shot, repeat=srep) / nsw, pp500)
        numba.set_num_threads(nthreads)
    line("analyze_shot, numpy path", with_backend(False, lambda: timeit(shot, repeat=max(3, srep - 4))) / nsw,
         pp500)
    return 0


if __name__ == "__main__":
    sys.exit(main())
