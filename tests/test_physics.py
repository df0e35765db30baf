"""Rogowski, interferometer and RF models against closed-form truth."""
from __future__ import annotations

import numpy as np
import pytest

from core.machine.physics import R_E, interferometer_density, rf_absorbed_power, rogowski_current


def test_rogowski_integrates_with_offset_and_drift_correction():
    t = np.linspace(-1e-3, 4e-3, 50001)
    i_true = np.where((t > 0) & (t < 2e-3), 5e3 * np.sin(np.pi * t / 2e-3) ** 2, 0.0)
    m = 2e-7
    v = m * np.gradient(i_true, t) + 3e-3  # amplifier offset
    sig = rogowski_current(t, v, m, pretrigger_window=(-1e-3, 0), zero_current_window=(3e-3, 4e-3), shot=5)
    assert np.max(np.abs(sig.data - i_true)) < 0.005 * 5e3
    assert sig.provenance.shot == 5 and "rogowski" in sig.provenance.method
    raw = rogowski_current(t, v, m)
    assert np.max(np.abs(raw.data - i_true)) > 0.01 * 5e3  # 3 mV offset -> 75 A error uncorrected
    # only a drift window: a constant offset integrates to a line, removed by the drift fit
    drift_only = rogowski_current(t, v, m, zero_current_window=(3e-3, 4e-3))
    assert np.max(np.abs(drift_only.data - i_true)) < 0.01 * 5e3
    bad = rogowski_current(t, np.where(t > 1e-3, np.nan, v), m)
    assert np.isnan(bad.data[-1]) and bad.meta["reason"][-1]
    none = rogowski_current(t, v, None)
    assert np.all(np.isnan(none.data)) and none.meta["reason"][0]


def test_interferometer_density_and_fringe_jumps():
    lam, passes = 1.0e-3, 2  # 1 mm (300 GHz) double pass
    t = np.linspace(0, 1e-2, 10001)
    nl_true = 5e18 * np.sin(np.pi * t / 1e-2) ** 2
    # textbook check of r_e and the phase: dphi = r_e lambda nl per pass
    assert R_E == pytest.approx(2.8179403262e-15, rel=1e-8)
    phase = R_E * lam * nl_true * passes
    jumped = phase.copy()
    jumped[4000:] += 2 * np.pi
    jumped[7000:] -= 4 * np.pi
    sig = interferometer_density(t, jumped, lam, passes, baseline_window=(0, 1e-4))
    np.testing.assert_allclose(sig.data, nl_true, atol=1e-3 * nl_true.max())
    assert [j[1] for j in sig.meta["fringe_jumps"]] == [1, -2]


def test_rf_power_and_reflection():
    t = np.arange(5.0)
    out = rf_absorbed_power(t, [100, 200, 0, 400, np.nan], [10, 50, 0, 4, 1])
    np.testing.assert_allclose(out["p_net"].data[:4], [90, 150, 0, 396])
    np.testing.assert_allclose(out["reflection"].data[[0, 1, 3]], [0.1, 0.25, 0.01])
    assert np.isnan(out["reflection"].data[2]) and out["reflection"].meta["reason"][2]
    assert out["p_net"].meta["reason"][4]
