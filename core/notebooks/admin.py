"""Administration of the notebook store: users, roles, grants, upgrades.

On PostgreSQL every user connects as their own role; membership of the
group role :data:`~core.notebooks.schema.GROUP_ROLE` gives the table
privileges, and the row-level security policies installed by the migrations
decide which rows each role may write. These functions run on an admin
(superuser or ``CREATEROLE``) connection.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from core.notebooks import schema as S
from core.notebooks.migrate import ensure_schema
from core.notebooks.store import check_user_name


def _engine(url_or_engine) -> tuple[Engine, bool]:
    if isinstance(url_or_engine, Engine):
        return url_or_engine, False
    from core.db import make_engine

    return make_engine(url_or_engine), True


def create_user(url_or_engine, name: str, *, password: str | None = None, full_name: str = "") -> None:
    """Register *name* in the store and, on PostgreSQL, create its login role and grants.

    Idempotent: an existing role or user is left as it is (a given password is set).

    Parameters
    ----------
    url_or_engine
        Admin connection to the store's database.
    name : str
        User name = PostgreSQL role name; their area is ``users/<name>/``.
    password : str, optional
        Role password (omit for peer/trust/certificate authentication).
    """
    check_user_name(name)
    engine, own = _engine(url_or_engine)
    try:
        ensure_schema(engine)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                ident = conn.exec_driver_sql("SELECT quote_ident(%(n)s)", {"n": name}).scalar_one()
                exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
                if not exists:
                    conn.exec_driver_sql(f"CREATE ROLE {ident} LOGIN")
                if password is not None:
                    lit = conn.exec_driver_sql("SELECT quote_literal(%(p)s)", {"p": password}).scalar_one()
                    conn.exec_driver_sql(f"ALTER ROLE {ident} PASSWORD {lit}")
                conn.exec_driver_sql(f"GRANT {S.GROUP_ROLE} TO {ident}")
            if conn.execute(select(S.users.c.name).where(S.users.c.name == name)).first() is None:
                conn.execute(S.users.insert().values(name=name, full_name=full_name,
                                                     created_at=datetime.now(timezone.utc)))
    finally:
        if own:
            engine.dispose()


def upgrade_store(url_or_engine) -> str:
    """Upgrade the store's schema to this program's head; return the revision."""
    from core.notebooks.migrate import current_revision, upgrade

    engine, own = _engine(url_or_engine)
    try:
        upgrade(engine)
        return current_revision(engine)
    finally:
        if own:
            engine.dispose()
