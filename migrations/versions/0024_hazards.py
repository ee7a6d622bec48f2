"""hazards: the hazard ledger, inspections and their items, emergency points; drills as an activity kind

Revision ID: 0024_hazards
Revises: 0023_notices
Create Date: 2026-12-01 08:20:14

A hazard's due date is never before the day it was found (ck_hazards_due_after_found), and whoever
marked it fixed never checks it (ck_hazards_checker_not_fixer). The downgrade turns drills into
volunteer activities first (the older kind check has no drill; the audit log keeps what they were).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0024_hazards"
down_revision = "0023_notices"
branch_labels = None
depends_on = None


OLD_KINDS = "kind IN ('volunteer', 'party', 'meeting')"
NEW_KINDS = "kind IN ('volunteer', 'party', 'meeting', 'drill')"


def upgrade():
    op.create_table(
        "emergency_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("opening", sa.String(length=60), nullable=False),
        sa.Column("open_at_night", sa.Boolean(), nullable=False),
        sa.Column("keeper_name", sa.String(length=40), nullable=False),
        sa.Column("keeper_phone", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_emergency_points_community_id_communities")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_points")),
        sa.UniqueConstraint("community_id", "name", name=op.f("uq_emergency_points_community_id_name")),
    )
    with op.batch_alter_table("emergency_points", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_emergency_points_community_id"), ["community_id"], unique=False)

    op.create_table(
        "emergency_point_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("point_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=20), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "item IN ('aed', 'stretcher', 'sandbags', 'generator', 'first_aid_kit', 'flashlights', 'water_pump', 'life_jackets')",
            name=op.f("ck_emergency_point_items_item"),
        ),
        sa.CheckConstraint("count BETWEEN 1 AND 999", name=op.f("ck_emergency_point_items_count")),
        sa.ForeignKeyConstraint(
            ["point_id"],
            ["emergency_points.id"],
            name=op.f("fk_emergency_point_items_point_id_emergency_points"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emergency_point_items")),
        sa.UniqueConstraint("point_id", "item", name=op.f("uq_emergency_point_items_point_id_item")),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("building", sa.String(length=20), nullable=True),
        sa.Column("inspector_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_inspections_community_id_communities")),
        sa.ForeignKeyConstraint(
            ["grid_id", "community_id"], ["grids.id", "grids.community_id"], name=op.f("fk_inspections_grid_id_grids")
        ),
        sa.ForeignKeyConstraint(["inspector_id"], ["users.id"], name=op.f("fk_inspections_inspector_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
        sa.UniqueConstraint("id", "grid_id", name=op.f("uq_inspections_id_grid_id")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_inspector_id"), ["inspector_id"], unique=False)

    op.create_table(
        "hazards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=True),
        sa.Column("building", sa.String(length=20), nullable=True),
        sa.Column("place", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("photo_key", sa.String(length=40), nullable=True),
        sa.Column("photo_mime", sa.String(length=20), nullable=True),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("found_by_id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=60), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("measures", sa.String(length=500), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("fixed_by_id", sa.Integer(), nullable=True),
        sa.Column("fixed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(status <> 'checked') OR (checked_by_id IS NOT NULL)", name=op.f("ck_hazards_checked_has_checker")),
        sa.CheckConstraint(
            "(status NOT IN ('fixed', 'checked')) OR (fixed_by_id IS NOT NULL)", name=op.f("ck_hazards_fixed_has_fixer")
        ),
        sa.CheckConstraint(
            "kind IN ('fire_lane', 'ebike_charging', 'loose_facade', 'gas_smell', 'flooding', 'electrical', 'other')",
            name=op.f("ck_hazards_kind"),
        ),
        sa.CheckConstraint("severity IN ('low', 'medium', 'high')", name=op.f("ck_hazards_severity")),
        sa.CheckConstraint("status IN ('open', 'fixing', 'fixed', 'checked')", name=op.f("ck_hazards_status")),
        sa.CheckConstraint(
            "(checked_by_id IS NULL) OR (checked_by_id <> fixed_by_id)", name=op.f("ck_hazards_checker_not_fixer")
        ),
        sa.CheckConstraint("due_on >= found_on", name=op.f("ck_hazards_due_after_found")),
        sa.ForeignKeyConstraint(["checked_by_id"], ["users.id"], name=op.f("fk_hazards_checked_by_id_users")),
        sa.ForeignKeyConstraint(["community_id"], ["communities.id"], name=op.f("fk_hazards_community_id_communities")),
        sa.ForeignKeyConstraint(["fixed_by_id"], ["users.id"], name=op.f("fk_hazards_fixed_by_id_users")),
        sa.ForeignKeyConstraint(["found_by_id"], ["users.id"], name=op.f("fk_hazards_found_by_id_users")),
        sa.ForeignKeyConstraint(
            ["grid_id", "community_id"], ["grids.id", "grids.community_id"], name=op.f("fk_hazards_grid_id_grids")
        ),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"], name=op.f("fk_hazards_inspection_id_inspections")),
        sa.ForeignKeyConstraint(["owner_user_id"], ["users.id"], name=op.f("fk_hazards_owner_user_id_users")),
        sa.ForeignKeyConstraint(["request_id"], ["requests.id"], name=op.f("fk_hazards_request_id_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazards")),
        sa.UniqueConstraint("request_id", name=op.f("uq_hazards_request_id")),
    )
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.create_index("ix_hazards_community_status_due", ["community_id", "status", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazards_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazards_inspection_id"), ["inspection_id"], unique=False)

    op.create_table(
        "inspection_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(length=40), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("hazard_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "item IN ('fire_lane_clear', 'fire_doors_closed', 'extinguishers_present', 'no_ebike_in_stairwell', "
            "'no_flying_leads', 'facade_intact', 'no_loose_objects_on_balconies', 'no_gas_smell', 'gas_pipes_intact', "
            "'drains_clear', 'basement_dry', 'meter_boxes_closed', 'no_exposed_wires')",
            name=op.f("ck_inspection_items_item"),
        ),
        sa.CheckConstraint("(hazard_id IS NULL) OR (NOT passed)", name=op.f("ck_inspection_items_hazard_of_failed")),
        sa.ForeignKeyConstraint(["hazard_id"], ["hazards.id"], name=op.f("fk_inspection_items_hazard_id_hazards")),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_inspection_items_inspection_id_inspections")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_items")),
        sa.UniqueConstraint("hazard_id", name=op.f("uq_inspection_items_hazard_id")),
        sa.UniqueConstraint("inspection_id", "item", name=op.f("uq_inspection_items_inspection_id_item")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_activities_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_activities_kind"), NEW_KINDS)


def downgrade():
    op.execute("UPDATE activities SET kind = 'volunteer' WHERE kind = 'drill'")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_activities_kind"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_activities_kind"), OLD_KINDS)
    op.drop_table("inspection_items")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazards_inspection_id"))
        batch_op.drop_index(batch_op.f("ix_hazards_grid_id"))
        batch_op.drop_index("ix_hazards_community_status_due")

    op.drop_table("hazards")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_inspector_id"))
        batch_op.drop_index(batch_op.f("ix_inspections_grid_id"))

    op.drop_table("inspections")
    op.drop_table("emergency_point_items")
    with op.batch_alter_table("emergency_points", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_emergency_points_community_id"))

    op.drop_table("emergency_points")
