"""Alembic environment of the notebook store (programmatic use only).

:func:`core.notebooks.migrate.upgrade` builds an :class:`alembic.config.Config`
in code and passes an open connection in ``config.attributes["connection"]``;
no ``alembic.ini`` is needed at runtime.
"""
from __future__ import annotations

from alembic import context

from core.notebooks.schema import VERSION_TABLE, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached by a hand-run `alembic` command
    raise RuntimeError("The notebook store migrations run through core.notebooks.migrate.upgrade().")

context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
