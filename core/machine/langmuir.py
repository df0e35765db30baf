r"""Swept single Langmuir probe analysis: one sweep, or every sweep of a shot.

Both entry points share one vectorised engine (:func:`_analyze_block`) that
works on a 2-D array of sweeps (rows sorted by increasing bias) with numpy
only: no per-sweep Python loop and no iterative scipy fit. A single sweep is a
block of one row; a shot is split into its up and down ramps, which are cut to a
common length and analysed together.

Sign convention: electron current positive (a probe collecting electrons
sources current into the plasma). Bias and potentials in volts against the same
reference.

Method (documented at length in ``docs/physics.md``)
----------------------------------------------------
1. *Clean-up* (single sweep): non-finite points dropped; points at an
   instrument clipping level dropped (given, or detected as a flat run at the
   extreme current of a finely digitised record); sorted by bias; duplicated
   biases averaged; single-point spikes replaced by the 3-point median when they
   deviate by more than 6 robust standard deviations.
2. *Smoothing* with a Savitzky-Golay filter in sample index; derivatives by the
   chain rule ``dI/dV = (dI/di)/(dV/di)`` so a non-uniform bias grid is fine.
3. *Plasma potential*, first guess: maximum of the smoothed ``dI/dV``.
4. *Floating potential*: the last zero crossing of the smoothed current below
   that guess, linearly interpolated (several crossings from noise are skipped:
   only the one bounding the electron branch matters).
5. Iterate (3 times):

   a. *Ion branch*: linear fit of ``I - I_e,model`` for ``V <= V_f - T_e``
      (falls back to ``V <= V_f``); the ion current is held at its ``V_f``
      value above ``V_f``. ``i_sat`` is the fit at ``V_f``.
   b. *Electron temperature*: weighted least-squares line through
      ``ln(I - I_ion)`` on ``max(V_f, V_p - 4 T_e) <= V <= V_p - 0.5 T_e``
      (weights ``I_e^2``: constant additive noise), ``T_e = 1/slope``.
   c. *Plasma potential and electron saturation current*: least-squares fit of
      the electron branch near the knee, ``[V_p - 3T_e, V_p + 4T_e]``, to
      ``I_es exp((V-V_p)/T_e)`` below and ``I_es g((V-V_p)/T_e)`` above
      ``V_p`` with the geometry's growth ``g`` (planar 1, cylindrical OML,
      spherical ``1+eta``), ``T_e`` fixed, ``I_es`` linear, ``V_p`` by a
      coarse-to-fine grid search with parabolic refinement. This is the knee
      intersection generalised to the probe geometry: the plain ``dI/dV``
      maximum is biased low by any smoothing and is undefined for spheres.

6. *Electron density* ``n_e = I_es / (e A sqrt(e T_e / 2 pi m_e))``.
7. *Ion density* by the sheath regime of ``xi = r_p / lambda_D``: the ion
   branch is fitted with :func:`~core.machine.probe_model.ion_current_shape`
   (one linear coefficient, the density), iterating ``xi`` on the fitted
   density (secant on bin sums of the ion branch, then one pointwise fit).
   Thin sheath (``xi >= 50``): Bohm with Child-law sheath expansion;
   transitional (``3 < xi < 50``): Lobbia & Beal's fits; OML (``xi <= 3``).
8. *EEDF* (single sweep): Druyvesteyn, ``f(eps) = (2 m_e / e^2 A) sqrt(2 e eps / m_e) d2I_e/dV2``.

Nothing raises on bad data: a quantity that cannot be determined is NaN and
``reasons[quantity]`` says why.
"""
from __future__ import annotations

import functools
import math
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.ndimage import convolve1d
from scipy.signal import savgol_coeffs
from scipy.special import erfcx

from core.machine.ions import M_E, get_ion
from core.machine import probe_model as _pm
from core.machine.probe_model import E_CHARGE, EPS0, XI_THIN_MIN, ProbeGeometry, cold_ion_shape, sheath_regime

QUANTITIES = ("te_ev", "v_float", "v_plasma", "i_sat", "n_e", "n_i")

#: Minimum number of distinct bias points for an analysis.
MIN_POINTS = 12
#: Te fit window relative to the plasma potential, in units of Te.
TE_WINDOW = (-4.0, -0.5)
#: Electron-branch (knee) fit window relative to the plasma potential, in Te.
KNEE_WINDOW = (-3.0, 4.0)
_N_ITER = 3

# Reason codes (0 = determined). Per quantity, the first failing cause wins.
_REASONS = {
    0: "",
    1: "too few points",
    2: "no electron saturation: dI/dV keeps rising to the end of the sweep (bias range ends below the plasma potential)",
    3: "current never negative below the plasma potential: the sweep does not reach the floating potential",
    4: "too few points in the exponential (electron retardation) region",
    5: "no exponential region: ln(I_e) does not rise with bias",
    6: "too few points in the ion saturation branch",
    7: "current clipped by the instrument before the electron saturation",
    8: "depends on an undetermined quantity",
    9: "electron-branch (knee) fit found no plasma potential inside the sweep: no usable electron saturation region",
    10: "no current: the sweep is flat",
    11: "non-physical result (non-positive ion current at the floating potential)",
    12: "partial sweep (shorter than the others: start or end of the waveform)",
}

#: Use the compiled kernel (:mod:`core.machine._langmuir_kernel`) when numba is
#: installed. ``GILGAMESH_NO_NUMBA=1`` in the environment (or setting this to
#: False) keeps the pure-numpy engine, which gives the same results.
USE_NUMBA = os.environ.get("GILGAMESH_NO_NUMBA", "").strip().lower() in ("", "0", "false", "no")
_KERNEL = None          # the kernel module once imported; False if numba is unavailable
_KERNEL_LOCK = threading.Lock()   # one parallel kernel launch at a time (numba's workqueue layer needs it)


def _kernel():
    """The compiled kernel module, or None (numba missing, or disabled by ``USE_NUMBA``)."""
    global _KERNEL
    if not USE_NUMBA:
        return None
    if _KERNEL is None:
        try:
            from core.machine import _langmuir_kernel
            _KERNEL = _langmuir_kernel
        except ImportError:
            _KERNEL = False
    return _KERNEL or None


def backend() -> str:
    """``"numba"`` if the compiled kernel is used, else ``"numpy"``."""
    return "numba" if _kernel() is not None else "numpy"


@dataclass
class SweepResult:
    """Result of a single-sweep analysis.

    Attributes
    ----------
    te_ev : float
        Electron temperature (eV).
    v_float, v_plasma : float
        Floating and plasma potentials (V).
    i_sat : float
        Ion saturation current at the floating potential (A, negative).
    i_esat : float
        Electron saturation current at the plasma potential (A).
    n_e : float
        Electron density from the electron saturation current (m⁻³).
    n_i : float
        Ion density from the ion branch, by ``theory`` (m⁻³).
    theory : str
        Sheath theory used for ``n_i``: ``"thin"`` (Bohm), ``"transitional"``
        (Lobbia & Beal fits) or ``"oml"``; ``""`` when undetermined.
    xi : float
        Probe radius over Debye length used for the choice.
    quality : dict
        Per quantity: ``r2`` of its fit and/or ``rel_err`` (one-sigma relative
        uncertainty) or ``sigma_V`` (V).
    reasons : dict
        Quantity -> why it is NaN (only undetermined quantities appear).
    assumptions : list of str
        Assumptions made (geometry, quasi-neutrality, clipping, ...).
    eedf : tuple of ndarray or None
        ``(energy_eV, f)`` Druyvesteyn EEDF, ``f`` in m⁻³ eV⁻¹.
    n_points : int
        Distinct bias points analysed.
    """

    te_ev: float = math.nan
    v_float: float = math.nan
    v_plasma: float = math.nan
    i_sat: float = math.nan
    i_esat: float = math.nan
    n_e: float = math.nan
    n_i: float = math.nan
    theory: str = ""
    xi: float = math.nan
    quality: dict = field(default_factory=dict)
    reasons: dict = field(default_factory=dict)
    assumptions: list = field(default_factory=list)
    eedf: tuple | None = None
    n_points: int = 0

    def to_dict(self, eedf: bool = False) -> dict[str, Any]:
        """JSON-friendly dict (NaN becomes ``None``; EEDF only if asked)."""
        def clean(x):
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, (list, tuple)):
                return [clean(v) for v in x]
            if isinstance(x, np.ndarray):
                return [clean(v) for v in x.tolist()]
            if isinstance(x, (float, np.floating)):
                return None if not np.isfinite(x) else float(x)
            if isinstance(x, np.integer):
                return int(x)
            return x

        d = {k: getattr(self, k) for k in ("te_ev", "v_float", "v_plasma", "i_sat", "i_esat", "n_e", "n_i",
                                           "theory", "xi", "quality", "reasons", "assumptions", "n_points")}
        if eedf and self.eedf is not None:
            d["eedf"] = {"energy_eV": self.eedf[0], "f_m3_eV": self.eedf[1]}
        return clean(d)

    def __repr__(self) -> str:
        return (f"SweepResult(te_ev={self.te_ev:.4g}, v_float={self.v_float:.4g}, v_plasma={self.v_plasma:.4g}, "
                f"i_sat={self.i_sat:.4g}, n_e={self.n_e:.4g}, n_i={self.n_i:.4g}, theory={self.theory!r})")


# ---------------------------------------------------------------------------
# vectorised helpers
# ---------------------------------------------------------------------------
def _wlinfit(x, y, w):
    """Row-wise weighted least-squares line ``y = c0 + c1 x``.

    Returns ``c1, c0, n, r2, c1_stderr, y_mean`` (arrays over rows); rows with
    fewer than 3 weighted points give NaN. ``x`` and ``y`` must be finite
    (zero weight does not mask a NaN).
    """
    n = np.count_nonzero(w, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = w.sum(1)
        xm = (w * x).sum(1) / s
        ym = (w * y).sum(1) / s
        dx = x - xm[:, None]
        dy = y - ym[:, None]
        wdx = w * dx
        sxx = (wdx * dx).sum(1)
        sxy = (wdx * dy).sum(1)
        syy = (w * dy * dy).sum(1)
        c1 = sxy / sxx
        c0 = ym - c1 * xm
        ssr = np.maximum(syy - c1 * sxy, 0.0)
        r2 = 1.0 - ssr / syy
        dof = np.maximum(n - 2, 1)
        # w are relative weights: scale the covariance by the residual variance.
        se = np.sqrt(ssr / dof / sxx)
    bad = n < 3
    c1 = np.where(bad, np.nan, c1)
    c0 = np.where(bad, np.nan, c0)
    return c1, c0, n, np.where(bad, np.nan, r2), np.where(bad, np.nan, se), ym


def _take(a, idx):
    """``a[row, idx[row]]`` with idx clipped to the row."""
    idx = np.clip(idx, 0, a.shape[1] - 1)
    return np.take_along_axis(a, idx[:, None], 1)[:, 0]


# Cylindrical OML growth g(eta) = 2 sqrt(eta/pi) + erfcx(sqrt(eta)) tabulated in
# x = sqrt(eta) (g is analytic in x): linear interpolation is within 3e-7 of
# scipy's erfcx, at a third of its cost (the knee fit evaluates g a lot).
_GX_PER_UNIT = 1024
_GX_MAX = 6.0
_GTAB = (lambda x: (2.0 / np.sqrt(np.pi)) * x + erfcx(x))(np.arange(int(_GX_MAX * _GX_PER_UNIT) + 2) / _GX_PER_UNIT)


def _growth(kind: str, eta):
    """Electron-saturation growth ``g(eta)`` beyond Vp for the geometry (eta >= 0)."""
    if kind == "cylindrical":
        x = np.sqrt(eta)
        # Beyond the table (or NaN): exact, element by element, so that a
        # sweep's result never depends on the other sweeps of its block.
        big = ~(x < _GX_MAX)
        anybig = bool(big.any())
        s = (np.where(big, 0.0, x) if anybig else x) * _GX_PER_UNIT
        i = s.astype(np.intp)
        g0 = _GTAB[i]
        g = g0 + (s - i) * (_GTAB[i + 1] - g0)
        if anybig:
            g = np.where(big, (2.0 / np.sqrt(np.pi)) * x + erfcx(np.where(big, x, 0.0)), g)
        return g
    if kind == "spherical":
        return 1.0 + eta
    return np.ones_like(eta)


def _knee_h(kind: str, eta):
    """Electron-branch shape: ``exp(eta)`` below Vp, ``g(eta)`` above (``g(0) = 1``)."""
    h = np.exp(np.minimum(eta, 0.0))
    if kind == "planar":
        return h
    return h + (_growth(kind, np.maximum(eta, 0.0)) - 1.0)


@functools.lru_cache(maxsize=None)
def _sg_kernels(w: int):
    """Savitzky-Golay (order 2) smoothing and first-derivative kernels for ``convolve1d``."""
    # convolve1d correlates with the reversed kernel: pass the 'dot' coefficients reversed.
    return (savgol_coeffs(w, 2, use="dot")[::-1].copy(), savgol_coeffs(w, 2, deriv=1, use="dot")[::-1].copy())


def _window(n: int) -> int:
    """Savitzky-Golay window: ~2.5 % of the sweep, odd, 5..41 samples."""
    w = int(round(n / 40.0)) | 1
    return max(5, min(41, w))


def _med3(y):
    """Row-wise 3-point running median (ends kept)."""
    a, b, c = y[:, :-2], y[:, 1:-1], y[:, 2:]
    m = np.maximum(np.minimum(a, b), np.minimum(np.maximum(a, b), c))
    out = y.copy()
    out[:, 1:-1] = m
    return out


def _despike(i):
    """Replace isolated spikes (> 6 robust sigma from the 3-point median)."""
    m = _med3(i)
    r = i - m
    # Robust sigma from the mean absolute deviation of consecutive-point
    # differences of the median: cheap, and immune to the spikes themselves.
    sig = 1.4826 * np.median(np.abs(r), axis=1) if i.shape[0] == 1 else 1.2533 * np.mean(np.abs(r), axis=1)
    span = np.ptp(m, axis=1)
    sig = np.maximum(sig, 1e-4 * span)
    spike = np.abs(r) > 6.0 * sig[:, None]
    return np.where(spike, m, i), spike


def _sg_mode(cw):
    """scipy.ndimage's classification of correlation weights: 1 symmetric, -1 antisymmetric, 0 general."""
    h = cw.size // 2
    eps = np.finfo(float).eps
    if cw.size % 2 == 0:
        return 0
    if all(abs(cw[h + k] - cw[h - k]) <= eps for k in range(1, h + 1)):
        return 1
    if all(abs(cw[h + k] + cw[h - k]) <= eps for k in range(1, h + 1)):
        return -1
    return 0


@functools.lru_cache(maxsize=64)
def _kernel_args(n: int, kind: str, area: float, radius: float, mass_kg: float, charge: int):
    """Static arguments of the kernel for sweeps of ``n`` points: weights, modes, parameters, tables, grids.

    Every constant the kernel uses comes from here (this module and
    :mod:`~core.machine.probe_model`), so the compiled code holds none.
    """
    K = _kernel()
    c_s, c_d = _sg_kernels(_window(n))
    cw_s, cw_d = c_s[::-1].copy(), c_d[::-1].copy()   # convolve1d correlates with the reversed kernel
    P = np.zeros(K.N_PARAMS)
    P[K.P_AREA], P[K.P_RP], P[K.P_MI], P[K.P_Z] = area, radius, mass_kg, charge
    P[K.P_KIND] = {"planar": 0, "cylindrical": 1, "spherical": 2}[kind]
    P[K.P_LN_OML_LO], P[K.P_LN_THIN_LO], P[K.P_LN_BAND2] = _pm._LN_OML_LO, _pm._LN_THIN_LO, _pm._LN_BAND2
    P[K.P_BOHM_COLD], P[K.P_TWO_SQRT_PI] = _pm._BOHM_COLD, _pm._TWO_SQRT_PI
    P[K.P_XI_OML_MAX], P[K.P_XI_THIN_MIN] = _pm.XI_OML_MAX, XI_THIN_MIN
    P[K.P_E], P[K.P_EPS0], P[K.P_ME] = E_CHARGE, EPS0, M_E
    P[K.P_TE_LO], P[K.P_TE_HI] = TE_WINDOW
    P[K.P_KN_LO], P[K.P_KN_HI] = KNEE_WINDOW
    P[K.P_MIN_POINTS], P[K.P_N_ITER], P[K.P_ION_BINS] = MIN_POINTS, _N_ITER, _ION_BINS
    P[K.P_GX_PER_UNIT], P[K.P_GX_MAX] = _GX_PER_UNIT, _GX_MAX
    P[K.P_SQRT2_3], P[K.P_EXPM05], P[K.P_SQRT_2PI], P[K.P_TWO_PI] = (np.sqrt(2.0) / 3.0, np.exp(-0.5),
                                                                   np.sqrt(2 * np.pi), 2 * np.pi)
    P[K.P_TOL], P[K.P_KMAX] = _ION_TOL, _ION_KMAX
    grids = [_grid(*st) for st in _KNEE_COARSE + _KNEE_FINE]
    assert [g.size for g in grids] == [9, 7, 5]  # the kernel's stage layout
    return (cw_s, cw_d, _sg_mode(cw_s), _sg_mode(cw_d), P, _GTAB, *grids)


def _geometry_key(geometry: ProbeGeometry, ion):
    return (geometry.kind, float(geometry.area), float(geometry.radius), float(ion.mass_kg), int(ion.charge))


def _kernel_row(K, fo, io):
    """Kernel output rows -> the scalar results ``analyze_sweep`` reads from the numpy engine."""
    f = fo.tolist()
    c = io.tolist()
    d = {q: f[j] for q, j in zip(QUANTITIES, (K.F_TE, K.F_VF, K.F_VP, K.F_ISAT, K.F_NE, K.F_NI))}
    for q, j in zip(QUANTITIES, (K.C_TE, K.C_VF, K.C_VP, K.C_ISAT, K.C_NE, K.C_NI)):
        d["code_" + q] = c[j]
    d.update(i_esat=f[K.F_IESAT], xi=f[K.F_XI], regime=K.REGIMES[c[K.I_REGIME]], te_r2=f[K.F_TE_R2],
             te_rel_err=f[K.F_TE_REL], ion_r2=f[K.F_ION_R2], ni_r2=f[K.F_NI_R2], ni_rel_err=f[K.F_NI_REL],
             ne_rel_err=f[K.F_NE_REL], vf_sigma_V=f[K.F_VF_SIG], n_te_pts=c[K.I_NTE], n_ion_pts=c[K.I_NION],
             noise_A=f[K.F_NOISE])
    return d


# ---------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------
def _analyze_block(V, I, ok, geometry: ProbeGeometry, ion, want_eedf=False):
    """Analyse rows of sweeps at once.

    Parameters
    ----------
    V, I : ndarray, shape (M, N)
        Bias (V) and current (A), every row sorted by increasing bias, no NaN.
    ok : ndarray of bool, shape (M, N)
        Points usable in fits (False: clipped).
    geometry : ProbeGeometry
    ion : Ion

    Returns
    -------
    dict of ndarray
        ``te_ev, v_float, v_plasma, i_sat, i_esat, n_e, n_i, xi`` and quality
        arrays, ``regime`` (str) and ``code_<quantity>`` reason codes.

    Notes
    -----
    Only the smoothing, the first guesses and the window searches touch every
    column. Each fit works on the columns it needs, gathered per row: the ion
    branch on the columns below the highest ``V_f``, ``T_e`` and the knee on
    their windows (a few ``T_e`` wide), and the ion-density fixed point on
    bin sums of the ion branch (:func:`_ion_density`).
    """
    M, N = V.shape
    area = geometry.area
    kind = geometry.kind
    rows = np.arange(M)
    idx = np.arange(N)[None, :]
    out: dict[str, np.ndarray] = {}

    w = _window(N)
    c_s, c_d = _sg_kernels(w)
    Is = convolve1d(I, c_s, axis=1, mode="nearest")
    dIdi = convolve1d(I, c_d, axis=1, mode="nearest")
    dVdi = convolve1d(V, c_d, axis=1, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        dIdV = np.where(dVdi > 0, dIdi / np.where(dVdi > 0, dVdi, 1.0), 0.0)
    half = w // 2
    span = np.ptp(I, axis=1)
    flat = ~(span > 0)

    # --- 3. first guess of Vp: dI/dV maximum away from the filter's edges
    interior = (idx >= half) & (idx <= N - 1 - half) & ok
    d_masked = np.where(interior, dIdV, -np.inf)
    k_max = np.argmax(d_masked, axis=1)
    # First point reaching 90 % of the maximum on the electron side: the same
    # as the maximum for a peaked dI/dV (planar, cylindrical), and still the
    # knee for a sphere, whose dI/dV is a plateau beyond Vp.
    d_top = d_masked[rows, k_max]
    reach = (d_masked >= 0.9 * d_top[:, None]) & (Is > 0)
    k_vp = np.where(reach.any(1), np.argmax(reach, axis=1), k_max)
    last_ok = N - 1 - np.argmax(ok[:, ::-1], axis=1)
    no_sat = k_vp >= np.minimum(N - 1 - half, last_ok - 1) - 1
    # clipped above: the first clipped point above the knee guess
    clip_hi = (~ok) & (idx > k_vp[:, None]) & (I > 0)
    has_clip_hi = clip_hi.any(1)
    first_clip_hi = np.where(has_clip_hi, np.argmax(clip_hi, axis=1), N)
    clipped_knee = has_clip_hi & (first_clip_hi - k_vp <= 2 * half + 2)
    vp0 = V[rows, k_vp]
    # Te guess: I/(dI/dV) of an exponential, at the dI/dV maximum.
    with np.errstate(invalid="ignore", divide="ignore"):
        te = np.abs(Is[rows, k_vp] / dIdV[rows, k_vp])
    vrange = V[:, -1] - V[:, 0]
    te = np.where(np.isfinite(te) & (te > 0), np.minimum(te, vrange / 4), vrange / 20)

    # --- 4. floating potential: last crossing below the knee guess
    below = (Is <= 0) & (idx < k_vp[:, None])
    has_vf = below.any(1)
    k_f = np.where(has_vf, N - 1 - np.argmax(below[:, ::-1], axis=1), 0)
    i0, i1 = _take(Is, k_f), _take(Is, k_f + 1)
    v0, v1 = _take(V, k_f), _take(V, k_f + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vf = np.where(has_vf & (i1 > i0), v0 + (0 - i0) * (v1 - v0) / (i1 - i0), np.where(has_vf, v0, np.nan))
    has_vf &= np.isfinite(vf)
    vf_hold = np.where(has_vf, vf, V[:, 0])

    # The ion branch (V <= V_f) is a prefix of every row: work on the columns
    # up to the highest V_f only.
    # Each row's own prefix (its first max(1, n_below_vf) columns) is its ion
    # branch, whatever the other rows of the block need.
    n_below_vf = np.count_nonzero(V <= np.where(has_vf, vf, -np.inf)[:, None], axis=1)
    k_pre = np.maximum(n_below_vf, 1)
    Kf = int(k_pre.max()) if M else 1
    Vi, Ii = V[:, :Kf], I[:, :Kf]
    oki = ok[:, :Kf] & (idx[:, :Kf] < k_pre[:, None])

    vp = np.where(no_sat, V[:, -1], vp0)
    # noise sigma per sweep from the smoothing residual (mean |r| of a Gaussian is 0.80 sigma)
    sig = 1.2533 * np.mean(np.abs(I - Is), axis=1)
    ie_c0 = np.full(M, np.nan)   # ln I_e = ie_c0 + (V - vp)/te below vp
    i_es = np.full(M, np.nan)
    a_ion = np.zeros(M)
    b_ion = np.zeros(M)
    te_good = np.zeros(M, bool)
    model_ok = np.zeros(M, bool)
    ion_model = None
    n_mod = None
    for it in range(_N_ITER):
        # (a) ion branch: linear fit of I minus the electron model.
        if it == 0:
            y_ion = Ii
        else:
            with np.errstate(over="ignore", invalid="ignore"):
                ie_model = np.exp(ie_c0[:, None] + (np.minimum(Vi, vp[:, None]) - vp[:, None]) / te[:, None])
            y_ion = Ii - np.where(te_good[:, None] & np.isfinite(ie_model), ie_model, 0.0)
        reg = oki & (Vi <= (vf - te)[:, None]) & has_vf[:, None]
        few = np.count_nonzero(reg, axis=1) < 3
        if few.any():
            reg = np.where(few[:, None], oki & (Vi <= vf[:, None]) & has_vf[:, None], reg)
        wion = reg.astype(float)
        b, a, n_ion_pts, ion_r2, _, mean_ion = _wlinfit(Vi, y_ion, wion)
        # Ion current grows in magnitude towards negative bias: slope >= 0.
        neg = ~(b >= 0)
        b = np.where(neg, 0.0, b)
        a = np.where(neg, mean_ion, a)
        a_ion = np.where(np.isfinite(a), a, 0.0)
        b_ion = np.where(np.isfinite(b), b, 0.0)

        def ion_at(Vw, a_ion=a_ion, b_ion=b_ion, model=ion_model):
            """Ion current (negative) on gathered columns ``Vw``."""
            i_ion = np.where(has_vf[:, None], np.minimum(a_ion[:, None] + b_ion[:, None] * np.minimum(Vw, vf_hold[:, None]), 0.0), 0.0)
            if model is not None:
                # Sheath-theory ion current of the previous pass (follows the
                # sqrt-like OML branch, which a straight line does not).
                i_ion = np.where(model_ok[:, None], -model(Vw), i_ion)
            return i_ion

        # (b) Te: weighted line through ln(I - I_ion) on its window.
        lo = vp + TE_WINDOW[0] * te
        lo = np.where(has_vf, np.maximum(lo, vf), lo)
        hi = np.where(no_sat, V[:, -1], vp + TE_WINDOW[1] * te)
        cols, inwin = _window_cols(V, lo, hi)
        Vw = np.take_along_axis(V, cols, 1)
        i_ion_w = ion_at(Vw)
        ie = np.take_along_axis(I, cols, 1) - i_ion_w
        # Weights I_e^2 (constant additive noise on I makes var(ln I) ~ 1/I^2),
        # taken from the *smoothed* electron current: weights from the noisy
        # samples themselves favour upward fluctuations and bias T_e high.
        # Points below 3 noise sigmas are left out (ln of noise is biased).
        ie_s = np.take_along_axis(Is, cols, 1) - i_ion_w
        reg_te = np.take_along_axis(ok, cols, 1) & inwin & (ie > 0) & (ie_s > 3.0 * sig[:, None])
        wte = np.where(reg_te, ie_s * ie_s, 0.0)
        ln_ie = np.log(np.where(ie > 0, ie, 1.0))
        c1, c0, n_te_pts, te_r2, te_se, _ = _wlinfit(Vw - vp[:, None], ln_ie, wte)
        with np.errstate(invalid="ignore", divide="ignore"):
            te_new = 1.0 / c1
        good = np.isfinite(te_new) & (te_new > 0) & (n_te_pts >= 4)
        te = np.where(good, np.minimum(te_new, vrange), te)
        te_good = good
        ie_c0 = np.where(good, c0, ie_c0)

        # (c) knee: electron branch model fit for Vp and I_es, Te fixed.
        vp, i_es, knee_ok = _fit_knee(V, I, ok, ion_at, vp, te, kind, no_sat, coarse=(it == 0))
        vp = np.where(no_sat, V[:, -1], vp)
        if it < _N_ITER - 1:
            n_mod, xi_mod, k_mod = _ion_density(Vi, Ii, oki, vp, vf, te, te_good, ie_c0, has_vf, geometry, ion,
                                                n_start=n_mod, n_prefix=k_pre)[:3]
            model_ok = np.isfinite(n_mod) & (n_mod > 0) & has_vf & te_good
            ion_model = _ion_model_fn(kind, n_mod * k_mod, xi_mod, vp, te)
    # --- results
    with np.errstate(invalid="ignore", divide="ignore"):
        n_e = i_es / (E_CHARGE * area * np.sqrt(E_CHARGE * te / (2 * np.pi * M_E)))
        i_sat = np.where(has_vf, a_ion + b_ion * vf, np.nan)

    # --- 7. ion density by sheath regime, iterating xi on the fitted density
    n_raw, xi, _, ni_r2, ni_rel = _ion_density(Vi, Ii, oki, vp, vf, te, te_good, ie_c0, has_vf, geometry, ion,
                                               i_sat=i_sat, n_start=n_mod, exact=True, n_prefix=k_pre)
    n_i = n_raw / ion.charge
    regime = sheath_regime(xi)
    if kind == "planar":
        regime = np.where(regime == "oml", "transitional", regime)  # planar probes have no OML limit

    # --- reasons (first cause wins)
    too_few = (N < MIN_POINTS) | (np.count_nonzero(ok, axis=1) < MIN_POINTS)
    base = np.where(too_few, 1, np.where(flat, 10, 0))
    c_vp = np.where(base > 0, base, np.where(clipped_knee, 7, np.where(no_sat, 2, np.where(~knee_ok, 9, 0))))
    c_vf = np.where(base > 0, base, np.where(~has_vf, 3, 0))
    c_te = np.where(base > 0, base, np.where(n_te_pts < 4, 4, np.where(~te_good, 5, 0)))
    c_ne = np.where(c_te > 0, 8, np.where(c_vp > 0, c_vp, 0))
    c_is = np.where(c_vf > 0, c_vf, np.where(n_ion_pts < 3, 6, np.where(~(i_sat < 0), 11, 0)))
    c_ni = np.where(c_is > 0, c_is, np.where(c_te > 0, 8, np.where(~(np.isfinite(n_i) & (n_i > 0)), 11, 0)))
    # the ion density needs Vp for eta; without saturation Vp is the sweep end (lower bound)
    c_ni = np.where((c_ni == 0) & (c_vp > 0), 8, c_ni)
    codes = {"v_plasma": c_vp, "v_float": c_vf, "te_ev": c_te, "n_e": c_ne, "i_sat": c_is, "n_i": c_ni}
    vals = {"v_plasma": vp, "v_float": vf, "te_ev": te, "n_e": n_e, "i_sat": i_sat, "n_i": n_i}
    for q in QUANTITIES:
        out[q] = np.where(codes[q] == 0, vals[q], np.nan)
        out["code_" + q] = codes[q]
    out["i_esat"] = np.where(c_ne == 0, i_es, np.nan)
    out["xi"] = np.where(c_ni == 0, xi, np.nan)
    out["regime"] = np.where(c_ni == 0, regime, "")
    out["te_r2"], out["te_rel_err"] = te_r2, te_se * te
    out["ion_r2"], out["ni_r2"], out["ni_rel_err"] = ion_r2, ni_r2, ni_rel
    out["n_te_pts"], out["n_ion_pts"] = n_te_pts, n_ion_pts
    # noise and slope at Vf for the Vf uncertainty
    out["noise_A"] = sig
    with np.errstate(invalid="ignore", divide="ignore"):
        out["vf_sigma_V"] = sig / np.abs(_take(dIdV, k_f)) / np.sqrt(w)
        out["ne_rel_err"] = np.sqrt((0.5 * out["te_rel_err"]) ** 2 + (sig / i_es / np.sqrt(w)) ** 2)
    if want_eedf:
        out["_smooth"] = (Is, dIdV, w)
    return out


def _window_cols(V, lo, hi):
    """Column indices of ``lo <= V <= hi`` per (sorted) row, padded to a common width.

    Returns ``cols`` (clipped to the row) and ``inwin`` (False for padding).
    """
    M, N = V.shape
    k_lo = np.count_nonzero(V < lo[:, None], axis=1)
    k_hi = np.count_nonzero(V <= hi[:, None], axis=1)
    W = int(max(1, np.max(k_hi - k_lo))) if M else 1
    j = k_lo[:, None] + np.arange(W)[None, :]
    return np.minimum(j, N - 1), j < k_hi[:, None]


def _ion_model_fn(kind, amp, xi, vp, te):
    """Sheath-theory ion current (positive, 0 above ``vp``) as a function of gathered biases."""
    def model(Vw):
        eta = np.maximum((vp[:, None] - Vw) / te[:, None], 0.0)
        with np.errstate(invalid="ignore", over="ignore"):
            m = amp[:, None] * np.where(Vw < vp[:, None], cold_ion_shape(kind, xi[:, None], eta), 0.0)
        return np.nan_to_num(m)
    return model


#: Bins of the ion branch for the ion-density fixed point (see :func:`_ion_density`).
_ION_BINS = 48
#: Convergence of the ion-density secant (in ln n) and its maximum number of evaluations.
_ION_TOL = 1e-7
_ION_KMAX = 30


def _ion_density(Vi, Ii, oki, vp, vf, te, te_good, ie_c0, has_vf, geometry, ion, i_sat=None, n_start=None,
                 exact=False, tol=_ION_TOL, k_max=_ION_KMAX, n_prefix=None):
    """Ion density from the ion branch by the sheath theory of ``xi = r_p/lambda_D``.

    The ion current below ``V_f`` (electron model removed) is fitted with
    ``n K s(xi, eta)`` (:func:`~core.machine.probe_model.cold_ion_shape`),
    one linear coefficient ``n``; ``xi`` is re-evaluated from ``n`` (fixed
    point; the regime blending makes it unique).

    The fixed point runs on the ion branch reduced to ``_ION_BINS`` bins of
    consecutive points per sweep (bin sums of the current, mean ``eta``): the
    shape is smooth there, so the binned normal equation differs from the
    pointwise one by the within-bin curvature of ``s`` only (the final density
    agrees with the pointwise fixed point within 1e-4, tested). With
    ``exact`` the converged ``xi`` is followed by one pointwise fit over every
    point, which gives the density, its ``r2`` and relative uncertainty.

    Parameters
    ----------
    Vi, Ii, oki : ndarray (M, K)
        The first columns of the sweeps, covering ``V <= V_f``.
    n_start : ndarray, optional
        Starting densities (a previous solution); else the Bohm estimate.
    n_prefix : ndarray of int, optional
        Per row, the number of leading columns that form its ion branch
        (default: all ``K``).

    Each row iterates until its own step is below ``tol`` and is then frozen,
    so a row's density does not depend on the other rows of the block.

    Returns
    -------
    n, xi, k_i0, r2, rel : ndarray
        ``n`` is the fitted ``Z n_i`` (divide by ``Z`` for ``n_i``); ``k_i0``
        the current scale ``e A sqrt(Z e T_e / 2 pi m_i)``; ``r2`` and ``rel``
        NaN unless ``exact``.
    """
    z = ion.charge
    kind = geometry.kind
    r_p = geometry.radius
    M, K = Vi.shape
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        k_i0 = E_CHARGE * geometry.area * np.sqrt(z * E_CHARGE * te / (2 * np.pi * ion.mass_kg))
        # xi = r_p / lambda_D = c_xi sqrt(n)
        c_xi = r_p * np.sqrt(E_CHARGE / (EPS0 * te))
        with_e = np.exp(np.minimum(ie_c0[:, None] + (np.minimum(Vi, vp[:, None]) - vp[:, None]) / te[:, None], 50.0))
        ion_meas = np.where(te_good[:, None] & np.isfinite(with_e), with_e, 0.0) - Ii   # ion current, positive
        reg_i = oki & has_vf[:, None] & (Vi <= vf[:, None])
        wr = reg_i.astype(float)
        eta = np.maximum((vp[:, None] - Vi) / te[:, None], 0.0)
        # bins of consecutive columns of the prefix V <= V_f (rows are sorted)
        below = Vi <= np.where(has_vf, vf, -np.inf)[:, None]
        if n_prefix is not None:
            below &= np.arange(K)[None, :] < n_prefix[:, None]
        kf = np.count_nonzero(below, axis=1)
        edges = (np.arange(_ION_BINS + 1)[None, :] * kf[:, None]) // _ION_BINS
        cs = np.zeros((3, M, K + 1))
        np.cumsum(np.stack([wr, wr * eta, wr * ion_meas]), axis=2, out=cs[:, :, 1:])
        cnt, s_eta, s_ion = np.diff(np.take_along_axis(cs, np.broadcast_to(edges, (3,) + edges.shape), axis=2), axis=2)
        eta_b = np.where(cnt > 0, s_eta / np.where(cnt > 0, cnt, 1.0), 1.0)
        if i_sat is None:
            i0 = -s_ion.sum(1) / np.maximum(cnt.sum(1), 1)
        else:
            i0 = i_sat
        n = -i0 / (k_i0 * np.exp(-0.5) * np.sqrt(2 * np.pi))  # thin-sheath Bohm start
        if n_start is not None:
            n = np.where(np.isfinite(n_start) & (n_start > 0), n_start, n)
        # Secant iteration on g(L) = ln F(e^L) - L, L = ln n, F the binned fit at
        # xi(n): the plain fixed point L <- ln F converges linearly (often ~10
        # passes for 1e-7); the secant on g reaches it in 3-5 evaluations.
        L = np.log(n)
        L_prev = g_prev = None
        active = np.ones(M, bool)
        for _ in range(k_max):
            xi = c_xi * np.exp(0.5 * L)
            xi = np.where(np.isfinite(xi) & (xi > 0), xi, XI_THIN_MIN)
            s = cold_ion_shape(kind, xi[:, None], eta_b)
            n_fit = (s * s_ion).sum(1) / (cnt * s * s).sum(1) / k_i0
            fit_ok = np.isfinite(n_fit) & (n_fit > 0)
            g = np.where(fit_ok, np.log(np.where(fit_ok, n_fit, 1.0)) - L, 0.0)
            step = g
            if L_prev is not None:
                den = g - g_prev
                sec = -g * (L - L_prev) / np.where(den != 0, den, 1.0)
                # the secant step, unless degenerate (then the fixed-point step)
                step = np.where((den != 0) & np.isfinite(sec) & (np.abs(sec) < 3.0), sec, g)
            step = np.where(active, step, 0.0)
            L_prev, g_prev = L, g
            L = L + step
            active &= np.abs(step) > tol
            if not active.any():
                break
        n = np.exp(L)
        xi = c_xi * np.sqrt(n)
        if not exact:
            return n, xi, k_i0, None, None
        xi_ok = np.where(np.isfinite(xi) & (xi > 0), xi, XI_THIN_MIN)
        s = cold_ion_shape(kind, xi_ok[:, None], eta)
        sr = np.where(reg_i, s, 0.0)
        n_fit = (sr * ion_meas).sum(1) / (sr * sr).sum(1) / k_i0
        n = np.where(np.isfinite(n_fit) & (n_fit > 0), n_fit, n)
        xi = c_xi * np.sqrt(n)
        pred = (n * k_i0)[:, None] * sr
        npts = np.count_nonzero(reg_i, axis=1)
        res = wr * (ion_meas - pred)
        mean_m = (wr * ion_meas).sum(1) / np.maximum(npts, 1)
        tot = wr * (ion_meas - mean_m[:, None])
        r2 = 1 - (res * res).sum(1) / (tot * tot).sum(1)
        rel = (np.sqrt((res * res).sum(1) / np.maximum(npts - 1, 1))
               / np.sqrt((pred * pred).sum(1) / np.maximum(npts, 1)) / np.sqrt(np.maximum(npts, 1)))
    return n, xi, k_i0, r2, rel


#: Knee-fit grids: (half width in Te, number of trial Vp), first pass then later passes.
_KNEE_COARSE = ((1.5, 9), (0.375, 7))
_KNEE_FINE = ((0.25, 5),)


@functools.lru_cache(maxsize=None)
def _grid(width, n):
    return np.linspace(-width, width, n)


def _fit_knee(V, I, ok, ion_at, vp0, te, kind, no_sat, coarse=True):
    """Least-squares fit of the electron branch near the knee for (Vp, I_es).

    Model ``I_es h((V - Vp)/Te)``, ``h = exp`` below and the geometry's growth
    ``g`` above ``Vp``; for each trial ``Vp`` the best ``I_es`` is linear, so
    only the profile ``-(sum h y)^2 / sum h^2`` is searched. The fit window
    ``vp0 + KNEE_WINDOW * te`` is gathered per row. With ``coarse`` a 9-point
    grid over ±1.5 Te (on at most ~48 evenly decimated points of the window:
    it only has to find the basin) precedes a 7-point grid over ±0.375 Te on
    every point; otherwise (later passes, ``vp0`` already close) a 5-point grid
    over ±0.25 Te (the later passes must keep this reach: a knee that walks
    out of the sweep is how a sweep ending below ``V_p`` is recognised). A parabola through the three best profile values refines
    each grid. All trial values of a grid are evaluated in one 3-D pass.
    """
    M, N = V.shape
    lo = vp0 + KNEE_WINDOW[0] * te
    hi = vp0 + KNEE_WINDOW[1] * te
    cols, inwin = _window_cols(V, lo, hi)
    x = np.take_along_axis(V, cols, 1)
    wreg = (np.take_along_axis(ok, cols, 1) & inwin).astype(float)
    y = np.take_along_axis(I, cols, 1) - ion_at(x)
    y = np.where(wreg > 0, y, 0.0)
    u = (x - vp0[:, None]) / te[:, None]   # bias from vp0 in units of Te

    def profile(d, u=u, y=y, wreg=wreg):
        # d: (M, K) trial offsets of Vp from vp0, in Te
        h = _knee_h(kind, u[:, None, :] - d[:, :, None]) * wreg[:, None, :]
        hy = np.einsum("mkw,mw->mk", h, y)
        hh = np.einsum("mkw,mkw->mk", h, h)
        with np.errstate(invalid="ignore", divide="ignore"):
            amp = hy / hh
        return -hy * amp, amp

    best = np.zeros(M)
    stages = _KNEE_COARSE if coarse else _KNEE_FINE
    if coarse:
        # Decimation of each row's own window (stride from its own width, not
        # the block's padded width: a row's result must not depend on its block).
        w_row = np.maximum(inwin.sum(1), 1)
        st = np.maximum(1, w_row // 48)
        jd = np.arange(int((-(-w_row // st)).max()))[None, :] * st[:, None]
        dvalid = jd < w_row[:, None]
        jd = np.minimum(jd, u.shape[1] - 1)
        u_d, y_d = np.take_along_axis(u, jd, 1), np.take_along_axis(y, jd, 1)
        w_d = np.take_along_axis(wreg, jd, 1) * dvalid
    for width, n in stages:
        offs = _grid(width, n)
        if n == 9:
            errs = profile(best[:, None] + offs[None, :], u_d, y_d, w_d)[0]
        else:
            errs = profile(best[:, None] + offs[None, :])[0]
        errs = np.where(np.isfinite(errs), errs, np.inf)
        k = np.argmin(errs, axis=1)
        kc = np.clip(k, 1, n - 2)
        e0, e1, e2 = (errs[np.arange(M), kc - 1], errs[np.arange(M), kc], errs[np.arange(M), kc + 1])
        den = e0 - 2 * e1 + e2
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where((den > 0) & np.isfinite(den), 0.5 * (e0 - e2) / den, 0.0)
        step = offs[1] - offs[0]
        new = best + offs[kc] + np.clip(frac, -1, 1) * step
        best = np.where(np.isfinite(new), new, best)
    amp = profile(best[:, None])[1][:, 0]
    vbest = vp0 + best * te
    above = ((wreg > 0) & (x > vbest[:, None])).sum(1)
    good = np.isfinite(vbest) & np.isfinite(amp) & (amp > 0) & (above >= 2) & ~no_sat
    good &= (vbest > V[:, 0]) & (vbest < V[:, -1])
    return np.where(good, vbest, vp0), np.where(good, amp, np.nan), good


# ---------------------------------------------------------------------------
# single sweep
# ---------------------------------------------------------------------------
def _resolve_geometry(area_m2, geometry):
    assumptions = []
    if geometry is None:
        if area_m2 is None or not (np.isfinite(area_m2) and area_m2 > 0):
            raise ValueError("give the probe geometry or a positive area_m2")
        geometry = ProbeGeometry.planar(float(area_m2))
        assumptions.append(
            f"only the area is known: planar probe of {area_m2:.4g} m² assumed (one-sided, no edge effects), "
            f"sheath regime from its equivalent disk radius {geometry.radius:.3g} m")
    elif area_m2 is not None and geometry.area_m2 is None:
        geometry = ProbeGeometry(geometry.kind, geometry.radius_m, geometry.length_m, float(area_m2))
    return geometry, assumptions


def _detect_clipping(i, clip_level):
    """Mask of samples at an instrument clipping level.

    A flat run at the extreme current counts as clipping only if the record is
    finely digitised (step < 0.2 % of the range): a coarse digitiser (e.g. the
    Pace sweep's 43 µA steps) shows flat runs at a genuinely saturated current.
    """
    n = len(i)
    if clip_level is not None:
        lo, hi = clip_level
        m = np.zeros(n, bool)
        if lo is not None:
            m |= i <= lo
        if hi is not None:
            m |= i >= hi
        return m
    u = np.unique(i)
    if len(u) < 3:
        return np.zeros(n, bool)
    rng = u[-1] - u[0]
    step = np.min(np.diff(u))
    if step > 2e-3 * rng:
        return np.zeros(n, bool)
    tol = 1e-9 * rng
    m = np.zeros(n, bool)
    for level in (u[0], u[-1]):
        at = np.abs(i - level) <= tol
        if at.sum() >= 3:
            m |= at
    return m


def _clean_numpy(v, i, clip_level, assumptions):
    """Clean-up of a single sweep (numpy path): drop non-finite samples, flag clipping, sort, average duplicates.

    Returns ``v, i, clipped``; appends what it did to ``assumptions``.
    """
    fin = np.isfinite(v) & np.isfinite(i)
    if not fin.all():
        assumptions.append(f"{np.count_nonzero(~fin)} non-finite samples dropped")
        v, i = v[fin], i[fin]
    clipped = _detect_clipping(i, clip_level) if i.size else np.zeros(0, bool)
    if clipped.any():
        assumptions.append(f"{np.count_nonzero(clipped)} samples at the instrument's clipping level excluded")
    # sort + average duplicates (clipped samples kept as their own flag)
    order = np.argsort(v, kind="stable")
    v, i, clipped = v[order], i[order], clipped[order]
    if v.size:
        new = np.empty(v.size, bool)
        new[0] = True
        np.not_equal(v[1:], v[:-1], out=new[1:])
        if not new.all():
            grp = np.cumsum(new) - 1
            keep = ~clipped
            cnt = np.bincount(grp, weights=keep)
            s = np.bincount(grp, weights=np.where(keep, i, 0.0))
            allclip = cnt == 0
            i_g = np.where(allclip, np.bincount(grp, weights=i) / np.bincount(grp), s / np.where(allclip, 1, cnt))
            v, i, clipped = v[new], i_g, allclip
    return v, i, clipped


def analyze_sweep(bias_V, current_A, area_m2: float | None = None, ion="Ar+", geometry: ProbeGeometry | None = None,
                  *, clip_level: tuple | None = None, eedf: bool = True) -> SweepResult:
    """Analyse one I-V characteristic.

    Parameters
    ----------
    bias_V, current_A : array_like
        Probe bias (V) and current (A, electron current positive), any order;
        duplicated biases are averaged, non-finite points dropped.
    area_m2 : float, optional
        Collecting area (m²). With no ``geometry`` a planar probe is assumed
        (stated in ``assumptions``).
    ion : str or float
        Ion species, e.g. ``"Ar+"``, ``"He+"``, ``"H+"`` (see :mod:`core.machine.ions`).
    geometry : ProbeGeometry, optional
        Probe geometry; decides the sheath theory and the electron-saturation
        growth used to locate the plasma potential.
    clip_level : (low, high), optional
        Instrument current limits (A); samples at or beyond them are excluded.
        Default: detected (see :func:`_detect_clipping`).
    eedf : bool
        Compute the Druyvesteyn EEDF.

    Returns
    -------
    SweepResult
        Never raises on bad data: undetermined quantities are NaN with a
        reason. Raises ``ValueError`` only for a missing geometry/area or an
        unknown ion (caller errors, not data errors).
    """
    geometry, assumptions = _resolve_geometry(area_m2, geometry)
    sp = get_ion(ion)
    res = SweepResult(assumptions=assumptions)
    res.assumptions.append("quasi-neutral Maxwellian plasma, collisionless unmagnetised sheath, cold ions (Ti << Te)")
    v = np.asarray(bias_V, dtype=float).ravel()
    i = np.asarray(current_A, dtype=float).ravel()
    if v.shape != i.shape:
        res.reasons = {q: f"bias and current lengths differ ({v.size} vs {i.size})" for q in QUANTITIES}
        return res
    K = _kernel()
    if K is not None:
        lo, hi = clip_level if clip_level is not None else (None, None)
        v, i, clipped, n_nonfinite, n_clipped = K.clean(v, i, clip_level is not None, lo is not None,
                                                        0.0 if lo is None else float(lo), hi is not None,
                                                        0.0 if hi is None else float(hi))
        if n_nonfinite:
            res.assumptions.append(f"{n_nonfinite} non-finite samples dropped")
        if n_clipped:
            res.assumptions.append(f"{n_clipped} samples at the instrument's clipping level excluded")
    else:
        v, i, clipped = _clean_numpy(v, i, clip_level, res.assumptions)
    res.n_points = int(v.size)
    if v.size < MIN_POINTS or np.count_nonzero(~clipped) < MIN_POINTS:
        res.reasons = {q: f"too few points ({v.size} distinct bias values, need {MIN_POINTS})" for q in QUANTITIES}
        return res
    K = _kernel()
    try:
        if K is not None:
            fo = np.empty(K.N_FOUT)
            io = np.zeros(K.N_IOUT, np.int64)
            eedf_k = K.analyze_one(v, i, ~clipped, True, eedf, *_kernel_args(v.size, *_geometry_key(geometry, sp)),
                                   fo, io)
            n_spikes = int(io[K.I_NSPIKE])
            out = _kernel_row(K, fo, io)
        else:
            I2, spikes = _despike(i[None, :])
            n_spikes = int(spikes.sum())
            blk = _analyze_block(v[None, :], I2, ~clipped[None, :], geometry, sp, want_eedf=eedf)
            out = {k: (a[0].item() if isinstance(a, np.ndarray) else a) for k, a in blk.items() if k != "_smooth"}
            dIdV = blk["_smooth"][1][0] if eedf else None
    except Exception as exc:  # nothing should raise on data; this is a last line of defence
        res.reasons = {q: f"analysis failed: {exc!r}" for q in QUANTITIES}
        return res
    if n_spikes:
        res.assumptions.append(f"{n_spikes} noise spikes replaced by the local median")
    for q in QUANTITIES:
        setattr(res, q, float(out[q]))
        c = int(out["code_" + q])
        if c:
            res.reasons[q] = _REASONS[c]
    res.i_esat = float(out["i_esat"])
    res.xi = float(out["xi"])
    res.theory = str(out["regime"])
    q = res.quality
    te = res.te_ev
    te_fin = math.isfinite(te)
    q["te_ev"] = {"r2": float(out["te_r2"]), "rel_err": float(out["te_rel_err"]) / te if te_fin else math.nan,
                  "n_points": int(out["n_te_pts"])}
    q["i_sat"] = {"r2": float(out["ion_r2"]), "n_points": int(out["n_ion_pts"])}
    q["n_i"] = {"r2": float(out["ni_r2"]), "rel_err": float(out["ni_rel_err"])}
    q["n_e"] = {"rel_err": float(out["ne_rel_err"])}
    q["v_float"] = {"sigma_V": float(out["vf_sigma_V"])}
    q["v_plasma"] = {"sigma_V": float(0.1 * te) if te_fin else math.nan}
    if res.theory:
        res.assumptions.append(f"ion density by {res.theory} sheath theory (r_p/lambda_D = {res.xi:.3g})")
    if eedf and math.isfinite(res.v_plasma) and te_fin:
        res.eedf = eedf_k if K is not None else _druyvesteyn(v, dIdV, _window(v.size), res.v_plasma, geometry.area)
    return res


def _druyvesteyn(v, dIdV, w, vp, area):
    """Druyvesteyn EEDF from the smoothed dI/dV (second derivative by a second pass).

    ``f(eps) = (2 m_e / (e^2 A)) sqrt(2 e eps / m_e) d2I/dV2`` with
    ``eps = Vp - V`` (eV); the ion current's curvature is neglected.
    """
    c_d = _sg_kernels(w)[1]
    d2di = convolve1d(dIdV, c_d, mode="nearest")
    dvdi = convolve1d(v, c_d, mode="nearest")
    with np.errstate(invalid="ignore", divide="ignore"):
        d2 = np.where(dvdi > 0, d2di / dvdi, 0.0)
    sel = v < vp
    eps = (vp - v[sel])[::-1]
    f = (2 * M_E / (E_CHARGE ** 2 * area)) * np.sqrt(2 * E_CHARGE * eps / M_E) * d2[sel][::-1]
    return eps, f


# ---------------------------------------------------------------------------
# a whole shot
# ---------------------------------------------------------------------------
def split_sweeps(bias_V, min_fraction: float = 0.5):
    """Split a swept bias waveform into ramps at its turning points.

    Parameters
    ----------
    bias_V : ndarray
        Bias waveform (triangle, sawtooth or sine).
    min_fraction : float
        A ramp must span at least this fraction of the full bias range;
        smaller wiggles (noise, flat tops) are not turning points.

    Returns
    -------
    starts, stops : ndarray of int
        Ramp ``k`` is ``bias[starts[k]:stops[k]]`` (stop exclusive).

    Notes
    -----
    Turning points are the extremes of a zig-zag with hysteresis
    ``min_fraction * range`` on a lightly smoothed copy, so bias noise cannot
    split a ramp. Candidate extremes come from a vectorised sign-change search;
    only the alternation check walks the (few) candidates in Python.
    """
    from scipy.ndimage import uniform_filter1d

    K = _kernel()
    if K is not None:  # the same smoothing and candidates in one compiled pass (bit-identical)
        b, cand, rng = K.sweep_candidates(np.ascontiguousarray(bias_V, dtype=float).ravel(), 5)
        if cand.size == 0:
            return np.zeros(0, int), np.zeros(0, int)
        thr = min_fraction * rng
    else:
        b = uniform_filter1d(np.asarray(bias_V, dtype=float), 5, mode="nearest")
        n = b.size
        if n < 3:
            return np.zeros(0, int), np.zeros(0, int)
        rng = np.ptp(b)
        if not rng > 0:
            return np.zeros(0, int), np.zeros(0, int)
        thr = min_fraction * rng
        d = np.sign(np.diff(b))
        nz = np.nonzero(d)[0]
        if nz.size == 0:
            return np.zeros(0, int), np.zeros(0, int)
        d = d[np.maximum.accumulate(np.where(d != 0, np.arange(d.size), nz[0]))]  # forward-fill zeros
        cand = np.concatenate(([0], np.nonzero(d[1:] != d[:-1])[0] + 1, [n - 1]))
    # zig-zag with hysteresis
    turns = [int(cand[0])]
    direction = 0  # +1 rising to a max, -1 falling to a min
    ext_i = int(cand[0])
    for c in cand[1:]:
        c = int(c)
        if direction >= 0 and b[c] >= b[ext_i]:
            if direction == 0 and b[c] - b[turns[-1]] < thr:
                ext_i = c if b[c] > b[ext_i] else ext_i
            ext_i = c
            if direction == 0 and b[c] - b[turns[-1]] >= thr:
                direction = 1
        if direction <= 0 and b[c] <= b[ext_i]:
            ext_i = c
            if direction == 0 and b[turns[-1]] - b[c] >= thr:
                direction = -1
        if direction == 1 and b[ext_i] - b[c] >= thr:
            turns.append(ext_i)
            direction, ext_i = -1, c
        elif direction == -1 and b[c] - b[ext_i] >= thr:
            turns.append(ext_i)
            direction, ext_i = 1, c
    turns.append(ext_i if abs(b[ext_i] - b[turns[-1]]) >= thr else turns[-1])
    turns = np.unique(np.asarray(turns))
    starts, stops = turns[:-1], turns[1:] + 1
    return starts, stops


def analyze_shot(time_s, bias_V, current_A, geometry: ProbeGeometry | None = None, ion="Ar+", *,
                 area_m2: float | None = None, shot: int | None = None, name: str = "langmuir",
                 provenance_inputs: tuple = (), clip_level: tuple | None = None, task=None,
                 chunk: int = 4096) -> dict:
    """Time-resolved analysis of a swept probe over a shot.

    The bias waveform is split into up and down ramps at its turning points
    (:func:`split_sweeps`); each ramp is one sweep. Ramps are cut (centred) to
    the median ramp length, down ramps reversed, and all analysed together as a
    2-D array by the vectorised engine, in chunks of ``chunk`` sweeps between
    which ``task`` gets progress and may cancel.

    Parameters
    ----------
    time_s, bias_V, current_A : ndarray
        Samples of the shot (s, V, A with electron current positive).
    geometry : ProbeGeometry, optional
    ion : str
    area_m2 : float, optional
        Used when ``geometry`` is None (planar probe assumed).
    shot : int, optional
    name : str
        Prefix of the signal names (``"langmuir.te"``...).
    provenance_inputs : tuple of Provenance
        Provenance of the input signals, stored in ``Provenance.inputs``.
    clip_level : (low, high), optional
        Instrument current limits; default: a current value held by more than
        0.1 % of the samples at the shot's extreme is taken as clipping.
    task : core.tasks.TaskState, optional
    chunk : int

    Returns
    -------
    dict of str -> Signal
        ``te``, ``n_e``, ``n_i``, ``v_float``, ``v_plasma``, ``i_sat``: explicit
        time base (sweep mid-times), ``meta["reason"]`` per sample (``""``
        when determined), ``meta["theory"]`` for ``n_i``.
    """
    from core import tasks as _tasks
    from core.signals.signal import Provenance, Signal

    geometry, assumptions = _resolve_geometry(area_m2, geometry)
    sp = get_ion(ion)
    t = np.asarray(time_s, dtype=float).ravel()
    v = np.asarray(bias_V, dtype=float).ravel()
    i = np.asarray(current_A, dtype=float).ravel()
    n = min(t.size, v.size, i.size)
    t, v, i = t[:n], v[:n], i[:n]
    starts, stops = split_sweeps(v) if n else (np.zeros(0, int), np.zeros(0, int))
    lengths = stops - starts
    M = starts.size
    if M:
        L = int(np.median(lengths))
    else:
        L = 0
    mids = t[np.clip((starts + stops - 1) // 2, 0, max(n - 1, 0))] if M else np.zeros(0)
    res = {q: np.full(M, np.nan) for q in QUANTITIES}
    codes = {q: np.zeros(M, np.int16) for q in QUANTITIES}
    theory = np.full(M, "", dtype=object)
    short = lengths < max(MIN_POINTS, int(0.8 * L)) if M else np.zeros(0, bool)
    # clipping: the digitizer range is the same for the whole shot
    okall = np.isfinite(i) & np.isfinite(v)
    if clip_level is not None:
        lo, hi = clip_level
        if lo is not None:
            okall &= i > lo
        if hi is not None:
            okall &= i < hi
    elif n:
        for level in (np.nanmin(i), np.nanmax(i)):
            at = i == level
            if at.sum() > max(3, n // 1000):
                okall &= ~at
                assumptions.append(f"{int(at.sum())} samples at the current extreme {level:.4g} A taken as clipped")
    ivals = np.where(np.isfinite(i), i, 0.0)
    vvals = np.where(np.isfinite(v), v, 0.0)
    good_rows = np.nonzero(~short)[0]
    done = 0
    K = _kernel()
    if K is not None and good_rows.size:
        kargs = _kernel_args(L, *_geometry_key(geometry, sp))
        fcols = (K.F_TE, K.F_VF, K.F_VP, K.F_ISAT, K.F_NE, K.F_NI)
        ccols = (K.C_TE, K.C_VF, K.C_VP, K.C_ISAT, K.C_NE, K.C_NI)
        regimes = np.array(K.REGIMES, dtype=object)
    for c0 in range(0, good_rows.size, chunk):
        _tasks.check(task)
        rows = good_rows[c0:c0 + chunk]
        st = starts[rows] + (lengths[rows] - L) // 2
        if K is not None:
            # gather, reversal of down ramps, despiking and analysis all in the kernel
            down = vvals[st + L - 1] < vvals[st]
            fo = np.empty((rows.size, K.N_FOUT))
            io = np.empty((rows.size, K.N_IOUT), np.int64)
            nblk = min(rows.size, 8 * K.threads())
            with _KERNEL_LOCK:
                K.analyze_rows(vvals, ivals, okall, st, down, L, rows.size == 1, *kargs, fo, io, nblk)
            for q, fc, cc in zip(QUANTITIES, fcols, ccols):
                res[q][rows] = fo[:, fc]
                codes[q][rows] = io[:, cc]
            theory[rows] = regimes[io[:, K.I_REGIME]]
            done += rows.size
            _tasks.progress(task, done / max(good_rows.size, 1), f"{done}/{good_rows.size} sweeps")
            continue
        ix = st[:, None] + np.arange(L)[None, :]
        Vb, Ib, okb = vvals[ix], ivals[ix], okall[ix]
        down = Vb[:, -1] < Vb[:, 0]
        Vb[down] = Vb[down, ::-1]
        Ib[down] = Ib[down, ::-1]
        okb[down] = okb[down, ::-1]
        Ib, _ = _despike(Ib)
        with np.errstate(all="ignore"):
            out = _analyze_block(Vb, Ib, okb, geometry, sp)
        for q in QUANTITIES:
            res[q][rows] = out[q]
            codes[q][rows] = out["code_" + q]
        theory[rows] = out["regime"]
        done += rows.size
        _tasks.progress(task, done / max(good_rows.size, 1), f"{done}/{good_rows.size} sweeps")
    for q in QUANTITIES:
        codes[q][short] = 12
    reasons_txt = dict(_REASONS)
    reasons_txt[12] = "partial sweep (shorter than the others: start or end of the waveform)"
    method = (f"langmuir.analyze_shot(ion={sp.name}, geometry={geometry!r}, sweeps={M}, points_per_sweep={L}, "
              f"te_window={TE_WINDOW}, knee_window={KNEE_WINDOW})")
    prov = Provenance(shot=shot, method=method, inputs=tuple(provenance_inputs),
                      records=())
    units = {"te_ev": "eV", "n_e": "m^-3", "n_i": "m^-3", "v_float": "V", "v_plasma": "V", "i_sat": "A"}
    keys = {"te_ev": "te", "n_e": "n_e", "n_i": "n_i", "v_float": "v_float", "v_plasma": "v_plasma",
            "i_sat": "i_sat"}
    signals = {}
    for q, key in keys.items():
        reason = np.array([reasons_txt[int(c)] for c in codes[q]], dtype=object)
        meta = {"reason": reason, "assumptions": list(assumptions)}
        if q == "n_i":
            meta["theory"] = theory
        signals[key] = Signal(f"{name}.{key}", shot, res[q], units[q], time=mids, provenance=prov, meta=meta)
    return signals
