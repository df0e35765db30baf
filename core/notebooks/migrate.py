"""Schema migrations of the notebook store (alembic, configured in code).

The store's migration scripts live in ``core/notebooks/migrations``; their
version is kept in the table :data:`~core.notebooks.schema.VERSION_TABLE`, so
they never collide with another sub-system's alembic history in the same
database.
"""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import exc, text
from sqlalchemy.engine import Connection, Engine

from core.notebooks.errors import StoreSchemaError
from core.notebooks.schema import VERSION_TABLE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x6E6F7465  # PostgreSQL advisory lock serialising concurrent upgrades


def alembic_config(connection: Connection | None = None) -> Config:
    """An alembic :class:`~alembic.config.Config` built in code (no ``alembic.ini``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest migration revision shipped with this program."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision the store's database is at (``None`` if never migrated)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema up to *revision* (needs DDL rights: run as the admin).

    Concurrent upgrades of one PostgreSQL database are serialised by an
    advisory lock; the second one finds the work done.
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        command.upgrade(alembic_config(conn), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Step the schema back to *revision* (``"base"`` drops every store table)."""
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), revision)


def ensure_schema(engine: Engine, migrate: bool = True) -> None:
    """Make sure the schema is at head; upgrade it when allowed.

    Raises
    ------
    StoreSchemaError
        The schema is behind and could not be upgraded (e.g. a user's role has
        no right to create tables: the admin must run the upgrade).
    """
    head = head_revision()
    try:
        cur = current_revision(engine)
    except exc.DBAPIError as e:  # version table unreadable for this role
        cur = None
        reason = str(e.orig)
    else:
        reason = ""
    if cur == head:
        return
    if not migrate:
        raise StoreSchemaError(
            f"The notebook store schema is at {cur or 'nothing'}, this program needs {head}. "
            "Ask the store admin to run `gilgamesh notebooks admin upgrade --store URL`.")
    try:
        upgrade(engine)
    except exc.DBAPIError as e:
        raise StoreSchemaError(
            f"The notebook store schema is at {cur or 'nothing'} and could not be upgraded to {head}: "
            f"{e.orig}{'; ' + reason if reason else ''}. Ask the store admin to run "
            "`gilgamesh notebooks admin upgrade --store URL`.") from e
