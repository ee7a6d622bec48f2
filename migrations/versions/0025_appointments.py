"""appointments: a service's time slots with capacity, residents' bookings, attendance and ratings

Revision ID: 0025_appointments
Revises: 0024_hazards
Create Date: 2026-12-01 08:30:00

On PostgreSQL an exclusion constraint (btree_gist) refuses two overlapping slots of one service;
on SQLite the service checks it under the write lock (BEGIN IMMEDIATE).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_appointments"
down_revision = "0024_hazards"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
ACTIVE = "status != 'cancelled'"


def upgrade():
    op.create_table(
        "service_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked_count", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("booked_count >= 0 AND booked_count <= capacity", name=op.f("ck_service_slots_booked_count")),
        sa.CheckConstraint("capacity BETWEEN 1 AND 200", name=op.f("ck_service_slots_capacity")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_service_slots_order")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_service_slots_created_by_id_users")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_service_slots_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_slots")),
        sa.UniqueConstraint("service_id", "starts_at", name=op.f("uq_service_slots_service_id_starts_at")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(
            "ALTER TABLE service_slots ADD CONSTRAINT ex_service_slots_overlap"
            " EXCLUDE USING gist (service_id WITH =, tstzrange(starts_at, ends_at) WITH &&)"
        )
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("cancelled_at", TZ, nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("reminded_at", TZ, nullable=True),
        sa.Column("marked_at", TZ, nullable=True),
        sa.Column("marked_by_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.String(length=12), nullable=True),
        sa.Column("rated_at", TZ, nullable=True),
        sa.CheckConstraint("(channel = 'worker') = (booked_by_id IS NOT NULL)", name=op.f("ck_appointments_booked_by")),
        sa.CheckConstraint("channel IN ('self', 'worker', 'kiosk')", name=op.f("ck_appointments_channel")),
        sa.CheckConstraint("(marked_at IS NULL) = (status IN ('booked', 'cancelled'))", name=op.f("ck_appointments_marked")),
        sa.CheckConstraint(
            "(rating IS NULL) = (rated_at IS NULL) AND (rating IS NULL OR (status = 'attended' AND "
            "rating IN ('satisfied', 'basically', 'unsatisfied')))",
            name=op.f("ck_appointments_rating"),
        ),
        sa.CheckConstraint("status IN ('booked', 'cancelled', 'attended', 'no_show')", name=op.f("ck_appointments_status")),
        sa.ForeignKeyConstraint(["booked_by_id"], ["users.id"], name=op.f("fk_appointments_booked_by_id_users")),
        sa.ForeignKeyConstraint(["cancelled_by_id"], ["users.id"], name=op.f("fk_appointments_cancelled_by_id_users")),
        sa.ForeignKeyConstraint(["marked_by_id"], ["users.id"], name=op.f("fk_appointments_marked_by_id_users")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"], name=op.f("fk_appointments_service_id_services")),
        sa.ForeignKeyConstraint(["slot_id"], ["service_slots.id"], name=op.f("fk_appointments_slot_id_service_slots")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_appointments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appointments")),
    )
    op.create_index(op.f("ix_appointments_service_id"), "appointments", ["service_id"], unique=False)
    op.create_index(op.f("ix_appointments_user_id"), "appointments", ["user_id"], unique=False)
    op.create_index("ix_appointments_slot_status", "appointments", ["slot_id", "status"], unique=False)
    op.create_index("ix_appointments_rated_at", "appointments", ["rated_at"], unique=False)
    op.create_index(
        "uq_appointments_active",
        "appointments",
        ["slot_id", "user_id"],
        unique=True,
        sqlite_where=sa.text(ACTIVE),
        postgresql_where=sa.text(ACTIVE),
    )


def downgrade():
    op.drop_index("uq_appointments_active", table_name="appointments")
    op.drop_index("ix_appointments_rated_at", table_name="appointments")
    op.drop_index("ix_appointments_slot_status", table_name="appointments")
    op.drop_index(op.f("ix_appointments_user_id"), table_name="appointments")
    op.drop_index(op.f("ix_appointments_service_id"), table_name="appointments")
    op.drop_table("appointments")
    op.drop_table("service_slots")
