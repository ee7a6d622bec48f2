"""open311 keys: API keys for Open311 POST, and requests sent through it without a resident account

Revision ID: 0016_open311_keys
Revises: 0015_departments
Create Date: 2026-12-01 02:00:00

A request sent through Open311 has no reporter account (docs/requests.md, "Open311"): its
reporter_id may be NULL for channel 'open311' only; it keeps the key it came with, the caller's
contact and the standard's token. The downgrade (every request has a reporter again) gives such
requests the site administrator who issued the key as their reporter, so no request and none of
its timeline is lost; the caller's contact and the tokens are dropped with their columns.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016_open311_keys"
down_revision = "0015_departments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "open311_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name=op.f("ck_open311_keys_revoked_by")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_open311_keys_issued_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_open311_keys_revoked_by_id_users")),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_open311_keys_street_id_streets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_keys_key_hash")),
    )
    with op.batch_alter_table("open311_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_keys_street_id"), ["street_id"], unique=False)

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("contact_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("token", sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_requests_api_key_id_open311_keys"), "open311_keys", ["api_key_id"], ["id"])
        batch_op.create_unique_constraint(batch_op.f("uq_requests_token"), ["token"])
        batch_op.alter_column("reporter_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(
            batch_op.f("ck_requests_reporter_or_open311"), "reporter_id IS NOT NULL OR channel = 'open311'"
        )


def downgrade():
    op.execute(
        "UPDATE requests SET reporter_id = "
        "(SELECT open311_keys.issued_by_id FROM open311_keys WHERE open311_keys.id = requests.api_key_id) "
        "WHERE reporter_id IS NULL"
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_requests_reporter_or_open311"), type_="check")
        batch_op.alter_column("reporter_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_requests_token"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_requests_api_key_id_open311_keys"), type_="foreignkey")
        batch_op.drop_column("token")
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")
        batch_op.drop_column("api_key_id")

    with op.batch_alter_table("open311_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_keys_street_id"))
    op.drop_table("open311_keys")
