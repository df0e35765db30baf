"""Compile (or load from numba's cache) the Langmuir kernels ahead of first use.

``python -m core.machine.warmup`` analyses one synthetic sweep and one short
synthetic shot. With an empty numba cache this takes ~20–30 s once; later
processes load the compiled code in well under a second. The set-up script
and the test suite call it so that no user action (or GUI test) pays the
compile time.
"""
from __future__ import annotations

import time

import numpy as np


def warmup() -> float:
    """Run both analysis paths once; returns the seconds it took."""
    from core.machine.langmuir import analyze_shot, analyze_sweep
    from core.machine.probe_model import ProbeGeometry, probe_current

    t0 = time.perf_counter()
    geom = ProbeGeometry("cylindrical", radius_m=2.5e-4, length_m=5e-3)
    v = np.linspace(-60, 30, 500)
    i = probe_current(v, 2e17, 4.0, 10.0, ion="Ar+", geometry=geom)
    analyze_sweep(v, i, ion="Ar+", geometry=geom)
    t = np.arange(4000) / 2e6
    ph = (t * 2000.0) % 1.0
    bias = -60 + 90 * np.where(ph < 0.5, 2 * ph, 2 - 2 * ph)
    cur = probe_current(bias, 2e17, 4.0, 10.0, ion="Ar+", geometry=geom)
    analyze_shot(t, bias, cur, geom, "Ar+")
    return time.perf_counter() - t0


if __name__ == "__main__":
    from core.machine import langmuir

    print(f"Langmuir kernels ready ({langmuir.backend()}) in {warmup():.1f} s")
