"""The topic policy against the state table of docs/design.md: every state × action × role, the
refusal each forbidden cell gives, and the time rule in Python and SQL agreeing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from consult.core.clock import now
from consult.core.errors import Conflict, DomainError, NotFound, PermissionDenied, RuleViolation
from consult.topics import outcomes, policy, proposals, queries, review, support, votes
from consult.topics.models import Category, Topic, TopicStatus as S, Vote
from consult.topics.policy import OutcomePolicy, TopicPolicy, state_at, state_sql

ROLES = ("visitor", "pending", "author", "member", "committee", "other_worker")
EVERYONE = set(ROLES)
LOGGED_IN = EVERYONE - {"visitor"}
RESIDENTS = {"author", "member"}  # confirmed residents of the topic's community

#: Stages the factory builds, and the state each stands for ("not_enough_support": the window ended).
STAGES = {
    "draft": S.DRAFT,
    "pending_review": S.PENDING_REVIEW,
    "rejected": S.REJECTED,
    "withdrawn": S.WITHDRAWN,  # withdrawn while in review: never public
    "collecting_support": S.COLLECTING_SUPPORT,
    "not_enough_support": S.NOT_ENOUGH_SUPPORT,
    "ready_for_vote": S.READY_FOR_VOTE,
    "vote_scheduled": S.VOTE_SCHEDULED,
    "voting": S.VOTING,
    "closed": S.CLOSED,
    "outcome_published": S.OUTCOME_PUBLISHED,
}
PRIVATE = {S.DRAFT, S.PENDING_REVIEW, S.REJECTED, S.WITHDRAWN}
PUBLIC = set(STAGES.values()) - PRIVATE

#: The state table as "who may do what, when": action -> (states, roles). Everything else is refused.
TABLE: dict[str, tuple[set[str], set[str]]] = {
    "see": (PUBLIC, EVERYONE),
    "print": (PUBLIC, EVERYONE),
    "follow": (PUBLIC, LOGGED_IN),
    "edit": ({S.DRAFT, S.PENDING_REVIEW}, {"author"}),
    "submit": ({S.DRAFT}, {"author"}),
    "withdraw": ({S.DRAFT, S.PENDING_REVIEW, S.COLLECTING_SUPPORT}, {"author"}),
    "support": ({S.COLLECTING_SUPPORT}, RESIDENTS),
    "comment": (PUBLIC, RESIDENTS | {"committee"}),
    "vote": ({S.VOTING}, RESIDENTS),
    "approve": ({S.PENDING_REVIEW}, {"committee"}),
    "reject": ({S.PENDING_REVIEW}, {"committee"}),
    "send_to_vote": ({S.PENDING_REVIEW, S.COLLECTING_SUPPORT}, {"committee"}),
    "schedule_vote": ({S.READY_FOR_VOTE}, {"committee"}),
    "change_vote": ({S.VOTE_SCHEDULED}, {"committee"}),
    "close_vote": ({S.VOTING}, {"committee"}),
    "record_paper": ({S.VOTING}, {"committee"}),
    "publish_outcome": ({S.CLOSED}, {"committee"}),
}
#: Private topics: their author and the committee see them, and may follow them.
PRIVATE_EXTRA = {"see": {"author", "committee"}, "follow": {"author", "committee"}}


def allowed(action: str, state: str, role: str) -> bool:
    states, roles = TABLE[action]
    if state in PRIVATE and action in PRIVATE_EXTRA:
        return role in PRIVATE_EXTRA[action]
    return state in states and role in roles


def people(world) -> dict:
    return {
        "visitor": None,
        "pending": world.pending,
        "author": world.resident,
        "member": world.party,
        "committee": world.worker,
        "other_worker": world.other_worker,
    }


def topic_at(world, clock, stage: str) -> Topic:
    if stage == "not_enough_support":
        topic = world.factory.topic(world, "collecting_support")
        clock.advance(days=15)  # the window ended; nobody has settled it yet
        return topic
    return world.topic(stage)


def test_the_table_names_every_action():
    assert set(TABLE) == set(TopicPolicy.actions)


@pytest.mark.parametrize("action", TopicPolicy.actions)
@pytest.mark.parametrize("stage", STAGES)
def test_state_action_role(stage, action, world, clock, db):
    """Each cell of the state table: may this kind of person do this, in this state, now."""
    topic = topic_at(world, clock, stage)
    rules = TopicPolicy(topic)
    assert rules.state == STAGES[stage]
    wrong = {
        role: rules.can(action, user)
        for role, user in people(world).items()
        if rules.can(action, user) != allowed(action, STAGES[stage], role)
    }
    assert not wrong, f"{action} while {stage}: {wrong}"


def expected_refusal(action: str, state: str, role: str) -> type[DomainError]:
    """The refusal of a forbidden cell: who is asked first, then when."""
    states, roles = TABLE[action]
    if action in ("see", "print"):
        return NotFound
    if action in ("follow", "comment") and not allowed("see", state, role):
        return NotFound if role != "visitor" or action == "comment" else PermissionDenied
    if action == "vote" and state not in states:  # the ballot box first: "not open yet" / "closed"
        return RuleViolation
    if action in ("close_vote", "record_paper") and role in roles:
        return RuleViolation
    if role not in roles and not (action == "comment" and role in RESIDENTS | {"committee"}):
        return PermissionDenied
    return Conflict


@pytest.mark.parametrize("action", TopicPolicy.actions)
@pytest.mark.parametrize("stage", STAGES)
def test_forbidden_cells_give_their_refusal(stage, action, world, clock, db):
    """Every forbidden cell is refused with a message and the status of its kind (400, 403, 404, 409)."""
    topic = topic_at(world, clock, stage)
    rules = TopicPolicy(topic)
    for role, user in people(world).items():
        if allowed(action, STAGES[stage], role):
            continue
        refusal = rules.refusal(action, user)
        kind = expected_refusal(action, STAGES[stage], role)
        assert isinstance(refusal, kind), (action, stage, role, refusal)
        assert refusal.message and refusal.status == kind.status


SERVICES = {
    "withdraw": lambda user, topic: proposals.withdraw(user, topic),
    "submit": lambda user, topic: proposals.submit_topic(user, topic),
    "support": lambda user, topic: support.support(user, topic),
    "approve": lambda user, topic: review.approve(user, topic),
    "send_to_vote": lambda user, topic: review.send_to_vote(user, topic),
    "change_vote": lambda user, topic: votes.cancel_vote(user, topic, "改期"),
    "close_vote": lambda user, topic: votes.close_early(user, topic, "会议已表决"),
    "publish_outcome": lambda user, topic: outcomes.publish_outcome(
        user, topic, decision="增设车位", responsible="物业", actions="施划", due_date=now().date()
    ),
}
CELLS = [
    ("withdraw", "voting", "author"),
    ("withdraw", "collecting_support", "member"),
    ("withdraw", "not_enough_support", "author"),
    ("submit", "pending_review", "author"),
    ("support", "ready_for_vote", "member"),
    ("support", "not_enough_support", "member"),
    ("support", "collecting_support", "pending"),
    ("approve", "collecting_support", "committee"),
    ("approve", "pending_review", "other_worker"),
    ("send_to_vote", "vote_scheduled", "committee"),
    ("change_vote", "voting", "committee"),
    ("close_vote", "vote_scheduled", "committee"),
    ("publish_outcome", "voting", "committee"),
    ("publish_outcome", "closed", "member"),
]


@pytest.mark.parametrize(("action", "stage", "role"), CELLS)
def test_services_refuse_with_the_policys_refusal(action, stage, role, world, clock, db):
    """A service asked to do a forbidden thing raises exactly the policy's refusal (message and status)."""
    topic = topic_at(world, clock, stage)
    user = people(world)[role]
    expected = TopicPolicy(topic).refusal(action, user)
    assert expected is not None
    with pytest.raises(DomainError) as raised:
        SERVICES[action](user, topic)
    assert type(raised.value) is type(expected)
    assert (raised.value.message, raised.value.status) == (expected.message, expected.status)


# --- outcomes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "action", "may"),
    [
        ("outcome_published", "add_progress", {"committee"}),
        ("outcome_published", "rate", set()),
        ("outcome_done", "add_progress", set()),
        ("outcome_done", "rate", RESIDENTS),
    ],
)
def test_outcome_actions(stage, action, may, world, db):
    """Progress until the outcome is finished (committee); ratings once it is done (residents who could vote)."""
    topic = world.topic(stage)
    outcome = queries.outcome_of(topic.id)
    rules = OutcomePolicy(outcome)
    got = {role for role, user in people(world).items() if rules.can(action, user)}
    assert got == may
    for role in set(ROLES) - may:
        refusal = rules.refusal(action, people(world)[role])
        assert isinstance(refusal, Conflict | PermissionDenied | RuleViolation)


# --- the time rule, in Python and in SQL ---------------------------------------------------------

BASE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
offsets = st.integers(min_value=-3, max_value=3).map(lambda n: timedelta(hours=n))


@st.composite
def situations(draw):
    """A topic's stored status, its support deadline and its vote's window, around BASE."""
    status = draw(st.sampled_from([s.value for s in S]))
    deadline = draw(st.none() | offsets.map(lambda d: BASE + d))
    window = draw(st.none() | st.tuples(offsets, st.integers(min_value=1, max_value=4)))
    return status, deadline, window


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(situations(), min_size=1, max_size=12), st.data())
def test_state_in_python_and_sql_agree(world, db, rows, data):
    """``state_at`` and ``state_sql`` give the same state for the same topic and moment: at a deadline,
    an opening or a closing exactly, and between them."""
    edges = [BASE + timedelta(minutes=30 * n) for n in range(-8, 9)]
    for _status, deadline, window in rows:
        edges += [deadline] if deadline else []
        edges += [BASE + window[0], BASE + window[0] + timedelta(hours=window[1])] if window else []
    moment = data.draw(st.sampled_from(edges))
    category = db.session.scalar(sa.select(Category).where(Category.key == "parking"))
    savepoint = db.session.begin_nested()
    try:
        topics = []
        for status, deadline, window in rows:
            topic = Topic(
                community_id=world.a.id,
                author_id=world.resident.id,
                title="t",
                body="b",
                category_id=category.id,
                status=status,
                support_deadline=deadline,
            )
            db.session.add(topic)
            db.session.flush()
            vote = None
            if window is not None:
                opens = BASE + window[0]
                vote = Vote(
                    topic_id=topic.id,
                    kind="yes_no",
                    opens_at=opens,
                    closes_at=opens + timedelta(hours=window[1]),
                    created_by_id=world.worker.id,
                )
                db.session.add(vote)
            topics.append((topic, vote))
        db.session.flush()
        ids = [t.id for t, _ in topics]
        in_sql = dict(db.session.execute(sa.select(Topic.id, state_sql(moment)).where(Topic.id.in_(ids))).all())
        for topic, vote in topics:
            assert in_sql[topic.id] == state_at(topic, vote, moment), (topic.status, topic.support_deadline, vote, moment)
            for state in {s.value for s in S}:
                selected = db.session.scalar(
                    sa.select(sa.func.count()).where(Topic.id == topic.id, policy.in_state(state, moment))
                )
                assert selected == (state == in_sql[topic.id])
    finally:
        savepoint.rollback()
