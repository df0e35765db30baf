"""Foundation benchmarks: get_signal, registry resolution, shot index listing.

Run: ``.venv/bin/python bench/bench_foundation.py`` (``--n 1e7`` samples,
``--shots 1e5`` index rows). Every figure is printed next to a baseline
measured in the same run; medians of repeated runs.
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import median_time, row  # noqa: E402

from core.db import get_engine  # noqa: E402
from core.shots.format import DigitizerSettings, ShotWriter  # noqa: E402
from core.shots.index import ShotFile  # noqa: E402
from core.testbed import Testbed  # noqa: E402


def bench_get_signal(tmp: Path, n: int) -> None:
    shots = tmp / "shots"
    w = ShotWriter(shots / "shot_000001.h5", 1, datetime.now(timezone.utc), "bench")
    w.add_digitizer(DigitizerSettings("d", 1e7, 0.0, 16, 10.0))
    rng = np.random.default_rng(0)
    w.create_channel("d", "ch0", data=rng.integers(-20000, 20000, n, dtype=np.int16))
    w.finish()
    tb = Testbed(db_url=f"sqlite:///{tmp / 'b.sqlite'}", shots_dir=shots)
    tb.registry.append("wiring", "Big", 1, None, {"digitizer": "d", "channel": "ch0"})
    tb.registry.append("calibration", "Big", 1, None, {"type": "linear", "coefficients": [3.0, 0.5], "units": "A"})
    tb.update_index()
    path = shots / "shot_000001.h5"
    vpc = 10.0 / 32768

    def bare():
        with h5py.File(path, "r") as f:
            raw = f["digitizers/d/ch0"][()]
        return raw * (vpc * 3.0) + 0.5

    def ours():
        return tb.get_signal("Big", 1).data

    assert np.allclose(bare(), ours())
    tb_ = median_time(bare, 7)
    to = median_time(ours, 7)
    print(f"get_signal on a {n:.0e}-sample int16 channel")
    row("baseline: bare h5py read + one numpy calibration pass", tb_)
    row("get_signal (registry + index + read + calibrate)", to, tb_, "goal ≤ 1.5×")


def bench_registry(tmp: Path) -> None:
    tb = Testbed(db_url=f"sqlite:///{tmp / 'r.sqlite'}", shots_dir=tmp)
    rows = []
    for k in range(200):  # 200 signals, each rewired/recalibrated 10 times
        for r in range(10):
            rows.append(dict(kind="wiring", name=f"S{k}", valid_from=1000 * r, valid_to=None, revision=r + 1,
                             payload={"digitizer": "d", "channel": f"ch{r}"}))
    tb.registry.append_many(rows)
    reg = tb.registry
    eng = tb.engine
    from sqlalchemy import text

    def sql():
        with eng.connect() as c:
            return c.execute(text(
                "SELECT * FROM registry_records WHERE kind='wiring' AND name='S77' AND valid_from <= 5500 "
                "AND (valid_to IS NULL OR valid_to > 5500) ORDER BY revision DESC LIMIT 1")).first()

    reg.resolve_wiring("S77", 5500)
    t_sql = median_time(lambda: [sql() for _ in range(100)], 5) / 100
    t_res = median_time(lambda: [reg.resolve_wiring("S77", 5500) for _ in range(1000)], 5) / 1000
    reg.refresh_interval = 0  # worst case: check the database for new records on every call

    t_fresh = median_time(lambda: [reg.resolve_wiring("S77", 5500) for _ in range(100)], 5) / 100
    print("registry resolution of one name (2,000 records)")
    row("baseline: one indexed SQL query for the record", t_sql)
    row("resolve_wiring (in-memory, refreshed every 2 s)", t_res, t_sql, "goal ≤ 1 ms")
    row("resolve_wiring, checking the database every call", t_fresh, t_sql, "goal ≤ 1 ms")


def bench_index(tmp: Path, n: int) -> None:
    dbfile = tmp / "idx.sqlite"
    tb = Testbed(db_url=f"sqlite:///{dbfile}", shots_dir=tmp)
    eng = get_engine(tb.config.db_url)
    t0 = datetime(2020, 1, 1, tzinfo=timezone.utc)
    words = ["Ar reference", "He scan", "power scan", "density ramp", "probe tip", "conditioning"]
    recs = []
    for i in range(n):
        settings = {"gas": {"value": "He" if i % 9 == 0 else "Ar", "units": ""},
                    "rf_power": {"value": 500.0 + i % 1500, "units": "W"}}
        recs.append(dict(location=f"/data/shot_{i:06d}.h5", shot=i, source="hdf5",
                         status="corrupt" if i % 997 == 0 else "complete", error="",
                         start_time=t0 + timedelta(minutes=20 * i), duration_s=0.05,
                         comment=words[i % len(words)], operator="bench", settings_json=json.dumps(settings),
                         search_text=f"{words[i % len(words)]} gas={settings['gas']['value']}".lower(),
                         channels_json="[]", n_channels=0, checksum="", size=0, mtime_ns=0, indexed_at=t0))
    with eng.begin() as c:
        c.execute(ShotFile.__table__.insert(), recs)
    idx = tb.index
    con = sqlite3.connect(dbfile)

    def raw_all():
        return con.execute("SELECT shot, start_time, duration_s, status, comment, settings_json, location, error "
                           "FROM shot_files ORDER BY shot DESC").fetchall()

    def raw_range():
        return con.execute("SELECT shot, start_time, duration_s, status, comment, settings_json, location, error "
                           "FROM shot_files WHERE shot BETWEEN 1200 AND 1250 ORDER BY shot DESC").fetchall()

    print(f"shot index of {n:.0e} shots (SQLite)")
    b_all = median_time(raw_all, 5)
    b_rng = median_time(raw_range, 7)
    row("baseline: raw sqlite3 fetch of all rows", b_all)
    row("list() all rows, newest first (ShotRow tuples)", median_time(lambda: idx.list(""), 5), b_all, "goal ≤ 50 ms")
    row("list(limit=500): first page for the browser", median_time(lambda: idx.list("", limit=500), 7), b_all,
        "goal ≤ 50 ms")
    row("baseline: raw sqlite3 range query 1200-1250", b_rng)
    row("list('1200-1250')", median_time(lambda: idx.list("1200-1250"), 7), b_rng, "goal ≤ 50 ms")
    row("list('>99000')", median_time(lambda: idx.list(">99000"), 7), b_rng, "goal ≤ 50 ms")
    row("list('2021-03-01')  (one day)", median_time(lambda: idx.list("2021-03-01"), 7), b_rng, "goal ≤ 50 ms")
    row("list('status:corrupt')", median_time(lambda: idx.list("status:corrupt"), 7), b_rng, "goal ≤ 50 ms")
    row("list('density gas=He', limit=500)  (free text)", median_time(lambda: idx.list("density gas=he", limit=500), 5),
        b_all, "goal ≤ 50 ms")
    row("count('')", median_time(lambda: idx.count(""), 7), b_rng)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e7, help="samples of the get_signal channel")
    ap.add_argument("--shots", type=float, default=1e5, help="rows of the synthetic index")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_get_signal(tmp, int(a.n))
        bench_registry(tmp)
        bench_index(tmp, int(a.shots))


if __name__ == "__main__":
    main()
