"""The forward probe model against closed-form limits of Langmuir-probe theory."""
from __future__ import annotations

import numpy as np
import pytest

from core.machine.ions import AMU, M_E, get_ion
from core.machine.probe_model import (E_CHARGE, ProbeGeometry, debye_length, electron_thermal_current,
                                      floating_potential, probe_current, sheath_regime)


def test_planar_thin_sheath_floating_potential_is_textbook_value():
    # Large planar probe, dense plasma: xi >> 50, thin-sheath Bohm ions and flat
    # electron saturation. Equating I_es exp(-eta_f) with the Bohm current gives
    # eta_f = ln(sqrt(m_i / (2 pi m_e))) + 1/2 (Hutchinson, eq. 3.2.34 form).
    g = ProbeGeometry.planar(1e-4)
    n, te, vp = 1e17, 4.0, 5.0
    assert sheath_regime(g.radius / debye_length(n, te)) == "thin"
    for ion in ("H+", "He+", "Ar+"):
        m_i = get_ion(ion).mass_kg
        expect = vp - te * (0.5 * np.log(m_i / (2 * np.pi * M_E)) + 0.5)
        assert floating_potential(n, te, vp, ion, g) == pytest.approx(expect, abs=1e-4)


def test_electron_branch_exponential_and_saturation_shapes():
    n, te, vp = 1e16, 3.0, 2.0
    for kind, geo in [("planar", ProbeGeometry.planar(2e-5)),
                      ("cylindrical", ProbeGeometry("cylindrical", radius_m=1e-4, length_m=4e-3)),
                      ("spherical", ProbeGeometry("spherical", radius_m=1e-3))]:
        i_es = electron_thermal_current(n, te, geo.area)
        # At V = Vp the ion current is tiny and the electron current is I_es.
        assert probe_current(vp, n, te, vp, "Ar+", geo) == pytest.approx(i_es, rel=0.02)
        # Retardation region close to Vp: d ln I / dV = 1/Te; for Xe+ the ion
        # current there is < 0.5 % of the electron current.
        v = np.array([vp - 2.0, vp - 0.5])
        slope = np.diff(np.log(probe_current(v, n, te, vp, "Xe+", geo))) / np.diff(v)
        assert slope[0] == pytest.approx(1 / te, rel=0.01), kind
        # Saturation growth at eta = 4 beyond Vp.
        ratio = probe_current(vp + 4 * te, n, te, vp, "Ar+", geo) / i_es
        expect = {"planar": 1.0, "cylindrical": 2 / np.sqrt(np.pi) * np.sqrt(5.0), "spherical": 5.0}[kind]
        assert ratio == pytest.approx(expect, rel=0.02), kind


def test_oml_cylinder_ion_current_squared_is_linear_in_bias():
    # Thick sheath (xi < 3): I_i^2 = (A e n sqrt(2)/pi)^2 * e (Vp - V) / m_i.
    g = ProbeGeometry("cylindrical", radius_m=5e-5, length_m=5e-3)
    n, te, vp = 1e15, 5.0, 0.0
    assert sheath_regime(g.radius / debye_length(n, te)) == "oml"
    v = np.linspace(-100, -60, 5)
    i = probe_current(v, n, te, vp, "He+", g)
    m_i = get_ion("He+").mass_kg
    slope = np.polyfit(v, i ** 2, 1)[0]
    expect = -(g.area * E_CHARGE * n * np.sqrt(2) / np.pi) ** 2 * E_CHARGE / m_i
    assert slope == pytest.approx(expect, rel=0.01)


def test_broadcasting_over_sweeps_and_geometry_validation():
    v = np.linspace(-50, 10, 300)
    n = np.array([1e15, 1e16, 1e17])[:, None]
    te = np.array([2.0, 3.0, 5.0])[:, None]
    i = probe_current(v, n, te, 0.0, "Ar+", ProbeGeometry.planar(1e-5))
    assert i.shape == (3, 300)
    for k in range(3):
        np.testing.assert_allclose(i[k], probe_current(v, n[k, 0], te[k, 0], 0.0, "Ar+", ProbeGeometry.planar(1e-5)))
    vf = floating_potential(n, te, 0.0, "Ar+", ProbeGeometry.planar(1e-5))
    assert vf.shape == (3, 1) and np.all(vf < 0)
    with pytest.raises(ValueError):
        ProbeGeometry("cylindrical", area_m2=1e-5)  # radius needed for the sheath regime
    with pytest.raises(ValueError):
        ProbeGeometry("conical", area_m2=1e-5)
    assert ProbeGeometry("spherical", radius_m=1e-3).area == pytest.approx(4 * np.pi * 1e-6)
    assert get_ion("Ar+").mass_u == pytest.approx(39.948 - M_E / AMU)


@pytest.mark.parametrize("kind", ["cylindrical", "planar", "spherical"])
def test_cold_ion_shape_equals_full_shape_for_cold_ions(kind):
    # The analysis' lean shape must give the forward model's numbers, in every
    # regime and across the blending bands.
    from core.machine.probe_model import cold_ion_shape, ion_current_shape

    xi = np.geomspace(0.05, 500, 41)[:, None]
    eta = np.linspace(0.0, 40.0, 201)[None, :]
    ref, _ = ion_current_shape(kind, xi, eta, 3.0, 0.0)
    np.testing.assert_allclose(cold_ion_shape(kind, xi, eta), ref, rtol=1e-12, atol=0)
    for one in (0.3, 3.0, 10.0, 50.0, 80.0):  # a single regime at a time (its shortcuts)
        x1 = np.array([[one]])
        np.testing.assert_allclose(cold_ion_shape(kind, x1, eta), ion_current_shape(kind, x1, eta, 3.0, 0.0)[0],
                                   rtol=1e-12, atol=0)


def test_tabulated_cylindrical_growth_matches_erfcx():
    from scipy.special import erfcx

    from core.machine.langmuir import _growth, _knee_h

    eta = np.concatenate([np.linspace(0, 40, 20001), [1e-12, 35.99, 36.01, 100.0]])
    exact = (2 / np.sqrt(np.pi)) * np.sqrt(eta) + erfcx(np.sqrt(eta))
    np.testing.assert_allclose(_growth("cylindrical", eta), exact, rtol=5e-7)
    d = np.linspace(-5, 7, 1001)
    for kind in ("planar", "cylindrical", "spherical"):
        g = {"planar": np.ones_like(d), "spherical": 1 + np.maximum(d, 0),
             "cylindrical": (2 / np.sqrt(np.pi)) * np.sqrt(np.maximum(d, 0)) + erfcx(np.sqrt(np.maximum(d, 0)))}[kind]
        np.testing.assert_allclose(_knee_h(kind, d), np.where(d < 0, np.exp(np.minimum(d, 0)), g), rtol=5e-7)


def test_binned_secant_ion_density_equals_pointwise_fixed_point():
    # The engine solves the ion-density fixed point on bin sums with a secant
    # and finishes with one pointwise fit; the plain pointwise fixed point run
    # to convergence must give the same density.
    from core.machine.langmuir import _ion_density
    from core.machine.probe_model import E_CHARGE, cold_ion_shape, debye_length

    for geo, ion, n, te in [(ProbeGeometry("cylindrical", radius_m=5e-5, length_m=5e-3), "He+", 1e15, 4.0),
                            (ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3), "Ar+", 3e16, 3.0),
                            (ProbeGeometry.planar(1e-4), "Ar+", 1e16, 3.0),
                            (ProbeGeometry("spherical", radius_m=1e-3), "Ar+", 1e16, 2.0),
                            (ProbeGeometry.planar(4e-4), "He+", 1e18, 6.0)]:
        sp = get_ion(ion)
        v = np.linspace(-60, 15, 700)[None, :]
        i = probe_current(v, n, te, 3.0, ion, geo) + np.random.default_rng(5).normal(0, 1e-7, v.shape)
        vf = np.array([floating_potential(n, te, 3.0, ion, geo)])
        args = (np.array([3.0]), vf, np.array([te]), np.array([False]), np.array([np.nan]), np.array([True]))
        ok = np.ones(v.shape, bool)
        got = _ion_density(v, i, ok, *args, geo, sp, exact=True)[0][0]
        # reference: pointwise fixed point, 200 passes
        reg = v[0] <= vf[0]
        eta = (3.0 - v[0, reg]) / te
        y = -i[0, reg]
        k = E_CHARGE * geo.area * np.sqrt(E_CHARGE * te / (2 * np.pi * sp.mass_kg))
        nn = n
        for _ in range(200):
            s = cold_ion_shape(geo.kind, np.array(geo.radius / debye_length(nn, te)), eta)
            nn = (s * y).sum() / (s * s).sum() / k
        assert got == pytest.approx(nn, rel=1e-4), (geo, ion)
