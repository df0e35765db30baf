"""``gilgamesh notebooks status|push|pull|sync|history|restore|resolve|diff|admin``."""
from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import make_url

from core.notebooks.cli import main, register

ROOT = Path(__file__).resolve().parent.parent


def run(capsys, *argv) -> tuple[int, str, str]:
    rc = main(list(argv))
    out = capsys.readouterr()
    return rc, out.out, out.err


def test_cli_round_trip(db_url, tmp_path, capsys, shared_data):
    opts_a = ["--dir", str(tmp_path / "a"), "--store", db_url, "--user", "alice"]
    opts_b = ["--dir", str(tmp_path / "b"), "--store", db_url, "--user", "bob"]
    nb = (shared_data / "notebooks" / "unicode--1.ipynb").read_bytes()
    (tmp_path / "a" / "users" / "alice").mkdir(parents=True)
    (tmp_path / "a" / "users" / "alice" / "u.ipynb").write_bytes(nb)

    rc, out, _ = run(capsys, "status", *opts_a)
    assert rc == 0 and "A  users/alice/u.ipynb  [new locally]" in out
    rc, out, _ = run(capsys, "push", *opts_a)
    assert rc == 0 and "pushed   users/alice/u.ipynb" in out
    rc, out, _ = run(capsys, "pull", *opts_b)
    assert rc == 0 and (tmp_path / "b" / "users" / "alice" / "u.ipynb").read_bytes() == nb
    rc, out, _ = run(capsys, "status", "--all", *opts_b)
    assert "[in sync]" in out and "(read-only)" in out  # alice's area, seen by bob

    (tmp_path / "a" / "users" / "alice" / "u.ipynb").unlink()
    rc, out, _ = run(capsys, "sync", *opts_a)
    assert "deleted  users/alice/u.ipynb (centrally)" in out
    rc, out, _ = run(capsys, "history", "users/alice/u.ipynb", *opts_a)
    lines = out.strip().splitlines()
    assert len(lines) == 2 and " delete " in lines[0] and " save " in lines[1]
    rc, out, _ = run(capsys, "restore", "users/alice/u.ipynb", *opts_a)
    assert rc == 0 and "restored users/alice/u.ipynb" in out
    assert (tmp_path / "a" / "users" / "alice" / "u.ipynb").read_bytes() == nb

    # restore an old version by id
    first_id = int(lines[1].split()[0])
    (tmp_path / "a" / "users" / "alice" / "u.ipynb").write_bytes(b'{"changed": 1}')
    run(capsys, "sync", *opts_a)
    rc, out, _ = run(capsys, "restore", "--version", str(first_id), *opts_a)
    assert rc == 0 and (tmp_path / "a" / "users" / "alice" / "u.ipynb").read_bytes() == nb

    # errors are reported, not raised
    rc, _, err = run(capsys, "history", "users/alice/none.ipynb", *opts_a)
    assert rc == 2 and "error: No file" in err


def test_cli_conflict_resolve_and_diff(tmp_path, capsys, shared_data):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    nbdir = shared_data / "notebooks"
    a = ["--dir", str(tmp_path / "a"), "--store", url, "--user", "alice"]
    b = ["--dir", str(tmp_path / "b"), "--store", url, "--user", "bob"]
    (tmp_path / "a" / "lab").mkdir(parents=True)
    (tmp_path / "a" / "lab" / "s.ipynb").write_bytes((nbdir / "source-conflict--1.ipynb").read_bytes())
    run(capsys, "sync", *a)
    run(capsys, "sync", *b)
    (tmp_path / "a" / "lab" / "s.ipynb").write_bytes((nbdir / "source-conflict--2.ipynb").read_bytes())
    (tmp_path / "b" / "lab" / "s.ipynb").write_bytes((nbdir / "source-conflict--3.ipynb").read_bytes())
    run(capsys, "sync", *b)
    rc, out, _ = run(capsys, "status", *a)
    assert "MM lab/s.ipynb  [conflict]" in out
    rc, out, _ = run(capsys, "diff", "lab/s.ipynb", *a)
    assert "===== base-central =====" in out and "modified /cells/0/source" in out
    rc, out, _ = run(capsys, "resolve", "lab/s.ipynb", "theirs", *a)
    assert rc == 0
    assert (tmp_path / "a" / "lab" / "s.ipynb").read_bytes() == (nbdir / "source-conflict--3.ipynb").read_bytes()


@pytest.mark.postgres
def test_cli_admin_adduser_then_user_pushes(pg_server, pg_url, tmp_path, capsys):
    name = f"carol_{uuid.uuid4().hex[:6]}"
    rc, out, _ = run(capsys, "admin", "adduser", name, "--store", pg_url)
    assert rc == 0 and f"users/{name}/" in out
    user_url = pg_server.url(make_url(pg_url).database, user=name)
    (tmp_path / "c" / "users" / name).mkdir(parents=True)
    (tmp_path / "c" / "users" / name / "n.ipynb").write_bytes(b"{}")
    (tmp_path / "c" / "users" / "someone").mkdir(parents=True)
    (tmp_path / "c" / "users" / "someone" / "n.ipynb").write_bytes(b"{}")
    rc, out, err = run(capsys, "push", "--dir", str(tmp_path / "c"), "--store", user_url)
    assert rc == 1 and f"pushed   users/{name}/n.ipynb" in out and "may not write" in err
    # --user with a URL naming no role: connect as the user's own role
    no_role = make_url(pg_url).set(username=None).render_as_string(hide_password=False)
    rc, out, _ = run(capsys, "history", f"users/{name}/n.ipynb", "--store", no_role, "--user", name)
    assert rc == 0 and f" {name} " in out
    rc, _, err = run(capsys, "history", f"users/{name}/n.ipynb", "--store", user_url, "--user", "somebody")
    assert rc == 2 and f"connected as role {name!r}" in err


def test_registers_as_a_gilgamesh_subcommand():
    import argparse

    p = argparse.ArgumentParser()
    register(p.add_subparsers(dest="command"))
    args = p.parse_args(["notebooks", "sync", "--dir", "d", "--store", "sqlite://", "--user", "u", "--resolve", "merge"])
    assert callable(args.func) and args.resolve == "merge" and args.user == "u"
    # and as a module, in a fresh interpreter, without Qt
    r = subprocess.run([sys.executable, "-c", "import sys, core.notebooks.cli, core.notebooks.sync; "
                        "print('PySide6' in sys.modules)"], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr
