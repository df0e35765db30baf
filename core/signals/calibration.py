"""Calibrations: digitizer volts → physical units.

Raw counts are first converted to the digitizer's input volts with the
digitizer's own settings (:class:`core.shots.source.ChannelInfo`); a
calibration maps volts to the physical quantity. Three kinds:

``linear``
    ``y = gain * V + offset`` — coefficients ``(gain, offset)``.
``poly``
    ``y = c0 + c1 V + c2 V² + …`` — coefficients ``(c0, c1, …)``.
``table``
    piecewise-linear interpolation through ``(V_i, y_i)`` pairs, sorted by V,
    linear extrapolation outside — coefficients ``(V0, y0, V1, y1, …)``.

Calibrations of signals plotted through the big-signal engine must be
monotonic over the digitizer range (so a min/max envelope maps to a min/max
envelope); :meth:`Calibration.monotonic_on` checks it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import RegistryError

KINDS = ("linear", "poly", "table")


@dataclass(frozen=True)
class Calibration:
    kind: str
    coefficients: tuple
    units: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise RegistryError(f"calibration kind must be one of {KINDS}, got {self.kind!r}")
        c = tuple(float(x) for x in self.coefficients)
        object.__setattr__(self, "coefficients", c)
        if self.kind == "linear" and len(c) != 2:
            raise RegistryError(f"linear calibration needs 2 coefficients (gain offset), got {len(c)}")
        if self.kind == "poly" and len(c) < 1:
            raise RegistryError("polynomial calibration needs at least one coefficient")
        if self.kind == "table":
            if len(c) < 4 or len(c) % 2:
                raise RegistryError("table calibration needs pairs V0 y0 V1 y1 ... (at least two points)")
            xs = np.asarray(c[0::2])
            if np.any(np.diff(xs) <= 0):
                raise RegistryError("table calibration voltages must be strictly increasing")
        if not all(np.isfinite(c)):
            raise RegistryError("calibration coefficients must be finite numbers")

    @classmethod
    def identity(cls, units: str = "V") -> "Calibration":
        return cls("linear", (1.0, 0.0), units)

    def linear_terms(self) -> tuple[float, float] | None:
        """``(gain, offset)`` when the calibration is affine, else None."""
        c = self.coefficients
        if self.kind == "linear":
            return c[0], c[1]
        if self.kind == "poly" and (len(c) <= 2 or not any(c[2:])):
            return (c[1] if len(c) > 1 else 0.0), c[0]
        return None

    def apply(self, volts, out=None) -> np.ndarray:
        """Physical values for *volts* (float64)."""
        v = np.asarray(volts, dtype=float)
        lt = self.linear_terms()
        if lt is not None:
            g, o = lt
            r = np.multiply(v, g, out=out)
            r += o
            return r
        if self.kind == "poly":
            return np.polynomial.polynomial.polyval(v, self.coefficients)
        xs = np.asarray(self.coefficients[0::2])
        ys = np.asarray(self.coefficients[1::2])
        r = np.interp(v, xs, ys)
        lo, hi = v < xs[0], v > xs[-1]
        if lo.any():
            r[lo] = ys[0] + (v[lo] - xs[0]) * (ys[1] - ys[0]) / (xs[1] - xs[0])
        if hi.any():
            r[hi] = ys[-1] + (v[hi] - xs[-1]) * (ys[-1] - ys[-2]) / (xs[-1] - xs[-2])
        return r

    def monotonic_on(self, v_lo: float, v_hi: float, n: int = 4097) -> int:
        """+1 if increasing on [v_lo, v_hi], -1 if decreasing, 0 if not monotonic."""
        y = self.apply(np.linspace(v_lo, v_hi, n))
        d = np.diff(y)
        if np.all(d >= 0):
            return 1
        if np.all(d <= 0):
            return -1
        return 0

    def describe(self) -> str:
        c = " ".join(f"{x:.6g}" for x in self.coefficients)
        return f"{self.kind} [{c}] → {self.units}"
