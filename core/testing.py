"""A real, throwaway PostgreSQL server for tests and benchmarks.

Uses Debian's server binaries (``/usr/lib/postgresql/*/bin``). The server
refuses to run as root, so when we are root it is run as the ``postgres``
system user through ``runuser``. It listens only on a unix socket in a
temporary directory (no TCP port), with ``fsync=off`` for speed.

Usage::

    with PostgresServer() as pg:
        url = pg.create_database("test_x")
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def find_pg_bindir() -> Path:
    """Directory of ``initdb``/``pg_ctl``; raise a clear error when absent."""
    env = os.environ.get("GILGAMESH_PG_BINDIR")
    if env:
        return Path(env)
    cands = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    for c in reversed(cands):
        if Path(c, "initdb").exists():
            return Path(c)
    w = shutil.which("initdb")
    if w:
        return Path(w).parent
    raise RuntimeError(
        "PostgreSQL server binaries not found (initdb). Install Debian's `postgresql` package "
        "(the README's test command does it) or set GILGAMESH_PG_BINDIR."
    )


class PostgresServer:
    """Start a private PostgreSQL cluster on a unix socket; stop and delete it on exit."""

    def __init__(self, port: int = 5432):
        self.bindir = find_pg_bindir()
        self.port = port
        self.root = Path(tempfile.mkdtemp(prefix="gilgamesh-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self._as_root = os.geteuid() == 0
        self.superuser = "postgres" if self._as_root else os.environ.get("USER", "postgres")
        self.proc = None

    # -- running commands as the right user ---------------------------------
    def _cmd(self, *args: str) -> list[str]:
        if self._as_root:
            return ["runuser", "-u", "postgres", "--", *args]
        return list(args)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(self._cmd(*args), check=check, capture_output=True, text=True)

    def start(self) -> "PostgresServer":
        self.root.chmod(0o755)
        self.sockdir.mkdir()
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockdir, "postgres", "postgres")
        r = self._run(
            str(self.bindir / "initdb"), "-D", str(self.datadir), "-U", self.superuser,
            "--auth=trust", "-E", "UTF8", "--no-sync", check=False,
        )
        if r.returncode:
            raise RuntimeError(f"initdb failed: {r.stderr}")
        opts = (
            f"-c listen_addresses='' -c unix_socket_directories={self.sockdir} -p {self.port} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=64MB"
        )
        r = self._run(
            str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-o", opts,
            "-l", str(self.root / "server.log"), "-w", "-t", "60", "start", check=False,
        )
        if r.returncode:
            log = (self.root / "server.log").read_text() if (self.root / "server.log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {r.stderr}\n{log}")
        return self

    def restart(self) -> None:
        """Restart the server (existing client connections are cut; committed data kept)."""
        self.psql("CHECKPOINT")  # synchronous_commit=off: flush before an immediate stop
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w",
                  "-l", str(self.root / "server.log"), "restart")

    def stop(self) -> None:
        if self.datadir.exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "-w", "stop",
                      check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- URLs and databases --------------------------------------------------
    def url(self, database: str = "postgres", user: str | None = None, password: str | None = None) -> str:
        user = user or self.superuser
        auth = f"{user}:{password}@" if password else f"{user}@"
        return f"postgresql+psycopg://{auth}/{database}?host={self.sockdir}&port={self.port}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        r = self._run(str(self.bindir / "psql"), "-h", str(self.sockdir), "-p", str(self.port),
                      "-U", self.superuser, "-d", database, "-v", "ON_ERROR_STOP=1", "-Atc", sql)
        return r.stdout

    def create_database(self, name: str) -> str:
        """Create database *name* and return its SQLAlchemy URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def wait_ready(self, timeout: float = 30) -> None:
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            r = self._run(str(self.bindir / "pg_isready"), "-h", str(self.sockdir), "-p", str(self.port), check=False)
            if r.returncode == 0:
                return
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not become ready")
