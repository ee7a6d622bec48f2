"""Rules of topics, without HTTP: the state table of docs/design.md, support, ballots, comments, outcomes, ratings."""

import hashlib
import logging
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEntry
from consult.core.cli import run_tick
from consult.core.clock import now
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.places import queries as places, services as places_services
from consult.topics import (
    ballots,
    deadlines,
    discussion,
    lifecycle,
    models,
    outcomes,
    policy,
    proposals,
    queries,
    review,
    settings,
    support,
    votes,
)
from consult.topics.models import (
    Ballot,
    BallotChoice,
    Category,
    OutcomeRating,
    SealedBallot,
    Topic,
    TopicEvent,
    TopicStatus as S,
    VoteOption,
    VoteParticipation,
    public_clause,
)


@pytest.fixture
def parking(db):
    return db.session.scalar(sa.select(Category).where(Category.key == "parking"))


def propose(world, parking, **kw):
    data = dict(title="小区停车难", body="晚上车位不够，建议施划夜间车位。", category_id=parking.id)
    data.update(kw)
    return proposals.propose(world.resident, world.a, **data)


def statuses(db, topic):
    return [
        e.to_status
        for e in db.session.scalars(sa.select(TopicEvent).where(TopicEvent.topic_id == topic.id).order_by(TopicEvent.id))
    ]


def option_ids(db, vote, *keys):
    options = {o.key or o.label: o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    return [options[k] for k in keys]


# --- proposing and review ----------------------------------------------------------------------


def test_draft_then_submit_then_approve(db, world, parking, clock):
    topic = propose(world, parking, submit=False)
    assert topic.status == S.DRAFT
    proposals.submit_topic(world.resident, topic)
    assert topic.status == S.PENDING_REVIEW and topic.submitted_at == clock.now()
    review.approve(world.worker, topic)
    assert topic.status == S.COLLECTING_SUPPORT
    assert topic.support_threshold == 10 and topic.support_deadline == clock.now() + timedelta(days=14)
    assert statuses(db, topic) == [S.DRAFT, S.PENDING_REVIEW, S.COLLECTING_SUPPORT]
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.target_type == "topics", AuditEntry.target_id == topic.id)
        )
        == "topic.collecting_support"
    )


def test_only_confirmed_residents_propose(db, world, parking):
    for person in (world.pending, world.other_worker, world.site_admin):
        with pytest.raises(PermissionDenied):
            proposals.propose(person, world.a, title="x", body="y", category_id=parking.id)


def test_workers_start_committee_topics(db, world, parking):
    topic = proposals.propose(world.worker, world.a, title="加装电梯意见征集", body="请大家发表意见", category_id=parking.id)
    assert topic.committee_initiated and topic.status == S.PENDING_REVIEW


@pytest.mark.parametrize(
    "title, body", [("", "body"), ("x" * 81, "body"), ("title", ""), ("title", "x" * 10001), ("   ", "body")]
)
def test_empty_or_overlong_text_refused(db, world, parking, title, body):
    with pytest.raises(RuleViolation):
        propose(world, parking, title=title, body=body)


def test_category_of_another_community_refused(db, world, parking):
    other = settings.add_category(world.other_worker, world.b, "杏花专属")
    with pytest.raises(RuleViolation):
        propose(world, parking, category_id=other.id)
    with pytest.raises(RuleViolation):
        propose(world, parking, category_id="not-a-number")


def test_edit_before_review_only_by_the_author(db, world, parking):
    topic = propose(world, parking)
    proposals.edit(world.resident, topic, title="新标题", body="新内容", category_id=parking.id, place="3号楼")
    assert topic.title == "新标题" and topic.place == "3号楼"
    with pytest.raises(PermissionDenied):
        proposals.edit(world.party, topic, title="x", body="y", category_id=parking.id, place=None)
    review.approve(world.worker, topic)
    with pytest.raises(Conflict):
        proposals.edit(world.resident, topic, title="x", body="y", category_id=parking.id, place=None)


def test_reject_needs_a_reason_the_author_sees(db, world, parking):
    topic = propose(world, parking)
    with pytest.raises(RuleViolation):
        review.reject(world.worker, topic, " ")
    review.reject(world.worker, topic, "属于物业职责")
    assert topic.status == S.REJECTED and topic.reject_reason == "属于物业职责"
    db.session.commit()  # followers are told by a job that starts once the change commits
    keys = db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.resident.id))
    assert f"topic:{topic.id}:rejected" in list(keys)


@pytest.mark.parametrize("stage", ["draft", "pending_review", "collecting_support"])
def test_author_withdraws_early_stages(db, world, stage):
    topic = world.topic(stage)
    proposals.withdraw(world.resident, topic)
    assert topic.status == S.WITHDRAWN


@pytest.mark.parametrize("stage", ["ready_for_vote", "voting", "closed", "rejected", "withdrawn"])
def test_withdraw_refused_later(db, world, stage):
    with pytest.raises(Conflict):
        proposals.withdraw(world.resident, world.topic(stage))


def test_only_the_committee_reviews(db, world, parking):
    topic = propose(world, parking)
    for person in (world.resident, world.other_worker, world.other_street_admin, world.site_admin):
        with pytest.raises(PermissionDenied):
            review.approve(person, topic)
        with pytest.raises(PermissionDenied):
            review.reject(person, topic, "no")
    review.approve(world.street_admin, topic)


@pytest.mark.parametrize(
    "stage, action",
    [
        ("draft", "approve"),
        ("collecting_support", "approve"),
        ("rejected", "approve"),
        ("withdrawn", "approve"),
        ("collecting_support", "reject"),
        ("ready_for_vote", "send_to_vote"),
        ("closed", "send_to_vote"),
        ("collecting_support", "submit"),
    ],
)
def test_refused_transitions(db, world, stage, action):
    topic = world.topic(stage)
    before = topic.status
    with pytest.raises(Conflict):
        if action == "approve":
            review.approve(world.worker, topic)
        elif action == "reject":
            review.reject(world.worker, topic, "reason")
        elif action == "send_to_vote":
            review.send_to_vote(world.worker, topic)
        else:
            proposals.submit_topic(world.resident, topic)
    assert topic.status == before


def test_straight_to_vote_from_review_or_support(db, world):
    for stage in ("pending_review", "collecting_support"):
        topic = world.topic(stage)
        review.send_to_vote(world.worker, topic)
        assert topic.status == S.READY_FOR_VOTE


# --- support ---------------------------------------------------------------------------------------


def test_support_once_and_threshold_reached(db, world, parking, factory):
    settings.update_settings(world.worker, world.a, threshold_kind="count", threshold_value=3, support_days=7)
    topic = propose(world, parking)
    review.approve(world.worker, topic)
    support.support(world.resident, topic)
    with pytest.raises(Conflict):
        support.support(world.resident, topic)
    support.support(world.party, topic)
    assert topic.status == S.COLLECTING_SUPPORT and topic.support_count == 2
    support.support(factory.resident(world.a), topic)
    assert topic.status == S.READY_FOR_VOTE and topic.support_count == 3
    assert statuses(db, topic)[-1] == S.READY_FOR_VOTE
    with pytest.raises(Conflict):
        support.support(factory.resident(world.a), topic)


def test_share_threshold_is_fixed_at_approval(db, world, parking, factory):
    for _ in range(17):
        factory.resident(world.a)
    settings.update_settings(world.worker, world.a, threshold_kind="share", threshold_value=10, support_days=7)
    topic = propose(world, parking)
    review.approve(world.worker, topic)
    assert topic.support_threshold == 2  # 10 % of 19 residents, rounded up
    for _ in range(30):
        factory.resident(world.a)
    assert topic.support_threshold == 2


def test_pending_residents_and_outsiders_cannot_support(db, world):
    topic = world.topic()
    for person in (world.pending, world.other_worker, world.worker):
        with pytest.raises(PermissionDenied):
            support.support(person, topic)


def test_window_ends_below_threshold_as_of_now_and_by_tick(db, world, clock):
    topic = world.topic()
    clock.advance(days=14, seconds=1)
    assert deadlines.effective_status(topic) == S.NOT_ENOUGH_SUPPORT
    assert topic.status == S.COLLECTING_SUPPORT
    with pytest.raises(Conflict):
        support.support(world.party, topic)
    assert topic.status == S.NOT_ENOUGH_SUPPORT


def test_tick_settles_and_is_idempotent(db, world, clock):
    topic = world.topic()
    clock.advance(days=15)
    run_tick()
    db.session.refresh(topic)
    assert topic.status == S.NOT_ENOUGH_SUPPORT
    assert run_tick()["topics"] == 0
    assert statuses(db, topic).count(S.NOT_ENOUGH_SUPPORT) == 1


def test_tick_closes_a_vote_and_writes_its_ballots_once(db, world, clock):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "against"))
    ballots.cast_ballot(world.party, topic, option_ids(db, vote, "for"))
    clock.advance(days=8)
    assert ballots.results(topic, vote)["final"] and vote.closed_at is None  # closed as of now, still sealed
    before = {r["option"].key: r["count"] for r in ballots.results(topic, vote)["rows"]}
    run_tick()
    assert run_tick()["topics"] == 0  # once
    db.session.refresh(vote)
    assert vote.closed_at is not None and vote.sealed_tally is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 2
    assert (
        {r["option"].key: r["count"] for r in ballots.results(topic, vote)["rows"]}
        == before
        == {"for": 1, "against": 1, "abstain": 0}
    )


def test_support_settings_bounds(db, world):
    with pytest.raises(RuleViolation):
        settings.update_settings(world.worker, world.a, threshold_kind="share", threshold_value=101, support_days=7)
    with pytest.raises(RuleViolation):
        settings.update_settings(world.worker, world.a, threshold_kind="count", threshold_value=3, support_days=0)
    with pytest.raises(PermissionDenied):
        settings.update_settings(world.other_worker, world.a, threshold_kind="count", threshold_value=3, support_days=7)


def test_who_sees_a_topic_before_it_is_published(db, world):
    cases = {stage: world.factory.topic(world, stage) for stage in ("draft", "pending_review", "rejected", "withdrawn")}
    withdrawn_later = world.factory.topic(world, "collecting_support")
    proposals.withdraw(world.resident, withdrawn_later)
    published = {t.id for t in db.session.scalars(sa.select(Topic).where(public_clause()))}
    for stage, topic in cases.items():
        assert not models.is_public(topic) and topic.id not in published, stage
        assert lifecycle.can_see(world.resident, topic)  # the author
        assert lifecycle.can_see(world.worker, topic) and lifecycle.can_see(world.street_admin, topic)  # the committee
        for other in (None, world.party, world.other_worker, world.other_street_admin):
            assert not lifecycle.can_see(other, topic), (stage, other)
        with pytest.raises(NotFound):
            support.follow(world.party, topic)
    assert models.is_public(withdrawn_later) and withdrawn_later.id in published  # it was public before
    assert lifecycle.can_see(None, withdrawn_later)


# --- votes -----------------------------------------------------------------------------------------


def test_scheduled_vote_opens_and_closes_with_time(db, world, clock):
    topic = world.topic("vote_scheduled")
    vote = policy.vote_of(topic)
    assert topic.status == S.VOTE_SCHEDULED
    with pytest.raises(RuleViolation):  # not open yet
        ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    clock.advance(days=1, minutes=1)
    assert deadlines.effective_status(topic, vote) == S.VOTING
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    clock.advance(days=7)
    assert deadlines.effective_status(topic, vote) == S.CLOSED
    with pytest.raises(RuleViolation):  # closed
        ballots.cast_ballot(world.party, topic, option_ids(db, vote, "for"))
    assert topic.status == S.CLOSED and vote.eligible_count == 2 and vote.closed_at == vote.closes_at
    # Closed by the clock: the sealed ballot was written out as a counted one, and the counts agree.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot).where(SealedBallot.vote_id == vote.id)) == 0
    assert {r["option"].key: r["count"] for r in ballots.results(topic, vote)["rows"]} == {"for": 1, "against": 0, "abstain": 0}


def test_a_scheduled_vote_is_changed_before_it_opens_audited_and_followers_told(db, world, clock):
    topic = world.topic("vote_scheduled")
    support.follow(world.party, topic)
    vote = policy.vote_of(topic)
    opens = now() + timedelta(days=2)
    votes.change_vote(
        world.worker,
        topic,
        kind="choices",
        options=["东门", "西门"],
        max_choices=1,
        scope="household",
        opens_at=opens,
        closes_at=opens + timedelta(days=3),
        quorum_percent=20,
        live_results=True,
    )
    db.session.refresh(vote)
    assert [o.label for o in queries.options_of(vote.id)] == ["东门", "西门"]
    assert (vote.kind, vote.scope, vote.quorum_percent, vote.live_results, vote.opens_at) == (
        "choices",
        "household",
        20,
        True,
        opens,
    )
    assert topic.status == S.VOTE_SCHEDULED and topic.closes_at == opens + timedelta(days=3)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "vote.change"))
    assert entry.before["kind"] == "yes_no" and entry.after["options"] == ["东门", "西门"] and entry.actor_id == world.worker.id
    db.session.commit()  # followers are told by a job that starts once the change commits
    for person in (world.party, world.resident):  # a follower, and the author (who follows their topic)
        texts = [n.event_key for n in db.session.scalars(sa.select(Notification).where(Notification.recipient_id == person.id))]
        assert any(k.startswith(f"vote:{vote.id}:changed:") for k in texts), person.username
    with pytest.raises(RuleViolation):  # bad settings change nothing
        votes.change_vote(
            world.worker,
            topic,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="resident",
            opens_at=opens,
            closes_at=opens - timedelta(hours=1),
            quorum_percent=None,
            live_results=False,
        )
    with pytest.raises(PermissionDenied):
        votes.change_vote(
            world.other_worker,
            topic,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="resident",
            opens_at=opens,
            closes_at=opens + timedelta(days=1),
            quorum_percent=None,
            live_results=False,
        )
    clock.advance(days=2, minutes=1)  # it has opened: ballots may exist, nothing changes now
    with pytest.raises(Conflict):
        votes.change_vote(
            world.worker,
            topic,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="resident",
            opens_at=now() + timedelta(days=1),
            closes_at=now() + timedelta(days=2),
            quorum_percent=None,
            live_results=False,
        )
    with pytest.raises(Conflict):
        votes.cancel_vote(world.worker, topic, "改期")


def test_a_scheduled_vote_is_cancelled_with_a_reason_and_can_be_set_up_again(db, world):
    topic = world.topic("vote_scheduled")
    support.follow(world.party, topic)
    with pytest.raises(RuleViolation):
        votes.cancel_vote(world.worker, topic, " ")
    with pytest.raises(PermissionDenied):
        votes.cancel_vote(world.other_worker, topic, "改期")
    votes.cancel_vote(world.worker, topic, "议事会改期")
    assert topic.status == S.READY_FOR_VOTE and policy.vote_of(topic) is None and topic.closes_at is None
    assert statuses(db, topic)[-2:] == [S.VOTE_SCHEDULED, S.READY_FOR_VOTE]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "vote.cancel"))
    assert entry.after == {"reason": "议事会改期"} and entry.before["kind"] == "yes_no"
    db.session.commit()  # followers are told by a job that starts once the change commits
    notes = list(db.session.scalars(sa.select(Notification).where(Notification.recipient_id == world.party.id)))
    assert any(n.params.get("reason") == "议事会改期" for n in notes)
    opens = now() + timedelta(days=1)
    votes.schedule_vote(
        world.worker,
        topic,
        kind="yes_no",
        options=None,
        max_choices=1,
        scope="resident",
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        quorum_percent=None,
        live_results=False,
    )
    db.session.commit()  # followers are told by a job that starts once the change commits
    keys = set(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.party.id)))
    assert f"topic:{topic.id}:vote_scheduled:2" in keys  # told of the new vote too


def test_one_ballot_per_voter_which_changes_until_closing(db, world):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "against"))
    db.session.refresh(topic)
    db.session.refresh(vote)
    assert vote.ballot_count == 1 and topic.ballot_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot).where(SealedBallot.vote_id == vote.id)) == 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 0
    )  # sealed until closing
    votes.close_early(world.worker, topic, "会议结束")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SealedBallot).where(SealedBallot.vote_id == vote.id)) == 0
    result = ballots.results(topic, vote)
    assert [(r["option"].key, r["count"]) for r in result["rows"]] == [("for", 0), ("against", 1), ("abstain", 0)]
    with pytest.raises(RuleViolation):
        ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))


def test_ballot_uniqueness_is_a_database_constraint(db, world):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    slot = db.session.scalar(sa.select(SealedBallot.slot).where(SealedBallot.vote_id == vote.id))
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():  # while voting: one sealed ballot per voter
        db.session.add(SealedBallot(vote_id=vote.id, slot=slot, sealed=b"x"))
    votes.close_early(world.worker, topic, "结束")
    token = db.session.scalar(sa.select(Ballot.token).where(Ballot.vote_id == vote.id))
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():  # once closed: one counted ballot per voter
        db.session.add(Ballot(vote_id=vote.id, token=token))


def test_bad_choices_refused(db, world, parking):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    other = world.factory.topic(world, "voting", title="另一个议题")
    other_option = option_ids(db, policy.vote_of(other), "for")
    for bad in ([], other_option, ["x"], option_ids(db, vote, "for", "against")):
        with pytest.raises(RuleViolation):
            ballots.cast_ballot(world.resident, topic, bad)
    for person in (world.pending, world.worker, world.other_worker):
        with pytest.raises(PermissionDenied):
            ballots.cast_ballot(person, topic, option_ids(db, vote, "for"))
    assert vote.ballot_count == 0


def test_own_choices_up_to_k(db, world):
    topic = world.factory.topic(world, "voting", kind="choices", options=["东门", "西门", "南门"], max_choices=2)
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "东门", "南门"))
    with pytest.raises(RuleViolation):
        ballots.cast_ballot(world.party, topic, option_ids(db, vote, "东门", "西门", "南门"))
    votes.close_early(world.worker, topic, "提前结束")
    counts = {r["option"].label: r["count"] for r in ballots.results(topic, vote)["rows"]}
    assert counts == {"东门": 1, "西门": 0, "南门": 1}


@pytest.mark.parametrize(
    "kw",
    [
        dict(kind="choices", options=["只有一个"]),
        dict(kind="choices", options=["同", "同"]),
        dict(kind="choices", options=["a", "b"], max_choices=3),
        dict(kind="other"),
        dict(scope="street"),
        dict(quorum_percent=0),
    ],
)
def test_bad_vote_setup_refused(db, world, kw):
    topic = world.topic("ready_for_vote")
    base = dict(
        kind="yes_no",
        options=None,
        max_choices=1,
        scope="resident",
        quorum_percent=None,
        live_results=False,
        opens_at=now(),
        closes_at=now() + timedelta(days=1),
    )
    with pytest.raises(RuleViolation):
        votes.schedule_vote(world.worker, topic, **{**base, **kw})
    assert topic.status == S.READY_FOR_VOTE


def test_vote_window_must_make_sense(db, world):
    topic = world.topic("ready_for_vote")
    base = dict(kind="yes_no", options=None, max_choices=1, scope="resident", quorum_percent=None, live_results=False)
    with pytest.raises(RuleViolation):
        votes.schedule_vote(world.worker, topic, opens_at=now(), closes_at=now() - timedelta(hours=1), **base)
    with pytest.raises(RuleViolation):
        votes.schedule_vote(world.worker, topic, opens_at=now() - timedelta(days=2), closes_at=now() - timedelta(days=1), **base)


def test_household_scope_one_ballot_any_member_may_change_it(db, world, factory):
    spouse = factory.resident(world.a, building="3", unit="2", room="301")  # same flat as world.resident
    topic = world.factory.topic(world, "voting", scope="household")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    ballots.cast_ballot(spouse, topic, option_ids(db, vote, "against"))
    ballots.cast_ballot(world.party, topic, option_ids(db, vote, "for"))
    db.session.refresh(vote)
    assert vote.ballot_count == 2
    assert queries.has_voted(spouse, topic, vote)
    votes.close_early(world.worker, topic, "结束")
    result = ballots.results(topic, vote)
    assert {r["option"].key: r["count"] for r in result["rows"]} == {"for": 1, "against": 1, "abstain": 0}
    assert result["eligible"] == 2  # the flat 3/2/301 and the party member's flat


def test_quorum(db, world, factory):
    for _ in range(2):
        factory.resident(world.a)
    topic = world.factory.topic(world, "voting", quorum_percent=50)
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    votes.close_early(world.worker, topic, "结束")
    assert ballots.results(topic, vote)["quorum_met"] is False  # 1 of 4
    other = world.factory.topic(world, "voting", quorum_percent=50)
    vote2 = policy.vote_of(other)
    ballots.cast_ballot(world.resident, other, option_ids(db, vote2, "for"))
    ballots.cast_ballot(world.party, other, option_ids(db, vote2, "abstain"))
    votes.close_early(world.worker, other, "结束")
    result = ballots.results(other, vote2)
    assert result["quorum_met"] is True and result["eligible"] == 4 and result["turnout"] == 0.5


def test_results_hidden_until_closing_unless_live(db, world):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    assert ballots.results(topic, vote) is None
    live = world.factory.topic(world, "voting", live_results=True)
    assert ballots.results(live, policy.vote_of(live))["final"] is False


def test_close_early_needs_the_committee_and_a_reason(db, world):
    topic = world.topic("voting")
    with pytest.raises(PermissionDenied):
        votes.close_early(world.other_worker, topic, "x")
    with pytest.raises(RuleViolation):
        votes.close_early(world.worker, topic, "")
    votes.close_early(world.worker, topic, "会议已表决")
    vote = policy.vote_of(topic)
    assert topic.status == S.CLOSED and vote.closed_early_reason == "会议已表决" and vote.eligible_count == 2


def test_paper_ballots_are_marked_audited_and_secret(db, world, caplog):
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    with caplog.at_level(logging.DEBUG):
        ballots.cast_ballot(world.party, topic, option_ids(db, vote, "against"), recorded_by=world.worker)
    # Paper is marked on the participation only: a paper mark on the ballot would pair the two.
    assert "paper" not in Ballot.__table__.columns and "paper" not in SealedBallot.__table__.columns
    participation = db.session.scalar(sa.select(VoteParticipation).where(VoteParticipation.vote_id == vote.id))
    assert participation.paper and participation.recorded_by_id == world.worker.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "ballot.paper"))
    against = str(option_ids(db, vote, "against")[0])
    assert "against" not in str(entry.after) and against not in str(entry.after.get("option", ""))
    assert "option" not in str(entry.after) and "choice" not in str(entry.after)
    assert "against" not in caplog.text
    with pytest.raises(PermissionDenied):
        ballots.cast_ballot(world.party, topic, option_ids(db, vote, "for"), recorded_by=world.other_worker)


def test_ballots_hold_no_person_and_no_time(db, world):
    """No value in any ballot table is a voter's id, name, household, time, or an unkeyed hash of them."""
    columns = (
        set(Ballot.__table__.columns.keys())
        | set(BallotChoice.__table__.columns.keys())
        | set(SealedBallot.__table__.columns.keys())
    )
    assert not {"user_id", "created_at", "updated_at", "voter_id", "household", "paper"} & columns
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    ballots.cast_ballot(world.resident, topic, option_ids(db, vote, "for"))
    ballots.cast_ballot(world.party, topic, option_ids(db, vote, "against"))
    identities = set()
    for person in (world.resident, world.party):
        residence = places.active_residence(person)
        for text in (str(person.id), person.username, person.display_name, f"u:{person.id}", places.household_key(residence)):
            identities |= {text, f"ballot:{vote.id}:{text}"}
    digests = {d(text.encode()).hexdigest() for text in identities for d in (hashlib.sha256, hashlib.sha1, hashlib.md5)}

    def values():
        for model in (SealedBallot, Ballot, BallotChoice):
            for row in db.session.execute(sa.select(model.__table__)).mappings():
                yield from ((k, v) for k, v in row.items() if k not in ("vote_id", "option_id"))  # references, not people

    def check():
        seen = 0
        for column, value in values():
            seen += 1
            assert not isinstance(value, (datetime, date)), column
            text = value.hex() if isinstance(value, bytes) else str(value)
            assert text not in identities and text not in digests, (column, text)
            if isinstance(value, bytes):  # sealed: no name, household or token readable inside
                assert not [i for i in identities | digests if not i.isdigit() and i.encode() in value], column
        return seen

    assert check() > 0  # while voting: the sealed ballots
    votes.close_early(world.worker, topic, "结束")
    assert check() > 0  # after closing: the counted ballots


# --- comments and following ----------------------------------------------------------------------


def test_comments_replies_and_counter(db, world):
    topic = world.topic()
    first = discussion.comment(world.party, topic, "支持")
    reply = discussion.comment(world.resident, topic, "谢谢", parent_id=first.id)
    deeper = discussion.comment(world.worker, topic, "居委会会跟进", parent_id=reply.id)
    assert reply.parent_id == first.id and deeper.parent_id == first.id  # one level only
    db.session.refresh(topic)
    assert topic.comment_count == 3
    db.session.commit()  # followers are told by a job that starts once the change commits
    keys = set(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.party.id)))
    assert f"comment:{reply.id}:reply" in keys


def test_comment_refusals(db, world):
    topic = world.topic()
    with pytest.raises(PermissionDenied):
        discussion.comment(world.pending, topic, "hi")
    with pytest.raises(RuleViolation):
        discussion.comment(world.resident, topic, "x" * 2001)
    with pytest.raises(RuleViolation):
        discussion.comment(world.resident, topic, "hi", parent_id=999999)
    with pytest.raises(Conflict):
        discussion.comment(world.resident, world.topic("draft"), "hi")


def test_edit_within_fifteen_minutes(db, world, clock):
    note = discussion.comment(world.resident, world.topic(), "原文")
    clock.advance(minutes=14)
    discussion.edit_comment(world.resident, note, "改过")
    assert note.body == "改过" and note.edited_at is not None
    with pytest.raises(PermissionDenied):
        discussion.edit_comment(world.party, note, "x")
    clock.advance(minutes=2)
    with pytest.raises(RuleViolation):
        discussion.edit_comment(world.resident, note, "太晚了")


def test_flag_once_and_hide_with_reason(db, world):
    note = discussion.comment(world.resident, world.topic(), "广告内容")
    discussion.flag_comment(world.party, note)
    with pytest.raises(Conflict):
        discussion.flag_comment(world.party, note)
    with pytest.raises(RuleViolation):
        discussion.flag_comment(world.resident, note)
    assert [n.id for n, _ in queries.flagged_comments(world.a.id)] == [note.id]
    with pytest.raises(PermissionDenied):
        discussion.hide_comment(world.other_worker, note, "广告")
    discussion.hide_comment(world.worker, note, "广告")
    assert note.hidden_reason == "广告" and note.body == "广告内容"  # kept
    assert queries.flagged_comments(world.a.id) == []
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_type == "topic_comments")) == "comment.hide"


def test_followers_notified_once_per_event(db, world):
    topic = world.topic("pending_review")
    db.session.commit()  # its followers (the author) are told it is pending review
    with pytest.raises(NotFound):  # not published: others cannot even follow it
        support.follow(world.party, topic)
    support.follow(world.street_admin, topic)
    support.follow(world.street_admin, topic)
    review.approve(world.worker, topic)
    db.session.commit()  # followers are told by a job that starts once the change commits
    events = list(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.street_admin.id)))
    assert events == [f"topic:{topic.id}:collecting_support"]
    support.unfollow(world.street_admin, topic)
    review.send_to_vote(world.worker, topic)
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Notification).where(Notification.recipient_id == world.street_admin.id)
        )
        == 1
    )


# --- outcome, progress, rating -------------------------------------------------------------------


def test_outcome_progress_and_kept_due_dates(db, world):
    topic = world.topic("closed")
    with pytest.raises(RuleViolation):
        outcomes.publish_outcome(world.worker, topic, decision="", responsible="物业", actions="x", due_date=date(2026, 12, 1))
    outcome = outcomes.publish_outcome(
        world.worker, topic, decision="同意", responsible="物业", actions="施工", due_date=date(2026, 12, 1)
    )
    assert topic.status == S.OUTCOME_PUBLISHED
    with pytest.raises(Conflict):
        outcomes.publish_outcome(world.worker, topic, decision="x", responsible="x", actions="x", due_date=date(2026, 12, 1))
    outcomes.add_progress(world.worker, outcome, status="in_progress", note="已开工", due_date=date(2027, 1, 15))
    assert outcome.due_date == date(2027, 1, 15) and outcome.original_due_date == date(2026, 12, 1)
    timeline = queries.progress_of(outcome.id)
    assert timeline[0].old_due_date == date(2026, 12, 1) and timeline[0].new_due_date == date(2027, 1, 15)
    outcomes.add_progress(world.worker, outcome, status="done", note="完工")
    assert outcome.done_at is not None
    with pytest.raises(Conflict):
        outcomes.add_progress(world.worker, outcome, status="in_progress", note="again")


def test_outcome_only_after_closing(db, world):
    with pytest.raises(Conflict):
        outcomes.publish_outcome(
            world.worker, world.topic("voting"), decision="x", responsible="x", actions="x", due_date=date(2026, 12, 1)
        )


def test_rating_once_with_versions(db, world, clock):
    topic = world.topic("outcome_published")
    outcome = queries.outcome_of(topic.id)
    with pytest.raises(RuleViolation):
        outcomes.rate(world.resident, outcome, "satisfied")  # not done yet
    outcomes.add_progress(world.worker, outcome, status="done", note="完成")
    first = outcomes.rate(world.resident, outcome, "satisfied", "很好")
    assert outcomes.rate(world.resident, outcome, "satisfied", "很好") is first
    clock.advance(days=40)
    second = outcomes.rate(world.resident, outcome, "unsatisfied", "又坏了")
    assert second.version == 2 and second.first_given_at == first.first_given_at
    assert first.superseded_at is not None
    summary = queries.rating_summary(outcome.id)
    assert summary["total"] == 1 and dict(summary["levels"]) == {"satisfied": 0, "basically": 0, "unsatisfied": 1}
    assert all(len(row) == 3 for row in summary["comments"])  # level, text, date: never the rater
    with pytest.raises(RuleViolation):
        outcomes.rate(world.party, outcome, "great")


def test_only_residents_eligible_at_closing_rate(db, world, factory):
    topic = world.topic("outcome_done")
    outcome = queries.outcome_of(topic.id)
    newcomer = factory.resident(world.a)  # confirmed after the vote closed
    for person in (newcomer, world.pending, world.worker, world.other_worker):
        with pytest.raises(PermissionDenied):
            outcomes.rate(person, outcome, "satisfied")
    places_services.end_residence(world.worker, places.active_residence(world.party), "搬走")
    outcomes.rate(world.party, outcome, "basically")  # eligible when it closed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutcomeRating)) == 1


def test_lists_sort_filter_and_find_chinese_words(db, world, parking):
    a = world.factory.topic(world, "collecting_support", title="小区停车难", body="晚上没有车位")
    b = world.factory.topic(world, "collecting_support", title="垃圾分类", body="希望增加分类桶")
    support.support(world.party, b)
    found = lambda **kw: [t.id for t in db.session.scalars(queries.topic_list(world.a.id, **kw))]  # noqa: E731
    assert found(q="停车") == [a.id]
    assert found(q="分类桶") == [b.id]
    assert found(sort="supported")[0] == b.id
    assert found(q="%") == []
    assert world.topic("draft").id not in found()
    assert set(found(status="collecting_support")) >= {a.id, b.id}
