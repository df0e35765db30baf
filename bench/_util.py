"""Small helpers shared by the benchmarks: medians of repeated timings, a table printer."""
from __future__ import annotations

import statistics
import time


def median_time(fn, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


def fmt_s(t: float) -> str:
    if t < 1e-3:
        return f"{t * 1e6:8.1f} µs"
    if t < 1:
        return f"{t * 1e3:8.2f} ms"
    return f"{t:8.3f} s "


def row(label: str, t: float, base: float | None = None, goal: str = "") -> None:
    ratio = f"{t / base:6.2f}×" if base else "       "
    print(f"  {label:58} {fmt_s(t)}  {ratio}  {goal}")
