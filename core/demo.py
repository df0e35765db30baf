"""The built-in demo testbed: a small linear RF (helicon-like) plasma device.

``gilgamesh demo`` writes it into the user data directory in a few seconds:
36 shots (1001-1036) of 13 channels on two digitizers at 1-2 MHz, the
registry imported from the wiring/calibration/property sheets in
``resources/demo/``, and the ground truth (the plasma parameters the raw data
were made from) in ``truth/shot_NNNNNN.npz``.

Reality it exercises
--------------------
* rewiring: ``Langmuir_I`` moves from dtacq1/ch01 to dtacq1/ch05 at shot 1020;
* recalibration: the ``Langmuir_I`` amplifier gain changes at shot 1015;
* a retroactive correction: ``Fill_pressure`` calibration revision 2 (recorded
  2026-11-24) supersedes revision 1 for every shot (``as_of`` shows the old belief);
* a disconnection: ``Photodiode`` for shots 1008-1011;
* a probe tip replaced at shot 1018 (``langmuir1.length`` 5 → 4 mm);
* shot 1025 is corrupt (a block of samples altered after the checksum);
* shot 1036 is still acquiring (SWMR file, half written, never finished).

The Langmuir probe current is computed with the forward probe model
(:func:`core.machine.probe_model.probe_current`) from the plasma parameters,
so the physics can be checked against the truth.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import h5py
import numpy as np

from core.config import resources_dir
from core.machine.probe_model import ProbeGeometry, probe_current
from core.shots.format import DigitizerSettings, ShotWriter, shot_filename
from core.signals.calibration import Calibration
from core.signals.registry import Registry
from core.signals.sheets import import_sheet
from core.tasks import progress

FIRST_SHOT = 1001
N_SHOTS = 36
CORRUPT_SHOT = 1025
ACQUIRING_SHOT = 1036
REWIRED_AT = 1020
RECALIBRATED_AT = 1015
TIP_REPLACED_AT = 1018
DISCONNECTED = (1008, 1012)
SWEEP_HZ = 2000.0  # triangular bias sweep; 500 samples per ramp at 2 MHz
PRETRIGGER_S = 0.005
RECORD_S = 0.050

DIGITIZERS = {
    "dtacq1": DigitizerSettings("dtacq1", 2e6, -PRETRIGGER_S, 16, 10.0, 0.0, "D-TACQ ACQ424 (demo)"),
    "dtacq2": DigitizerSettings("dtacq2", 1e6, -PRETRIGGER_S, 14, 5.0, 0.0, "D-TACQ ACQ480 (demo)"),
}
CHANNELS = {"dtacq1": [f"ch{i:02d}" for i in range(6)], "dtacq2": [f"ch{i:02d}" for i in range(8)]}

COMMENTS = [
    "conditioning shot after vent", "Ar reference discharge", "RF power scan 1/4", "RF power scan 2/4",
    "RF power scan 3/4", "RF power scan 4/4", "B-field scan", "B-field scan, photodiode fibre broken",
    "pressure scan", "pressure scan", "pressure scan", "reference discharge, photodiode fibre replaced",
    "probe current clipping, reduce gain", "probe current clipping", "gain reduced to 5 V/A",
    "long pulse", "long pulse", "new probe tip (4 mm)", "reference after tip change",
    "Langmuir I moved to ch05", "density ramp", "density ramp", "density ramp", "reference discharge",
    "DAQ glitch during storage", "He discharge test", "He discharge", "He discharge, high power",
    "back to Ar", "Ar reference discharge", "low pressure", "low pressure, high field", "end of day reference",
    "RF power scan repeat", "RF power scan repeat", "long pulse, live acquisition",
]


@dataclass
class ShotPlan:
    shot: int
    start_time: datetime
    gas: str
    fill_pressure_pa: float
    b_field_t: float
    rf_power_w: float
    pulse_s: float
    comment: str


def plan(first: int = FIRST_SHOT, n: int = N_SHOTS, seed: int = 1) -> list[ShotPlan]:
    rng = np.random.default_rng(seed)
    t0 = datetime(2026, 11, 16, 8, 30, tzinfo=timezone.utc)
    out = []
    for i in range(n):
        shot = first + i
        day, k = divmod(i, 6)
        start = t0 + timedelta(days=day, minutes=55 * k + int(rng.integers(0, 20)))
        gas = "He" if 1026 <= shot <= 1028 else "Ar"
        p = [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.3, 0.7, 1.0][i % 11] if i < 11 else float(
            rng.choice([0.3, 0.4, 0.5, 0.6, 0.8]))
        rf = [600.0, 800.0, 1000.0, 1200.0, 1500.0, 1800.0][i % 6] if 2 <= i < 6 else float(
            rng.choice([800.0, 1000.0, 1200.0, 1500.0]))
        b = [0.04, 0.06, 0.08, 0.10][i % 4] if 6 <= i < 8 else float(rng.choice([0.06, 0.08, 0.1]))
        pulse = 0.035 if "long pulse" in COMMENTS[i] else 0.025
        out.append(ShotPlan(shot, start, gas, round(p, 2), b, rf, pulse, COMMENTS[i % len(COMMENTS)]))
    return out


def _envelope(t, pulse_s, rise_s=1.5e-3, fall_s=2e-3):
    """Smooth 0→1→0 profile of the discharge (on at t = 0 for pulse_s)."""
    on = 1.0 / (1.0 + np.exp(-(t - 3 * rise_s / 2) / (rise_s / 4)))
    off = 1.0 / (1.0 + np.exp((t - pulse_s) / (fall_s / 4)))
    return on * off


def plasma_truth(p: ShotPlan, t: np.ndarray, rng) -> dict[str, np.ndarray]:
    """Plasma parameters at the probe vs time (the ground truth)."""
    env = _envelope(t, p.pulse_s)
    ion_factor = 0.45 if p.gas == "He" else 1.0
    n0 = 2.0e17 * (p.rf_power_w / 1000.0) * (p.fill_pressure_pa / 0.5) ** 0.5 * (p.b_field_t / 0.08) ** 0.3
    n0 *= ion_factor
    te0 = (3.5 if p.gas == "Ar" else 6.0) * (0.5 / p.fill_pressure_pa) ** 0.3
    # slow evolution: density builds up over the pulse, Te overshoots at breakdown
    slow = 0.85 + 0.15 * np.clip(t / max(p.pulse_s, 1e-3), 0, 1)
    wobble = 1.0 + 0.03 * np.sin(2 * np.pi * 170.0 * t + rng.uniform(0, 6))
    n = n0 * env * slow * wobble
    te = te0 * (1.0 + 0.6 * np.exp(-np.clip(t, 0, None) / 2e-3)) * (0.3 + 0.7 * env)
    te = np.maximum(te, 0.3)
    vp = 5.0 + 3.2 * te * env
    return {"n_e": n, "te": te, "v_plasma": vp, "env": env}


def _inverse(cal: Calibration, phys: np.ndarray, v_lo: float, v_hi: float) -> np.ndarray:
    """Digitizer volts that the calibration maps to *phys* (monotonic on [v_lo, v_hi])."""
    lt = cal.linear_terms()
    if lt is not None:
        return (phys - lt[1]) / lt[0]
    grid = np.linspace(v_lo, v_hi, 20001)
    y = cal.apply(grid)
    d = np.sign(np.diff(y))
    flips = np.nonzero(d != d[-1])[0]
    start = flips[-1] + 1 if flips.size else 0  # the monotonic branch that reaches v_hi (detector diodes)
    grid, y = grid[start:], y[start:]
    if y[-1] < y[0]:
        grid, y = grid[::-1], y[::-1]
    return np.interp(phys, y, grid)


def _counts(volts: np.ndarray, d: DigitizerSettings, rng, noise_counts=1.5) -> np.ndarray:
    full = 2 ** (d.bits - 1)
    c = (volts - d.offset_v) / (d.input_range_v / full) + rng.normal(0, noise_counts, volts.shape)
    return np.clip(np.round(c), -full, full - 1).astype(np.int16)


def physical_signals(p: ShotPlan, registry: Registry, rng) -> tuple[dict, dict]:
    """Physical waveforms of every signal (keyed by name) and the truth."""
    d1, d2 = DIGITIZERS["dtacq1"], DIGITIZERS["dtacq2"]
    t1 = d1.trigger_time_s + np.arange(int(RECORD_S * d1.sample_rate_hz)) / d1.sample_rate_hz
    t2 = d2.trigger_time_s + np.arange(int(RECORD_S * d2.sample_rate_hz)) / d2.sample_rate_hz
    tr1 = plasma_truth(p, t1, np.random.default_rng(p.shot))
    tr2 = {k: np.interp(t2, t1, v) for k, v in tr1.items()}
    ion = "He+" if p.gas == "He" else "Ar+"
    # Langmuir probe 1: triangular sweep -60 V .. +30 V
    phase = (t1 * SWEEP_HZ) % 1.0
    tri = np.where(phase < 0.5, 2 * phase, 2 - 2 * phase)
    bias = -60.0 + 90.0 * tri
    geom = ProbeGeometry("cylindrical", radius_m=registry.property("langmuir1", "radius", p.shot),
                         length_m=registry.property("langmuir1", "length", p.shot))
    n_safe = np.maximum(tr1["n_e"], 1e10)
    cur = probe_current(bias, n_safe, tr1["te"], tr1["v_plasma"], ion=ion, geometry=geom)
    cur = cur * (tr1["n_e"] > 1e12)
    cur = cur + rng.normal(0, 2e-5, cur.shape)
    # probe 2 at fixed -80 V in ion saturation, planar, slightly lower density off axis
    geom2 = ProbeGeometry.planar(registry.property("langmuir2", "area", p.shot))
    isat2 = probe_current(np.full_like(t1, -80.0), 0.7 * n_safe, tr1["te"], tr1["v_plasma"], ion=ion, geometry=geom2)
    isat2 = isat2 * (tr1["n_e"] > 1e12)
    env1, env2 = tr1["env"], tr2["env"]
    rf_on1 = ((t1 >= 0) & (t1 < p.pulse_s)).astype(float)
    rf_on2 = ((t2 >= 0) & (t2 < p.pulse_s)).astype(float)
    # antenna current for the Rogowski coil: I = I0 * envelope; coil voltage = M dI/dt
    i_ant = 40.0 * np.sqrt(p.rf_power_w / 1000.0) * _envelope(t2, p.pulse_s, 0.6e-3, 0.8e-3)
    m_true = registry.property("rogowski", "mutual_inductance", p.shot)
    v_rog = m_true * np.gradient(i_ant, t2) + 0.004 + 0.02 * (t2 - t2[0])  # offset + integrator drift
    # interferometer: line-integrated density; one fringe jump in some shots
    lam, passes = registry.property("interferometer", "wavelength", p.shot), registry.property(
        "interferometer", "passes", p.shot)
    r_e = 2.8179403262e-15
    nl = 0.75 * tr2["n_e"] * registry.property("interferometer", "path_length", p.shot)
    phi = r_e * lam * passes * nl
    if p.shot % 7 == 3:
        phi = phi + 2 * np.pi * (t2 > 0.6 * p.pulse_s)
    pressure = p.fill_pressure_pa * (1.0 - 0.15 * env2)
    refl_frac = 0.04 + 0.1 * np.exp(-np.clip(t2, 0, None) / 1.5e-3)
    p_fwd = p.rf_power_w * rf_on2 * (1 - np.exp(-np.clip(t2, 0, None) / 2e-4))
    p_refl = p_fwd * refl_frac
    light = 0.8 * (tr2["n_e"] / 3e17) * np.exp(-11.5 / np.maximum(tr2["te"], 0.3)) * 30 * env2
    coil = np.full_like(t2, p.b_field_t / 1e-3)  # 1 mT per A
    coil += 2.0 * np.sin(2 * np.pi * 300 * t2)  # 300 Hz rectifier ripple
    valve = np.where((t2 > -0.004) & (t2 < p.pulse_s), 3.0, 0.0)
    ant_v = 800.0 * np.sqrt(p.rf_power_w / 1000.0) * env1 * (1 + 0.05 * rng.standard_normal(t1.shape))
    trig = 5.0 * rf_on1
    sig = {
        "Langmuir_V": (t1, bias), "Langmuir_I": (t1, cur), "Isat2": (t1, isat2), "Antenna_V": (t1, ant_v),
        "Trigger": (t1, trig), "Rogowski_V": (t2, v_rog), "Interf_phase": (t2, phi),
        "Fill_pressure": (t2, pressure), "RF_fwd": (t2, p_fwd), "RF_refl": (t2, p_refl),
        "Photodiode": (t2, light), "Coil_I": (t2, coil), "Gas_valve": (t2, valve),
    }
    truth = {"t": t1[::20], "n_e": tr1["n_e"][::20], "te": tr1["te"][::20], "v_plasma": tr1["v_plasma"][::20],
             "ion": ion, "antenna_current_t": t2[::10], "antenna_current": i_ant[::10],
             "line_density": nl[::10], "line_density_t": t2[::10],
             "fill_pressure_pa": p.fill_pressure_pa, "rf_power_w": p.rf_power_w, "b_field_t": p.b_field_t,
             "probe_radius_m": geom.radius_m, "probe_length_m": geom.length_m}
    return sig, truth


def write_shot(p: ShotPlan, registry: Registry, shots_dir: Path, truth_dir: Path,
               acquiring: bool = False) -> Path:
    """Write one demo shot (and its truth) consistent with the registry."""
    rng = np.random.default_rng(10_000 + p.shot)
    sig, truth = physical_signals(p, registry, rng)
    # channel -> counts, by resolving the registry as a user would
    chan_data: dict[tuple[str, str], np.ndarray] = {}
    for name, (t, phys) in sig.items():
        w = registry.resolve("wiring", name, p.shot)
        if w is None:
            continue
        if w.disconnected:
            continue
        crec = registry.resolve("calibration", name, p.shot)
        cal = crec.calibration if crec else Calibration.identity()
        d = DIGITIZERS[w.payload["digitizer"]]
        volts = _inverse(cal, phys, -d.input_range_v, d.input_range_v)
        chan_data[(w.payload["digitizer"], w.payload["channel"])] = _counts(volts, d, rng)
    path = shots_dir / shot_filename(p.shot)
    settings = {"gas": (p.gas, ""), "fill_pressure": (p.fill_pressure_pa, "Pa"), "b_field": (p.b_field_t, "T"),
                "rf_power": (p.rf_power_w, "W"), "rf_frequency": (13.56e6, "Hz"), "pulse_length": (p.pulse_s, "s")}
    w = ShotWriter(path, p.shot, p.start_time, p.comment, settings, operator="demo")
    for dname, d in DIGITIZERS.items():
        w.add_digitizer(d)
    for dname, chans in CHANNELS.items():
        n = int(RECORD_S * DIGITIZERS[dname].sample_rate_hz)
        for ch in chans:
            data = chan_data.get((dname, ch))
            if data is None:  # unused or disconnected input: noise around zero
                data = np.round(rng.normal(0, 1.5, n)).astype(np.int16)
            if acquiring:
                w.create_channel(dname, ch, chunk=4096)
                chan_data[(dname, ch)] = data
            else:
                w.create_channel(dname, ch, data=data, chunk=1 << 16)
    if acquiring:
        w.start_swmr()
        for (dname, ch), data in chan_data.items():
            w.append(dname, ch, data[: len(data) // 2])
        for dname, chans in CHANNELS.items():
            for ch in chans:
                if (dname, ch) not in chan_data:
                    w.append(dname, ch, np.zeros(int(RECORD_S * DIGITIZERS[dname].sample_rate_hz) // 2))
        w.close_unfinished()
    else:
        w.finish()
    np.savez_compressed(truth_dir / f"shot_{p.shot:06d}.npz", **truth)
    return path


def corrupt(path: Path) -> None:
    """Alter a block of samples without updating the checksum (a storage fault)."""
    with h5py.File(path, "r+") as f:
        ds = f["digitizers/dtacq1/ch00"]
        ds[1000:1064] = np.int16(12345)


def demo_dir(root: Path | None = None) -> Path:
    from core.config import data_dir

    return Path(root) if root else data_dir() / "demo"


def create_demo(root: Path | None = None, db_url: str | None = None, *, force: bool = False,
                n_shots: int = N_SHOTS, task=None):
    """Write the demo testbed and index it; returns the :class:`~core.testbed.Testbed`.

    Parameters
    ----------
    root : path, optional
        Demo folder (default ``<data dir>/demo``); shots go to ``root/shots``.
    db_url : str, optional
        Database (default: the configured one).
    force : bool
        Remove an existing demo folder first.
    """
    from core.config import load_config
    from core.testbed import Testbed

    root = demo_dir(root)
    shots_dir, truth_dir = root / "shots", root / "truth"
    if root.exists() and force:
        shutil.rmtree(root)
    shots_dir.mkdir(parents=True, exist_ok=True)
    truth_dir.mkdir(parents=True, exist_ok=True)
    cfg = load_config()
    if db_url:
        cfg.db_url = db_url
    cfg.shots_dir = shots_dir
    tb = Testbed(cfg)
    sheets = resources_dir() / "demo"
    for name in ("wiring.csv", "calibration.csv", "properties.csv"):
        import_sheet(tb.registry, sheets / name)
    plans = plan(n=n_shots)
    for i, p in enumerate(plans):
        progress(task, i / len(plans), f"writing shot {p.shot}")
        path = shots_dir / shot_filename(p.shot)
        if path.exists():
            continue
        acq = p.shot == ACQUIRING_SHOT
        write_shot(p, tb.registry, shots_dir, truth_dir, acquiring=acq)
        if p.shot == CORRUPT_SHOT:
            corrupt(path)
    tb.update_index(task=None)
    progress(task, 1.0, "demo ready")
    return tb


def load_truth(shot: int, root: Path | None = None) -> dict:
    with np.load(demo_dir(root) / "truth" / f"shot_{shot:06d}.npz") as z:
        return {k: z[k] for k in z.files}
