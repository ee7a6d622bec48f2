"""points: owed balances, a redemption never overdraws, the ledger refuses change on every engine

Revision ID: 0009_points
Revises: 0007_ballots
Create Date: 2026-11-30 19:40:00

- ``ledger_entries.balance_after``: the balance after each entry (back-filled as the running sum
  in id order), with CHECK ``reason != 'redemption' OR balance_after >= 0``.
- ``point_balances``: the CHECK ``balance >= 0`` is dropped; a reversal or a correction of
  points already spent leaves the balance negative (owed).
- A trigger refuses an entry whose ``balance_after`` is not the balance row plus its delta, so
  the CHECK above holds against the real balance (the balance row is changed after the entry).
- PostgreSQL: a statement-level trigger refuses TRUNCATE (UPDATE and DELETE were refused since
  0004). SQLite: triggers refuse UPDATE and DELETE (SQLite has no TRUNCATE; with a DELETE
  trigger it never takes its "truncate" shortcut either).

SQLite batch mode recreates a table it alters, which drops its triggers: a later migration
that batch-alters ``ledger_entries`` on SQLite must create these triggers again.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_points"
down_revision = "0007_ballots"
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE ledger_entries SET balance_after = (
    SELECT SUM(earlier.delta) FROM ledger_entries AS earlier
    WHERE earlier.user_id = ledger_entries.user_id AND earlier.community_id = ledger_entries.community_id
      AND earlier.id <= ledger_entries.id
)
"""

PG_TRUNCATE_TRIGGER = """
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_refuse_change()
"""
PG_BALANCE_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_entries_check_balance_after() RETURNS trigger AS $$
DECLARE
    current_balance integer;
BEGIN
    SELECT balance INTO current_balance FROM point_balances
    WHERE user_id = NEW.user_id AND community_id = NEW.community_id;
    IF NEW.balance_after IS DISTINCT FROM COALESCE(current_balance, 0) + NEW.delta THEN
        RAISE EXCEPTION 'ledger_entries: balance_after % does not follow the balance %', NEW.balance_after, COALESCE(current_balance, 0)
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql
"""  # noqa: E501 - the function's text stays as the databases have it
PG_BALANCE_TRIGGER = """
CREATE TRIGGER ledger_entries_balance_after BEFORE INSERT ON ledger_entries
FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_balance_after()
"""

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE refused'); END
    """,
    """
    CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
    BEGIN SELECT RAISE(ABORT, 'ledger_entries is append-only: DELETE refused'); END
    """,
    """
    CREATE TRIGGER ledger_entries_balance_after BEFORE INSERT ON ledger_entries
    WHEN NEW.balance_after IS NOT COALESCE((SELECT balance FROM point_balances
        WHERE user_id = NEW.user_id AND community_id = NEW.community_id), 0) + NEW.delta
    BEGIN SELECT RAISE(ABORT, 'ledger_entries: balance_after does not follow the balance'); END
    """,
]
SQLITE_TRIGGER_NAMES = ["ledger_entries_no_update", "ledger_entries_no_delete", "ledger_entries_balance_after"]


SQLITE_ADD_COLUMN = """
ALTER TABLE ledger_entries ADD COLUMN balance_after INTEGER NOT NULL DEFAULT 0
CONSTRAINT ck_ledger_entries_redemption_covered CHECK (reason != 'redemption' OR balance_after >= 0)
"""


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        # The 0004 trigger refuses UPDATE; the back-fill is the one sanctioned rewrite.
        op.execute("ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
        op.add_column("ledger_entries", sa.Column("balance_after", sa.Integer(), nullable=True))
        op.execute(BACKFILL)
        op.alter_column("ledger_entries", "balance_after", existing_type=sa.Integer(), nullable=False)
        op.create_check_constraint(
            op.f("ck_ledger_entries_redemption_covered"), "ledger_entries", "reason != 'redemption' OR balance_after >= 0"
        )
        op.drop_constraint(op.f("ck_point_balances_not_negative"), "point_balances", type_="check")
        op.execute("ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only")
        op.execute(PG_TRUNCATE_TRIGGER)
        op.execute(PG_BALANCE_FUNCTION)
        op.execute(PG_BALANCE_TRIGGER)
    else:
        # Not batch mode: re-creating ledger_entries, which other tables refer to, breaks their
        # foreign keys inside the migration's transaction. A column CHECK does the same job
        # (the DEFAULT is only there because SQLite needs one to add a NOT NULL column).
        op.execute(SQLITE_ADD_COLUMN)
        op.execute(BACKFILL)
        with op.batch_alter_table("point_balances", schema=None) as batch_op:
            batch_op.drop_constraint(op.f("ck_point_balances_not_negative"), type_="check")
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    # A negative (owed) balance cannot satisfy the old CHECK: such a database cannot go back.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_balance_after ON ledger_entries")
        op.execute("DROP FUNCTION IF EXISTS ledger_entries_check_balance_after()")
        op.execute("DROP TRIGGER IF EXISTS ledger_entries_no_truncate ON ledger_entries")
        op.create_check_constraint(op.f("ck_point_balances_not_negative"), "point_balances", "balance >= 0")
        op.drop_constraint(op.f("ck_ledger_entries_redemption_covered"), "ledger_entries", type_="check")
        op.drop_column("ledger_entries", "balance_after")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        with op.batch_alter_table("point_balances", schema=None) as batch_op:
            batch_op.create_check_constraint(op.f("ck_point_balances_not_negative"), "balance >= 0")
        op.execute("ALTER TABLE ledger_entries DROP COLUMN balance_after")
