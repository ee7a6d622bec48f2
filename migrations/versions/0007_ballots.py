"""ballots: sealed while a vote is open, written shuffled at closing (docs/ballot-secrecy.md)

Open votes' ballots move into ``sealed_ballots`` (encrypted under SECRET_KEY) with a sealed tally;
closed votes' ballots are written again in a random order with new random ids, so the table no
longer lists them in the order people voted. ``ballots.paper`` goes: it paired a paper ballot
with the paper participation. Run ``VACUUM FULL ballots, ballot_choices`` afterwards on
PostgreSQL so the old row versions leave the disk (older backups keep the old order).

Revision ID: 0007_ballots
Revises: 0006_sessions
"""

import random

import sqlalchemy as sa
from alembic import op

revision = "0007_ballots"
down_revision = "0006_sessions"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

votes = sa.table(
    "votes", sa.column("id", sa.Integer), sa.column("closed_at", sa.DateTime), sa.column("sealed_tally", sa.LargeBinary)
)
ballots = sa.table("ballots", sa.column("id", ID), sa.column("vote_id", sa.Integer), sa.column("token", sa.String))
choices = sa.table("ballot_choices", sa.column("ballot_id", ID), sa.column("option_id", sa.Integer))
sealed = sa.table(
    "sealed_ballots",
    sa.column("id", ID),
    sa.column("vote_id", sa.Integer),
    sa.column("slot", sa.String),
    sa.column("sealed", sa.LargeBinary),
)


def _ballots_of(conn, vote_id):
    rows = conn.execute(sa.select(ballots.c.id, ballots.c.token).where(ballots.c.vote_id == vote_id)).all()
    chosen = {}
    for ballot_id, option_id in conn.execute(
        sa.select(choices.c.ballot_id, choices.c.option_id).where(
            choices.c.ballot_id.in_(sa.select(ballots.c.id).where(ballots.c.vote_id == vote_id))
        )
    ):
        chosen.setdefault(ballot_id, []).append(option_id)
    return [(token, sorted(chosen.get(ballot_id, []))) for ballot_id, token in rows]


def _delete_ballots(conn, vote_id):
    conn.execute(sa.delete(choices).where(choices.c.ballot_id.in_(sa.select(ballots.c.id).where(ballots.c.vote_id == vote_id))))
    conn.execute(sa.delete(ballots).where(ballots.c.vote_id == vote_id))


def _write_shuffled(conn, vote_id, entries):
    from consult.topics.models import _random_id

    random.SystemRandom().shuffle(entries)
    rows = [{"id": _random_id(), "vote_id": vote_id, "token": token} for token, _ in entries]
    if rows:
        conn.execute(sa.insert(ballots), rows)
        picked = [{"ballot_id": r["id"], "option_id": o} for r, (_, options) in zip(rows, entries, strict=True) for o in options]
        if picked:
            conn.execute(sa.insert(choices), picked)


def _read_all(conn):
    """Every vote's ballots, read before any table is rebuilt (SQLite's batch rebuild of ``ballots``
    would cascade into ``ballot_choices``), then deleted."""
    found = {}
    for vote_id, closed_at in conn.execute(sa.select(votes.c.id, votes.c.closed_at)).all():
        found[vote_id] = (closed_at, _ballots_of(conn, vote_id))
        _delete_ballots(conn, vote_id)
    return found


def upgrade():
    conn = op.get_bind()
    found = _read_all(conn)
    op.create_table(
        "sealed_ballots",
        sa.Column("id", ID, autoincrement=False, nullable=False),
        sa.Column("vote_id", sa.Integer(), nullable=False),
        sa.Column("slot", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["vote_id"], ["votes.id"], name=op.f("fk_sealed_ballots_vote_id_votes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sealed_ballots")),
        sa.UniqueConstraint("vote_id", "slot", name=op.f("uq_sealed_ballots_vote_id_slot")),
    )
    with op.batch_alter_table("votes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_tally", sa.LargeBinary(), nullable=True))
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.drop_column("paper")
    if not found:
        return
    from consult.topics import secrecy
    from consult.topics.models import _random_id

    for vote_id, (closed_at, entries) in found.items():
        if closed_at is not None:
            _write_shuffled(conn, vote_id, entries)
            continue
        counts = {}
        rows = []
        for token, options in entries:
            for o in options:
                counts[str(o)] = counts.get(str(o), 0) + 1
            rows.append(
                {
                    "id": _random_id(),
                    "vote_id": vote_id,
                    "slot": secrecy.mac(f"slot:{token}"),
                    "sealed": secrecy.seal("ballot", {"t": token, "o": options}, f"vote:{vote_id}"),
                }
            )
        random.SystemRandom().shuffle(rows)
        if rows:
            conn.execute(sa.insert(sealed), rows)
        conn.execute(
            sa.update(votes)
            .where(votes.c.id == vote_id)
            .values(sealed_tally=secrecy.seal("tally", counts, f"vote:{vote_id}") if counts else None)
        )


def downgrade():
    conn = op.get_bind()
    found = _read_all(conn)
    pending = conn.execute(sa.select(sealed.c.vote_id, sealed.c.sealed)).all()
    with op.batch_alter_table("ballots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paper", sa.Boolean(), nullable=False, server_default=sa.false()))
    by_vote = {vote_id: entries for vote_id, (_, entries) in found.items()}
    if pending:
        from consult.topics import secrecy

        for vote_id, blob in pending:
            data = secrecy.unseal("ballot", blob, f"vote:{vote_id}")
            by_vote.setdefault(vote_id, []).append((data["t"], data["o"]))
    for vote_id, entries in by_vote.items():
        _write_shuffled(conn, vote_id, entries)
    op.drop_table("sealed_ballots")
    if conn.dialect.name == "sqlite":  # in place: a batch rebuild of `votes` trips the foreign keys pointing at it
        op.execute("ALTER TABLE votes DROP COLUMN sealed_tally")
    else:
        op.drop_column("votes", "sealed_tally")
