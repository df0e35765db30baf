"""The gilgamesh command: demo, index, shots, wiring, signal (exit codes and messages)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import h5py
import pytest

from manager.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *args):
    rc = main(list(args))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.fixture
def demo_env(demo_sqlite, monkeypatch):
    tb, root = demo_sqlite
    monkeypatch.setenv("GILGAMESH_DB_URL", tb.config.db_url)
    monkeypatch.setenv("GILGAMESH_SHOTS_DIR", str(root / "shots"))
    return tb, root


def test_demo_then_shots_in_a_fresh_home_subprocess(tmp_path):
    env = dict(os.environ, GILGAMESH_HOME=str(tmp_path / "home"))
    env.pop("GILGAMESH_DB_URL", None)
    env.pop("GILGAMESH_SHOTS_DIR", None)
    r = subprocess.run([sys.executable, "-m", "manager.cli", "demo", "--big", "--big-samples", "3e6"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "36 shots indexed" in r.stdout and "big shot:" in r.stdout
    big = Path(r.stdout.split("big shot:")[1].strip())
    with h5py.File(big) as f:
        assert f.attrs["status"] == "complete"
        assert max(ds.shape[0] for g in f["digitizers"].values() for ds in g.values()) >= 3_000_000
    r = subprocess.run([sys.executable, "-m", "manager.cli", "shots", "1024-1026"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[1].split()[0] == "1026" and "corrupt" in lines[2] and "checksum mismatch" in lines[2]


def test_shots_filters_and_json(capsys, demo_env):
    rc, out, _ = run(capsys, "shots", "status:acquiring", "--json")
    assert rc == 0
    rows = json.loads(out)
    assert [r["shot"] for r in rows] == [1036] and rows[0]["settings"]["gas"]["value"] == "Ar"
    rc, out, _ = run(capsys, "shots", "gas=He")
    assert rc == 0 and {ln.split()[0] for ln in out.splitlines()[1:]} == {"1026", "1027", "1028"}
    rc, out, err = run(capsys, "shots", "status:nonsense")
    assert rc == 2 and "unknown status 'nonsense'" in err


def test_wiring_show_history_diff_export_import(capsys, demo_env, tmp_path):
    rc, out, _ = run(capsys, "wiring", "show", "1021")
    assert rc == 0
    line = next(ln for ln in out.splitlines() if ln.startswith("Langmuir_I"))
    assert "dtacq1/ch05" in line and "r2 [1020, ∞)" in line
    rc, out, _ = run(capsys, "wiring", "show", "1010", "--as-of", "2026-11-20")
    assert "Fill_pressure" in out and "linear [1 0]" in next(ln for ln in out.splitlines() if "Fill_pressure" in ln)
    rc, out, _ = run(capsys, "wiring", "history", "Langmuir_I")
    assert "cable moved to ch05" in out and "gain switched to 5 V/A" in out
    rc, out, err = run(capsys, "wiring", "history", "Langmuir_l")
    assert rc == 2 and "Did you mean" in err
    rc, out, _ = run(capsys, "wiring", "diff", "1014", "1021")
    assert "dtacq1/ch01  →  dtacq1/ch05" in out and "langmuir1.length" in out
    rc, out, _ = run(capsys, "wiring", "export", str(tmp_path / "sheets"))
    assert rc == 0 and (tmp_path / "sheets" / "wiring.csv").exists()
    rc, out, _ = run(capsys, "wiring", "import", str(tmp_path / "sheets" / "wiring.csv"))
    assert rc == 0 and "0 record(s) added, 15 already present" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("signal,valid_from,valid_to,revision,digitizer,channel\nX,abc,,1,d,c\n")
    rc, out, err = run(capsys, "wiring", "import", str(bad))
    assert rc == 2 and "line 2" in err


def test_signal_summary_exports_and_errors(capsys, demo_env, tmp_path):
    rc, out, _ = run(capsys, "signal", "Langmuir_I", "--shot", "1021", "--csv", str(tmp_path / "s.csv"),
                     "--hdf5", str(tmp_path / "s.h5"))
    assert rc == 0 and "dtacq1/ch05" in out and "units='A'" in out
    assert (tmp_path / "s.csv").read_text().startswith("# signal: Langmuir_I")
    rc, out, _ = run(capsys, "signal", "Coil_I", "--shot", "1003", "--json", "--t-start", "0", "--t-stop", "0.001")
    d = json.loads(out)
    assert d["samples"] == 1000 and d["units"] == "A" and d["provenance"]["digitizer"] == "dtacq2"
    cases = [
        (("signal", "Photodiode", "--shot", "1010"), "disconnected for shot 1010 (since shot 1008)"),
        (("signal", "Langmuir_I", "--shot", "1036"), "still being acquired"),
        (("signal", "Langmuir_I", "--shot", "1025"), "is corrupt"),
        (("signal", "Langmuir_I", "--shot", "5555"), "Shot 5555 not found"),
        (("signal", "Langmuir", "--shot", "1003"), "Unknown signal 'Langmuir'"),
    ]
    for args, msg in cases:
        rc, out, err = run(capsys, *args)
        assert rc == 2 and msg in err, (args, err)
    rc, out, _ = run(capsys, "signal", "Langmuir_I", "--shot", "1036", "--allow-acquiring", "--json")
    assert rc == 0 and json.loads(out)["samples"] == 50_000


def test_index_reports_bad_files(capsys, tmp_path, monkeypatch):
    from tests.test_shotfile import write_simple

    write_simple(tmp_path / "shot_000001.h5", shot=1)
    (tmp_path / "shot_000002.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    monkeypatch.setenv("GILGAMESH_DB_URL", f"sqlite:///{tmp_path / 'i.sqlite'}")
    rc, out, _ = run(capsys, "index", str(tmp_path))
    assert rc == 0 and "2 new" in out and "shot 2: unreadable" in out
    rc, out, _ = run(capsys, "index", str(tmp_path))
    assert "0 new, 0 updated" in out


def test_bad_as_of_is_a_clear_error(capsys, demo_env):
    rc, out, err = run(capsys, "wiring", "show", "1010", "--as-of", "20.11.2026")
    assert rc == 2 and "is not an ISO 8601 date" in err
