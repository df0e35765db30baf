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
