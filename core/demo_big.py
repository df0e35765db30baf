"""A big demo shot: long, fast-digitized channels for the big-signal engine.

:func:`write_big_shot` writes a realistic shot of ``n_samples`` int16 samples
per channel at 10 MHz with :class:`core.shots.format.ShotWriter`, generating
the waveforms block by block so that memory stays bounded whatever the
length (1e9 samples = 2 GB per channel on disk). ``gilgamesh demo --big``
and ``bench/bench_bigsignal.py`` call it.

Channels (digitizer ``fast``, 14-bit, ±5 V), in this order:

``ip``
    Rogowski-integrator output of the plasma current: ramp-up, flat-top with
    sawtooth crashes and bursts of a 40 kHz MHD mode, ramp-down, digitizer
    noise.
``probe_i``
    Current of a swept Langmuir probe: a 1 kHz triangular bias sweep through
    an exponential I–V characteristic, scaled by the discharge density and
    modulated by low-frequency turbulence, plus noise.
``probe_v``, ``mirnov``, ...
    Further channels (when ``n_channels > 2``): the probe bias sweep and a
    Mirnov coil (bursty MHD oscillation), then copies of the above with
    other seeds.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from core.shots.format import DigitizerSettings, ShotWriter
from core.tasks import check, progress

#: Sample rate of the demo's fast digitizer.
SAMPLE_RATE_HZ = 10e6
#: Trigger time: the digitizer starts 1 ms before the shot's t = 0.
TRIGGER_TIME_S = -1e-3
BITS = 14
INPUT_RANGE_V = 5.0
#: Samples generated and appended per block (bounded memory: ~10 float32 temporaries of this size).
BLOCK = 1 << 21
CHANNEL_NAMES = ("ip", "probe_i", "probe_v", "mirnov")


def _discharge(u: np.ndarray) -> np.ndarray:
    """Normalized discharge envelope of the shot's normalized time *u* in [0, 1)."""
    up = np.clip((u - 0.05) / 0.10, 0.0, 1.0)
    down = np.clip((0.95 - u) / 0.10, 0.0, 1.0)
    return (np.minimum(up, down) ** 1.5).astype(np.float32)


def _waveform(kind: str, i0: int, n: int, n_total: int, rng: np.random.Generator,
              state: dict) -> np.ndarray:
    """Volts of channel *kind* for samples ``[i0, i0 + n)`` (float32)."""
    idx = np.arange(i0, i0 + n, dtype=np.float64)
    u = (idx / n_total).astype(np.float32)
    t = (idx / SAMPLE_RATE_HZ).astype(np.float64)
    env = _discharge(u)
    noise = rng.standard_normal(n, dtype=np.float32)
    if kind == "ip":
        # Sawtooth crashes: ~60 periods over the discharge; each drops the current by 3 %.
        saw_phase = (u * 60.0) % 1.0
        saw = 1.0 - 0.03 * (1.0 - saw_phase)
        # MHD bursts: a 40 kHz mode whose amplitude pulses 12 times over the shot.
        burst = np.maximum(np.sin(2 * np.pi * 12.0 * u), 0.0) ** 8
        mode = (0.05 * burst * np.sin(2 * np.pi * 40e3 * t)).astype(np.float32)
        y = 3.8 * env * (saw + mode) + 0.02 * noise
    elif kind == "probe_i":
        vb = _sweep(t)
        te, vf, isat = 8.0, -15.0, 0.8
        turb = _turbulence(rng, n, state)
        dens = env * (1.0 + 0.25 * turb)
        cur = isat * (np.exp(np.minimum((vb - vf) / te, 2.5)) - 1.0) * 0.35
        y = dens * cur + 0.015 * noise
    elif kind == "probe_v":
        y = _sweep(t) / 20.0 + 0.005 * noise
    else:  # mirnov: dB/dt of the MHD mode, bursty, with broadband noise
        burst = np.maximum(np.sin(2 * np.pi * 12.0 * u), 0.0) ** 8
        y = env * (1.5 * burst * np.sin(2 * np.pi * 40e3 * t + 0.3)).astype(np.float32) + 0.05 * noise
    return y.astype(np.float32, copy=False)


def _sweep(t: np.ndarray) -> np.ndarray:
    """Probe bias: a 1 kHz triangle between -60 V and +20 V."""
    ph = (t * 1e3) % 1.0
    tri = 2.0 * np.abs(2.0 * ph - 1.0) - 1.0
    return (-20.0 + 40.0 * tri).astype(np.float32)


def _turbulence(rng: np.random.Generator, n: int, state: dict) -> np.ndarray:
    """Low-frequency fluctuation (~10 kHz), continuous across blocks."""
    step = 256  # one control point per 25.6 µs, linearly interpolated
    m = n // step + 2
    pts = rng.standard_normal(m).astype(np.float32)
    # An AR(1) walk, continuous with the previous block (filter state carried over).
    from scipy.signal import lfilter

    zi = state.get("turb_zi", np.zeros(1))
    out, state["turb_zi"] = lfilter([0.45], [1.0, -0.9], pts, zi=zi)
    out = out.astype(np.float32)
    x = np.arange(n, dtype=np.float32) / step
    return np.interp(x, np.arange(m, dtype=np.float32), out).astype(np.float32)


def write_big_shot(path, shot: int = 9001, n_samples: int = 100_000_000, n_channels: int = 2,
                   task=None, seed: int = 0, chunk: int = 1 << 20) -> Path:
    """Write a big, realistic demo shot of int16 channels at 10 MHz.

    Parameters
    ----------
    path : path-like
        Destination file (must not exist: shot files are write-once).
    shot : int
        Shot number stored in the file.
    n_samples : int
        Samples per channel (1e8 = 200 MB per channel; 1e9 = 2 GB).
    n_channels : int
        Number of channels (1 to 4 distinct waveforms, then repeats with other seeds).
    task : core.tasks.TaskState, optional
        Progress and cancellation. On cancellation the partial file is removed.
    seed : int
        Seed of the noise generator (the file is deterministic for a given seed).
    chunk : int
        HDF5 chunk length in samples.

    Returns
    -------
    pathlib.Path
        The written file, finished (checksum computed, status complete).
    """
    path = Path(path)
    n_samples = int(n_samples)
    if n_samples < 1 or n_channels < 1:
        raise ValueError("n_samples and n_channels must be at least 1")
    w = ShotWriter(path, shot, datetime.now(timezone.utc),
                   comment=f"big demo shot: {n_channels} x {n_samples:,} samples at 10 MHz",
                   settings={"gas": ("He", ""), "fill_pressure": (2e-3, "mbar")}, operator="demo")
    try:
        w.add_digitizer(DigitizerSettings("fast", SAMPLE_RATE_HZ, TRIGGER_TIME_S, BITS,
                                          INPUT_RANGE_V, 0.0, "demo 14-bit 10 MS/s"))
        names = [CHANNEL_NAMES[k % len(CHANNEL_NAMES)] + ("" if k < len(CHANNEL_NAMES) else f"_{k}")
                 for k in range(n_channels)]
        for name in names:
            w.create_channel("fast", name, dtype="int16", chunk=min(chunk, n_samples))
        scale = np.float32(2 ** (BITS - 1) / INPUT_RANGE_V)
        lim = 2 ** (BITS - 1)
        total = n_samples * n_channels
        done = 0
        for k, name in enumerate(names):
            kind = CHANNEL_NAMES[k % len(CHANNEL_NAMES)]
            rng = np.random.default_rng([seed, k])
            state: dict = {}
            for i0 in range(0, n_samples, BLOCK):
                n = min(BLOCK, n_samples - i0)
                v = _waveform(kind, i0, n, n_samples, rng, state)
                counts = np.clip(np.rint(v * scale), -lim, lim - 1).astype(np.int16)
                w.append("fast", name, counts)
                done += n
                progress(task, 0.9 * done / total, f"writing {name}")
        check(task)
        progress(task, 0.9, "checksum")
        w.finish()
    except BaseException:
        try:
            w.close_unfinished()
        except Exception:  # already closed by finish()
            pass
        path.unlink(missing_ok=True)
        raise
    progress(task, 1.0, "done")
    return path
