"""Local folder <-> store sync: states, push/pull, conflicts, nbdime merges, crash safety."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest
from nbdime.merging import merge_notebooks

from core.notebooks import NotebookStore, StoreMismatchError
from core.notebooks.store import sha256_hex
from core.notebooks.sync import TMP_SUFFIX, SyncEngine, SyncState, atomic_write
from core.tasks import Cancelled, TaskState

ROOT = Path(__file__).resolve().parent.parent


def states(eng: SyncEngine) -> dict[str, str]:
    return {s.path: s.state.value for s in eng.status()}


@pytest.fixture
def two(db_url, tmp_path):
    """Two clients (alice, bob) on one store, each with a local folder."""
    sa, sb = NotebookStore(db_url, user="alice"), NotebookStore(db_url, user="bob")
    a, b = SyncEngine(tmp_path / "alice", sa), SyncEngine(tmp_path / "bob", sb)
    yield a, b
    sa.close()
    sb.close()


def put(eng: SyncEngine, path: str, data: bytes) -> None:
    p = eng.local_path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)


def test_states_and_push_pull(two):
    a, b = two
    put(a, "lab/x.ipynb", b"x1")
    put(a, "users/alice/mine.ipynb", b"m1")
    assert states(a) == {"lab/x.ipynb": "new locally", "users/alice/mine.ipynb": "new locally"}
    r = a.push()
    assert sorted(r.pushed) == ["lab/x.ipynb", "users/alice/mine.ipynb"] and r.ok
    assert set(states(a).values()) == {"in sync"}
    assert states(b) == {"lab/x.ipynb": "new centrally", "users/alice/mine.ipynb": "new centrally"}
    b.pull()
    assert b.local_path("users/alice/mine.ipynb").read_bytes() == b"m1"  # colleagues' notebooks too

    put(b, "lab/x.ipynb", b"x2")
    assert states(b)["lab/x.ipynb"] == "modified locally"
    b.push()
    assert states(a)["lab/x.ipynb"] == "modified centrally"
    a.pull()
    assert a.local_path("lab/x.ipynb").read_bytes() == b"x2"

    a.local_path("lab/x.ipynb").unlink()
    assert states(a)["lab/x.ipynb"] == "deleted locally"
    a.push()
    assert states(b)["lab/x.ipynb"] == "deleted centrally"
    b.pull()
    assert not b.local_path("lab/x.ipynb").exists()
    assert "lab/x.ipynb" not in states(b)
    assert [v.kind for v in a.store.history("lab/x.ipynb")] == ["delete", "save", "save"]


def test_touching_is_not_a_change_and_hashes_decide(two):
    a, _ = two
    put(a, "lab/t.ipynb", b"same")
    a.sync()
    p = a.local_path("lab/t.ipynb")
    future = time.time() + 3600
    os.utime(p, (future, future))
    assert states(a)["lab/t.ipynb"] == "in sync"
    # same size, same mtime, different bytes: the verify pass still sees it
    st = p.stat()
    p.write_bytes(b"SAME")
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert {s.path: s.state for s in a.status(verify=True)}["lab/t.ipynb"] is SyncState.MODIFIED_LOCALLY


def test_conflict_keeps_both_and_stashes_the_local_copy_first(two):
    a, b = two
    put(a, "lab/c.ipynb", b"base")
    a.sync()
    b.sync()
    put(a, "lab/c.ipynb", b"alice's")
    put(b, "lab/c.ipynb", b"bob's")
    b.sync()
    assert states(a)["lab/c.ipynb"] == "conflict"
    r = a.sync()
    (c,) = r.conflicts
    assert c.resolution == "both" and c.conflict_path.startswith("lab/c (conflict alice ")
    assert a.local_path("lab/c.ipynb").read_bytes() == b"bob's"  # central under the original name
    assert a.local_path(c.conflict_path).read_bytes() == b"alice's"  # local beside it
    hist = a.store.history("lab/c.ipynb")
    assert hist[0].kind == "conflict" and hist[0].id == c.stash_version  # safe in the store first
    assert a.store.get_version(c.stash_version).content == b"alice's"
    assert a.store.get(c.conflict_path).content == b"alice's"
    assert set(states(a).values()) == {"in sync"}
    b.sync()
    assert b.local_path(c.conflict_path).read_bytes() == b"alice's"


@pytest.mark.parametrize("how", ["mine", "theirs"])
def test_resolve_mine_or_theirs(two, how):
    a, b = two
    put(a, "lab/r.ipynb", b"base")
    a.sync()
    b.sync()
    put(a, "lab/r.ipynb", b"alice's")
    put(b, "lab/r.ipynb", b"bob's")
    b.sync()
    r = a.sync(resolve=how)
    want = b"alice's" if how == "mine" else b"bob's"
    assert a.local_path("lab/r.ipynb").read_bytes() == want
    assert a.store.get("lab/r.ipynb").content == want
    assert r.conflicts[0].stash_version is not None  # alice's content kept in history either way
    assert b"alice's" in {a.store.get_version(v.id).content for v in a.store.history("lab/r.ipynb")}
    assert set(states(a).values()) == {"in sync"}


FAMILIES = ["apap", "inline-conflict", "mixed-conflicts", "output-conflict", "source-conflict"]


@pytest.mark.parametrize("family", FAMILIES)
def test_merge_families_through_the_three_way_path(db_url, tmp_path, shared_data, family):
    nbdir = shared_data / "notebooks"
    base, local, remote = (nbdir / f"{family}--{i}.ipynb" for i in (1, 2, 3))
    sa, sb = NotebookStore(db_url, user="alice"), NotebookStore(db_url, user="bob")
    try:
        a, b = SyncEngine(tmp_path / "a", sa), SyncEngine(tmp_path / "b", sb)
        path = f"lab/{family}.ipynb"
        put(a, path, base.read_bytes())
        a.sync()
        b.sync()
        put(a, path, local.read_bytes())
        put(b, path, remote.read_bytes())
        b.sync()
        diff = a.diff(path)
        assert diff["base-central"].startswith("nbdiff base central")
        out = a.resolve(path, "merge")
        a.save_state()
        expected, decisions = merge_notebooks(*(nbformat.reads(p.read_text(encoding="utf-8"), as_version=4)
                                                for p in (base, local, remote)))
        got = nbformat.reads(a.local_path(path).read_text(encoding="utf-8"), as_version=4)
        assert nbformat.validator.isvalid(got)
        for nb in (got, expected):  # nbdime's inline marker cells get fresh random ids
            for cell in nb.cells:
                cell.pop("id", None)
        assert got == expected
        n = sum(1 for d in decisions if d.conflict)
        assert out.merge_conflicts == n
        assert a.store.get_version(out.stash_version).content == local.read_bytes()
        st = states(a)[path]
        if n:  # left for the user to finish: not pushed
            assert st == "modified locally"
            assert a.store.get(path).content == remote.read_bytes()
        else:
            assert st == "in sync" and a.store.get(path).content == a.local_path(path).read_bytes()
    finally:
        sa.close()
        sb.close()


def test_delete_on_one_side_change_on_the_other_the_change_wins(two):
    a, b = two
    put(a, "lab/d1.ipynb", b"1")
    put(a, "lab/d2.ipynb", b"2")
    a.sync()
    b.sync()
    # alice deletes d1, bob changes it
    a.local_path("lab/d1.ipynb").unlink()
    put(b, "lab/d1.ipynb", b"1 changed")
    b.sync()
    assert states(a)["lab/d1.ipynb"] == "deleted locally, modified centrally"
    r = a.sync()
    assert a.local_path("lab/d1.ipynb").read_bytes() == b"1 changed"
    assert any(p == "lab/d1.ipynb" and "deleted locally" in m for p, m in r.reports)
    # bob deletes d2 centrally, alice changes it
    b.local_path("lab/d2.ipynb").unlink()
    b.sync()
    put(a, "lab/d2.ipynb", b"2 changed")
    assert states(a)["lab/d2.ipynb"] == "deleted centrally, modified locally"
    r = a.sync()
    assert a.store.get("lab/d2.ipynb").content == b"2 changed"
    assert any(p == "lab/d2.ipynb" and "deleted centrally" in m for p, m in r.reports)
    assert [v.kind for v in a.store.history("lab/d2.ipynb")][:2] == ["restore", "delete"]
    b.sync()
    assert b.local_path("lab/d2.ipynb").read_bytes() == b"2 changed"


def test_other_users_area_is_pull_only(two):
    a, b = two
    put(a, "users/alice/n.ipynb", b"alice")
    a.sync()
    b.sync()
    put(b, "users/alice/n.ipynb", b"bob edits alice's")
    put(b, "top.ipynb", b"outside any area")
    r = b.sync()
    errors = dict(r.errors)
    assert "may not write" in errors["users/alice/n.ipynb"]
    assert "outside the store's areas" in errors["top.ipynb"]
    assert a.store.get("users/alice/n.ipynb").content == b"alice"
    assert b.local_path("users/alice/n.ipynb").read_bytes() == b"bob edits alice's"  # not lost locally


def test_atomic_write_replaces_whole_files(tmp_path):
    p = tmp_path / "d" / "n.ipynb"
    atomic_write(p, b"first")
    atomic_write(p, b"second")
    assert p.read_bytes() == b"second"
    assert [x.name for x in p.parent.iterdir()] == ["n.ipynb"]


def test_state_file_belongs_to_one_store(db_url, tmp_path):
    s1 = NotebookStore(db_url, user="alice")
    s2 = NotebookStore(f"sqlite:///{tmp_path / 'other.sqlite'}", user="alice")
    try:
        e = SyncEngine(tmp_path / "f", s1)
        put(e, "lab/a.ipynb", b"a")
        e.sync()
        state = json.loads(e.state_path.read_text())
        assert state["files"]["lab/a.ipynb"][1] == sha256_hex(b"a")
        with pytest.raises(StoreMismatchError):
            SyncEngine(tmp_path / "f", s2)
    finally:
        s1.close()
        s2.close()


def test_cancel_a_sync(two):
    a, _ = two
    for i in range(30):
        put(a, f"lab/n{i:02d}.ipynb", b"%d" % i)
    task = TaskState()
    task.cancel()
    with pytest.raises(Cancelled):
        a.push(task=task)
    r = a.push()  # the next run finishes the job
    assert len(r.pushed) == 30


KILL_SCRIPT = textwrap.dedent("""
    import sys
    from core.notebooks import NotebookStore
    from core.notebooks.sync import SyncEngine
    SyncEngine(sys.argv[2], NotebookStore(sys.argv[1], user="bob")).pull()
""")


def test_kill_9_during_a_pull_leaves_no_partial_file(db_url, tmp_path):
    s = NotebookStore(db_url, user="alice")
    try:
        contents = {}
        for i in range(40):
            # ~4 MB notebooks: writing one takes long enough to be caught in the act
            data = json.dumps({"cells": [], "metadata": {"i": i}, "nbformat": 4, "nbformat_minor": 5,
                               "pad": os.urandom(2_000_000).hex()}).encode()
            contents[f"lab/big{i:02d}.ipynb"] = data
            s.save(f"lab/big{i:02d}.ipynb", data, None)
        local = tmp_path / "bob"
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, db_url, str(local)], env=env, cwd=ROOT)
        caught_mid_write = False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            tmp = list((local / "lab").glob(f".*{TMP_SUFFIX}")) if (local / "lab").exists() else []
            if tmp:
                os.kill(proc.pid, signal.SIGKILL)
                caught_mid_write = True
                break
            time.sleep(0.001)
        proc.wait(30)
        assert caught_mid_write, "the pull finished before it could be killed"
        assert proc.returncode == -signal.SIGKILL
        visible = [p for p in (local / "lab").iterdir() if not p.name.startswith(".")]
        assert len(visible) < len(contents)
        for p in visible:  # whatever is there is whole
            assert p.read_bytes() == contents[f"lab/{p.name}"]
        # the next pull cleans up and completes
        e = SyncEngine(local, NotebookStore(db_url, user="bob"))
        e.pull()
        assert not list((local / "lab").glob(f".*{TMP_SUFFIX}"))
        assert {f"lab/{p.name}": p.read_bytes() for p in (local / "lab").iterdir()} == contents
        assert set(states(e).values()) == {"in sync"}
        e.store.close()
    finally:
        s.close()
