"""export files: large exports built by a background job, kept in the database for their owner

Revision ID: 0020_export_files
Revises: 0019_page_indexes
Create Date: 2026-12-01 05:20:00

A street's points ledger for a year runs to a hundred thousand rows in a city: it is written by a
job (consult/core/export_files.py) into this table, gzip-compressed, so whichever app process the
owner reaches can serve it; files are deleted seven days after they are ready.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020_export_files"
down_revision = "0019_page_indexes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "export_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("scope", sa.String(length=80), nullable=False),
        sa.Column("params", sa.String(length=200), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=120), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'ready', 'failed', 'expired')", name=op.f("ck_export_files_status")),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_export_files_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_files")),
    )
    op.create_index("ix_export_files_owner_created", "export_files", ["owner_id", "created_at"], unique=False)


def downgrade():
    op.drop_index("ix_export_files_owner_created", table_name="export_files")
    op.drop_table("export_files")
