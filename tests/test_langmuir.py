"""Langmuir sweep and shot analysis against known truth, measured data and bad input."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core.machine.langmuir import QUANTITIES, SweepResult, analyze_shot, analyze_sweep, split_sweeps
from core.machine.probe_model import ProbeGeometry, debye_length, floating_potential, probe_current

ROOT = Path(__file__).resolve().parents[1]

# (geometry, ion, n_e, Te): probe radius from ~0.1 to ~60 Debye lengths, all three regimes.
CASES = [
    (ProbeGeometry("cylindrical", radius_m=5e-5, length_m=5e-3), "He+", 1e15, 4.0),      # xi 0.11, OML
    (ProbeGeometry("cylindrical", radius_m=1e-4, length_m=4e-3), "H+", 1e16, 2.0),       # xi 0.7, OML
    (ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3), "Ar+", 3e16, 3.0),    # xi 3.4, transitional
    (ProbeGeometry.planar(1e-4), "Ar+", 1e16, 3.0),                                        # xi 44, transitional
    (ProbeGeometry("spherical", radius_m=1e-3), "Ar+", 1e16, 2.0),                        # xi 9.5, transitional
    (ProbeGeometry("cylindrical", radius_m=1e-3, length_m=5e-3), "H+", 1e18, 5.0),        # xi 60, thin
    (ProbeGeometry.planar(4e-4), "He+", 1e18, 6.0),                                        # xi 147, thin
]


def _sweep(geo, ion, n, te, vp=3.0, npts=2400, noise=1e-3, seed=0):
    v = np.linspace(vp - 60, vp + 15, npts)
    i = probe_current(v, n, te, vp, ion, geo)
    rng = np.random.default_rng(seed)
    # noise: 0.1 % of the full-scale current (a ~10-bit effective digitizer)
    return v, i + rng.normal(0, noise * np.abs(i).max(), i.shape)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_synthetic_sweeps_recover_truth(case):
    geo, ion, n, te = CASES[case]
    expected_theory = {True: "oml", False: None}
    xi = geo.radius / debye_length(n, te)
    for seed in range(3):
        v, i = _sweep(geo, ion, n, te, seed=seed)
        r = analyze_sweep(v, i, ion=ion, geometry=geo)
        assert not r.reasons, r.reasons
        assert r.te_ev == pytest.approx(te, rel=0.03)
        assert r.n_e == pytest.approx(n, rel=0.10)
        assert r.n_i == pytest.approx(n, rel=0.10)
        assert r.v_plasma == pytest.approx(3.0, abs=0.1 * te)
        assert r.v_float == pytest.approx(floating_potential(n, te, 3.0, ion, geo), abs=0.5 * te)
        if xi <= 2.4:
            assert r.theory == "oml"
        elif xi >= 62.5:
            assert r.theory == "thin"
        elif 3.75 <= xi <= 40:
            assert r.theory == "transitional"
        assert r.quality["te_ev"]["r2"] > 0.99
    del expected_theory


def test_unsorted_duplicated_and_spiky_sweep_gives_same_answer():
    geo, ion, n, te = CASES[2]
    v, i = _sweep(geo, ion, n, te, seed=4)
    ref = analyze_sweep(v, i, ion=ion, geometry=geo)
    rng = np.random.default_rng(1)
    order = rng.permutation(v.size)
    v2 = np.concatenate([v[order], v[:300]])
    i2 = np.concatenate([i[order], i[:300]])
    spikes = rng.choice(v2.size, 8, replace=False)
    i2[spikes] += 0.5 * np.abs(i).max()
    r = analyze_sweep(v2, i2, ion=ion, geometry=geo)
    assert r.te_ev == pytest.approx(ref.te_ev, rel=0.02)
    assert r.n_e == pytest.approx(ref.n_e, rel=0.03)
    assert any("spike" in a for a in r.assumptions)


def test_druyvesteyn_eedf_integrates_to_density_and_mean_energy():
    geo, ion, n, te = CASES[3]
    v, i = _sweep(geo, ion, n, te, noise=0.0)
    r = analyze_sweep(v, i, ion=ion, geometry=geo)
    e, f = r.eedf
    m = (e > 0) & (e < 8 * te)
    # A planar probe's saturation kink makes d2I/dV2 a negative delta at Vp;
    # smoothing spreads it over the lowest energies, removing ~15-20 % of the
    # electrons there (a known Druyvesteyn limitation): a 25 % band on n and
    # the mean energy, which the missing slow electrons push up.
    assert np.trapezoid(f[m], e[m]) == pytest.approx(n, rel=0.25)
    mean = np.trapezoid(f[m] * e[m], e[m]) / np.trapezoid(f[m], e[m])
    assert mean == pytest.approx(1.5 * te, rel=0.25)


def test_pace2015_measured_sweep(shared_data):
    """Pace's measured argon sweep (0.738 cm², planar assumed).

    Reference (PlasmaPy swept_probe_analysis): Te 3.52 eV, Vf -35.6 V, Vp -16.4 V,
    n_e 7.61e14, n_i 6.24e15 (Bohm), 3.08e15 (OML). Pace's own Te: 3.57 eV.

    * Te agrees with PlasmaPy within 3 % and with Pace within 2 %.
    * Vf: PlasmaPy takes the sample nearest zero; the current of this coarsely
      digitised record (43 µA steps) is exactly 0 from -35.6 to -34.0 V, and we
      interpolate the smoothed crossing inside that plateau: within 1.5 V.
    * Vp: PlasmaPy's dI/dV maximum (-16.4 V) is the steepest point of a
      rounded knee; we fit the electron branch (exponential below, flat above
      for a planar probe), which puts the knee ~3 V higher, where the
      electron current stops growing exponentially. Vp - Vf = 5.9 Te is close
      to the planar-probe argon value 5.7 Te; PlasmaPy's 5.45 Te is lower.
    * Densities: PlasmaPy's n_i/n_e = 8 violates quasi-neutrality by a factor 8:
      its n_e takes I_es at the too-low Vp (half the saturation current) and its
      n_i uses the current at the most negative bias (largest sheath) with the
      thin-sheath Bohm formula, although r_p/lambda_D ~ 14 is transitional.
      Our n_e (from the knee fit) and n_i (Sheridan's planar sheath-expansion
      fit) agree with each other within 10 %: asserted below, together with
      bands around our values.
    """
    v, i = np.load(shared_data / "langmuir" / "Pace2015.npy")
    r = analyze_sweep(v, i, area_m2=0.738e-4, ion="Ar+")
    assert not r.reasons
    assert r.te_ev == pytest.approx(3.52, rel=0.03)
    assert r.te_ev == pytest.approx(3.57, rel=0.02)
    assert r.v_float == pytest.approx(-35.6, abs=1.5)
    assert -16.4 < r.v_plasma < -11.0
    assert 4.5 < (r.v_plasma - r.v_float) / r.te_ev < 6.5
    assert r.theory == "transitional"
    assert 1.0e15 < r.n_e < 2.5e15
    assert 1.0e15 < r.n_i < 2.5e15
    assert r.n_i == pytest.approx(r.n_e, rel=0.10)  # quasi-neutrality
    assert any("planar" in a for a in r.assumptions)
    json.dumps(r.to_dict(eedf=True))


def _bad_corpus():
    geo, ion, n, te = CASES[2]
    v, i = _sweep(geo, ion, n, te, npts=600)
    rng = np.random.default_rng(3)
    yield "empty", np.array([]), np.array([])
    yield "too few", v[:5], i[:5]
    yield "nan only", np.full(50, np.nan), np.full(50, np.nan)
    yield "flat", v, np.zeros_like(v)
    yield "length mismatch", v, i[:-3]
    yield "no ion branch", v[v > -5], i[v > -5]
    yield "no electron saturation", v[v < 0], i[v < 0]
    yield "clipped", v, np.minimum(i, 0.2 * i.max())
    yield "pure noise", v, rng.normal(0, 1e-6, v.size)
    yield "reversed sign", v, -i
    yield "inf inside", v, np.where(np.arange(v.size) % 50 == 0, np.inf, i)
    yield "constant bias", np.full(100, 3.0), rng.normal(0, 1e-3, 100)
    yield "spiky", v, i + (rng.random(v.size) < 0.05) * 5 * np.abs(i).max()
    yield "several crossings", v, i + 0.01 * np.abs(i).max() * np.sin(v * 3)


@pytest.mark.parametrize("label,v,i", list(_bad_corpus()), ids=[c[0] for c in _bad_corpus()])
def test_bad_sweeps_never_raise_and_explain(label, v, i):
    r = analyze_sweep(v, i, area_m2=1e-5, ion="Ar+")
    assert isinstance(r, SweepResult)
    for q in QUANTITIES:
        val = getattr(r, q)
        assert np.isfinite(val) or r.reasons.get(q), (label, q)
    json.dumps(r.to_dict())
    if label in ("empty", "too few", "nan only", "flat", "length mismatch", "constant bias"):
        assert all(r.reasons.get(q) for q in QUANTITIES), (label, r.reasons)
    if label == "no electron saturation":
        assert "saturation" in r.reasons["v_plasma"] and np.isnan(r.n_e)
    if label == "no ion branch":
        assert np.isnan(r.v_float) and r.reasons["n_i"]
    if label == "clipped":
        assert np.isnan(r.v_plasma) and "clipped" in r.reasons["v_plasma"]


def test_analyze_shot_tracks_time_varying_plasma():
    geo = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
    ns, nsw = 500, 400
    k = np.arange(nsw * ns + ns // 2)
    fs = ns * 20e3
    t = k / fs
    tri = np.abs(((k / ns) % 2) - 1)
    v = -60 + 75 * (1 - tri)
    T = t[-1]

    def n_true(x):
        return 1e16 * (1 + 0.5 * np.sin(2 * np.pi * x / T))

    def te_true(x):
        return 3 + np.cos(2 * np.pi * x / T)

    i = probe_current(v, n_true(t), te_true(t), 3.0, "Ar+", geo)
    i += np.random.default_rng(0).normal(0, 1e-3 * np.abs(i).max(), i.shape)
    from core.signals.signal import Provenance
    from core.tasks import TaskState

    seen = []
    src = Provenance(shot=7, channel="ch3")
    sig = analyze_shot(t, v, i, geo, "Ar+", shot=7, provenance_inputs=(src,), task=TaskState(lambda f, m: seen.append(f)),
                       chunk=128)
    assert set(sig) == {"te", "n_e", "n_i", "v_float", "v_plasma", "i_sat"}
    te = sig["te"]
    assert len(te) == nsw and not te.uniform
    assert te.provenance.inputs == (src,) and "analyze_shot" in te.provenance.method
    good = te.meta["reason"] == ""
    assert good.mean() > 0.98
    # sweeps average over a varying plasma: compare to the truth at mid-time
    np.testing.assert_allclose(te.data[good], te_true(te.time[good]), rtol=0.04)
    np.testing.assert_allclose(sig["n_e"].data[good], n_true(te.time[good]), rtol=0.05)
    np.testing.assert_allclose(sig["n_i"].data[good], n_true(te.time[good]), rtol=0.12)
    assert seen and seen[-1] == pytest.approx(1.0)


def test_split_sweeps_finds_up_and_down_ramps():
    k = np.arange(10 * 200)
    v = 50 * np.abs(((k / 200) % 2) - 1) + np.random.default_rng(2).normal(0, 0.5, k.size)
    s, e = split_sweeps(v)
    assert len(s) == 10
    assert np.all(np.abs((e - s) - 200) <= 3)


def test_cli_main_and_subprocess(shared_data, tmp_path, capsys):
    from manager.cli import main

    pace = shared_data / "langmuir" / "Pace2015.npy"
    assert main(["langmuir", str(pace), "--area", "0.738cm2", "--ion", "Ar+", "--json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["te_ev"] == pytest.approx(3.6, rel=0.05) and d["theory"] == "transitional"
    # text form, comma separated with a header
    v, i = np.load(pace)
    csv = tmp_path / "sweep.csv"
    csv.write_text("bias_V,current_A\n" + "\n".join(f"{a},{b}" for a, b in zip(v, i)))
    assert main(["langmuir", str(csv), "--area", "73.8mm2"]) == 0
    out = capsys.readouterr().out
    assert "te_ev" in out and "n_i" in out and "transitional" in out
    bad = tmp_path / "bad.txt"
    bad.write_text("hello\nworld\n")
    assert main(["langmuir", str(bad), "--area", "1cm2"]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["langmuir", str(tmp_path / "missing.npy"), "--area", "1cm2"]) == 2
    p = subprocess.run([sys.executable, "-m", "manager.cli", "langmuir", str(pace), "--area", "0.738cm2",
                        "--ion", "Ar+"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert "te_ev" in p.stdout and "theory" in p.stdout
