r"""Physics models of simple diagnostics: Rogowski coil, interferometer, RF heating.

Each function takes arrays (or :class:`~core.signals.signal.Signal` data) and
returns a :class:`Signal` with provenance. Bad data never raise: NaN samples
propagate and ``meta["reason"]`` says why a sample (or the whole result) is NaN.
"""
from __future__ import annotations

import numpy as np

from core.machine.ions import M_E
from core.machine.probe_model import E_CHARGE, EPS0

#: Speed of light (m/s) and classical electron radius (m), CODATA 2018.
C_LIGHT = 299792458.0
R_E = E_CHARGE ** 2 / (4 * np.pi * EPS0 * M_E * C_LIGHT ** 2)


def _signal(name, shot, data, units, time, method, inputs, reason):
    from core.signals.signal import Provenance, Signal

    prov = Provenance(shot=shot, method=method, inputs=tuple(inputs))
    return Signal(name, shot, data, units, time=time, provenance=prov, meta={"reason": reason})


def _window_mask(t, window):
    if window is None:
        return np.zeros(t.shape, bool)
    t0, t1 = window
    return (t >= t0) & (t < t1)


def rogowski_current(time_s, coil_voltage_V, mutual_inductance_H: float | None = None, *,
                     sensitivity_V_per_A_per_s: float | None = None, pretrigger_window=None,
                     zero_current_window=None, shot: int | None = None, name: str = "rogowski.current",
                     provenance_inputs: tuple = ()):
    r"""Current through a Rogowski coil: :math:`I(t) = \frac{1}{M}\int_{t_0}^{t} V\,dt'`.

    Parameters
    ----------
    time_s, coil_voltage_V : ndarray
        Coil output :math:`V = M\,dI/dt` (V) on its time base (s).
    mutual_inductance_H : float
        Coil mutual inductance M (H, i.e. V s / A). Or give
        ``sensitivity_V_per_A_per_s`` (same number, V per A/s).
    pretrigger_window : (t0, t1), optional
        Time range before the pulse with zero dI/dt: its mean voltage is the
        integrator/amplifier offset, subtracted before integration.
    zero_current_window : (t0, t1), optional
        Time range after the pulse where the current is known to be zero: the
        integrated current there is fitted by a straight line through the
        integral's start, and that linear drift is removed from the whole trace
        (residual offset not caught by the pre-trigger window).

    Returns
    -------
    Signal
        Current in A, ``meta["reason"]`` per sample.

    Notes
    -----
    Trapezoidal cumulative integration. The drift correction assumes the
    remaining drift is linear in time (a constant voltage offset), which is
    what an uncorrected offset integrates to.
    """
    t = np.asarray(time_s, dtype=float)
    v = np.asarray(coil_voltage_V, dtype=float)
    m = mutual_inductance_H if mutual_inductance_H is not None else sensitivity_V_per_A_per_s
    reason = np.full(t.shape, "", dtype=object)
    method = f"rogowski I = (1/M) int V dt, M={m!r} H, pretrigger={pretrigger_window}, zero={zero_current_window}"
    if m is None or not np.isfinite(m) or m == 0 or t.shape != v.shape or t.size < 2:
        why = "no valid mutual inductance" if (m is None or not np.isfinite(m) or m == 0) else \
            "time and voltage lengths differ or fewer than 2 samples"
        n = max(t.size, 0)
        return _signal(name, shot, np.full(n, np.nan), "A", t if t.shape == (n,) else np.arange(n, dtype=float),
                       method, provenance_inputs, np.full(n, why, dtype=object))
    bad = ~np.isfinite(v)
    vv = np.where(bad, 0.0, v)
    pre = _window_mask(t, pretrigger_window) & ~bad
    if pre.any():
        vv = vv - vv[pre].mean()
    integ = np.concatenate(([0.0], np.cumsum(0.5 * (vv[1:] + vv[:-1]) * np.diff(t))))
    current = integ / m
    zero = _window_mask(t, zero_current_window) & ~bad
    if zero.any():
        # line through (t[0], 0) fitted to the zero-current window: slope only
        dt = t - t[0]
        slope = np.sum(current[zero] * dt[zero]) / np.sum(dt[zero] ** 2)
        current = current - slope * dt
    if bad.any():
        # a gap in the coil voltage makes the integral undefined from there on
        first = int(np.argmax(bad))
        current[first:] = np.nan
        reason[first:] = "coil voltage missing at or before this time (integral undefined)"
    return _signal(name, shot, current, "A", t, method, provenance_inputs, reason)


def interferometer_density(time_s, phase_rad, wavelength_m: float, passes: int = 2, *,
                           baseline_window=None, fringe_jump_threshold: float = np.pi,
                           shot: int | None = None, name: str = "interferometer.nl",
                           provenance_inputs: tuple = ()):
    r"""Line-integrated electron density from the interferometer phase shift.

    For a probing frequency far above the plasma frequency, the plasma
    refractive index is :math:`N \approx 1 - n_e/(2 n_c)` with critical density
    :math:`n_c = \varepsilon_0 m_e \omega^2/e^2`, so one pass through the plasma
    shifts the phase by

    .. math:: \Delta\phi = \frac{\omega}{c}\int \frac{n_e}{2 n_c} dl
              = r_e \lambda \int n_e\,dl ,\qquad r_e = \frac{e^2}{4\pi\varepsilon_0 m_e c^2}

    and ``passes`` passes (2 for a double-pass Michelson) multiply it:
    :math:`\int n_e dl = \Delta\phi / (r_e \lambda\, \mathrm{passes})`.

    Parameters
    ----------
    time_s, phase_rad : ndarray
        Phase (rad, positive for increasing density) on its time base.
    wavelength_m : float
    passes : int
    baseline_window : (t0, t1), optional
        Time range without plasma; its mean phase is subtracted.
    fringe_jump_threshold : float
        A sample-to-sample phase step larger than this (rad; default π) is
        faster than the plasma can change and is a fringe jump: the nearest
        multiple of 2π is removed from all later samples.

    Returns
    -------
    Signal
        :math:`\int n_e dl` in m⁻², ``meta["fringe_jumps"]`` the corrected
        sample indices and their size in fringes.
    """
    t = np.asarray(time_s, dtype=float)
    ph = np.asarray(phase_rad, dtype=float)
    method = (f"interferometer nl = dphi/(r_e lambda passes), lambda={wavelength_m!r} m, passes={passes}, "
              f"fringe-jump threshold={fringe_jump_threshold:.3g} rad")
    reason = np.full(t.shape, "", dtype=object)
    if t.shape != ph.shape or not (wavelength_m > 0) or not (passes >= 1):
        n = ph.size
        sig = _signal(name, shot, np.full(n, np.nan), "m^-2", np.arange(n, dtype=float) if t.shape != ph.shape else t,
                      method, provenance_inputs, np.full(n, "invalid wavelength, passes or array lengths", dtype=object))
        sig.meta["fringe_jumps"] = []
        return sig
    good = np.isfinite(ph)
    reason[~good] = "phase missing"
    idx = np.nonzero(good)[0]
    corrected = ph.copy()
    jumps = []
    if idx.size > 1:
        d = np.diff(ph[idx])
        k = np.where(np.abs(d) > fringe_jump_threshold, np.round(d / (2 * np.pi)), 0.0)
        for j in np.nonzero(k)[0]:
            jumps.append((int(idx[j + 1]), int(k[j])))
        corrected[idx] = ph[idx] - 2 * np.pi * np.concatenate(([0.0], np.cumsum(k)))
    base = _window_mask(t, baseline_window) & good
    if base.any():
        corrected = corrected - corrected[base].mean()
    nl = corrected / (R_E * wavelength_m * passes)
    sig = _signal(name, shot, nl, "m^-2", t, method, provenance_inputs, reason)
    sig.meta["fringe_jumps"] = jumps
    return sig


def rf_absorbed_power(time_s, forward_W, reflected_W, *, shot: int | None = None, name: str = "rf.absorbed",
                      provenance_inputs: tuple = ()):
    r"""Net RF power delivered to the plasma: :math:`P_{net} = P_{fwd} - P_{refl}`.

    Returns
    -------
    dict of Signal
        ``"p_net"`` (W) and ``"reflection"`` (:math:`|\Gamma|^2 = P_{refl}/P_{fwd}`,
        dimensionless; NaN with a reason where the forward power is not
        positive). Line and coupler losses are not modelled: "absorbed" is the
        power leaving the directional coupler towards the antenna.
    """
    t = np.asarray(time_s, dtype=float)
    f = np.asarray(forward_W, dtype=float)
    r = np.asarray(reflected_W, dtype=float)
    method = "rf P_net = P_fwd - P_refl; Gamma^2 = P_refl / P_fwd"
    if not (t.shape == f.shape == r.shape):
        n = f.size
        why = np.full(n, "time, forward and reflected lengths differ", dtype=object)
        tt = np.arange(n, dtype=float)
        return {"p_net": _signal(name + ".p_net", shot, np.full(n, np.nan), "W", tt, method, provenance_inputs, why),
                "reflection": _signal(name + ".reflection", shot, np.full(n, np.nan), "", tt, method,
                                      provenance_inputs, why)}
    reason_p = np.where(np.isfinite(f) & np.isfinite(r), "", "power sample missing").astype(object)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma2 = np.where(f > 0, r / np.where(f > 0, f, 1.0), np.nan)
    reason_g = np.where(np.isfinite(gamma2), "", "forward power not positive").astype(object)
    return {"p_net": _signal(name + ".p_net", shot, f - r, "W", t, method, provenance_inputs, reason_p),
            "reflection": _signal(name + ".reflection", shot, gamma2, "", t, method, provenance_inputs, reason_g)}
