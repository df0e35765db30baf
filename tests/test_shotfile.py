"""The HDF5 shot format: writer, reader, statuses (complete/acquiring/corrupt/unreadable)."""
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

import h5py
import numpy as np
import pytest

from core.shots.format import DigitizerSettings, ShotWriter, compute_checksum, shot_filename
from core.shots.hdf5source import HDF5Source
from core.shots.source import load_source

ROOT = Path(__file__).resolve().parent.parent


def write_simple(path, shot=7, n=1000, finish=True):
    w = ShotWriter(path, shot, datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), "test shot",
                   {"gas": ("Ar", ""), "fill_pressure": (0.5, "Pa")}, operator="me")
    w.add_digitizer(DigitizerSettings("dig", 1e6, -1e-3, 16, 10.0, 0.25))
    data = (np.arange(n) % 3000 - 1500).astype(np.int16)
    w.create_channel("dig", "ch00", data=data)
    w.create_channel("dig", "ch01", data=-data)
    if finish:
        w.finish()
    else:
        w.close_unfinished()
    return data


def test_roundtrip_metadata_and_data(tmp_path):
    p = tmp_path / shot_filename(7)
    data = write_simple(p)
    src = HDF5Source(tmp_path)
    info = src.inspect(str(p))
    assert info.status == "complete", info.error
    assert info.shot == 7 and info.comment == "test shot" and info.operator == "me"
    assert info.start_time == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert info.settings["fill_pressure"] == {"value": 0.5, "units": "Pa"}
    assert info.settings["gas"]["value"] == "Ar"
    ch = info.channel("dig", "ch00")
    assert ch.n_samples == 1000 and ch.bits == 16 and ch.sample_rate_hz == 1e6
    assert ch.volts_per_count == pytest.approx(10.0 / 32768)
    assert info.duration_s == pytest.approx(1000 / 1e6)
    np.testing.assert_array_equal(src.read_raw(str(p), "dig", "ch00"), data)
    np.testing.assert_array_equal(src.read_raw(str(p), "dig", "ch01", 10, 20), -data[10:20])


def test_write_once(tmp_path):
    p = tmp_path / "s.h5"
    write_simple(p)
    with pytest.raises(FileExistsError, match="write-once"):
        ShotWriter(p, 8, datetime.now(timezone.utc))


def test_checksum_is_documented_algorithm(tmp_path):
    """The checksum is reproducible from the documented recipe alone (docs/shot-format.md)."""
    import hashlib

    p = tmp_path / "s.h5"
    data = write_simple(p)
    h = hashlib.sha256()
    for name, arr in (("dig/ch00", data), ("dig/ch01", -data)):
        h.update(f"{name}\n".encode())
        h.update(arr.astype("<i2").tobytes())
    with h5py.File(p, "r") as f:
        assert f.attrs["checksum"] == "sha256:" + h.hexdigest()
        assert compute_checksum(f) == f.attrs["checksum"]


def test_corrupt_when_content_changes(tmp_path):
    p = tmp_path / "s.h5"
    write_simple(p)
    with h5py.File(p, "r+") as f:
        f["digitizers/dig/ch01"][3] = 99
    info = HDF5Source(tmp_path).inspect(str(p))
    assert info.status == "corrupt"
    assert "checksum mismatch" in info.error


def test_complete_without_checksum_is_corrupt(tmp_path):
    p = tmp_path / "s.h5"
    write_simple(p)
    with h5py.File(p, "r+") as f:
        f.attrs["checksum"] = ""
    info = HDF5Source(tmp_path).inspect(str(p))
    assert info.status == "corrupt" and "without a checksum" in info.error


def test_unfinished_is_acquiring(tmp_path):
    p = tmp_path / "s.h5"
    write_simple(p, finish=False)
    info = HDF5Source(tmp_path).inspect(str(p))
    assert info.status == "acquiring"


@pytest.mark.parametrize("cut", [0, 8, 100, 800, 2048, 4000, 6000, -2000, -200, -1])
def test_truncated_files_are_reported_not_raised(tmp_path, cut):
    good = tmp_path / "good.h5"
    write_simple(good, n=3000)
    raw = good.read_bytes()
    bad = tmp_path / "shot_000042.h5"
    bad.write_bytes(raw[:cut] if cut >= 0 else raw[:len(raw) + cut])
    t0 = time.monotonic()
    info = HDF5Source(tmp_path).inspect(str(bad))
    assert time.monotonic() - t0 < 10
    assert info.status in ("unreadable", "corrupt"), info
    assert info.error
    assert info.shot == 42  # still listed under its conventional name


def test_junk_and_foreign_hdf5(tmp_path):
    (tmp_path / "junk.h5").write_bytes(np.random.default_rng(0).bytes(10000))
    with h5py.File(tmp_path / "foreign.h5", "w") as f:
        f["x"] = [1, 2, 3]
    src = HDF5Source(tmp_path)
    j = src.inspect(str(tmp_path / "junk.h5"))
    assert j.status == "unreadable" and "signature" in j.error
    fo = src.inspect(str(tmp_path / "foreign.h5"))
    assert fo.status == "unreadable" and "not a Gilgamesh shot file" in fo.error
    gone = src.inspect(str(tmp_path / "shot_000077.h5"))
    assert gone.status == "missing" and gone.shot == 77


def test_live_swmr_writer_in_another_process(tmp_path):
    """A DAQ in another process writes with SWMR; we read it while it acquires, then complete."""
    p = tmp_path / "shot_000100.h5"
    go = tmp_path / "go"
    script = textwrap.dedent(f"""
        import sys, time, numpy as np
        from datetime import datetime, timezone
        sys.path.insert(0, {str(ROOT)!r})
        from core.shots.format import ShotWriter, DigitizerSettings
        w = ShotWriter({str(p)!r}, 100, datetime.now(timezone.utc), "live")
        w.add_digitizer(DigitizerSettings("dig", 1e6, 0.0, 16, 10.0))
        w.create_channel("dig", "ch00", chunk=256)
        w.start_swmr()
        w.append("dig", "ch00", np.arange(500))
        print("ready", flush=True)
        while not __import__("os").path.exists({str(go)!r}):
            time.sleep(0.02)
        w.append("dig", "ch00", np.arange(500, 1000))
        w.finish()
        print("done", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        src = HDF5Source(tmp_path)
        info = src.inspect(str(p))
        assert info.status == "acquiring", info.error
        got = src.read_raw(str(p), "dig", "ch00")
        np.testing.assert_array_equal(got, np.arange(500))
        go.touch()
        assert proc.stdout.readline().strip() == "done"
        proc.wait(30)
        info = src.inspect(str(p))
        assert info.status == "complete", info.error
        np.testing.assert_array_equal(src.read_raw(str(p), "dig", "ch00"), np.arange(1000))
    finally:
        proc.kill()


def test_source_lookup():
    assert isinstance(load_source("hdf5", "/tmp"), HDF5Source)
    from core.errors import ConfigError

    with pytest.raises(ConfigError, match="Unknown shot source 'mdsplus'.*hdf5"):
        load_source("mdsplus", "/tmp")


def test_entry_point_declared():
    """The built-in source is declared in the gilgamesh.sources entry-point group."""
    import tomllib

    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    eps = meta["project"]["entry-points"]["gilgamesh.sources"]
    assert eps["hdf5"] == "core.shots.hdf5source:HDF5Source"
    from importlib.metadata import entry_points

    names = {ep.name for ep in entry_points(group="gilgamesh.sources")}
    assert "hdf5" in names, "package not installed (pip install -e .)?"


def test_malformed_digitizer_settings_are_reported_not_raised(tmp_path):
    p = tmp_path / "s.h5"
    write_simple(p)
    with h5py.File(p, "r+") as f:
        f["digitizers/dig"].attrs["sample_rate_hz"] = 0.0
        f["digitizers/dig"].create_dataset("scalar", data=3)
    info = HDF5Source(tmp_path).inspect(str(p))
    assert info.status == "unreadable" and ("sample_rate_hz" in info.error or "1-D" in info.error)


def test_start_time_with_offset_is_stored_in_utc(tmp_path):
    from datetime import timedelta

    p = tmp_path / "s.h5"
    tz = timezone(timedelta(hours=1))
    w = ShotWriter(p, 9, datetime(2026, 11, 20, 0, 30, tzinfo=tz), "")
    w.add_digitizer(DigitizerSettings("dig", 1e6, 0.0, 16, 10.0))
    w.create_channel("dig", "ch00", data=np.zeros(10, np.int16))
    w.finish()
    info = HDF5Source(tmp_path).inspect(str(p))
    assert info.start_time == datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc)
    assert info.start_time.utcoffset() == timedelta(0)
