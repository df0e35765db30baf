"""Benchmark of the notebook store and sync on a real PostgreSQL started here.

Figures, each printed next to a baseline measured in the same run:

1. first push of 1,000 notebooks of ~100 kB (target <= 10 s), against bare
   SQL inserts of the same bytes (psycopg ``executemany`` into a two-column
   table, one transaction);
2. a no-change sync over 10,000 notebooks (target <= 2 s), against a bare SQL
   read of the same paths and hashes plus a bare ``os.walk``/``stat`` of the folder;
3. for information, the same status with every local file re-hashed
   (``verify=True``), against a bare read of every byte from disk.

Run: ``.venv/bin/python bench/bench_notebooks.py [--small N] [--large N] [--repeat R]``.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg  # noqa: E402

from core.notebooks.admin import create_user  # noqa: E402
from core.notebooks.store import NotebookStore  # noqa: E402
from core.notebooks.sync import SyncEngine  # noqa: E402
from core.testing import PostgresServer  # noqa: E402


def make_notebook(i: int, size: int) -> bytes:
    """A plausible notebook of about *size* bytes: code cells, text, one PNG output."""
    png = base64.b64encode(os.urandom(max(size * 3 // 4 - 2000, 100))).decode()
    nb = {
        "cells": [
            {"cell_type": "markdown", "id": f"m{i}", "metadata": {},
             "source": [f"# Shot analysis {i}\n", "Langmuir probe sweep, ion saturation fit.\n"]},
            {"cell_type": "code", "execution_count": 1, "id": f"c{i}", "metadata": {},
             "outputs": [{"data": {"image/png": png, "text/plain": ["<Figure>"]}, "metadata": {},
                          "output_type": "display_data"}],
             "source": ["from core.signals import get_signal\n", f"sig = get_signal('Langmuir_I', shot={i})\n",
                        "sig.plot()"]},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    return (json.dumps(nb, indent=1) + "\n").encode()


def write_folder(root: Path, user: str, n: int, size: int) -> dict[str, bytes]:
    out = {}
    for i in range(n):
        rel = f"users/{user}/run{i // 500:03d}/nb{i:05d}.ipynb"
        data = make_notebook(i, size)
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
        out[rel] = data
    return out


def libpq(pg: PostgresServer, db: str, user: str) -> str:
    return f"host={pg.sockdir} port={pg.port} dbname={db} user={user}"


def bare_insert(pg: PostgresServer, db: str, files: dict[str, bytes]) -> float:
    with psycopg.connect(libpq(pg, db, pg.superuser)) as conn:
        conn.execute("DROP TABLE IF EXISTS bare")
        conn.execute("CREATE TABLE bare (path text PRIMARY KEY, sha256 text, content bytea)")
        conn.commit()
        import hashlib

        t0 = time.perf_counter()
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO bare VALUES (%s, %s, %s)",
                            [(p, hashlib.sha256(d).hexdigest(), d) for p, d in files.items()])
        conn.commit()
        return time.perf_counter() - t0


def bare_read_heads(pg: PostgresServer, db: str) -> float:
    with psycopg.connect(libpq(pg, db, pg.superuser)) as conn:
        t0 = time.perf_counter()
        rows = conn.execute("SELECT path, sha256 FROM bare").fetchall()
        dt = time.perf_counter() - t0
        assert rows
        return dt


def bare_walk(root: Path) -> float:
    t0 = time.perf_counter()
    n = 0
    for dirpath, _, names in os.walk(root):
        for name in names:
            os.stat(os.path.join(dirpath, name))
            n += 1
    return time.perf_counter() - t0


def bare_read_bytes(root: Path) -> float:
    t0 = time.perf_counter()
    for dirpath, dirnames, names in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in names:
            with open(os.path.join(dirpath, name), "rb") as f:
                f.read()
    return time.perf_counter() - t0


def fmt(label: str, t: float, base: float, target: float | None = None) -> str:
    s = f"{label:<48} {t:8.3f} s   baseline {base:8.3f} s   ratio {t / base:6.1f}x"
    if target is not None:
        s += f"   target <= {target:.0f} s: {'OK' if t <= target else 'MISSED'}"
    return s


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=1000, help="notebooks in the first-push test (~100 kB each)")
    ap.add_argument("--large", type=int, default=10000, help="notebooks in the no-change sync test")
    ap.add_argument("--large-size", type=int, default=8000, help="bytes per notebook in the no-change test")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="gil-nbbench-"))
    os.environ.setdefault("GILGAMESH_HOME", str(tmp / "home"))
    user = "bench_user"
    try:
        with PostgresServer(port=5433) as pg:
            print(f"PostgreSQL {pg.psql('SHOW server_version').strip()} on a unix socket; "
                  f"{os.cpu_count()} CPUs; {a.repeat} repetitions, medians\n")

            # 1. first push of N x ~100 kB
            push_t, base_t = [], []
            for r in range(a.repeat):
                db = f"bench_push_{r}"
                url = pg.create_database(db)
                create_user(url, user)
                folder = tmp / f"push{r}"
                files = write_folder(folder, user, a.small, 100_000)
                base_t.append(bare_insert(pg, db, files))
                store = NotebookStore(pg.url(db, user=user))  # the user's own role: RLS on
                eng = SyncEngine(folder, store)
                t0 = time.perf_counter()
                res = eng.push()
                push_t.append(time.perf_counter() - t0)
                assert len(res.pushed) == a.small and res.ok, res.summary()
                store.close()
                shutil.rmtree(folder)
            mb = sum(len(d) for d in files.values()) / 1e6
            print(f"first push: {a.small} notebooks, {mb:.0f} MB")
            print(fmt("  push (scan + hash + store, RLS role)", statistics.median(push_t),
                      statistics.median(base_t), 10))
            print(f"  ({a.small / statistics.median(push_t):.0f} notebooks/s, "
                  f"{mb / statistics.median(push_t):.0f} MB/s)\n")

            # 2. no-change sync over a large store
            db = "bench_large"
            url = pg.create_database(db)
            create_user(url, user)
            folder = tmp / "large"
            files = write_folder(folder, user, a.large, a.large_size)
            bare_insert(pg, db, files)
            store = NotebookStore(pg.url(db, user=user))
            eng = SyncEngine(folder, store)
            t0 = time.perf_counter()
            res = eng.push()
            t_setup = time.perf_counter() - t0
            assert len(res.pushed) == a.large and res.ok
            time.sleep(2.1)  # let the hash cache trust the files (racy-timestamp guard)
            eng.status(verify=True)
            eng.save_state()
            eng = SyncEngine(folder, store)  # fresh engine: state read from disk like a new run
            sync_t, heads_t, walk_t, verify_t, bytes_t = [], [], [], [], []
            for _ in range(max(a.repeat, 5)):
                t0 = time.perf_counter()
                res = SyncEngine(folder, store).sync()
                sync_t.append(time.perf_counter() - t0)
                assert not (res.pushed or res.pulled or res.conflicts or res.errors), res.summary()
                heads_t.append(bare_read_heads(pg, db))
                walk_t.append(bare_walk(folder))
            for _ in range(a.repeat):
                t0 = time.perf_counter()
                sts = SyncEngine(folder, store).status(verify=True)
                verify_t.append(time.perf_counter() - t0)
                assert {s.state.value for s in sts} == {"in sync"}
                bytes_t.append(bare_read_bytes(folder))
            store.close()
            mb = sum(len(d) for d in files.values()) / 1e6
            print(f"no-change sync: {a.large} notebooks, {mb:.0f} MB (first push of them took {t_setup:.1f} s)")
            base = statistics.median(heads_t) + statistics.median(walk_t)
            print(fmt("  sync, nothing to do", statistics.median(sync_t), base, 2))
            print(f"  (baseline = bare SELECT path, sha256 of {a.large} rows "
                  f"{statistics.median(heads_t):.3f} s + bare os.walk/stat {statistics.median(walk_t):.3f} s)")
            print(fmt("  status with every file re-hashed (verify)", statistics.median(verify_t),
                      statistics.median(bytes_t)))
            print("  (baseline = reading every local byte from disk)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
