"""kiosks: registered self-service terminals (一体机), residents' kiosk PINs and sign-in cards

Revision ID: 0026_kiosks
Revises: 0025_appointments
Create Date: 2026-12-01 08:30:00

The downgrade drops both tables: registered terminals stop being kiosks (their cookies open
nothing) and residents' PINs and sign-in cards are gone (a worker sets or prints them again); the audit log keeps who
registered, revoked and set what.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_kiosks"
down_revision = "0025_appointments"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "kiosks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name=op.f("ck_kiosks_revoked_by")),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_kiosks_token_hash_length")),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_kiosks_community_id_communities")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_kiosks_created_by_id_users")),
        sa.ForeignKeyConstraint(["revoked_by_id"], ["users.id"], name=op.f("fk_kiosks_revoked_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosks")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kiosks_token_hash")),
    )
    op.create_index(op.f("ix_kiosks_community_id"), "kiosks", ["community_id"], unique=False)
    op.create_table(
        "kiosk_pins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("set_at", TZ, nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=False),
        sa.Column("failed_count", sa.Integer(), nullable=False),
        sa.Column("locked_at", TZ, nullable=True),
        sa.CheckConstraint("failed_count >= 0 AND failed_count <= 5", name=op.f("ck_kiosk_pins_failed_count")),
        sa.CheckConstraint("locked_at IS NULL OR failed_count = 5", name=op.f("ck_kiosk_pins_locked_when_used_up")),
        sa.ForeignKeyConstraint(["set_by_id"], ["users.id"], name=op.f("fk_kiosk_pins_set_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kiosk_pins_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_pins")),
        sa.UniqueConstraint("user_id", name=op.f("uq_kiosk_pins_user_id")),
    )
    op.create_table(
        "kiosk_cards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ, nullable=True),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_kiosk_cards_expires_after_issue")),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_kiosk_cards_community_id_communities")),
        sa.ForeignKeyConstraint(["issued_by_id"], ["users.id"], name=op.f("fk_kiosk_cards_issued_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_kiosk_cards_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_cards")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_kiosk_cards_code_hash")),
    )
    op.create_index(op.f("ix_kiosk_cards_user_id"), "kiosk_cards", ["user_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_kiosk_cards_user_id"), table_name="kiosk_cards")
    op.drop_table("kiosk_cards")
    op.drop_table("kiosk_pins")
    op.drop_index(op.f("ix_kiosks_community_id"), table_name="kiosks")
    op.drop_table("kiosks")
