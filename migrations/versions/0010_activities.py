"""activities: called-off activities, who cancelled a sign-up, micro-wishes recorded by a worker, documents by community

Revision ID: 0010_activities
Revises: 0009_points

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_activities"
down_revision = "0009_points"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cancel_reason", sa.String(length=300), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_activities_cancelled_by_id_users"), "users", ["cancelled_by_id"], ["id"])
    with op.batch_alter_table("activity_signups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cancelled_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_activity_signups_cancelled_by_id_users"), "users", ["cancelled_by_id"], ["id"])
    with op.batch_alter_table("wishes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_wishes_recorded_by_id_users"), "users", ["recorded_by_id"], ["id"])
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_community_issued", ["community_id", "issued_at"], unique=False)


def downgrade():
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_community_issued")
    with op.batch_alter_table("wishes", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_wishes_recorded_by_id_users"), type_="foreignkey")
        batch_op.drop_column("recorded_by_id")
    with op.batch_alter_table("activity_signups", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activity_signups_cancelled_by_id_users"), type_="foreignkey")
        batch_op.drop_column("cancelled_by_id")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_activities_cancelled_by_id_users"), type_="foreignkey")
        batch_op.drop_column("cancel_reason")
        batch_op.drop_column("cancelled_by_id")
        batch_op.drop_column("cancelled_at")
