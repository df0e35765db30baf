"""The signal approach on the demo testbed, against its ground truth (SQLite and PostgreSQL)."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import h5py
import numpy as np
import pandas as pd
import pytest

from core.demo import load_truth
from core.errors import (ShotAcquiringError, ShotCorruptError, ShotNotFoundError, SignalDisconnectedError,
                         UnknownSignalError)
from core.machine.probe_model import ProbeGeometry, probe_current


def expected_probe_current(tb, root, shot):
    tr = load_truth(shot, root)
    v = tb.get_signal("Langmuir_V", shot).data[::20]
    geom = ProbeGeometry("cylindrical", radius_m=tb.registry.property("langmuir1", "radius", shot),
                         length_m=tb.registry.property("langmuir1", "length", shot))
    i = probe_current(v, np.maximum(tr["n_e"], 1e10), tr["te"], tr["v_plasma"], ion=str(tr["ion"]), geometry=geom)
    return i * (tr["n_e"] > 1e12)


@pytest.mark.parametrize("shot", [1014, 1015, 1019, 1021])
def test_langmuir_current_across_rewiring_and_recalibration(demo, shot):
    """1014: ch01 gain 0.1; 1015: ch01 gain 0.2 (recalibrated); 1019: new tip; 1021: ch05 (rewired)."""
    tb, root = demo
    sig = tb.get_signal("Langmuir_I", shot)
    assert sig.units == "A"
    recs = {r["kind"]: r for r in sig.provenance.records}
    assert sig.provenance.channel == ("ch05" if shot >= 1020 else "ch01")
    assert recs["calibration"]["revision"] == (2 if shot >= 1015 else 1)
    exp = expected_probe_current(tb, root, shot)
    got = sig.data[::20]
    # digitizer quantisation (0.2 A/V * 0.3 mV) + the demo's 20 µA noise
    assert np.median(np.abs(got - exp)) < 1e-4
    assert np.corrcoef(got, exp)[0, 1] > 0.999


def test_wrong_channel_or_calibration_would_be_detected(demo):
    """The comparison above can fail: the old wiring's channel does not give the current."""
    tb, root = demo
    from core.testbed import Resolution

    res = tb.resolve("Langmuir_I", 1021)
    counts = tb.source.read_raw(res.location, "dtacq1", "ch01")  # the pre-rewiring channel
    wrong = res.raw_to_physical(counts)[::20]
    exp = expected_probe_current(tb, root, 1021)
    assert np.max(np.abs(wrong - exp)) > 0.05
    assert abs(np.corrcoef(wrong, exp)[0, 1]) < 0.5


def test_time_base_and_slicing(demo):
    tb, _ = demo
    full = tb.get_signal("Langmuir_V", 1003)
    assert full.t0 == pytest.approx(-0.005) and full.dt == pytest.approx(5e-7) and len(full) == 100_000
    part = tb.get_signal("Langmuir_V", 1003, (0.0, 0.001))
    assert len(part) == 2000 and part.t0 == pytest.approx(0.0)
    np.testing.assert_array_equal(part.data, full.data[10_000:12_000])
    assert part.time[-1] < 0.001
    assert len(tb.get_signal("Langmuir_V", 1003, (1.0, 2.0))) == 0  # past the end: empty, no error


def test_retroactive_calibration_and_as_of(demo):
    tb, root = demo
    truth = load_truth(1010, root)
    p = tb.get_signal("Fill_pressure", 1010, (None, -0.001))
    assert np.mean(p.data) == pytest.approx(float(truth["fill_pressure_pa"]), rel=0.02)
    old = tb.get_signal("Fill_pressure", 1010, (None, -0.001), as_of=datetime(2026, 11, 20, tzinfo=timezone.utc))
    assert np.mean(old.data) == pytest.approx(1.25 * float(truth["fill_pressure_pa"]), rel=0.02)
    assert {r["revision"] for r in old.provenance.records if r["kind"] == "calibration"} == {1}


def test_polynomial_calibration(demo):
    tb, _ = demo
    s = tb.get_signal("RF_fwd", 1004)
    row = tb.index.get(1004)
    import json

    setpoint = json.loads(row.settings_json)["rf_power"]["value"]
    flat = s.slice_time(0.01, 0.02).data
    assert np.mean(flat) == pytest.approx(setpoint, rel=0.02)


def test_errors_users_can_act_on(demo):
    tb, _ = demo
    with pytest.raises(UnknownSignalError, match="Did you mean .*'Langmuir_I'"):
        tb.get_signal("Langmuir_l", 1003)
    with pytest.raises(SignalDisconnectedError, match=r"disconnected for shot 1010 \(since shot 1008\): fibre"):
        tb.get_signal("Photodiode", 1010)
    assert len(tb.get_signal("Photodiode", 1012)) == 50_000
    with pytest.raises(ShotNotFoundError, match="Shot 4242 not found"):
        tb.get_signal("Langmuir_I", 4242)
    with pytest.raises(ShotAcquiringError, match="still being acquired"):
        tb.get_signal("Langmuir_I", 1036)
    half = tb.get_signal("Langmuir_I", 1036, allow_acquiring=True)
    assert len(half) == 50_000
    with pytest.raises(ShotCorruptError, match="corrupt.*checksum mismatch"):
        tb.get_signal("Langmuir_I", 1025)


def test_file_corrupted_after_indexing_is_noticed(demo, tmp_path):
    tb, root = demo
    import shutil

    from core.testbed import Testbed

    shots = tmp_path / "shots"
    shutil.copytree(root / "shots", shots)
    t2 = Testbed(db_url=f"sqlite:///{tmp_path / 'i.sqlite'}", shots_dir=shots)
    t2.registry.append_many([dict(kind=r.kind, name=r.name, valid_from=r.valid_from, valid_to=r.valid_to,
                                  revision=r.revision, payload=r.payload)
                             for k in tb.registry._by_key_all() for r in tb.registry.records(*k)])
    assert len(t2.get_signal("Coil_I", 1005)) == 50_000
    import os

    p = shots / "shot_001005.h5"
    st = os.stat(p)
    with h5py.File(p, "r+") as f:
        f["digitizers/dtacq2/ch06"][100] += 1
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(ShotCorruptError):
        t2.get_signal("Coil_I", 1005)


def test_batch_form(demo):
    tb, _ = demo
    out = tb.get_signals(["Coil_I", "Photodiode"], [1009, 1013], errors="collect")
    assert isinstance(out[("Photodiode", 1009)], SignalDisconnectedError)
    assert len(out[("Coil_I", 1009)]) == 50_000
    with ThreadPoolExecutor(2) as ex:
        par = tb.get_signals("Coil_I", range(1001, 1011), executor=ex)
    assert sorted(s for _, s in par) == list(range(1001, 1011))
    with pytest.raises(SignalDisconnectedError):
        tb.get_signals(["Photodiode"], [1009])


def test_pandas_and_exports_carry_provenance(demo, tmp_path):
    tb, _ = demo
    s = tb.get_signal("Coil_I", 1002, (0, 0.001))
    ser = s.to_series()
    assert isinstance(ser, pd.Series) and ser.index.name == "time_s" and ser.attrs["units"] == "A"
    assert ser.attrs["provenance"]["digitizer"] == "dtacq2"
    df = s.to_dataframe()
    assert list(df.columns) == ["time_s", "Coil_I"]
    s.to_csv(tmp_path / "c.csv")
    text = (tmp_path / "c.csv").read_text().splitlines()
    assert text[0] == "# signal: Coil_I" and text[3].startswith("# provenance: ")
    back = pd.read_csv(tmp_path / "c.csv", comment="#")
    np.testing.assert_allclose(back["Coil_I"].to_numpy(), s.data)
    s.to_hdf5(tmp_path / "c.h5")
    with h5py.File(tmp_path / "c.h5") as f:
        g = f["Coil_I_1002"]
        assert g["data"].attrs["units"] == "A" and '"channel": "ch06"' in g.attrs["provenance"]
        np.testing.assert_array_equal(g["data"][()], s.data)
    assert "Signal('Coil_I', shot=1002" in repr(s)


def test_default_testbed_from_config(demo, monkeypatch):
    tb, root = demo
    import core
    from core.testbed import set_default_testbed

    monkeypatch.setenv("GILGAMESH_DB_URL", tb.config.db_url)
    monkeypatch.setenv("GILGAMESH_SHOTS_DIR", str(root / "shots"))
    set_default_testbed(None)
    try:
        s = core.get_signal("Coil_I", 1003)
        assert s.shot == 1003 and s.units == "A"
    finally:
        set_default_testbed(None)


def test_file_deleted_after_indexing(demo, tmp_path):
    tb, root = demo
    import shutil

    from core.testbed import Testbed

    shots = tmp_path / "shots"
    shutil.copytree(root / "shots", shots)
    t2 = Testbed(db_url=f"sqlite:///{tmp_path / 'i.sqlite'}", shots_dir=shots)
    t2.registry.append("wiring", "Coil_I", 1001, None, {"digitizer": "dtacq2", "channel": "ch06"})
    assert len(t2.get_signal("Coil_I", 1003)) == 50_000
    (shots / "shot_001003.h5").unlink()
    with pytest.raises(ShotNotFoundError, match="file removed"):
        t2.get_signal("Coil_I", 1003)
    out = t2.get_signals("Coil_I", [1003, 1004], errors="collect")
    assert isinstance(out[("Coil_I", 1003)], ShotNotFoundError) and len(out[("Coil_I", 1004)]) == 50_000
