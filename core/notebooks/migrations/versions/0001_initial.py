"""Initial notebook store: users, folders, files, append-only versions, blobs.

On PostgreSQL also: the group role, grants (SELECT/INSERT only on the
append-only tables) and row-level security policies that refuse writes into
another user's area, and a CHECK that a blob's content matches its SHA-256.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GROUP = "gilgamesh_notebook_users"
AREA_CHECK = (
    "(owner IS NULL AND substr(path, 1, 4) = 'lab/') OR "
    "(owner IS NOT NULL AND substr(path, 1, length(owner) + 7) = 'users/' || owner || '/')"
)
WRITABLE = "(owner IS NULL OR owner = current_user)"


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    tz = sa.DateTime(timezone=True)
    bigid = sa.BigInteger().with_variant(sa.Integer, "sqlite")

    op.create_table(
        "nb_meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "nb_users",
        sa.Column("name", sa.String(63), primary_key=True),
        sa.Column("full_name", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", tz, nullable=False),
    )
    op.create_table(
        "nb_folders",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text, nullable=False, unique=True),
        sa.Column("owner", sa.String(63), nullable=True),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("created_by", sa.String(63), nullable=False),
        sa.CheckConstraint(AREA_CHECK, name="ck_nb_folders_area"),
    )
    op.create_table(
        "nb_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    head_fk = [] if pg else [sa.ForeignKeyConstraint(["head_version_id"], ["nb_versions.id"],
                                                     name="fk_nb_files_head")]
    op.create_table(
        "nb_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("owner", sa.String(63), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("head_version_id", sa.BigInteger, nullable=True),
        sa.Column("version_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("deleted", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("updated_at", tz, nullable=False),
        sa.CheckConstraint(AREA_CHECK, name="ck_nb_files_area"),
        *head_fk,
    )
    op.create_index("ux_nb_files_live_path", "nb_files", ["path"], unique=True,
                    sqlite_where=sa.text("NOT deleted"), postgresql_where=sa.text("NOT deleted"))
    op.create_index("ix_nb_files_path", "nb_files", ["path"])
    op.create_table(
        "nb_versions",
        sa.Column("id", bigid, primary_key=True, autoincrement=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("nb_files.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("parent_id", sa.BigInteger, nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("old_path", sa.Text, nullable=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("nb_blobs.sha256"), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("author", sa.String(63), nullable=False),
        sa.Column("created_at", tz, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=True, unique=True),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ux_nb_versions_file_number", "nb_versions", ["file_id", "number"], unique=True)
    if pg:
        op.create_foreign_key("fk_nb_files_head", "nb_files", "nb_versions", ["head_version_id"], ["id"])
    op.execute(sa.text("INSERT INTO nb_meta (key, value) VALUES ('store_id', :v)").bindparams(
        v=uuid.uuid4().hex))
    op.execute(sa.text("INSERT INTO nb_meta (key, value) VALUES ('schema', 'notebook-store')"))
    if pg:
        _postgres_security()


def _postgres_security() -> None:
    """Group role, grants and row-level security (PostgreSQL only)."""
    # Roles are cluster-wide: create the group once, tolerate it existing.
    op.execute(f"""
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{GROUP}') THEN
            CREATE ROLE {GROUP} NOLOGIN;
          END IF;
        END $$""")
    # A blob must hold what its key says (no poisoning of the deduplication).
    op.execute("ALTER TABLE nb_blobs ADD CONSTRAINT ck_nb_blobs_sha256 "
               "CHECK (sha256 = encode(sha256(content), 'hex') AND size = octet_length(content))")
    # Append-only tables: SELECT and INSERT, never UPDATE or DELETE.
    op.execute(f"GRANT SELECT ON nb_meta, nb_users, notebook_store_version TO {GROUP}")
    op.execute(f"GRANT SELECT, INSERT ON nb_blobs, nb_versions TO {GROUP}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE ON nb_files TO {GROUP}")
    op.execute(f"GRANT SELECT, INSERT, DELETE ON nb_folders TO {GROUP}")
    op.execute(f"GRANT USAGE ON SEQUENCE nb_files_id_seq, nb_versions_id_seq, nb_folders_id_seq TO {GROUP}")

    for table in ("nb_files", "nb_folders", "nb_versions"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY {table}_read ON {table} FOR SELECT TO {GROUP} USING (true)")
    for table in ("nb_files", "nb_folders"):
        op.execute(f"CREATE POLICY {table}_insert ON {table} FOR INSERT TO {GROUP} WITH CHECK {WRITABLE}")
    # USING restricts which rows may be touched, WITH CHECK what they may become:
    # both are needed, or a user could take another user's row over.
    op.execute(f"CREATE POLICY nb_files_update ON nb_files FOR UPDATE TO {GROUP} "
               f"USING {WRITABLE} WITH CHECK {WRITABLE}")
    op.execute(f"CREATE POLICY nb_folders_delete ON nb_folders FOR DELETE TO {GROUP} USING {WRITABLE}")
    op.execute(f"""CREATE POLICY nb_versions_insert ON nb_versions FOR INSERT TO {GROUP}
        WITH CHECK (author = current_user AND EXISTS (
            SELECT 1 FROM nb_files f WHERE f.id = file_id AND (f.owner IS NULL OR f.owner = current_user)))""")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.drop_constraint("fk_nb_files_head", "nb_files", type_="foreignkey")
    for t in ("nb_versions", "nb_files", "nb_blobs", "nb_folders", "nb_users", "nb_meta"):
        op.drop_table(t)
