"""Bulk writing for the generator: rows buffered per table, written with COPY on PostgreSQL
(psycopg 3 ``cursor.copy``) and executemany on SQLite, all in the caller's one transaction.

Rows are dicts; every table's rows are written with the table's full column list (a missing key
is NULL), so the generator gives every NOT NULL column itself, ids included.
"""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from consult.extensions import db

#: Rows kept in memory per table before they are written.
BATCH = 20_000


class Writer:
    def __init__(self, connection: sa.Connection):
        self.connection = connection
        self.postgresql = connection.dialect.name == "postgresql"
        self.buffers: dict[str, list[dict]] = {}
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, int] = {}

    def next_id(self, table: str) -> int:
        """The next id of ``table`` (the generator numbers its rows itself: no RETURNING, COPY works)."""
        if table not in self.ids:
            column = db.metadata.tables[table].c.id
            self.ids[table] = (self.connection.scalar(sa.select(sa.func.max(column))) or 0) + 1
        value = self.ids[table]
        self.ids[table] = value + 1
        return value

    def add(self, table: str, row: dict) -> None:
        buffer = self.buffers.setdefault(table, [])
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        """Write every buffer, parents before children (the foreign keys are checked per statement)."""
        for name in [t.name for t in db.metadata.sorted_tables]:
            rows = self.buffers.get(name)
            if rows:
                self._write(name, rows)
                self.counts[name] += len(rows)
                self.buffers[name] = []

    def _write(self, name: str, rows: list[dict]) -> None:
        table = db.metadata.tables[name]
        if not self.postgresql:
            columns = [c.name for c in table.columns]
            self.connection.execute(sa.insert(table), [{c: row.get(c) for c in columns} for row in rows])
            return
        columns = [c.name for c in table.columns]
        raw = self.connection.connection.driver_connection
        assert raw is not None  # noqa: S101  # an open connection's driver connection
        with raw.cursor() as cursor:
            quoted = ", ".join(f'"{c}"' for c in columns)
            with cursor.copy(f'COPY "{name}" ({quoted}) FROM STDIN') as copy:  # type: ignore[arg-type]
                for row in rows:
                    copy.write_row([row.get(c) for c in columns])

    def reset_sequences(self) -> None:
        """PostgreSQL: every serial id sequence continues after the ids the generator gave."""
        if not self.postgresql:
            return
        for name in self.ids:
            self.connection.execute(
                sa.text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
                {"table": name, "next": self.ids[name]},
            )
