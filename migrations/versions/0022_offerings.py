"""offerings: the community service list: providers and their staff, services with opening hours, neighbour links

Revision ID: 0022_offerings
Revises: 0021_safety_grids
Create Date: 2026-12-01 05:00:00

The downgrade removes provider staff appointments (the audit log keeps who was appointed) and
the old role check comes back.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022_offerings"
down_revision = "0021_safety_grids"
branch_labels = None
depends_on = None

OLD_SCOPE = (
    "(role = 'worker' AND community_id IS NOT NULL AND street_id IS NULL)"
    " OR (role = 'street_admin' AND street_id IS NOT NULL AND community_id IS NULL)"
    " OR (role = 'site_admin' AND street_id IS NULL AND community_id IS NULL)"
    " OR (role = 'department' AND department_id IS NOT NULL AND community_id IS NULL AND street_id IS NULL)"
    " OR (role = 'grid_worker' AND grid_id IS NOT NULL AND community_id IS NOT NULL AND street_id IS NULL)"
)
NEW_SCOPE = OLD_SCOPE + " OR (role = 'provider' AND provider_id IS NOT NULL AND community_id IS NOT NULL AND street_id IS NULL)"
ACTIVE_PROVIDER = "role = 'provider' AND ended_at IS NULL"
TZ = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", TZ, nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("ended_at", TZ, nullable=True),
        sa.CheckConstraint("(confirmed_at IS NULL) = (confirmed_by_id IS NULL)", name=op.f("ck_providers_confirmed_by")),
        sa.CheckConstraint("kind IN ('committee', 'organisation', 'unit')", name=op.f("ck_providers_kind")),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_providers_community_id_communities")),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["users.id"], name=op.f("fk_providers_confirmed_by_id_users")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_providers_created_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("community_id", "name", name=op.f("uq_providers_community_id_name")),
    )
    op.create_index(op.f("ix_providers_community_id"), "providers", ["community_id"], unique=False)

    op.create_table(
        "services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("bring", sa.String(length=500), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("walk_minutes", sa.Integer(), nullable=False),
        sa.Column("hours_note", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=30), nullable=False),
        sa.Column("price_kind", sa.String(length=8), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=True),
        sa.Column("takes_appointments", sa.Boolean(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", TZ, nullable=True),
        sa.CheckConstraint("kind IN ('government', 'convenience', 'welfare', 'safety')", name=op.f("ck_services_kind")),
        sa.CheckConstraint(
            "(price_kind = 'fixed') = (price_fen IS NOT NULL) AND (price_fen IS NULL OR price_fen BETWEEN 1 AND 10000000)",
            name=op.f("ck_services_price"),
        ),
        sa.CheckConstraint("price_kind IN ('free', 'fixed', 'ask')", name=op.f("ck_services_price_kind")),
        sa.CheckConstraint("walk_minutes BETWEEN 0 AND 120", name=op.f("ck_services_walk_minutes")),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_services_community_id_communities")),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name=op.f("fk_services_provider_id_providers")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], name=op.f("fk_services_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_services")),
    )
    op.create_index("ix_services_community_kind", "services", ["community_id", "kind"], unique=False)
    op.create_index(op.f("ix_services_provider_id"), "services", ["provider_id"], unique=False)

    op.create_table(
        "service_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Integer(), nullable=False),
        sa.Column("closes", sa.Integer(), nullable=False),
        sa.Column("overnight", sa.Boolean(), nullable=False),
        sa.CheckConstraint("opens BETWEEN 0 AND 1439 AND closes BETWEEN 0 AND 1440", name=op.f("ck_service_hours_minutes")),
        sa.CheckConstraint(
            "(overnight AND closes < opens) OR (NOT overnight AND opens < closes)", name=op.f("ck_service_hours_order")
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_service_hours_weekday")),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_hours_service_id_services"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_hours")),
    )
    op.create_index(op.f("ix_service_hours_service_id"), "service_hours", ["service_id"], unique=False)

    op.create_table(
        "service_closed_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["service_id"], ["services.id"], name=op.f("fk_service_closed_days_service_id_services"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_closed_days")),
        sa.UniqueConstraint("service_id", "day", name=op.f("uq_service_closed_days_service_id_day")),
    )

    op.create_table(
        "community_neighbours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("neighbour_id", sa.Integer(), nullable=False),
        sa.Column("walk_minutes", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("community_id != neighbour_id", name=op.f("ck_community_neighbours_not_itself")),
        sa.CheckConstraint("walk_minutes BETWEEN 1 AND 15", name=op.f("ck_community_neighbours_walk_minutes")),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_community_neighbours_community_id_communities")
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_community_neighbours_created_by_id_users")),
        sa.ForeignKeyConstraint(
            ["neighbour_id"], ["communities.id"], name=op.f("fk_community_neighbours_neighbour_id_communities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_neighbours")),
        sa.UniqueConstraint("community_id", "neighbour_id", name=op.f("uq_community_neighbours_community_id_neighbour_id")),
    )

    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_appointments_provider_id_providers"), "providers", ["provider_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_staff_appointments_provider_id"), ["provider_id"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), NEW_SCOPE)
        batch_op.create_index(
            "uq_staff_appointments_active_provider",
            ["user_id", "provider_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_PROVIDER),
            postgresql_where=sa.text(ACTIVE_PROVIDER),
        )


def downgrade():
    # Without providers, their staff appointments go (the older role check has no such role).
    op.execute("DELETE FROM staff_appointments WHERE role = 'provider'")
    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.drop_index("uq_staff_appointments_active_provider", sqlite_where=sa.text(ACTIVE_PROVIDER))
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), OLD_SCOPE)
        batch_op.drop_index(batch_op.f("ix_staff_appointments_provider_id"))
        batch_op.drop_constraint(batch_op.f("fk_staff_appointments_provider_id_providers"), type_="foreignkey")
        batch_op.drop_column("provider_id")
    op.drop_table("community_neighbours")
    op.drop_table("service_closed_days")
    with op.batch_alter_table("service_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_service_hours_service_id"))
    op.drop_table("service_hours")
    with op.batch_alter_table("services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_services_provider_id"))
        batch_op.drop_index("ix_services_community_kind")
    op.drop_table("services")
    with op.batch_alter_table("providers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_providers_community_id"))
    op.drop_table("providers")
