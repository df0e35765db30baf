"""Tables of the central notebook store.

The store has its own :class:`~sqlalchemy.MetaData` (not ``core.db.Base``) and
its own alembic version table, :data:`VERSION_TABLE`, so it can live in the
lab database or in a database of its own.

Layout
------
``nb_users``
    Registered users. On PostgreSQL a user's name is also their database
    role (see :func:`core.notebooks.admin.create_user`).
``nb_folders``
    Explicit (possibly empty) directories.
``nb_files``
    One row per file *identity*: its current path, area owner, head version,
    deleted flag. A rename changes the path of the row, so the history
    follows the file. At most one live file per path (partial unique index).
``nb_versions``
    Append-only history: every save, rename, delete, restore and conflict
    stash is a row with author, time, size and SHA-256. Rows are never
    updated or deleted (on PostgreSQL users hold only SELECT and INSERT).
``nb_blobs``
    Content by SHA-256 (deduplicated; renames and deletes reuse the blob).
``nb_meta``
    Key/value facts about the store (its ``store_id``).

Areas
-----
``users/<name>/...`` belongs to ``<name>``; ``lab/...`` is shared by every
registered user (owner NULL). A CHECK constraint ties the path to the owner,
and on PostgreSQL row-level security refuses writes outside one's areas.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger, Boolean, CheckConstraint, Column, DateTime, ForeignKey, Index, Integer,
    LargeBinary, MetaData, String, Table, Text, text,
)

#: Alembic version table of the store (distinct from any other sub-system's).
VERSION_TABLE = "notebook_store_version"

#: Group role every store user is a member of (PostgreSQL).
GROUP_ROLE = "gilgamesh_notebook_users"

metadata = MetaData()

# path <-> owner: users/<owner>/... or lab/... (owner NULL); substr/length are portable.
_AREA_CHECK = (
    "(owner IS NULL AND substr(path, 1, 4) = 'lab/') OR "
    "(owner IS NOT NULL AND substr(path, 1, length(owner) + 7) = 'users/' || owner || '/')"
)

users = Table(
    "nb_users", metadata,
    Column("name", String(63), primary_key=True),
    Column("full_name", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

folders = Table(
    "nb_folders", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False, unique=True),
    Column("owner", String(63), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(63), nullable=False),
    CheckConstraint(_AREA_CHECK, name="ck_nb_folders_area"),
)

blobs = Table(
    "nb_blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("content", LargeBinary, nullable=False),
)

files = Table(
    "nb_files", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("path", Text, nullable=False),
    Column("owner", String(63), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("head_version_id", BigInteger, ForeignKey("nb_versions.id", use_alter=True,
                                                     name="fk_nb_files_head"), nullable=True),
    Column("version_count", Integer, nullable=False, server_default="0"),
    Column("deleted", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    CheckConstraint(_AREA_CHECK, name="ck_nb_files_area"),
    Index("ux_nb_files_live_path", "path", unique=True,
          sqlite_where=text("NOT deleted"), postgresql_where=text("NOT deleted")),
    Index("ix_nb_files_path", "path"),
)

versions = Table(
    "nb_versions", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("file_id", Integer, ForeignKey("nb_files.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("parent_id", BigInteger, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("old_path", Text, nullable=True),
    Column("sha256", String(64), ForeignKey("nb_blobs.sha256"), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("author", String(63), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("idempotency_key", String(64), nullable=True, unique=True),
    Column("message", Text, nullable=False, server_default=""),
    Index("ux_nb_versions_file_number", "file_id", "number", unique=True),
)

meta = Table(
    "nb_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

#: Version kinds recorded in ``nb_versions.kind``.
KIND_SAVE, KIND_RENAME, KIND_DELETE, KIND_RESTORE, KIND_CONFLICT = (
    "save", "rename", "delete", "restore", "conflict")
