"""Ballot secrecy against a reader of the database without SECRET_KEY (docs/ballot-secrecy.md).

Fifty residents vote, each in their own transaction, as on the site. The ballots table must then
carry nothing of the order in which they voted: not its physical order (ctid on PostgreSQL, rowid
on SQLite), not its ids, not its transaction ids (xmin), and an attacker pairing ballots with
participations by any of these must do no better than chance.
"""

import hashlib
import random

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from flask import current_app

from consult.accounts.models import User
from consult.topics import ballots, policy, sealing, secrecy, votes
from consult.topics.models import Ballot, BallotChoice, SealedBallot, Topic, VoteOption, VoteParticipation
from tests.factories import Factory

VOTERS = 50
#: For a random order of 50, Spearman's rho has a standard deviation of 1/7: 0.6 is over 4 of them.
NO_ORDER = 0.6


def spearman(xs: list[int]) -> float:
    """Rank correlation between position in ``xs`` and the values of ``xs`` (a permutation of 0..n-1)."""
    n = len(xs)
    d2 = sum((position - value) ** 2 for position, value in enumerate(xs))
    return 1 - 6 * d2 / (n * (n * n - 1))


def physical(conn, table: str, columns: str, where: str, params: dict) -> list[tuple]:
    """Rows in the order they lie on disk: ctid on PostgreSQL, rowid (or the key, WITHOUT ROWID) on SQLite."""
    order = "ctid" if conn.dialect.name == "postgresql" else ("ballot_id, option_id" if table == "ballot_choices" else "rowid")
    return conn.execute(sa.text(f"SELECT {columns} FROM {table} WHERE {where} ORDER BY {order}"), params).all()


@pytest.fixture
def fifty_votes(app, committed_db):
    session = committed_db.session
    world = Factory(session).world()
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    options = [
        o.id for o in session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
    ]
    people = [world.factory.resident(world.a) for _ in range(VOTERS)]
    session.commit()
    ids = dict(topic=topic.id, vote=vote.id, people=[p.id for p in people], worker=world.worker.id)
    truth = {}
    for i, person_id in enumerate(ids["people"]):  # one transaction per ballot, as on the site
        choice = options[random.Random(i).randrange(3)]
        ballots.cast_ballot(session.get(User, person_id), session.get(Topic, ids["topic"]), [choice])
        session.commit()
        truth[i] = choice
    return session, ids, options, truth


def test_fifty_ballots_carry_no_order_id_or_transaction_of_their_voters(fifty_votes, capsys):
    session, ids, options, truth = fifty_votes
    vote = policy.vote_of(session.get(Topic, ids["topic"]))
    conn = session.connection()
    pg = conn.dialect.name == "postgresql"
    where, params = "vote_id = :v", {"v": ids["vote"]}

    # While voting: nothing plain. Every sealed ballot is as long as every other; none holds its
    # option ids, its token or its voter in the clear, and without the key it does not open.
    assert session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == ids["vote"])) == 0
    blobs = [bytes(b) for b in session.scalars(sa.select(SealedBallot.sealed).where(SealedBallot.vote_id == ids["vote"]))]
    assert len(blobs) == VOTERS and len({len(b) for b in blobs}) == 1
    tokens = {i: sealing.token(vote, f"u:{person_id}") for i, person_id in enumerate(ids["people"])}
    for blob in blobs:
        assert b'"o"' not in blob and not any(t.encode() in blob for t in tokens.values())
    real_key = current_app.config["SECRET_KEY"]
    current_app.config["SECRET_KEY"] = "not-the-key"
    try:
        with pytest.raises(InvalidTag):
            secrecy.unseal("ballot", blobs[0], f"vote:{ids['vote']}")
    finally:
        current_app.config["SECRET_KEY"] = real_key

    votes.close_early(session.get(User, ids["worker"]), session.get(Topic, ids["topic"]), "会议结束")
    session.commit()
    conn = session.connection()

    # The truth, which only the holder of SECRET_KEY can compute: cast position of each token.
    cast_of = {token: i for i, token in tokens.items()}
    rows = physical(conn, "ballots", "id, token" + (", xmin::text" if pg else ""), where, params)
    assert sorted(cast_of[r.token] for r in rows) == list(range(VOTERS))
    disk_order = [cast_of[r.token] for r in rows]
    id_order = [cast_of[r.token] for r in sorted(rows, key=lambda r: r.id)]
    token_of_ballot = {r.id: r.token for r in rows}
    choice_rows = physical(
        conn, "ballot_choices", "ballot_id, option_id", "ballot_id IN (SELECT id FROM ballots WHERE vote_id = :v)", params
    )
    choice_order = [cast_of[token_of_ballot[r.ballot_id]] for r in choice_rows]
    figures = {"disk": spearman(disk_order), "ids": spearman(id_order), "choices on disk": spearman(choice_order)}

    # The attack of the issue: line ballots up with participations (by id, i.e. cast order) by
    # each ordering the reader can see, and count the choices that come out right.
    participants = list(
        session.scalars(
            sa.select(VoteParticipation.user_id).where(VoteParticipation.vote_id == ids["vote"]).order_by(VoteParticipation.id)
        )
    )
    assert participants == ids["people"]
    chosen = {r.ballot_id: r.option_id for r in choice_rows}
    by_disk = [chosen[r.id] for r in rows]
    by_id = [chosen[r.id] for r in sorted(rows, key=lambda r: r.id)]
    hits = {"disk": sum(by_disk[i] == truth[i] for i in range(VOTERS)), "ids": sum(by_id[i] == truth[i] for i in range(VOTERS))}

    if pg:
        ballot_xmins = {r.xmin for r in rows}
        choice_xmins = set(
            conn.execute(
                sa.text("SELECT xmin::text FROM ballot_choices WHERE ballot_id IN (SELECT id FROM ballots WHERE vote_id = :v)"),
                params,
            ).scalars()
        )
        participation_xmins = set(
            conn.execute(sa.text("SELECT xmin::text FROM vote_participations WHERE vote_id = :v"), params).scalars()
        )
        assert len(participation_xmins) == VOTERS  # each voter in their own transaction
        assert not (ballot_xmins | choice_xmins) & participation_xmins  # no ballot shares a voter's transaction
        assert len(ballot_xmins | choice_xmins) == 1  # all written by the one closing transaction
        figures["transactions shared with participations"] = len((ballot_xmins | choice_xmins) & participation_xmins)
    with capsys.disabled():
        print(
            f"\n[{conn.dialect.name}] {VOTERS} ballots: Spearman rho with cast order {figures}; "
            f"choices recovered by lining up with participations {hits} (same choice by chance ~{VOTERS // 3})"
        )

    for name in ("disk", "ids", "choices on disk"):
        assert abs(figures[name]) < NO_ORDER, (name, figures)
    assert max(hits.values()) < 30, hits  # a real order would give all 50
    counts = {r["option"].id: r["count"] for r in ballots.results(session.get(Topic, ids["topic"]), vote)["rows"]}
    assert counts == {o: sum(1 for c in truth.values() if c == o) for o in options}


def test_a_ballot_changed_while_sealed_counts_once_and_as_changed(db, world, factory):
    spouse = factory.resident(world.a, building="3", unit="2", room="301")  # same flat as world.resident
    topic = world.factory.topic(world, "voting", scope="household", live_results=True)
    vote = policy.vote_of(topic)
    ids = {o.key: o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    ballots.cast_ballot(world.resident, topic, [ids["for"]])
    ballots.cast_ballot(spouse, topic, [ids["against"]])
    live = {r["option"].key: r["count"] for r in ballots.results(topic, vote)["rows"]}
    assert live == {"for": 0, "against": 1, "abstain": 0} and vote.ballot_count == 1
    votes.close_early(world.worker, topic, "结束")
    final = {r["option"].key: r["count"] for r in ballots.results(topic, vote)["rows"]}
    assert final == live
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BallotChoice).where(BallotChoice.option_id.in_(list(ids.values())))
        )
        == 1
    )


def test_the_token_is_keyed(db, world, app):
    """A ballot's token is an HMAC under SECRET_KEY, not a hash anyone can compute from the voter."""
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    token = sealing.token(vote, f"u:{world.resident.id}")
    for text in (f"u:{world.resident.id}", f"ballot:{vote.id}:u:{world.resident.id}", str(world.resident.id), "resident"):
        for digest in (hashlib.sha256, hashlib.sha1, hashlib.md5, hashlib.blake2s):
            assert digest(text.encode()).hexdigest() != token
    app.config["SECRET_KEY"], real = "another-key", app.config["SECRET_KEY"]
    try:
        assert sealing.token(vote, f"u:{world.resident.id}") != token
    finally:
        app.config["SECRET_KEY"] = real
