"""The compiled (numba) Langmuir kernel gives the numpy engine's results, and the numpy fallback works."""
from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("numba")

from core.machine import langmuir as lm  # noqa: E402
from core.machine.probe_model import ProbeGeometry, probe_current  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from test_langmuir import CASES, _bad_corpus, _sweep  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: Kernel and numpy differ by rounding only (exp/log/pow last bits, summation
#: order): measured worst 3e-13 relative over the corpus; 1e-9 leaves room.
RTOL = 1e-9
VALUES = ("te_ev", "v_float", "v_plasma", "i_sat", "i_esat", "n_e", "n_i", "xi")


@pytest.fixture(autouse=True)
def _kernel_on(monkeypatch):
    monkeypatch.setattr(lm, "USE_NUMBA", True)
    assert lm.backend() == "numba"


def both(fn):
    """``fn()`` with the kernel, then with the numpy engine."""
    lm.USE_NUMBA = True
    a = fn()
    lm.USE_NUMBA = False
    try:
        b = fn()
    finally:
        lm.USE_NUMBA = True
    return a, b


def assert_same(rk, rn, label):
    for q in VALUES:
        a, b = getattr(rk, q), getattr(rn, q)
        assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=RTOL, abs=0), (label, q, a, b)
    assert rk.reasons == rn.reasons, label
    assert rk.theory == rn.theory, label
    assert rk.assumptions == rn.assumptions, label
    assert rk.n_points == rn.n_points, label
    for q, d in rn.quality.items():
        for key, b in d.items():
            a = rk.quality[q][key]
            assert (isinstance(b, float) and math.isnan(b) and math.isnan(a)) or a == pytest.approx(b, rel=1e-7), \
                (label, q, key, a, b)
    assert (rk.eedf is None) == (rn.eedf is None), label
    if rn.eedf is not None:
        np.testing.assert_allclose(rk.eedf[0], rn.eedf[0], rtol=0, atol=RTOL * abs(rn.v_plasma) + 1e-12)
        np.testing.assert_allclose(rk.eedf[1], rn.eedf[1], rtol=1e-7, atol=1e-9 * np.abs(rn.eedf[1]).max())


@pytest.mark.parametrize("case", range(len(CASES)))
def test_kernel_equals_numpy_on_validation_corpus(case):
    geo, ion, n, te = CASES[case]
    for seed in range(3):
        v, i = _sweep(geo, ion, n, te, seed=seed)
        rk, rn = both(lambda: lm.analyze_sweep(v, i, ion=ion, geometry=geo))
        assert_same(rk, rn, (case, seed))
        assert not rk.reasons


def test_kernel_equals_numpy_on_pace2015(shared_data):
    v, i = np.load(shared_data / "langmuir" / "Pace2015.npy")
    rk, rn = both(lambda: lm.analyze_sweep(v, i, area_m2=0.738e-4, ion="Ar+"))
    assert_same(rk, rn, "Pace2015")
    assert rk.te_ev == pytest.approx(3.614, rel=1e-3)


@pytest.mark.parametrize("label,v,i", list(_bad_corpus()), ids=[c[0] for c in _bad_corpus()])
def test_kernel_equals_numpy_on_bad_sweeps(label, v, i):
    rk, rn = both(lambda: lm.analyze_sweep(v, i, area_m2=1e-5, ion="Ar+"))
    assert_same(rk, rn, label)


def test_kernel_clean_up_equals_numpy():
    # non-finite samples, a given clip level and detected clipping, duplicates with clipped members
    geo, ion, n, te = CASES[3]
    v, i = _sweep(geo, ion, n, te, npts=800, seed=7)
    v = np.round(v, 1)  # many duplicated biases
    i[::97] = np.nan
    for clip in (None, (None, 0.3 * np.nanmax(i)), (np.nanmin(i) * 0.5, None)):
        ii = np.minimum(i, 0.4 * np.nanmax(i)) if clip is None else i
        rk, rn = both(lambda: lm.analyze_sweep(v, ii, ion=ion, geometry=geo, clip_level=clip))
        assert_same(rk, rn, clip)
        assert any("non-finite" in a for a in rk.assumptions)
        assert any("clipping" in a for a in rk.assumptions), (clip, rk.assumptions)


def _shot(nsw=240, ns=500, bias_noise=0.0, seed=0):
    geo = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
    k = np.arange(nsw * ns + ns // 3)
    t = k / (ns * 20e3)
    v = -60 + 75 * (1 - np.abs(((k / ns) % 2) - 1))
    T = t[-1]
    i = probe_current(v, 1e16 * (1 + 0.5 * np.sin(2 * np.pi * t / T)), 3 + np.cos(2 * np.pi * t / T), 3.0, "Ar+", geo)
    rng = np.random.default_rng(seed)
    i += rng.normal(0, 1e-3 * np.abs(i).max(), i.shape)
    v = v + rng.normal(0, bias_noise, v.shape)
    return t, v, i, geo


@pytest.mark.parametrize("bias_noise", [0.0, 0.05])
def test_kernel_shot_equals_numpy_shot(bias_noise):
    t, v, i, geo = _shot(bias_noise=bias_noise)
    i[5000:5040] = np.nan          # a gap
    i[20000:20900] = i.max()       # a clipped stretch
    sk, sn = both(lambda: lm.analyze_shot(t, v, i, geo, "Ar+", chunk=100))
    assert set(sk) == set(sn)
    for key in sk:
        a, b = sk[key], sn[key]
        np.testing.assert_array_equal(a.time, b.time)
        np.testing.assert_array_equal(np.isnan(a.data), np.isnan(b.data))
        np.testing.assert_allclose(a.data, b.data, rtol=RTOL, atol=0, equal_nan=True, err_msg=key)
        assert list(a.meta["reason"]) == list(b.meta["reason"]), key
        assert a.meta["assumptions"] == b.meta["assumptions"]
    assert list(sk["n_i"].meta["theory"]) == list(sn["n_i"].meta["theory"])
    good = sk["te"].meta["reason"] == ""
    assert good.mean() > 0.9


def test_shot_result_does_not_depend_on_chunking():
    # Each sweep's result is its own: chunks of 1 (median despiking rule aside), 7 and all give the same.
    t, v, i, geo = _shot(nsw=60)
    for use in (True, False):
        lm.USE_NUMBA = use
        a = lm.analyze_shot(t, v, i, geo, "Ar+", chunk=7)
        b = lm.analyze_shot(t, v, i, geo, "Ar+", chunk=4096)
        for key in a:
            np.testing.assert_allclose(a[key].data, b[key].data, rtol=RTOL, equal_nan=True, err_msg=(use, key))
    lm.USE_NUMBA = True


def test_split_sweeps_identical_on_both_paths():
    rng = np.random.default_rng(4)
    k = np.arange(30 * 300)
    for v in (50 * np.abs(((k / 300) % 2) - 1) + rng.normal(0, 0.5, k.size),   # noisy triangle
              10 * np.sin(k / 300.0 * np.pi) + rng.normal(0, 0.01, k.size),     # sine
              np.r_[np.zeros(40), np.arange(200.0), np.full(30, 199.0), np.arange(200.0)[::-1]],  # flat parts
              np.zeros(50), np.array([1.0, 2.0]), np.full(20, np.nan)):
        a, b = both(lambda: lm.split_sweeps(v))
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


def test_kernel_erfcx_matches_scipy():
    from scipy.special import erfcx

    from core.machine import _langmuir_kernel as K

    x = np.concatenate([np.linspace(0, 12, 2001), [9.999, 10.0, 10.001, 30.0, 1e3, 1e8]])
    got = np.array([K.erfcx(float(a)) for a in x])
    np.testing.assert_allclose(got, erfcx(x), rtol=2e-14)


def test_numpy_fallback_by_environment_runs_the_whole_suite():
    # GILGAMESH_NO_NUMBA=1: the numpy engine alone passes the physics tests, and numba is never imported.
    env = dict(os.environ, GILGAMESH_NO_NUMBA="1")
    code = ("import sys, pytest; from core.machine import langmuir as lm; assert lm.backend() == 'numpy'; "
            "rc = pytest.main(['-q', '-p', 'no:cacheprovider', 'tests/test_langmuir.py', "
            "'tests/test_langmuir_model.py', '-k', 'not cli']); "
            "assert 'numba' not in sys.modules, 'numba imported'; sys.exit(rc)")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
