r"""Compiled (numba) kernel of the swept Langmuir probe analysis.

The same algorithm as the numpy engine :func:`core.machine.langmuir._analyze_block`,
written as one loop per sweep: every step of ``_analyze_block`` (smoothing,
first guesses, the three passes of ion-branch fit, T_e fit and knee fit, the
ion-density secant and its pointwise finish, the reason codes) appears here in
the same order with the same formulas, the same windows and the same NaN
rules, so the two paths agree to rounding (tested on the validation corpus, the
Pace sweep, the bad-sweep corpus and a shot). Only :mod:`core.machine.langmuir`
imports this module, lazily, and only when numba is installed and
``GILGAMESH_NO_NUMBA`` is not set.

Conventions
-----------
* No constant of the physics is frozen here: everything (charges, masses,
  regime thresholds, windows, the cylindrical growth table, the Savitzky-Golay
  coefficients and the knee-fit grids) arrives in arrays built by
  ``langmuir._kernel_params``, so ``cache=True`` can never serve code compiled
  with stale constants of another module.
* ``error_model="numpy"``: division by zero gives inf/NaN as in numpy (the
  numpy engine runs under ``np.errstate(all="ignore")`` semantics).
* Helper ``_fmin``/``_fmax``/``_clip`` reproduce numpy's NaN propagation
  (``np.minimum(nan, 0) is nan``), which Python's ``min`` does not.

The per-sweep results are written to a float row (``F_*`` columns) and an
integer row (``C_*`` reason codes in ``QUANTITIES`` order, then ``I_*``).
"""
from __future__ import annotations

import math

import numpy as np
from numba import get_num_threads, njit, prange

# --- parameter vector P (built by langmuir._kernel_params) -------------------
P_AREA, P_RP, P_MI, P_Z, P_KIND = 0, 1, 2, 3, 4
P_LN_OML_LO, P_LN_THIN_LO, P_LN_BAND2, P_BOHM_COLD, P_TWO_SQRT_PI = 5, 6, 7, 8, 9
P_XI_OML_MAX, P_XI_THIN_MIN, P_E, P_EPS0, P_ME = 10, 11, 12, 13, 14
P_TE_LO, P_TE_HI, P_KN_LO, P_KN_HI = 15, 16, 17, 18
P_MIN_POINTS, P_N_ITER, P_ION_BINS, P_GX_PER_UNIT, P_GX_MAX = 19, 20, 21, 22, 23
P_SQRT2_3, P_EXPM05, P_SQRT_2PI, P_TWO_PI, P_TOL, P_KMAX = 24, 25, 26, 27, 28, 29
N_PARAMS = 30

# --- float outputs ------------------------------------------------------------
(F_TE, F_VF, F_VP, F_ISAT, F_NE, F_NI, F_IESAT, F_XI, F_TE_R2, F_TE_REL, F_ION_R2, F_NI_R2, F_NI_REL,
 F_NOISE, F_VF_SIG, F_NE_REL) = range(16)
N_FOUT = 16
# --- integer outputs: reason codes in QUANTITIES order, then the rest -----------
C_TE, C_VF, C_VP, C_ISAT, C_NE, C_NI = range(6)
I_REGIME, I_NTE, I_NION, I_NSPIKE = 6, 7, 8, 9
N_IOUT = 10
#: regime codes of I_REGIME
REGIMES = ("", "oml", "transitional", "thin")

#: scratch rows per sweep (see _analyze_row)
N_SCRATCH = 12


@njit(cache=True, inline="always")
def _fmin(a, b):
    """``np.minimum`` for scalars (NaN propagates)."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a < b else b


@njit(cache=True, inline="always")
def _fmax(a, b):
    """``np.maximum`` for scalars (NaN propagates)."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a > b else b


@njit(cache=True, inline="always")
def _clip(x, lo, hi):
    """``np.clip`` for a scalar (NaN propagates)."""
    if x != x:
        return x
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


@njit(cache=True, inline="always")
def _isfinite(x):
    return x - x == 0.0


@njit(cache=True, error_model="numpy")
def erfcx(x):
    """Scaled complementary error function ``exp(x^2) erfc(x)`` for ``x >= 0``.

    ``exp(x*x) * erfc(x)`` below 10 (relative error ~1e-14 there), the
    asymptotic series above (13 terms: error < 1e-16 for ``x >= 10``).
    """
    if x != x:
        return x
    if x < 10.0:
        return math.exp(x * x) * math.erfc(x)
    q = 1.0 / (2.0 * x * x)
    term = 1.0
    s = 1.0
    for k in range(1, 14):
        term *= -(2 * k - 1) * q
        s += term
    return s / (x * math.sqrt(math.pi))


@njit(cache=True, error_model="numpy")
def _growth(kind, eta, gtab, P):
    """Electron-saturation growth ``g(eta)`` beyond Vp (langmuir._growth, elementwise)."""
    if kind == 1:
        x = math.sqrt(eta)
        if x < P[P_GX_MAX]:
            s = x * P[P_GX_PER_UNIT]
            i = int(s)
            g0 = gtab[i]
            return g0 + (s - i) * (gtab[i + 1] - g0)
        return P[P_TWO_SQRT_PI] * x + erfcx(x)
    if kind == 2:
        return 1.0 + eta
    return 1.0


@njit(cache=True, error_model="numpy")
def _knee_h(kind, eta, gtab, P):
    """``exp(eta)`` below Vp, ``g(eta)`` above (langmuir._knee_h)."""
    h = math.exp(_fmin(eta, 0.0))
    if kind == 0:
        return h
    return h + (_growth(kind, _fmax(eta, 0.0), gtab, P) - 1.0)


@njit(cache=True, error_model="numpy")
def _shape_coeffs(kind, xi, P):
    """The per-sweep part of ``probe_model.cold_ion_shape``: blend weights, regime flags, (a, b)."""
    lx = math.log(xi) if xi > 0 else (-np.inf if xi == 0 else np.nan)
    t1 = _clip((lx - P[P_LN_OML_LO]) / P[P_LN_BAND2], 0.0, 1.0)
    t2 = _clip((lx - P[P_LN_THIN_LO]) / P[P_LN_BAND2], 0.0, 1.0)
    need_oml = t1 < 1.0
    need_thin = t2 > 0.0
    need_trans = (t1 > 0.0 and t2 < 1.0) or (need_oml and kind != 1)
    a = 0.0
    b = 0.0
    if need_trans:
        x = xi if kind == 0 else _fmax(xi, P[P_XI_OML_MAX])
        if kind == 1:
            a = 1.18 - 0.00080 * x ** 1.35
            b = 0.0684 + (0.722 + 0.928 * x) ** -0.729
        elif kind == 2:
            a = 1.58 + (-0.056 + 0.816 * x) ** -0.744
            b = -0.933 + (0.0148 + 0.119 * x) ** -0.125
        else:
            a = 2.28 * x ** -0.749
            b = 0.806 * x ** -0.0692
    return t1, t2, need_oml, need_thin, need_trans, a, b


@njit(cache=True, error_model="numpy")
def _shape(kind, xi, t1, t2, need_oml, need_thin, need_trans, a, b, eta, P):
    """``probe_model.cold_ion_shape`` at one ``eta`` (coefficients from :func:`_shape_coeffs`)."""
    if need_trans:
        trans = a * eta ** b
        if kind == 0:
            trans = P[P_BOHM_COLD] * (1.0 + trans)
    else:
        trans = 0.0
    if need_oml:
        oml = P[P_TWO_SQRT_PI] * math.sqrt(eta) if kind == 1 else trans
        low = oml + t1 * (trans - oml)
    else:
        low = trans
    if not need_thin:
        return low + 0.0 * eta
    if kind == 0:
        thin = P[P_BOHM_COLD]
    else:
        xs = P[P_SQRT2_3] * (2.0 * _fmax(eta - 0.5, 0.0)) ** 0.75 / xi
        if kind == 1:
            thin = P[P_BOHM_COLD] * (1.0 + xs)
        else:
            thin = P[P_BOHM_COLD] * (1.0 + xs) ** 2
    return low + t2 * (thin - low) + 0.0 * eta


@njit(cache=True, error_model="numpy")
def _nan_to_num(x):
    if x != x:
        return 0.0
    if x == np.inf:
        return 1.7976931348623157e308
    if x == -np.inf:
        return -1.7976931348623157e308
    return x


@njit(cache=True, error_model="numpy")
def _wlinfit(x, y, w, n):
    """``langmuir._wlinfit`` for one row on ``x[:n], y[:n], w[:n]`` (zero weights skipped).

    Returns ``c1, c0, npts, r2, c1_stderr, y_mean``.
    """
    npts = 0
    s = 0.0
    sx = 0.0
    sy = 0.0
    for k in range(n):
        wk = w[k]
        if wk != 0.0:
            npts += 1
            s += wk
            sx += wk * x[k]
            sy += wk * y[k]
    xm = sx / s
    ym = sy / s
    sxx = 0.0
    sxy = 0.0
    syy = 0.0
    for k in range(n):
        wk = w[k]
        if wk != 0.0:
            dx = x[k] - xm
            dy = y[k] - ym
            wdx = wk * dx
            sxx += wdx * dx
            sxy += wdx * dy
            syy += wk * dy * dy
    c1 = sxy / sxx
    c0 = ym - c1 * xm
    ssr = _fmax(syy - c1 * sxy, 0.0)
    r2 = 1.0 - ssr / syy
    dof = max(npts - 2, 1)
    se = math.sqrt(ssr / dof / sxx) if ssr / dof / sxx >= 0 else np.nan
    if npts < 3:
        return np.nan, np.nan, npts, np.nan, np.nan, ym
    return c1, c0, npts, r2, se, ym


@njit(cache=True, error_model="numpy")
def _correlate(x, n, cw, mode, xp, out):
    """``scipy.ndimage.correlate1d(x, cw, mode="nearest")`` with scipy's operation order.

    ``mode`` 1: symmetric weights, -1: antisymmetric, 0: general (as scipy
    classifies them). ``xp`` is a scratch of length ``n + len(cw) - 1``.
    """
    w = cw.size
    h = w // 2
    for i in range(h):
        xp[i] = x[0]
        xp[n + h + i] = x[n - 1]
    for i in range(n):
        xp[h + i] = x[i]
    if mode == 0:
        c = cw[w - 1]
        for i in range(n):
            out[i] = xp[i + w - 1] * c
        for j in range(w - 1):
            c = cw[j]
            for i in range(n):
                out[i] += xp[i + j] * c
        return
    c = cw[h]
    for i in range(n):
        out[i] = xp[i + h] * c
    for j in range(h):   # scipy's jj = -h .. -1: the outermost pair first
        c = cw[j]
        off = h - j
        if mode > 0:
            for i in range(n):
                out[i] += (xp[i + h - off] + xp[i + h + off]) * c
        else:
            for i in range(n):
                out[i] += (xp[i + h - off] - xp[i + h + off]) * c


@njit(cache=True, error_model="numpy")
def _despike(I, n, use_median, out, tmp):
    """``langmuir._despike`` for one row; returns the number of replaced samples."""
    # 3-point running median (ends kept) into tmp
    tmp[0] = I[0]
    tmp[n - 1] = I[n - 1]
    for k in range(1, n - 1):
        a = I[k - 1]
        b = I[k]
        c = I[k + 1]
        tmp[k] = _fmax(_fmin(a, b), _fmin(_fmax(a, b), c))
    if use_median:
        r = np.empty(n)
        for k in range(n):
            r[k] = abs(I[k] - tmp[k])
        sig = 1.4826 * np.median(r)
    else:
        s = 0.0
        for k in range(n):
            s += abs(I[k] - tmp[k])
        sig = 1.2533 * (s / n)
    lo = tmp[0]
    hi = tmp[0]
    for k in range(n):
        lo = _fmin(lo, tmp[k])
        hi = _fmax(hi, tmp[k])
    sig = _fmax(sig, 1e-4 * (hi - lo))
    ns = 0
    for k in range(n):
        r = I[k] - tmp[k]
        if abs(r) > 6.0 * sig:
            out[k] = tmp[k]
            ns += 1
        else:
            out[k] = I[k]
    return ns


@njit(cache=True, error_model="numpy")
def _ion_at(x, has_vf, a_ion, b_ion, vf_hold, use_model, m_amp, m_xi, m_vp, m_te, sc, kind, P):
    """Ion current (negative) at bias ``x``: the ion line, or the sheath model of the previous pass."""
    if use_model:
        if not (x < m_vp):
            return -0.0   # numpy: -nan_to_num(amp * 0.0), whatever amp
        eta = _fmax((m_vp - x) / m_te, 0.0)
        s = _shape(kind, m_xi, sc[0], sc[1], sc[2] > 0, sc[3] > 0, sc[4] > 0, sc[5], sc[6], eta, P)
        m = _nan_to_num(m_amp * (s if x < m_vp else 0.0))
        return -m
    if has_vf:
        return _fmin(a_ion + b_ion * _fmin(x, vf_hold), 0.0)
    return 0.0


@njit(cache=True, error_model="numpy")
def _profile(kind, u, y, wreg, W, st, d, gtab, P):
    """Knee-fit profile ``-(sum h y)^2 / sum h^2`` and the best ``I_es`` at offset ``d``.

    ``h = _knee_h(u - d)`` (``exp(e) = exp(min(e, 0))`` below the knee,
    ``1 + (g(e) - 1)`` above, as numpy computes it). Masked points
    (``wreg == 0``, finite ``h``) contribute exactly 0 and are skipped.
    (Taking ``exp(u - d)`` as ``exp(u) exp(-d)`` is faster but its last-bit
    differences flip near-ties of the grid on pathological sweeps.)
    """
    hy = 0.0
    hh = 0.0
    for k in range(0, W, st):
        wk = wreg[k]
        if wk == 0.0:
            continue
        e = u[k] - d
        if e < 0.0:
            h = math.exp(e)
        elif kind == 0:
            h = 1.0
        else:
            h = 1.0 + (_growth(kind, e, gtab, P) - 1.0)
        h *= wk
        hy += h * y[k]
        hh += h * h
    amp = hy / hh
    return -hy * amp, amp


@njit(cache=True, error_model="numpy")
def _ion_density(V, I, ok, Kf, vp, vf, te, te_good, ie_c0, has_vf, kind, P, i_sat, use_i_sat, n_start,
                 use_n_start, exact, eta, meas, wr, cs):
    """``langmuir._ion_density`` for one row on the ion-branch prefix ``[0, Kf)``.

    Returns ``n, xi, k_i0, r2, rel`` (``r2``, ``rel`` NaN unless ``exact``).
    """
    z = P[P_Z]
    E = P[P_E]
    nb = int(P[P_ION_BINS])
    k_i0 = E * P[P_AREA] * math.sqrt(z * E * te / (P[P_TWO_PI] * P[P_MI]))
    c_xi = P[P_RP] * math.sqrt(E / (P[P_EPS0] * te))
    vf_b = vf if has_vf else -np.inf
    kf = 0
    for k in range(Kf):
        we = math.exp(_fmin(ie_c0 + (_fmin(V[k], vp) - vp) / te, 50.0))
        meas[k] = (we if (te_good and _isfinite(we)) else 0.0) - I[k]
        wr[k] = 1.0 if (ok[k] and has_vf and V[k] <= vf) else 0.0
        eta[k] = _fmax((vp - V[k]) / te, 0.0)
        if V[k] <= vf_b:
            kf += 1
    # bins of consecutive columns: cumulative sums, differenced at the edges
    c0 = 0.0
    c1 = 0.0
    c2 = 0.0
    cs[0, 0] = 0.0
    cs[1, 0] = 0.0
    cs[2, 0] = 0.0
    for k in range(Kf):
        c0 += wr[k]
        c1 += wr[k] * eta[k]
        c2 += wr[k] * meas[k]
        cs[0, k + 1] = c0
        cs[1, k + 1] = c1
        cs[2, k + 1] = c2
    cnt = np.empty(nb)
    s_ion = np.empty(nb)
    eta_b = np.empty(nb)
    tot_cnt = 0.0
    tot_ion = 0.0
    for b in range(nb):
        e0 = (b * kf) // nb
        e1 = ((b + 1) * kf) // nb
        cb = cs[0, e1] - cs[0, e0]
        se = cs[1, e1] - cs[1, e0]
        cnt[b] = cb
        s_ion[b] = cs[2, e1] - cs[2, e0]
        eta_b[b] = se / cb if cb > 0 else 1.0
        tot_cnt += cb
        tot_ion += s_ion[b]
    if use_i_sat:
        i0 = i_sat
    else:
        i0 = -tot_ion / max(tot_cnt, 1.0)
    n = -i0 / (k_i0 * P[P_EXPM05] * P[P_SQRT_2PI])
    if use_n_start and _isfinite(n_start) and n_start > 0:
        n = n_start
    L = math.log(n) if n > 0 else (-np.inf if n == 0 else np.nan)
    L_prev = 0.0
    g_prev = 0.0
    tol = P[P_TOL]
    for it in range(int(P[P_KMAX])):
        xi = c_xi * math.exp(0.5 * L)
        if not (_isfinite(xi) and xi > 0):
            xi = P[P_XI_THIN_MIN]
        t1, t2, no, nt, ntr, a, b_ = _shape_coeffs(kind, xi, P)
        num = 0.0
        den = 0.0
        for b in range(nb):
            s = _shape(kind, xi, t1, t2, no, nt, ntr, a, b_, eta_b[b], P)
            num += s * s_ion[b]
            den += cnt[b] * s * s
        n_fit = num / den / k_i0
        if _isfinite(n_fit) and n_fit > 0:
            g = math.log(n_fit) - L
        else:
            g = 0.0
        step = g
        if it > 0:
            dg = g - g_prev
            sec = -g * (L - L_prev) / (dg if dg != 0 else 1.0)
            if not (dg != 0 and _isfinite(sec) and abs(sec) < 3.0):
                sec = g
            step = sec
        L_prev = L
        g_prev = g
        L = L + step
        if not (abs(step) > tol):
            break
    n = math.exp(L)
    xi = c_xi * math.sqrt(n) if n >= 0 else np.nan
    if not exact:
        return n, xi, k_i0, np.nan, np.nan
    xi_ok = xi if (_isfinite(xi) and xi > 0) else P[P_XI_THIN_MIN]
    t1, t2, no, nt, ntr, a, b_ = _shape_coeffs(kind, xi_ok, P)
    num = 0.0
    den = 0.0
    for k in range(Kf):
        if wr[k] > 0:
            s = _shape(kind, xi_ok, t1, t2, no, nt, ntr, a, b_, eta[k], P)
            eta[k] = s   # eta is not needed any more: keep the shape
            num += s * meas[k]
            den += s * s
        else:
            eta[k] = 0.0
    n_fit = num / den / k_i0
    if _isfinite(n_fit) and n_fit > 0:
        n = n_fit
    xi = c_xi * math.sqrt(n) if n >= 0 else np.nan
    amp = n * k_i0
    npts = 0
    sm = 0.0
    for k in range(Kf):
        if wr[k] > 0:
            npts += 1
            sm += meas[k]
    mean_m = sm / max(npts, 1)
    ss_res = 0.0
    ss_tot = 0.0
    ss_pred = 0.0
    for k in range(Kf):
        if wr[k] > 0:
            pred = amp * eta[k]
            r = meas[k] - pred
            t = meas[k] - mean_m
            ss_res += r * r
            ss_tot += t * t
            ss_pred += pred * pred
    r2 = 1.0 - ss_res / ss_tot
    rel = (math.sqrt(ss_res / max(npts - 1, 1)) / math.sqrt(ss_pred / max(npts, 1))
           / math.sqrt(max(npts, 1)))
    return n, xi, k_i0, r2, rel


@njit(cache=True, error_model="numpy")
def _fit_knee(V, I, ok, N, vp0, te, kind, no_sat, coarse, has_vf, a_ion, b_ion, vf_hold, use_model, m_amp,
              m_xi, m_vp, m_te, sc, P, gtab, offs9, offs7, offs5, xw, uw, yw, ww):
    """``langmuir._fit_knee`` for one row. Returns ``vp, i_es, good``."""
    lo = vp0 + P[P_KN_LO] * te
    hi = vp0 + P[P_KN_HI] * te
    k_lo = 0
    k_hi = 0
    for k in range(N):
        if V[k] < lo:
            k_lo += 1
        if V[k] <= hi:
            k_hi += 1
    W = max(1, k_hi - k_lo)
    for j in range(W):
        jj = k_lo + j
        c = min(jj, N - 1)
        x = V[c]
        xw[j] = x
        wk = 1.0 if (ok[c] and jj < k_hi) else 0.0
        ww[j] = wk
        if wk > 0:
            yw[j] = I[c] - _ion_at(x, has_vf, a_ion, b_ion, vf_hold, use_model, m_amp, m_xi, m_vp, m_te, sc,
                                   kind, P)
        else:
            yw[j] = 0.0
        uw[j] = (x - vp0) / te
    best = 0.0
    nst = 2 if coarse else 1
    for stg in range(nst):
        if coarse:
            offs = offs9 if stg == 0 else offs7
        else:
            offs = offs5
        n = offs.size
        st = max(1, W // 48) if n == 9 else 1
        e_best = np.inf
        kb = 0
        errs = np.empty(n)
        for j in range(n):
            e = _profile(kind, uw, yw, ww, W, st, best + offs[j], gtab, P)[0]
            if not _isfinite(e):
                e = np.inf
            errs[j] = e
            if e < e_best:
                e_best = e
                kb = j
        kc = min(max(kb, 1), n - 2)
        e0 = errs[kc - 1]
        e1 = errs[kc]
        e2 = errs[kc + 1]
        den = e0 - 2 * e1 + e2
        frac = 0.5 * (e0 - e2) / den if (den > 0 and _isfinite(den)) else 0.0
        step = offs[1] - offs[0]
        new = best + offs[kc] + _clip(frac, -1.0, 1.0) * step
        if _isfinite(new):
            best = new
    amp = _profile(kind, uw, yw, ww, W, 1, best, gtab, P)[1]
    vbest = vp0 + best * te
    above = 0
    for j in range(W):
        if ww[j] > 0 and xw[j] > vbest:
            above += 1
    good = (_isfinite(vbest) and _isfinite(amp) and amp > 0 and above >= 2 and not no_sat
            and vbest > V[0] and vbest < V[N - 1])
    if good:
        return vbest, amp, True
    return vp0, np.nan, False


@njit(cache=True, error_model="numpy")
def _analyze_row(V, I, ok, N, cw_s, cw_d, mode_s, mode_d, P, gtab, offs9, offs7, offs5, S, cs, fo, io):
    """Analyse one sweep (``V`` sorted, ``I`` despiked, ``ok`` usable points); see ``_analyze_block``.

    ``S`` is a scratch of shape ``(N_SCRATCH, >= N + w)``; on return ``S[0]``
    holds the smoothed current and ``S[1]`` the smoothed ``dI/dV``.
    """
    kind = int(P[P_KIND])
    w = cw_s.size
    half = w // 2
    Is = S[0]
    dIdV = S[1]
    dIdi = S[2]
    dVdi = S[3]
    xp = S[4]
    _correlate(I, N, cw_s, mode_s, xp, Is)
    _correlate(I, N, cw_d, mode_d, xp, dIdi)
    _correlate(V, N, cw_d, mode_d, xp, dVdi)
    lo_i = I[0]
    hi_i = I[0]
    n_ok = 0
    last_ok = -1
    sabs = 0.0
    for k in range(N):
        dIdV[k] = dIdi[k] / dVdi[k] if dVdi[k] > 0 else 0.0
        lo_i = _fmin(lo_i, I[k])
        hi_i = _fmax(hi_i, I[k])
        if ok[k]:
            n_ok += 1
            last_ok = k
        sabs += abs(I[k] - Is[k])
    flat = not (hi_i - lo_i > 0)
    if last_ok < 0:
        last_ok = N - 1
    sig = 1.2533 * (sabs / N)

    # --- 3. first guess of Vp
    # np.argmax over the masked dI/dV (-inf outside the interior): first maximum, or first NaN
    k_max = 0
    d_top = -np.inf
    for k in range(half, N - half):
        if ok[k]:
            d = dIdV[k]
            if d != d:
                k_max = k
                d_top = d
                break
            if d > d_top:
                d_top = d
                k_max = k
    thr = 0.9 * d_top
    k_vp = k_max
    for k in range(N):
        dm = dIdV[k] if (k >= half and k <= N - 1 - half and ok[k]) else -np.inf
        if dm >= thr and Is[k] > 0:
            k_vp = k
            break
    no_sat = k_vp >= min(N - 1 - half, last_ok - 1) - 1
    first_clip_hi = N
    for k in range(k_vp + 1, N):
        if (not ok[k]) and I[k] > 0:
            first_clip_hi = k
            break
    clipped_knee = first_clip_hi < N and (first_clip_hi - k_vp <= 2 * half + 2)
    vp0 = V[k_vp]
    te = abs(Is[k_vp] / dIdV[k_vp])
    vrange = V[N - 1] - V[0]
    if _isfinite(te) and te > 0:
        te = _fmin(te, vrange / 4)
    else:
        te = vrange / 20

    # --- 4. floating potential
    k_f = -1
    for k in range(k_vp - 1, -1, -1):
        if Is[k] <= 0:
            k_f = k
            break
    has_vf = k_f >= 0
    if not has_vf:
        k_f = 0
    k1 = min(k_f + 1, N - 1)
    i0 = Is[k_f]
    i1 = Is[k1]
    v0 = V[k_f]
    v1 = V[k1]
    if has_vf and i1 > i0:
        vf = v0 + (0 - i0) * (v1 - v0) / (i1 - i0)
    elif has_vf:
        vf = v0
    else:
        vf = np.nan
    has_vf = has_vf and _isfinite(vf)
    vf_hold = vf if has_vf else V[0]
    n_below = 0
    vf_b = vf if has_vf else -np.inf
    for k in range(N):
        if V[k] <= vf_b:
            n_below += 1
    Kf = max(1, n_below)

    vp = V[N - 1] if no_sat else vp0
    ie_c0 = np.nan
    i_es = np.nan
    a_ion = 0.0
    b_ion = 0.0
    te_good = False
    model_ok = False
    have_model = False
    n_mod = np.nan
    m_amp = 0.0
    m_xi = 0.0
    m_vp = 0.0
    m_te = 1.0
    sc = np.zeros(7)
    yb = S[5]
    wb = S[6]
    xb = S[7]
    eta_s = S[8]
    meas = S[9]
    wr = S[10]
    uw = S[11]
    n_ion_pts = 0
    ion_r2 = np.nan
    n_te_pts = 0
    te_r2 = np.nan
    te_se = np.nan
    knee_ok = False
    n_iter = int(P[P_N_ITER])
    for it in range(n_iter):
        # (a) ion branch
        thr_v = vf - te
        nreg = 0
        for k in range(Kf):
            if it == 0:
                yb[k] = I[k]
            else:
                iem = math.exp(ie_c0 + (_fmin(V[k], vp) - vp) / te)
                yb[k] = I[k] - (iem if (te_good and _isfinite(iem)) else 0.0)
            r = ok[k] and V[k] <= thr_v and has_vf
            wb[k] = 1.0 if r else 0.0
            if r:
                nreg += 1
        if nreg < 3:
            for k in range(Kf):
                wb[k] = 1.0 if (ok[k] and V[k] <= vf and has_vf) else 0.0
        b, a, n_ion_pts, ion_r2, _se, mean_ion = _wlinfit(V, yb, wb, Kf)
        if not (b >= 0):
            b = 0.0
            a = mean_ion
        a_ion = a if _isfinite(a) else 0.0
        b_ion = b if _isfinite(b) else 0.0
        use_model = have_model and model_ok

        # (b) Te
        lo = vp + P[P_TE_LO] * te
        if has_vf:
            lo = _fmax(lo, vf)
        hi = V[N - 1] if no_sat else vp + P[P_TE_HI] * te
        k_lo = 0
        k_hi = 0
        for k in range(N):
            if V[k] < lo:
                k_lo += 1
            if V[k] <= hi:
                k_hi += 1
        Wt = max(1, k_hi - k_lo)
        for j in range(Wt):
            jj = k_lo + j
            c = min(jj, N - 1)
            x = V[c]
            i_ion = _ion_at(x, has_vf, a_ion, b_ion, vf_hold, use_model, m_amp, m_xi, m_vp, m_te, sc, kind, P)
            ie = I[c] - i_ion
            ie_s = Is[c] - i_ion
            r = ok[c] and jj < k_hi and ie > 0 and ie_s > 3.0 * sig
            wb[j] = ie_s * ie_s if r else 0.0
            yb[j] = math.log(ie if ie > 0 else 1.0)
            xb[j] = x - vp
        c1, c0, n_te_pts, te_r2, te_se, _ym = _wlinfit(xb, yb, wb, Wt)
        te_new = 1.0 / c1
        good = _isfinite(te_new) and te_new > 0 and n_te_pts >= 4
        if good:
            te = _fmin(te_new, vrange)
            ie_c0 = c0
        te_good = good

        # (c) knee
        vp, i_es, knee_ok = _fit_knee(V, I, ok, N, vp, te, kind, no_sat, it == 0, has_vf, a_ion, b_ion, vf_hold,
                                      use_model, m_amp, m_xi, m_vp, m_te, sc, P, gtab, offs9, offs7, offs5,
                                      xb, uw, yb, wb)
        if no_sat:
            vp = V[N - 1]
        if it < n_iter - 1:
            n_mod, xi_mod, k_mod, _r2, _rel = _ion_density(V, I, ok, Kf, vp, vf, te, te_good, ie_c0, has_vf, kind,
                                                           P, 0.0, False, n_mod, it > 0, False, eta_s, meas,
                                                           wr, cs)
            model_ok = _isfinite(n_mod) and n_mod > 0 and has_vf and te_good
            have_model = True
            m_amp = n_mod * k_mod
            m_xi = xi_mod
            m_vp = vp
            m_te = te
            t1, t2, no, nt, ntr, ca, cb = _shape_coeffs(kind, m_xi, P)
            sc[0] = t1
            sc[1] = t2
            sc[2] = 1.0 if no else 0.0
            sc[3] = 1.0 if nt else 0.0
            sc[4] = 1.0 if ntr else 0.0
            sc[5] = ca
            sc[6] = cb

    # --- results
    E = P[P_E]
    area = P[P_AREA]
    n_e = i_es / (E * area * math.sqrt(E * te / (P[P_TWO_PI] * P[P_ME])))
    i_sat = a_ion + b_ion * vf if has_vf else np.nan
    n_raw, xi, _k, ni_r2, ni_rel = _ion_density(V, I, ok, Kf, vp, vf, te, te_good, ie_c0, has_vf, kind, P, i_sat,
                                                True, n_mod, n_iter > 1, True, eta_s, meas, wr, cs)
    n_i = n_raw / P[P_Z]
    if xi != xi:
        regime = 0
    elif xi <= P[P_XI_OML_MAX]:
        regime = 2 if kind == 0 else 1
    elif xi < P[P_XI_THIN_MIN]:
        regime = 2
    else:
        regime = 3

    # --- reasons (first cause wins)
    too_few = N < P[P_MIN_POINTS] or n_ok < P[P_MIN_POINTS]
    base = 1 if too_few else (10 if flat else 0)
    if base > 0:
        c_vp = base
        c_vf = base
        c_te = base
    else:
        c_vp = 7 if clipped_knee else (2 if no_sat else (9 if not knee_ok else 0))
        c_vf = 3 if not has_vf else 0
        c_te = 4 if n_te_pts < 4 else (5 if not te_good else 0)
    c_ne = 8 if c_te > 0 else c_vp
    c_is = c_vf if c_vf > 0 else (6 if n_ion_pts < 3 else (11 if not (i_sat < 0) else 0))
    c_ni = c_is if c_is > 0 else (8 if c_te > 0 else (11 if not (_isfinite(n_i) and n_i > 0) else 0))
    if c_ni == 0 and c_vp > 0:
        c_ni = 8
    io[C_TE] = c_te
    io[C_VF] = c_vf
    io[C_VP] = c_vp
    io[C_ISAT] = c_is
    io[C_NE] = c_ne
    io[C_NI] = c_ni
    io[I_REGIME] = regime if c_ni == 0 else 0
    io[I_NTE] = n_te_pts
    io[I_NION] = n_ion_pts
    fo[F_TE] = te if c_te == 0 else np.nan
    fo[F_VF] = vf if c_vf == 0 else np.nan
    fo[F_VP] = vp if c_vp == 0 else np.nan
    fo[F_ISAT] = i_sat if c_is == 0 else np.nan
    fo[F_NE] = n_e if c_ne == 0 else np.nan
    fo[F_NI] = n_i if c_ni == 0 else np.nan
    fo[F_IESAT] = i_es if c_ne == 0 else np.nan
    fo[F_XI] = xi if c_ni == 0 else np.nan
    fo[F_TE_R2] = te_r2
    te_rel = te_se * te
    fo[F_TE_REL] = te_rel
    fo[F_ION_R2] = ion_r2
    fo[F_NI_R2] = ni_r2
    fo[F_NI_REL] = ni_rel
    fo[F_NOISE] = sig
    sw = math.sqrt(w)
    fo[F_VF_SIG] = sig / abs(dIdV[k_f]) / sw
    fo[F_NE_REL] = math.sqrt((0.5 * te_rel) ** 2 + (sig / i_es / sw) ** 2)


@njit(cache=True, error_model="numpy")
def clean(v, i, clip_given, has_lo, lo, has_hi, hi):
    """``analyze_sweep``'s clean-up: drop non-finite samples, flag clipping, sort, average duplicates.

    Clipping: at or beyond ``lo``/``hi`` when ``clip_given``; else a flat run
    (>= 3 samples) at the extreme current of a finely digitised record (step
    < 0.2 % of the range; ``langmuir._detect_clipping``). Duplicated biases
    are averaged over their unclipped samples (all of them if every one is
    clipped, and the point stays flagged).

    Returns ``v, i, clipped, n_nonfinite, n_clipped``.
    """
    n0 = v.size
    nf = 0
    for k in range(n0):
        if _isfinite(v[k]) and _isfinite(i[k]):
            nf += 1
    vv = np.empty(nf)
    ii = np.empty(nf)
    m = 0
    for k in range(n0):
        if _isfinite(v[k]) and _isfinite(i[k]):
            vv[m] = v[k]
            ii[m] = i[k]
            m += 1
    n = nf
    clipped = np.zeros(n, np.bool_)
    if clip_given:
        for k in range(n):
            if (has_lo and ii[k] <= lo) or (has_hi and ii[k] >= hi):
                clipped[k] = True
    elif n > 0:
        srt = np.sort(ii)
        nu = 1
        step = np.inf
        for k in range(1, n):
            dd = srt[k] - srt[k - 1]
            if dd != 0:
                nu += 1
                if dd < step:
                    step = dd
        if nu >= 3:
            rng = srt[n - 1] - srt[0]
            if not (step > 2e-3 * rng):
                tol = 1e-9 * rng
                for level in (srt[0], srt[n - 1]):
                    cnt = 0
                    for k in range(n):
                        if abs(ii[k] - level) <= tol:
                            cnt += 1
                    if cnt >= 3:
                        for k in range(n):
                            if abs(ii[k] - level) <= tol:
                                clipped[k] = True
    n_clip = 0
    for k in range(n):
        if clipped[k]:
            n_clip += 1
    order = np.argsort(vv, kind="mergesort")
    vs = vv[order]
    is_ = ii[order]
    cs = clipped[order]
    ng = 1 if n > 0 else 0
    for k in range(1, n):
        if vs[k] != vs[k - 1]:
            ng += 1
    if ng == n:
        return vs, is_, cs, n0 - nf, n_clip
    vo = np.empty(ng)
    io_ = np.empty(ng)
    co = np.zeros(ng, np.bool_)
    g = -1
    cnt = 0.0
    sk = 0.0
    sa = 0.0
    na = 0.0
    for k in range(n + 1):
        if k == n or k == 0 or vs[k] != vs[k - 1]:
            if g >= 0:
                if cnt == 0:
                    io_[g] = sa / na
                    co[g] = True
                else:
                    io_[g] = sk / cnt
            if k == n:
                break
            g += 1
            vo[g] = vs[k]
            cnt = 0.0
            sk = 0.0
            sa = 0.0
            na = 0.0
        keep = not cs[k]
        cnt += 1.0 if keep else 0.0
        sk += is_[k] if keep else 0.0
        sa += is_[k]
        na += 1.0
    return vo, io_, co, n0 - nf, n_clip


@njit(cache=True, error_model="numpy")
def analyze_one(V, I, ok, despike, eedf, cw_s, cw_d, mode_s, mode_d, P, gtab, offs9, offs7, offs5, fo, io):
    """One sweep (sorted, clean): despike (median rule), analyse, and the Druyvesteyn EEDF if asked.

    Returns ``(energy_eV, f)``, empty unless ``eedf`` and both ``V_p`` and
    ``T_e`` are determined (``langmuir._druyvesteyn``).
    """
    N = V.size
    w = cw_s.size
    S = np.empty((N_SCRATCH, N + w))
    cs = np.empty((3, N + 1))
    I2 = np.empty(N)
    if despike:
        io[I_NSPIKE] = _despike(I, N, True, I2, S[0])
    else:
        I2[:] = I
        io[I_NSPIKE] = 0
    _analyze_row(V, I2, ok, N, cw_s, cw_d, mode_s, mode_d, P, gtab, offs9, offs7, offs5, S, cs, fo, io)
    vp = fo[F_VP]
    if not (eedf and _isfinite(vp) and _isfinite(fo[F_TE])):
        return np.empty(0), np.empty(0)
    # second derivative: smoothed derivative of the smoothed dI/dV (S[1]) over dV/di (S[3])
    d2 = S[2]
    _correlate(S[1], N, cw_d, mode_d, S[4], d2)
    nsel = 0
    for k in range(N):
        if V[k] < vp:
            nsel += 1
    E = P[P_E]
    me = P[P_ME]
    coef = 2 * me / (E ** 2 * P[P_AREA])
    eps = np.empty(nsel)
    f = np.empty(nsel)
    j = nsel - 1
    for k in range(N):
        if V[k] < vp:
            dv = S[3, k]
            dd = d2[k] / dv if dv > 0 else 0.0
            e = vp - V[k]
            eps[j] = e
            f[j] = coef * math.sqrt(2 * E * e / me) * dd
            j -= 1
    return eps, f


@njit(cache=True, error_model="numpy", parallel=True)
def analyze_rows(vvals, ivals, okall, starts, down, L, use_median, cw_s, cw_d, mode_s, mode_d, P, gtab, offs9,
                 offs7, offs5, fo, io, nblocks):
    """Sweeps ``k`` = ``[starts[k], starts[k] + L)`` of the shot arrays, reversed where ``down``.

    Each sweep is gathered, despiked (mean rule unless ``use_median``) and
    analysed; blocks of consecutive sweeps run in parallel (``prange``), each
    with its own scratch.
    """
    M = starts.size
    w = cw_s.size
    for blk in prange(nblocks):
        r0 = blk * M // nblocks
        r1 = (blk + 1) * M // nblocks
        S = np.empty((N_SCRATCH, L + w))
        cs = np.empty((3, L + 1))
        V = np.empty(L)
        I = np.empty(L)
        I2 = np.empty(L)
        ok = np.empty(L, np.bool_)
        for r in range(r0, r1):
            s0 = starts[r]
            if down[r]:
                for k in range(L):
                    V[k] = vvals[s0 + L - 1 - k]
                    I[k] = ivals[s0 + L - 1 - k]
                    ok[k] = okall[s0 + L - 1 - k]
            else:
                for k in range(L):
                    V[k] = vvals[s0 + k]
                    I[k] = ivals[s0 + k]
                    ok[k] = okall[s0 + k]
            io[r, I_NSPIKE] = _despike(I, L, use_median, I2, S[0])
            _analyze_row(V, I2, ok, L, cw_s, cw_d, mode_s, mode_d, P, gtab, offs9, offs7, offs5, S, cs, fo[r],
                         io[r])


def threads() -> int:
    """Threads numba will use for :func:`analyze_rows`."""
    return get_num_threads()


@njit(cache=True, error_model="numpy")
def sweep_candidates(bias, size):
    """``split_sweeps``' vectorised part: ``uniform_filter1d(bias, size, mode="nearest")``
    (scipy's running sum, same operation order: bit-identical) and the candidate
    extremes (sign changes of its forward-filled differences, plus both ends).

    Returns ``b, cand, rng`` (``cand`` empty when the record has no slope).
    """
    n = bias.size
    b = np.empty(n)
    if n == 0:
        return b, np.zeros(0, np.int64), np.nan
    s1 = size // 2
    tmp = 0.0
    for ll in range(size):
        k = min(max(ll - s1, 0), n - 1)
        tmp += bias[k]
    b[0] = tmp / size
    for ll in range(1, n):
        k2 = min(ll + size - 1 - s1, n - 1)
        k1 = min(max(ll - 1 - s1, 0), n - 1)
        tmp += bias[k2] - bias[k1]
        b[ll] = tmp / size
    lo = b[0]
    hi = b[0]
    for k in range(n):
        lo = _fmin(lo, b[k])
        hi = _fmax(hi, b[k])
    rng = hi - lo
    if n < 3 or not (rng > 0):
        return b, np.zeros(0, np.int64), rng
    # forward-filled sign of the differences; leading zeros take the first non-zero sign
    first = 0.0
    for k in range(n - 1):
        dd = b[k + 1] - b[k]
        if dd != 0:
            first = 1.0 if dd > 0 else (-1.0 if dd < 0 else dd)
            break
    if first == 0.0:
        return b, np.zeros(0, np.int64), rng
    cand = np.empty(n, np.int64)
    nc = 1
    cand[0] = 0
    prev = first
    for k in range(n - 1):
        dd = b[k + 1] - b[k]
        sgn = 1.0 if dd > 0 else (-1.0 if dd < 0 else (dd if dd != dd else 0.0))
        if sgn == 0.0:
            sgn = prev
        if k > 0 and sgn != prev:
            cand[nc] = k
            nc += 1
        prev = sgn
    cand[nc] = n - 1
    nc += 1
    return b, cand[:nc].copy(), rng
