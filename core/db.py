"""Database layer shared by the shot index, the registry and the notebook store.

One SQLAlchemy 2 declarative base for every table; an SQLite file is the
embedded default, PostgreSQL is selected by URL. The same code and the same
tests run on both.
"""
from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every Gilgamesh table."""


#: Modules whose import registers tables on :class:`Base`. Sub-systems append here.
TABLE_MODULES = [
    "core.shots.index",
    "core.signals.registry",
]

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def normalize_url(url: str) -> str:
    """Map ``postgresql://`` to the psycopg 3 driver; leave other URLs alone."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str) -> Engine:
    """Create an engine for *url* (SQLite file created with its folder)."""
    url = normalize_url(url)
    u = make_url(url)
    if u.drivername.startswith("sqlite"):
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
    return engine


def get_engine(url: str) -> Engine:
    """A process-wide engine per URL, with every table created."""
    url = normalize_url(url)
    with _lock:
        eng = _engines.get(url)
        if eng is None:
            eng = make_engine(url)
            init_db(eng)
            _engines[url] = eng
        return eng


def init_db(engine: Engine) -> None:
    """Create every registered table that does not exist yet."""
    import importlib

    for mod in TABLE_MODULES:
        importlib.import_module(mod)
    Base.metadata.create_all(engine)


def session_factory(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


def dispose_all() -> None:
    """Dispose every cached engine (tests, shutdown)."""
    with _lock:
        for eng in _engines.values():
            eng.dispose()
        _engines.clear()


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
