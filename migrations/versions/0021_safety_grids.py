"""safety grids: grids (网格) and their buildings, grid workers, building volunteers, people needing help

Revision ID: 0021_safety_grids
Revises: 0020_export_files
Create Date: 2026-12-01 04:30:00

A grid worker is a staff appointment of role grid_worker naming its grid (and the grid's community:
the composite foreign key keeps both in one community); a building is in at most one grid of its
community (uq_grid_buildings_community_id_building). The downgrade removes grid workers'
appointments first (the older role check has no such role; the audit log keeps who was appointed).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021_safety_grids"
down_revision = "0020_export_files"
branch_labels = None
depends_on = None

OLD_SCOPE = (
    "(role = 'worker' AND community_id IS NOT NULL AND street_id IS NULL) "
    "OR (role = 'street_admin' AND street_id IS NOT NULL AND community_id IS NULL) "
    "OR (role = 'site_admin' AND street_id IS NULL AND community_id IS NULL) "
    "OR (role = 'department' AND department_id IS NOT NULL AND community_id IS NULL AND street_id IS NULL)"
)
NEW_SCOPE = OLD_SCOPE + " OR (role = 'grid_worker' AND grid_id IS NOT NULL AND community_id IS NOT NULL AND street_id IS NULL)"
ACTIVE_GRID_WORKER = "role = 'grid_worker' AND ended_at IS NULL"


def upgrade():
    op.create_table(
        "grids",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_grids_community_id_communities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grids")),
        sa.UniqueConstraint("id", "community_id", name=op.f("uq_grids_id_community_id")),
    )
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grids_community_id"), ["community_id"], unique=False)
        batch_op.create_index(
            "uq_grids_active_name",
            ["community_id", "name"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )

    op.create_table(
        "grid_buildings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_grid_buildings_community_id_communities")),
        sa.ForeignKeyConstraint(
            ["grid_id", "community_id"], ["grids.id", "grids.community_id"], name=op.f("fk_grid_buildings_grid_id_grids")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grid_buildings")),
        sa.UniqueConstraint("community_id", "building", name=op.f("uq_grid_buildings_community_id_building")),
    )
    with op.batch_alter_table("grid_buildings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grid_buildings_grid_id"), ["grid_id"], unique=False)

    op.create_table(
        "building_volunteers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("named_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["community_id"], ["communities.id"], name=op.f("fk_building_volunteers_community_id_communities")
        ),
        sa.ForeignKeyConstraint(["ended_by_id"], ["users.id"], name=op.f("fk_building_volunteers_ended_by_id_users")),
        sa.ForeignKeyConstraint(["named_by_id"], ["users.id"], name=op.f("fk_building_volunteers_named_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_building_volunteers_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_building_volunteers")),
    )
    with op.batch_alter_table("building_volunteers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_building_volunteers_user_id"), ["user_id"], unique=False)
        batch_op.create_index(
            "uq_building_volunteers_active",
            ["community_id", "building"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "help_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("lives_alone_over_70", sa.Boolean(), nullable=False),
        sa.Column("limited_mobility", sa.Boolean(), nullable=False),
        sa.Column("no_phone", sa.Boolean(), nullable=False),
        sa.Column("other", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("consent_by", sa.String(length=100), nullable=True),
        sa.Column("consent_how", sa.String(length=100), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(NOT other) OR (note IS NOT NULL)", name=op.f("ck_help_needs_other_has_note")),
        sa.CheckConstraint(
            "(recorded_by_id IS NULL) OR (consent_by IS NOT NULL AND consent_how IS NOT NULL AND consent_at IS NOT NULL)",
            name=op.f("ck_help_needs_recorded_has_consent"),
        ),
        sa.CheckConstraint("lives_alone_over_70 OR limited_mobility OR no_phone OR other", name=op.f("ck_help_needs_some_mark")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["users.id"], name=op.f("fk_help_needs_recorded_by_id_users")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_help_needs_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_help_needs")),
        sa.UniqueConstraint("user_id", name=op.f("uq_help_needs_user_id")),
    )

    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grid_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("work_phone", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_staff_appointments_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(
            "uq_staff_appointments_active_grid_worker",
            ["user_id", "grid_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_GRID_WORKER),
            postgresql_where=sa.text(ACTIVE_GRID_WORKER),
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_appointments_grid_id_grids"), "grids", ["grid_id", "community_id"], ["id", "community_id"]
        )
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), NEW_SCOPE)
        batch_op.create_check_constraint(
            batch_op.f("ck_staff_appointments_grid_scope"), "(grid_id IS NULL) OR (role = 'grid_worker')"
        )


def downgrade():
    # Without grids, grid workers' appointments go (the older role check has no such role).
    op.execute("DELETE FROM staff_appointments WHERE role = 'grid_worker'")
    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_grid_scope"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), OLD_SCOPE)
        batch_op.drop_constraint(batch_op.f("fk_staff_appointments_grid_id_grids"), type_="foreignkey")
        batch_op.drop_index("uq_staff_appointments_active_grid_worker", sqlite_where=sa.text(ACTIVE_GRID_WORKER))
        batch_op.drop_index(batch_op.f("ix_staff_appointments_grid_id"))
        batch_op.drop_column("work_phone")
        batch_op.drop_column("grid_id")

    op.drop_table("help_needs")
    with op.batch_alter_table("building_volunteers", schema=None) as batch_op:
        batch_op.drop_index("uq_building_volunteers_active", sqlite_where=sa.text("ended_at IS NULL"))
        batch_op.drop_index(batch_op.f("ix_building_volunteers_user_id"))
    op.drop_table("building_volunteers")
    with op.batch_alter_table("grid_buildings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grid_buildings_grid_id"))
    op.drop_table("grid_buildings")
    with op.batch_alter_table("grids", schema=None) as batch_op:
        batch_op.drop_index("uq_grids_active_name", sqlite_where=sa.text("deleted_at IS NULL"))
        batch_op.drop_index(batch_op.f("ix_grids_community_id"))
    op.drop_table("grids")
