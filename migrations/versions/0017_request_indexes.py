"""request indexes: what the street's lists and the month's 三率 read

Revision ID: 0017_request_indexes
Revises: 0016_open311_keys
Create Date: 2026-12-01 02:50:00

Measured on a street with 100,000 requests in a month (bench/README.md): the street's "held" and
"dispatched" lists filter on holder and status, and without an index read every open request
(19,855) to keep about 1,000; the evaluation's resolution and satisfaction sources read a month of
original resolution due times and confirmations per community, which in a year of requests is a
twelfth of the table.
"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_request_indexes"
down_revision = "0016_open311_keys"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_requests_holder_status": ["holder", "status"],
    "ix_requests_community_resolution_due": ["community_id", "original_resolution_due_at"],
    "ix_requests_community_confirmed": ["community_id", "confirmed_at"],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, "requests", columns, unique=False)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name="requests")
