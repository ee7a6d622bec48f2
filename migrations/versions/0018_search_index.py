"""search index: Chinese search on an index for topics and resident requests

Revision ID: 0018_search_index
Revises: 0017_request_indexes
Create Date: 2026-12-01 04:30:00

Topic and request search read ``LIKE '%词%'``, a scan of every row. Each searched table gets an
index table keyed by its id, filled with the text tokenised in Python (consult/core/search.py:
Han bigrams, lower-case words): on SQLite an FTS5 table with a column per field, on PostgreSQL a
``tsvector`` with a GIN index. Existing rows are indexed here, 2,000 at a time; from now on the
domains keep the index in step on every flush (topics: title and body; requests: description and
resolution note).
"""

import logging
import time

from alembic import op

from consult.core import search

# revision identifiers, used by Alembic.
revision = "0018_search_index"
down_revision = "0017_request_indexes"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.search")

#: (index, the table it indexes): the same as consult/topics/models.py and consult/requests/models.py
INDEXES = (
    (search.Index("search_topics", "topic_id", (("title", "A"), ("body", "B"))), "topics"),
    (search.Index("search_requests", "request_id", (("resolution_note", "A"), ("description", "B"))), "requests"),
)


def upgrade():
    connection = op.get_bind()
    for index, table in INDEXES:
        if connection.dialect.name == "postgresql":
            op.execute(
                f"CREATE TABLE {index.name} ({index.key} integer PRIMARY KEY "
                f"REFERENCES {table} (id) ON DELETE CASCADE, document tsvector NOT NULL)"
            )
            op.execute(f"CREATE INDEX ix_{index.name}_document ON {index.name} USING gin (document)")
        else:
            columns = ", ".join(index.field_names)
            op.execute(f"CREATE VIRTUAL TABLE {index.name} USING fts5({columns}, tokenize = 'unicode61 remove_diacritics 0')")
        started = time.perf_counter()
        count = search.rebuild(connection, index, table)
        log.info("%s: %d rows indexed in %.1f s", index.name, count, time.perf_counter() - started)
        if connection.dialect.name == "postgresql":
            op.execute(f"ANALYZE {index.name}")


def downgrade():
    for index, _table in INDEXES:
        op.execute(f"DROP TABLE {index.name}")
