"""page indexes: deep pages read their rows in order from an index

Revision ID: 0019_page_indexes
Revises: 0018_search_index
Create Date: 2026-12-01 04:35:00

Measured with bench/page_costs.py --explain on PostgreSQL (bench/seed_topics.py, a member with
5,000 ledger entries among 208,000): /me/points read all of the person's entries and sorted them
for every page (the index led with the community, which the page does not filter on); a topic's
comment page sorted all its top-level comments (PostgreSQL does not take `parent_id IS NULL` as
fixing the order of an index on (topic_id, parent_id, created_at)), now a partial index of the
top-level comments in page order. With these, a page reads its offset plus its rows in order.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_page_indexes"
down_revision = "0018_search_index"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_ledger_entries_user_created", "ledger_entries", ["user_id", "created_at", "id"], unique=False)
    op.create_index(
        "ix_topic_comments_top_level",
        "topic_comments",
        ["topic_id", "created_at", "id"],
        unique=False,
        postgresql_where=sa.text("parent_id IS NULL"),
        sqlite_where=sa.text("parent_id IS NULL"),
    )


def downgrade():
    op.drop_index("ix_topic_comments_top_level", table_name="topic_comments")
    op.drop_index("ix_ledger_entries_user_created", table_name="ledger_entries")
