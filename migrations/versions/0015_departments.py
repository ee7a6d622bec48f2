"""departments: a street's departments (职能部门), department staff, and requests a department holds

Revision ID: 0015_departments
Revises: 0014_requests
Create Date: 2026-12-01 00:00:00

The downgrade hands what departments hold back to their streets and removes department members'
appointments (the audit log keeps who was appointed).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015_departments"
down_revision = "0014_requests"
branch_labels = None
depends_on = None

OLD_SCOPE = (
    "(role = 'worker' AND community_id IS NOT NULL AND street_id IS NULL) "
    "OR (role = 'street_admin' AND street_id IS NOT NULL AND community_id IS NULL) "
    "OR (role = 'site_admin' AND street_id IS NULL AND community_id IS NULL)"
)
NEW_SCOPE = OLD_SCOPE + " OR (role = 'department' AND department_id IS NOT NULL AND community_id IS NULL AND street_id IS NULL)"
ACTIVE_DEPARTMENT = "role = 'department' AND ended_at IS NULL"


def upgrade():
    op.create_table(
        "departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("street_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["street_id"], ["streets.id"], name=op.f("fk_departments_street_id_streets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_departments")),
        sa.UniqueConstraint("street_id", "name", name=op.f("uq_departments_street_id_name")),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_departments_street_id"), ["street_id"], unique=False)

    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_staff_appointments_department_id_departments"), "departments", ["department_id"], ["id"]
        )
        batch_op.create_index(batch_op.f("ix_staff_appointments_department_id"), ["department_id"], unique=False)
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), NEW_SCOPE)
        batch_op.create_index(
            "uq_staff_appointments_active_department",
            ["user_id", "department_id"],
            unique=True,
            sqlite_where=sa.text(ACTIVE_DEPARTMENT),
            postgresql_where=sa.text(ACTIVE_DEPARTMENT),
        )

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("department_accepted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_requests_department_id_departments"), "departments", ["department_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_requests_department_id"), ["department_id"], unique=False)
        batch_op.create_check_constraint(
            batch_op.f("ck_requests_department_holds"), "(holder = 'department') = (department_id IS NOT NULL)"
        )

    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("department_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_request_events_department_id_departments"), "departments", ["department_id"], ["id"]
        )


def downgrade():
    # Without departments, what a department holds goes back to its street, and department
    # members' appointments are removed (the older role check has no such role).
    op.execute("UPDATE requests SET holder = 'street', department_id = NULL WHERE holder = 'department'")
    op.execute("DELETE FROM staff_appointments WHERE role = 'department'")
    with op.batch_alter_table("request_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_request_events_department_id_departments"), type_="foreignkey")
        batch_op.drop_column("department_id")

    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_requests_department_holds"), type_="check")
        batch_op.drop_index(batch_op.f("ix_requests_department_id"))
        batch_op.drop_constraint(batch_op.f("fk_requests_department_id_departments"), type_="foreignkey")
        batch_op.drop_column("department_accepted_at")
        batch_op.drop_column("department_id")

    with op.batch_alter_table("staff_appointments", schema=None) as batch_op:
        batch_op.drop_index("uq_staff_appointments_active_department", sqlite_where=sa.text(ACTIVE_DEPARTMENT))
        batch_op.drop_constraint(batch_op.f("ck_staff_appointments_role_scope"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_staff_appointments_role_scope"), OLD_SCOPE)
        batch_op.drop_index(batch_op.f("ix_staff_appointments_department_id"))
        batch_op.drop_constraint(batch_op.f("fk_staff_appointments_department_id_departments"), type_="foreignkey")
        batch_op.drop_column("department_id")

    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_departments_street_id"))
    op.drop_table("departments")
