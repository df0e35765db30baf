"""Shared fixtures.

* Every test runs with a fresh ``GILGAMESH_HOME`` (no user config or data is touched).
* ``pg_server`` is a real PostgreSQL server started once per session (core.testing).
* ``db_url`` runs a test on SQLite and on PostgreSQL.
* A skipped test fails the run: CI must not hide anything behind a skip.
"""
from __future__ import annotations

import os
import uuid

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["IPYTHONDIR"] = os.environ.get("IPYTHONDIR") or ""  # set per-test below; never the user's
os.environ.pop("GILGAMESH_DB_URL", None)
os.environ.pop("GILGAMESH_SHOTS_DIR", None)
os.environ.pop("GILGAMESH_CONFIG", None)

SHARED_DATA = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"))


@pytest.fixture(autouse=True)
def gil_home(tmp_path_factory, monkeypatch):
    """A private GILGAMESH_HOME for every test."""
    home = tmp_path_factory.mktemp("gilhome")
    monkeypatch.setenv("GILGAMESH_HOME", str(home))
    monkeypatch.setenv("IPYTHONDIR", str(home / "ipython"))
    monkeypatch.delenv("GILGAMESH_DB_URL", raising=False)
    monkeypatch.delenv("GILGAMESH_SHOTS_DIR", raising=False)
    yield home


@pytest.fixture(scope="session")
def shared_data():
    """Path of ``../shared/data`` (real files written by others)."""
    from pathlib import Path

    p = Path(SHARED_DATA)
    assert p.is_dir(), f"shared data folder missing: {p}"
    return p


@pytest.fixture(scope="session")
def pg_server():
    from core.testing import PostgresServer

    srv = PostgresServer()
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def pg_url(pg_server):
    """URL of a fresh, empty PostgreSQL database."""
    return pg_server.create_database("t_" + uuid.uuid4().hex[:12])


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The same test on the embedded SQLite default and on a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session", autouse=True)
def _compiled_kernels():
    """Compile/load the numba kernels once, so no test's timeout pays the compile time."""
    from core.machine.warmup import warmup

    warmup()


@pytest.fixture(autouse=True)
def _dispose_engines():
    yield
    from core import db

    db.dispose_all()


def pytest_sessionfinish(session, exitstatus):
    rep = session.config.pluginmanager.get_plugin("terminalreporter")
    if rep is None or os.environ.get("GILGAMESH_ALLOW_SKIP"):
        return
    skipped = len(rep.stats.get("skipped", [])) + len(rep.stats.get("xfailed", []))
    if skipped and session.exitstatus == 0:
        rep.write_line(f"FAILED: {skipped} test(s) skipped or xfailed; CI allows no skips.", red=True)
        session.exitstatus = 1


# -- the demo testbed, built once per session on each database ---------------
@pytest.fixture(scope="session")
def demo_root(tmp_path_factory):
    return tmp_path_factory.mktemp("demo")


def _make_demo(root, url):
    from core.demo import create_demo

    return create_demo(root, url)


@pytest.fixture(scope="session")
def demo_sqlite(tmp_path_factory):
    """The demo testbed on SQLite: ``(testbed, demo_root)``."""
    root = tmp_path_factory.mktemp("demo_sqlite")
    tb = _make_demo(root, f"sqlite:///{root / 'index.sqlite'}")
    return tb, root


@pytest.fixture(scope="session")
def demo_pg(tmp_path_factory, pg_server):
    """The demo testbed on a real PostgreSQL: ``(testbed, demo_root)``."""
    root = tmp_path_factory.mktemp("demo_pg")
    tb = _make_demo(root, pg_server.create_database("demo_" + uuid.uuid4().hex[:8]))
    return tb, root


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def demo(request):
    """The demo testbed on SQLite and on PostgreSQL: ``(testbed, demo_root)``."""
    return request.getfixturevalue("demo_sqlite" if request.param == "sqlite" else "demo_pg")


@pytest.fixture(autouse=True)
def _no_threads_left_behind(request):
    """Fail a test that leaves worker threads running (an unfinished thread crashes later tests)."""
    yield
    import sys
    import time

    if "manager.workers" not in sys.modules:
        return
    from manager.workers import busy_runners

    deadline = time.monotonic() + 10
    while busy_runners() and time.monotonic() < deadline:
        from PySide6.QtWidgets import QApplication

        if QApplication.instance() is not None:
            QApplication.processEvents()
        time.sleep(0.02)
    left = busy_runners()
    for r in left:  # never let them outlive the test: cancel and wait
        r.shutdown()
    assert not left, f"{len(left)} worker pool(s) still running after the test: {left}"
