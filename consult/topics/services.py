"""Rules of topics. Every function takes the acting person, checks them against the topic,
makes the change with its history, counters, audit and notifications, and flushes.

Time-driven changes (support window ending, vote opening and closing) are made permanent by
``settle`` — called by every write here and by `flask tick` — and computed "as of now" by
``effective_status`` for pages, so nothing waits for a request to arrive.
"""

from __future__ import annotations

import logging
import math
import random
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.pagination import parse_id
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee, require_member
from consult.topics import secrecy
from consult.topics.models import (  # noqa: F401  (is_public, public_clause: the rule lives beside the model)
    Ballot,
    BallotChoice,
    Category,
    Comment,
    CommentFlag,
    Follow,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    ProgressStatus,
    RatingLevel,
    SealedBallot,
    Support,
    Topic,
    TopicEvent,
    TopicSettings,
    TopicStatus,
    Vote,
    VoteOption,
    VoteParticipation,
    _random_id,
    is_public,
    public_clause,
)

log = logging.getLogger(__name__)
S = TopicStatus
EDIT_MINUTES = 15

#: The state table of docs/design.md: which status may follow which.
TRANSITIONS: dict[str, set[str]] = {
    S.DRAFT: {S.PENDING_REVIEW, S.WITHDRAWN},
    S.PENDING_REVIEW: {S.REJECTED, S.COLLECTING_SUPPORT, S.READY_FOR_VOTE, S.WITHDRAWN},
    S.COLLECTING_SUPPORT: {S.NOT_ENOUGH_SUPPORT, S.READY_FOR_VOTE, S.WITHDRAWN},
    S.READY_FOR_VOTE: {S.VOTE_SCHEDULED, S.VOTING},
    S.VOTE_SCHEDULED: {S.VOTING, S.READY_FOR_VOTE},  # back when the committee cancels the vote before it opens
    S.VOTING: {S.CLOSED},
    S.CLOSED: {S.OUTCOME_PUBLISHED},
}

STATUS_NOTICES = {
    S.PENDING_REVIEW: N_("“%(title)s” was sent to the committee for review."),
    S.REJECTED: N_("“%(title)s” was not approved: %(reason)s"),
    S.COLLECTING_SUPPORT: N_("“%(title)s” was approved and is collecting support."),
    S.NOT_ENOUGH_SUPPORT: N_("“%(title)s” did not reach enough support in time."),
    S.READY_FOR_VOTE: N_("“%(title)s” is ready for a vote."),
    S.VOTE_SCHEDULED: N_("A vote on “%(title)s” has been scheduled."),
    S.VOTING: N_("Voting on “%(title)s” is open."),
    S.CLOSED: N_("Voting on “%(title)s” has closed."),
    S.OUTCOME_PUBLISHED: N_("The outcome of “%(title)s” has been published."),
    S.WITHDRAWN: N_("“%(title)s” was withdrawn by its author."),
}


# --- helpers -----------------------------------------------------------------------------


def _community(topic: Topic) -> Community:
    return db.session.get(Community, topic.community_id)


def _lock(topic: Topic) -> Topic:
    """Re-read the topic with a row lock: writes on one topic happen one at a time."""
    return db.session.scalar(
        sa.select(Topic).where(Topic.id == topic.id).with_for_update().execution_options(populate_existing=True)
    )


def vote_of(topic: Topic) -> Vote | None:
    return db.session.scalar(sa.select(Vote).where(Vote.topic_id == topic.id))


def _transition(
    topic: Topic, to: str, actor, *, reason: str | None = None, committee: bool = False, notice: str | None = None
) -> None:
    """Move a topic to ``to`` if the table of docs/design.md allows it; history, audit and followers follow."""
    if to not in TRANSITIONS.get(topic.status, set()):
        raise Conflict(_("This cannot be done while the topic is “%(status)s”.", status=status_name(topic.status)))
    before = topic.status
    topic.status = to
    db.session.add(
        TopicEvent(topic_id=topic.id, from_status=before, to_status=to, actor_id=actor.id if actor else None, reason=reason)
    )
    db.session.flush()
    if committee:
        audit.record(
            actor,
            f"topic.{to}",
            topic,
            community_id=topic.community_id,
            before={"status": before},
            after={"status": to, "reason": reason},
        )
    event = f"topic:{topic.id}:{to}"
    times = db.session.scalar(
        sa.select(sa.func.count()).select_from(TopicEvent).where(TopicEvent.topic_id == topic.id, TopicEvent.to_status == to)
    )
    if times > 1:  # back in a status (a vote cancelled, then set up again): a new event for followers
        event += f":{times}"
    _notify_followers(topic, event, notice or STATUS_NOTICES[to], exclude=actor, reason=reason or "")
    log.info("topic %s %s -> %s by %s", topic.id, before, to, actor.id if actor else "clock")


def _notify_followers(topic: Topic, event: str, text: str, *, exclude=None, **params) -> None:
    followers = db.session.scalars(sa.select(Follow.user_id).where(Follow.topic_id == topic.id))
    for user_id in followers:
        if exclude is not None and user_id == exclude.id:
            continue
        notify(user_id, event, text, link=f"/topics/{topic.id}", title=topic.title, **params)


def can_see(user, topic: Topic) -> bool:
    """Who may open a topic: anyone if it is public, else its author and the committee."""
    if is_public(topic):
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.id == topic.author_id or places.can_manage_community(user, _community(topic))


def require_visible(user, topic: Topic) -> None:
    """A topic the person may not see does not exist for them (no enumerating ids into reviews)."""
    if not can_see(user, topic):
        raise NotFound(_("No such topic."))


def status_name(status: str) -> str:
    from consult.core.templating import label

    return label(status)


def _follow(topic: Topic, user) -> None:
    exists = db.session.get(Follow, (topic.id, user.id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(Follow(topic_id=topic.id, user_id=user.id))
        except sa.exc.IntegrityError:
            pass


# --- settings and categories ---------------------------------------------------------------


def settings_for(community: Community) -> TopicSettings:
    """The community's support rules (defaults until the committee changes them)."""
    settings = db.session.get(TopicSettings, community.id)
    return settings or TopicSettings(community_id=community.id, threshold_kind="count", threshold_value=10, support_days=14)


def update_settings(
    actor, community: Community, *, threshold_kind: str, threshold_value: int, support_days: int
) -> TopicSettings:
    """The committee sets the support threshold and window (applies to topics approved from now on)."""
    require_committee(actor, community)
    if threshold_kind not in ("count", "share"):
        raise RuleViolation(_("Choose a count or a share of residents."), field="threshold_kind")
    if threshold_value < 1 or (threshold_kind == "share" and threshold_value > 100):
        raise RuleViolation(_("A share must be between 1 and 100 percent."), field="threshold_value")
    if not 1 <= support_days <= 365:
        raise RuleViolation(_("The window must be between 1 and 365 days."), field="support_days")
    settings = db.session.get(TopicSettings, community.id)
    before = None
    if settings is None:
        settings = TopicSettings(community_id=community.id)
        db.session.add(settings)
    else:
        before = {"kind": settings.threshold_kind, "value": settings.threshold_value, "days": settings.support_days}
    settings.threshold_kind, settings.threshold_value, settings.support_days = threshold_kind, threshold_value, support_days
    db.session.flush()
    audit.record(
        actor,
        "topic.settings",
        community,
        community_id=community.id,
        before=before,
        after={"kind": threshold_kind, "value": threshold_value, "days": support_days},
    )
    return settings


DEFAULT_CATEGORY_KEYS = ("environment", "parking", "elderly", "property", "safety", "culture", "other")
DEFAULT_CATEGORY_NAMES = ("环境卫生", "停车交通", "养老服务", "物业管理", "安全", "文体活动", "其他")


def ensure_default_categories() -> int:
    """Create the default categories if missing (the migration seeds them; this restores them)."""
    have = set(db.session.scalars(sa.select(Category.key).where(Category.key.is_not(None))))
    added = 0
    for position, (key, name) in enumerate(zip(DEFAULT_CATEGORY_KEYS, DEFAULT_CATEGORY_NAMES, strict=True), start=1):
        if key not in have:
            db.session.add(Category(key=key, name=name, position=position))
            added += 1
    db.session.flush()
    return added


def categories_for(community: Community) -> list[Category]:
    """The default categories and the community's own, in order."""
    return list(
        db.session.scalars(
            sa.select(Category)
            .where(sa.or_(Category.community_id.is_(None), Category.community_id == community.id))
            .order_by(Category.community_id.is_not(None), Category.position, Category.id)
        )
    )


def add_category(actor, community: Community, name: str) -> Category:
    require_committee(actor, community)
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise RuleViolation(_("Give the category a name of at most 30 characters."), field="name")
    category = Category(community_id=community.id, name=name, position=100)
    db.session.add(category)
    db.session.flush()
    audit.record(actor, "topic.category_add", category, community_id=community.id, after={"name": name})
    return category


def _category(community: Community, category_id) -> Category:
    category = db.session.get(Category, parse_id(category_id)) if parse_id(category_id) is not None else None
    if category is None or category.community_id not in (None, community.id):
        raise RuleViolation(_("Choose one of this community's categories."), field="category")
    return category


# --- proposing -------------------------------------------------------------------------------


def _check_text(title: str, body: str) -> tuple[str, str]:
    from consult.topics.models import BODY_MAX, TITLE_MAX

    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise RuleViolation(_("Give a title of 1 to %(max)d characters.", max=TITLE_MAX), field="title")
    if not body or len(body) > BODY_MAX:
        raise RuleViolation(_("Describe the topic in 1 to %(max)d characters.", max=BODY_MAX), field="body")
    return title, body


def propose(
    author, community: Community, *, title: str, body: str, category_id, place: str | None = None, submit: bool = True
) -> Topic:
    """A confirmed resident proposes a topic (or saves a draft); a worker may start one for the committee."""
    committee = places.can_manage_community(author, community)
    if not committee:
        require_member(author, community)
    title, body = _check_text(title, body)
    topic = Topic(
        community_id=community.id,
        author_id=author.id,
        committee_initiated=committee,
        title=title,
        body=body,
        category_id=_category(community, category_id).id,
        place=(place or "").strip() or None,
        status=S.DRAFT,
    )
    db.session.add(topic)
    db.session.flush()
    db.session.add(TopicEvent(topic_id=topic.id, from_status=None, to_status=S.DRAFT, actor_id=author.id))
    _follow(topic, author)
    if submit:
        submit_topic(author, topic)
    return topic


def edit(author, topic: Topic, *, title: str, body: str, category_id, place: str | None) -> Topic:
    """The author edits a draft or a topic still waiting for review."""
    topic = _lock(topic)
    if topic.author_id != author.id:
        raise PermissionDenied(_("Only the author can edit this topic."))
    if topic.status not in (S.DRAFT, S.PENDING_REVIEW):
        raise Conflict(_("A topic can only be edited before the committee has reviewed it."))
    topic.title, topic.body = _check_text(title, body)
    topic.category_id = _category(_community(topic), category_id).id
    topic.place = (place or "").strip() or None
    db.session.flush()
    return topic


def submit_topic(author, topic: Topic) -> Topic:
    """The author sends a draft for review (a committee's own topic skips review)."""
    topic = _lock(topic)
    if topic.author_id != author.id:
        raise PermissionDenied(_("Only the author can submit this topic."))
    _transition(topic, S.PENDING_REVIEW, author)
    topic.submitted_at = now()
    db.session.flush()
    return topic


def withdraw(author, topic: Topic) -> Topic:
    """The author withdraws a draft, a topic in review, or one collecting support."""
    topic = _lock(topic)
    if topic.author_id != author.id:
        raise PermissionDenied(_("Only the author can withdraw this topic."))
    settle(topic)
    _transition(topic, S.WITHDRAWN, author)
    topic.closes_at = None
    return topic


# --- review ----------------------------------------------------------------------------------


def approve(worker, topic: Topic) -> Topic:
    """The committee approves a topic: support collection starts with the threshold fixed now."""
    community = _community(topic)
    require_committee(worker, community)
    topic = _lock(topic)
    settings = settings_for(community)
    if settings.threshold_kind == "share":
        residents = places.eligible_count(community.id, now())
        threshold = max(1, math.ceil(residents * settings.threshold_value / 100))
    else:
        threshold = settings.threshold_value
    _transition(topic, S.COLLECTING_SUPPORT, worker, committee=True)
    topic.decided_at = now()
    topic.support_threshold = threshold
    topic.support_deadline = now() + timedelta(days=settings.support_days)
    topic.closes_at = topic.support_deadline
    db.session.flush()
    return topic


def reject(worker, topic: Topic, reason: str) -> Topic:
    """The committee rejects a topic with a reason the author sees."""
    require_committee(worker, _community(topic))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason the author will see."), field="reason")
    topic = _lock(topic)
    _transition(topic, S.REJECTED, worker, reason=reason, committee=True)
    topic.decided_at = now()
    topic.reject_reason = reason
    db.session.flush()
    return topic


def send_to_vote(worker, topic: Topic) -> Topic:
    """The committee moves a topic straight to "ready for vote" (from review or support)."""
    require_committee(worker, _community(topic))
    topic = _lock(topic)
    settle(topic)
    _transition(topic, S.READY_FOR_VOTE, worker, committee=True)
    topic.decided_at = topic.decided_at or now()
    topic.closes_at = None
    db.session.flush()
    return topic


# --- support ---------------------------------------------------------------------------------


def support(user, topic: Topic) -> Topic:
    """A confirmed resident supports (附议) a topic, once; reaching the threshold opens the way to a vote."""
    community = _community(topic)
    require_member(user, community)
    topic = _lock(topic)
    settle(topic)
    if topic.status != S.COLLECTING_SUPPORT:
        raise Conflict(_("This topic is not collecting support."))
    add_unique(Support(topic_id=topic.id, user_id=user.id), _("You have already supported this topic."))
    topic.support_count += 1
    db.session.flush()
    if topic.support_count >= topic.support_threshold:
        _transition(topic, S.READY_FOR_VOTE, None)
        topic.closes_at = None
        db.session.flush()
    return topic


def has_supported(user, topic: Topic) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(Support.id).where(Support.topic_id == topic.id, Support.user_id == user.id)) is not None


# --- time ------------------------------------------------------------------------------------


def effective_status(topic: Topic, vote: Vote | None = None, moment: datetime | None = None) -> str:
    """The status as of now, whether or not `flask tick` has made it permanent yet."""
    moment = moment or now()
    if topic.status == S.COLLECTING_SUPPORT and topic.support_deadline and topic.support_deadline <= moment:
        return S.NOT_ENOUGH_SUPPORT
    if topic.status in (S.VOTE_SCHEDULED, S.VOTING) and vote is not None:
        if vote.closes_at <= moment:
            return S.CLOSED
        if vote.opens_at <= moment:
            return S.VOTING
    return topic.status


def settle(topic: Topic) -> Topic:
    """Make the time-driven changes due by now permanent (the caller holds the topic's lock)."""
    moment = now()
    if topic.status == S.COLLECTING_SUPPORT and topic.support_deadline and topic.support_deadline <= moment:
        _transition(topic, S.NOT_ENOUGH_SUPPORT, None)
        topic.closes_at = None
    if topic.status in (S.VOTE_SCHEDULED, S.VOTING):
        vote = vote_of(topic)
        if topic.status == S.VOTE_SCHEDULED and vote.opens_at <= moment:
            _transition(topic, S.VOTING, None)
        if topic.status == S.VOTING and vote.closes_at <= moment:
            _close(topic, vote, vote.closes_at, None)
    db.session.flush()
    return topic


def settle_due() -> int:
    """`flask tick`: settle every topic with a deadline or an opening that has passed."""
    moment = now()
    due = list(
        db.session.scalars(
            sa.select(Topic.id)
            .outerjoin(Vote, Vote.topic_id == Topic.id)
            .where(
                sa.or_(
                    sa.and_(Topic.status == S.COLLECTING_SUPPORT, Topic.support_deadline <= moment),
                    sa.and_(Topic.status == S.VOTE_SCHEDULED, Vote.opens_at <= moment),
                    sa.and_(Topic.status == S.VOTING, Vote.closes_at <= moment),
                )
            )
        )
    )
    for topic_id in due:
        topic = db.session.get(Topic, topic_id)
        settle(_lock(topic))
    return len(due)


# --- votes -----------------------------------------------------------------------------------


def schedule_vote(
    worker,
    topic: Topic,
    *,
    kind: str,
    options: list[str] | None,
    max_choices: int,
    scope: str,
    opens_at: datetime,
    closes_at: datetime,
    quorum_percent: int | None,
    live_results: bool,
) -> Vote:
    """The committee sets up the ballot of a topic ready for a vote."""
    require_committee(worker, _community(topic))
    topic = _lock(topic)
    if topic.status != S.READY_FOR_VOTE:
        raise Conflict(_("A vote can only be set up for a topic that is ready for a vote."))
    vote = Vote(topic_id=topic.id, created_by_id=worker.id)
    choices = _vote_settings(
        vote,
        kind=kind,
        options=options,
        max_choices=max_choices,
        scope=scope,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        live_results=live_results,
    )
    db.session.add(vote)
    db.session.flush()
    for option in choices:
        option.vote_id = vote.id
        db.session.add(option)
    _transition(topic, S.VOTE_SCHEDULED if opens_at > now() else S.VOTING, worker, committee=True)
    topic.closes_at = closes_at
    db.session.flush()
    return vote


def _vote_settings(
    vote: Vote, *, kind, options, max_choices, scope, opens_at, closes_at, quorum_percent, live_results
) -> list[VoteOption]:
    """Check a vote's settings and put them on ``vote``; returns its options (not yet added)."""
    if scope not in ("resident", "household"):
        raise RuleViolation(_("Choose who votes: each resident or each household."), field="scope")
    if not (opens_at.year >= 2000 and closes_at.year <= 2100):
        raise RuleViolation(_("Give dates between 2000 and 2100."), field="opens_at")
    if closes_at <= opens_at:
        raise RuleViolation(_("The vote must close after it opens."), field="closes_at")
    if closes_at <= now():
        raise RuleViolation(_("The closing time has already passed."), field="closes_at")
    if quorum_percent is not None and not 1 <= quorum_percent <= 100:
        raise RuleViolation(_("A quorum is a percentage between 1 and 100."), field="quorum_percent")
    if kind == "yes_no":
        choices = [VoteOption(key=key, position=i) for i, key in enumerate(("for", "against", "abstain"))]
        max_choices = 1
    elif kind == "choices":
        labels = [o.strip() for o in (options or []) if o and o.strip()]
        if len(labels) < 2 or len(labels) > 10:
            raise RuleViolation(_("Give between 2 and 10 choices."), field="options")
        if len(set(labels)) != len(labels):
            raise RuleViolation(_("Each choice must be different."), field="options")
        if any(len(label) > 60 for label in labels):
            raise RuleViolation(_("Keep each choice to 60 characters."), field="options")
        if not 1 <= max_choices <= len(labels):
            raise RuleViolation(_("Voters may choose between 1 and %(n)d options.", n=len(labels)), field="max_choices")
        choices = [VoteOption(label=label, position=i) for i, label in enumerate(labels)]
    else:
        raise RuleViolation(_("Choose the kind of ballot."), field="kind")
    vote.kind, vote.scope, vote.max_choices = kind, scope, max_choices
    vote.opens_at, vote.closes_at, vote.quorum_percent, vote.live_results = opens_at, closes_at, quorum_percent, live_results
    return choices


def _vote_summary(vote: Vote) -> dict:
    """A vote's settings for the audit log and the change notice."""
    labels = [
        o.label or o.key
        for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
    ]
    return {
        "kind": vote.kind,
        "options": labels,
        "max_choices": vote.max_choices,
        "scope": vote.scope,
        "opens_at": vote.opens_at.isoformat(),
        "closes_at": vote.closes_at.isoformat(),
        "quorum_percent": vote.quorum_percent,
        "live_results": vote.live_results,
    }


def _scheduled_vote(worker, topic: Topic) -> tuple[Topic, Vote]:
    require_committee(worker, _community(topic))
    topic = _lock(topic)
    settle(topic)
    if topic.status != S.VOTE_SCHEDULED:
        raise Conflict(_("A vote can only be changed or cancelled before it opens."))
    return topic, vote_of(topic)


def change_vote(
    worker,
    topic: Topic,
    *,
    kind: str,
    options: list[str] | None,
    max_choices: int,
    scope: str,
    opens_at: datetime,
    closes_at: datetime,
    quorum_percent: int | None,
    live_results: bool,
) -> Vote:
    """The committee changes a scheduled vote before it opens (no ballot can exist yet); audited, followers told."""
    topic, vote = _scheduled_vote(worker, topic)
    before = _vote_summary(vote)
    choices = _vote_settings(
        vote,
        kind=kind,
        options=options,
        max_choices=max_choices,
        scope=scope,
        opens_at=opens_at,
        closes_at=closes_at,
        quorum_percent=quorum_percent,
        live_results=live_results,
    )
    db.session.execute(sa.delete(VoteOption).where(VoteOption.vote_id == vote.id))
    for option in choices:
        option.vote_id = vote.id
        db.session.add(option)
    topic.closes_at = closes_at
    db.session.flush()
    after = _vote_summary(vote)
    audit.record(worker, "vote.change", topic, community_id=topic.community_id, before=before, after=after)
    db.session.add(
        TopicEvent(
            topic_id=topic.id,
            from_status=topic.status,
            to_status=topic.status,
            actor_id=worker.id,
            reason=_("The vote was changed before it opened."),
        )
    )
    _notify_followers(
        topic,
        f"vote:{vote.id}:changed:{now().isoformat()}",
        N_("The vote on “%(title)s” was changed before it opened. It now opens %(opens)s."),
        exclude=worker,
        opens=_local(opens_at),
    )
    if opens_at <= now():
        _transition(topic, S.VOTING, worker, committee=True)
    db.session.flush()
    log.info("vote %s of topic %s changed by %s", vote.id, topic.id, worker.id)
    return vote


def cancel_vote(worker, topic: Topic, reason: str) -> Topic:
    """The committee cancels a scheduled vote before it opens: the topic is ready for a new one."""
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for cancelling the vote."), field="reason")
    topic, vote = _scheduled_vote(worker, topic)
    before = _vote_summary(vote)
    db.session.execute(sa.delete(VoteOption).where(VoteOption.vote_id == vote.id))
    db.session.delete(vote)
    db.session.flush()
    audit.record(worker, "vote.cancel", topic, community_id=topic.community_id, before=before, after={"reason": reason})
    _transition(
        topic,
        S.READY_FOR_VOTE,
        worker,
        reason=reason,
        committee=True,
        notice=N_("The vote on “%(title)s” was cancelled before it opened: %(reason)s"),
    )
    topic.closes_at = None
    db.session.flush()
    return topic


def _local(moment: datetime) -> str:
    from consult.core.templating import dt

    return dt(moment)


def _token(vote: Vote, voter_key: str) -> str:
    """The ballot's key: one per voter (or household) per vote, meaningless without SECRET_KEY."""
    return secrecy.mac(f"ballot:{vote.id}:{voter_key}")


def _slot(token: str) -> str:
    """Where an open vote's sealed ballot is kept: another HMAC, so it never equals the counted ballot's token."""
    return secrecy.mac(f"slot:{token}")


def _seal_ballot(vote: Vote, token: str, chosen: list[int]) -> bytes:
    return secrecy.seal("ballot", {"t": token, "o": chosen}, f"vote:{vote.id}")


def _unseal_ballot(vote: Vote, sealed: bytes) -> dict:
    return secrecy.unseal("ballot", sealed, f"vote:{vote.id}")


def _tally(vote: Vote) -> dict[int, int]:
    """The open vote's counts per option, from its sealed tally."""
    if vote.sealed_tally is None:
        return {}
    return {int(k): v for k, v in secrecy.unseal("tally", vote.sealed_tally, f"vote:{vote.id}").items()}


def _seal_tally(vote: Vote, counts: dict[int, int]) -> bytes:
    return secrecy.seal("tally", {str(k): v for k, v in counts.items() if v}, f"vote:{vote.id}")


def write_ballots(vote: Vote) -> int:
    """At closing: unseal every ballot of the vote and write them as plain ballots, shuffled, in
    this one transaction, with random ids; the sealed rows and tally go (docs/ballot-secrecy.md)."""
    sealed = list(db.session.scalars(sa.select(SealedBallot).where(SealedBallot.vote_id == vote.id)))
    entries = [_unseal_ballot(vote, row.sealed) for row in sealed]
    random.SystemRandom().shuffle(entries)
    ballots = [{"id": _random_id(), "vote_id": vote.id, "token": entry["t"]} for entry in entries]
    if ballots:
        db.session.execute(sa.insert(Ballot), ballots)
        choices = [{"ballot_id": b["id"], "option_id": o} for b, entry in zip(ballots, entries, strict=True) for o in entry["o"]]
        db.session.execute(sa.insert(BallotChoice), choices)
    db.session.execute(sa.delete(SealedBallot).where(SealedBallot.vote_id == vote.id))
    vote.sealed_tally = None
    db.session.flush()
    return len(ballots)


def _voter_key(vote: Vote, user, community: Community, moment: datetime) -> str:
    residence = places.active_residence(user)
    if residence is None or residence.community_id != community.id or residence.status != "confirmed":
        raise PermissionDenied(_("Only confirmed residents of this community can vote."))
    if vote.scope == "household":
        return places.household_key(residence)
    return f"u:{user.id}"


def _check_choice(vote: Vote, option_ids: list) -> list[int]:
    valid = {o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    try:
        chosen = sorted({int(i) for i in option_ids})
    except (TypeError, ValueError):
        raise RuleViolation(_("Choose from the options on this ballot."), field="options") from None
    if not chosen:
        raise RuleViolation(_("Choose an option before voting."), field="options")
    if not set(chosen) <= valid:
        raise RuleViolation(_("Choose from the options on this ballot."), field="options")
    if len(chosen) > vote.max_choices:
        raise RuleViolation(_("Choose at most %(n)d options.", n=vote.max_choices), field="options")
    return chosen


def _open_vote(topic: Topic) -> Vote:
    settle(topic)
    vote = vote_of(topic)
    if topic.status == S.VOTE_SCHEDULED:
        raise RuleViolation(_("Voting has not opened yet. It opens at the time shown on the topic."))
    if topic.status != S.VOTING:
        raise RuleViolation(_("Voting on this topic is closed."))
    return vote


def cast_ballot(voter, topic: Topic, option_ids: list, *, recorded_by=None) -> list[int]:
    """Cast (or change, until closing) a ballot; one per voter or household, secret. Returns the options chosen.

    With ``recorded_by`` a worker records the ballot a resident gave on paper at a meeting.
    """
    community = _community(topic)
    if recorded_by is not None:
        require_committee(recorded_by, community)
    topic = _lock(topic)
    vote = _open_vote(topic)
    chosen = _check_choice(vote, option_ids)
    voter_key = _voter_key(vote, voter, community, now())
    token = _token(vote, voter_key)
    # Nothing written here says what was chosen without SECRET_KEY: this transaction also writes
    # who took part (docs/ballot-secrecy.md). The vote row is locked through the topic's lock.
    vote = db.session.scalar(sa.select(Vote).where(Vote.id == vote.id).execution_options(populate_existing=True))
    counts = _tally(vote)
    pending = db.session.scalar(sa.select(SealedBallot).where(SealedBallot.vote_id == vote.id, SealedBallot.slot == _slot(token)))
    if pending is None:
        add_unique(
            SealedBallot(vote_id=vote.id, slot=_slot(token), sealed=_seal_ballot(vote, token, chosen)),
            _("Your ballot was already cast."),
        )
        vote.ballot_count += 1
        db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(ballot_count=Topic.ballot_count + 1))
    elif recorded_by is not None:
        # A worker never changes (or learns by changing) a ballot already cast.
        raise Conflict(_("This resident (or their household) has already voted."))
    else:
        for option_id in _unseal_ballot(vote, pending.sealed)["o"]:
            counts[option_id] = counts.get(option_id, 0) - 1
        pending.sealed = _seal_ballot(vote, token, chosen)
    for option_id in chosen:
        counts[option_id] = counts.get(option_id, 0) + 1
    vote.sealed_tally = _seal_tally(vote, counts)
    participation = db.session.scalar(
        sa.select(VoteParticipation).where(VoteParticipation.vote_id == vote.id, VoteParticipation.user_id == voter.id)
    )
    if participation is None:
        add_unique(
            VoteParticipation(
                vote_id=vote.id,
                user_id=voter.id,
                household=voter_key if vote.scope == "household" else None,
                paper=recorded_by is not None,
                recorded_by_id=recorded_by.id if recorded_by else None,
            ),
            _("Your ballot was already cast."),
        )
    db.session.flush()
    if recorded_by is not None:
        # Audited as recorded, never with the choice (docs/design.md, "Secrecy").
        audit.record(recorded_by, "ballot.paper", topic, community_id=community.id, after={"voter_id": voter.id})
    db.session.expire(topic)
    return chosen


RECEIPT_DAYS = 30


def receipt_cookie(vote: Vote) -> str:
    return f"ballot-{vote.id}"


def seal_receipt(voter, vote: Vote, chosen: list[int]) -> str:
    """What the voter chose, sealed to them and this vote, for a cookie on their own device only
    (the site keeps no link from a person to a ballot: docs/ballot-secrecy.md)."""
    import base64

    blob = secrecy.seal("receipt", {"o": chosen}, f"receipt:{voter.id}:{vote.id}")
    return base64.urlsafe_b64encode(blob).decode()


def read_receipt(user, vote: Vote, value: str | None) -> list[VoteOption]:
    """The options a receipt cookie names, if it was sealed to this person and this vote; else nothing."""
    import base64
    import binascii

    from cryptography.exceptions import InvalidTag

    if not value or vote is None or not getattr(user, "is_authenticated", False):
        return []
    try:
        data = secrecy.unseal("receipt", base64.urlsafe_b64decode(value.encode()), f"receipt:{user.id}:{vote.id}")
        chosen = {int(i) for i in data["o"]}
    except (InvalidTag, ValueError, TypeError, KeyError, binascii.Error):
        return []
    return [
        o
        for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position))
        if o.id in chosen
    ]


def has_voted(user, topic: Topic, vote: Vote | None) -> bool:
    """Whether the person (or their household) has a ballot in this vote."""
    if vote is None or not getattr(user, "is_authenticated", False):
        return False
    if db.session.scalar(
        sa.select(VoteParticipation.id).where(VoteParticipation.vote_id == vote.id, VoteParticipation.user_id == user.id)
    ):
        return True
    if vote.scope == "household":
        residence = places.active_residence(user)
        if residence is not None and residence.community_id == topic.community_id:
            household = places.household_key(residence)
            return (
                db.session.scalar(
                    sa.select(VoteParticipation.id)
                    .where(VoteParticipation.vote_id == vote.id, VoteParticipation.household == household)
                    .limit(1)
                )
                is not None
            )
    return False


def _close(topic: Topic, vote: Vote, moment: datetime, actor, reason: str | None = None) -> None:
    vote.closed_at = moment
    vote.eligible_count = places.eligible_count(topic.community_id, moment, vote.scope)
    write_ballots(vote)
    if actor is not None:
        vote.closed_by_id = actor.id
        vote.closed_early_reason = reason
    _transition(topic, S.CLOSED, actor, reason=reason, committee=actor is not None)
    topic.closes_at = None
    db.session.flush()


def close_early(worker, topic: Topic, reason: str) -> None:
    """The committee closes voting before its time, with a reason."""
    require_committee(worker, _community(topic))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for closing early."), field="reason")
    topic = _lock(topic)
    vote = _open_vote(topic)
    _close(topic, vote, now(), worker, reason)


def results(topic: Topic, vote: Vote, *, viewer_is_committee: bool = False) -> dict | None:
    """Counts and percentages per option, turnout and quorum — when the results may be shown."""
    status = effective_status(topic, vote)
    closed = status in (S.CLOSED, S.OUTCOME_PUBLISHED)
    if not closed and not (vote.live_results and status == S.VOTING):
        return None
    if vote.closed_at is None:  # still sealed (voting, or closed by the clock before tick wrote the ballots)
        counts = _tally(vote)
    else:
        counts = dict(
            db.session.execute(
                sa.select(BallotChoice.option_id, sa.func.count())
                .join(VoteOption, VoteOption.id == BallotChoice.option_id)
                .where(VoteOption.vote_id == vote.id)
                .group_by(BallotChoice.option_id)
            ).all()
        )
    options = list(db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id).order_by(VoteOption.position)))
    ballots = vote.ballot_count
    eligible = (
        vote.eligible_count if vote.eligible_count is not None else places.eligible_count(topic.community_id, now(), vote.scope)
    )
    turnout = ballots / eligible if eligible else 0.0
    rows = [
        {"option": o, "count": counts.get(o.id, 0), "percent": (100.0 * counts.get(o.id, 0) / ballots) if ballots else 0.0}
        for o in options
    ]
    quorum_met = None if vote.quorum_percent is None else turnout * 100 >= vote.quorum_percent
    return {"rows": rows, "ballots": ballots, "eligible": eligible, "turnout": turnout, "quorum_met": quorum_met, "final": closed}


# --- comments --------------------------------------------------------------------------------


def comment(user, topic: Topic, body: str, parent_id=None) -> Comment:
    """A confirmed resident (or the committee) comments, or replies to a comment (one level)."""
    from consult.topics.models import COMMENT_MAX

    community = _community(topic)
    require_visible(user, topic)
    if not places.can_manage_community(user, community):
        require_member(user, community)
    if not is_public(topic) or topic.status == S.WITHDRAWN:
        raise Conflict(_("Comments are closed on this topic."))
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise RuleViolation(_("Write a comment of 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    parent = None
    if parent_id:
        parent = db.session.get(Comment, parse_id(parent_id)) if parse_id(parent_id) is not None else None
        if parent is None or parent.topic_id != topic.id:
            raise RuleViolation(_("That comment is not on this topic."), field="parent_id")
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)  # replies stay one level deep
    note = Comment(topic_id=topic.id, author_id=user.id, parent_id=parent.id if parent else None, body=body)
    db.session.add(note)
    db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(comment_count=Topic.comment_count + 1))
    db.session.flush()
    db.session.expire(topic, ["comment_count"])
    if parent is not None and parent.author_id != user.id:
        notify(
            parent.author_id,
            f"comment:{note.id}:reply",
            N_("Someone replied to your comment on “%(title)s”."),
            link=f"/topics/{topic.id}#comment-{note.id}",
            title=topic.title,
        )
    _notify_followers(topic, f"comment:{note.id}", N_("New comment on “%(title)s”."), exclude=user)
    return note


def edit_comment(user, note: Comment, body: str) -> Comment:
    """The author edits their comment within 15 minutes of posting it."""
    from consult.topics.models import COMMENT_MAX

    if note.author_id != user.id:
        raise PermissionDenied(_("Only the author can edit this comment."))
    if note.hidden_at is not None:
        raise Conflict(_("A hidden comment cannot be edited."))
    if now() - note.created_at > timedelta(minutes=EDIT_MINUTES):
        raise RuleViolation(_("Comments can only be edited within %(n)d minutes of posting.", n=EDIT_MINUTES))
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise RuleViolation(_("Write a comment of 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    note.body = body
    note.edited_at = now()
    db.session.flush()
    return note


def flag_comment(user, note: Comment) -> None:
    """A logged-in person flags a comment for the committee's attention; once each."""
    require_visible(user, db.session.get(Topic, note.topic_id))
    if note.author_id == user.id:
        raise RuleViolation(_("You cannot flag your own comment."))
    add_unique(CommentFlag(comment_id=note.id, user_id=user.id), _("You have already flagged this comment."))
    db.session.execute(sa.update(Comment).where(Comment.id == note.id).values(flag_count=Comment.flag_count + 1))
    db.session.flush()


def hide_comment(worker, note: Comment, reason: str) -> None:
    """The committee hides a comment with a reason; it is kept and the thread says why."""
    topic = db.session.get(Topic, note.topic_id)
    require_committee(worker, _community(topic))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for hiding the comment."), field="reason")
    if note.hidden_at is not None:
        raise Conflict(_("This comment is already hidden."))
    note.hidden_at, note.hidden_by_id, note.hidden_reason = now(), worker.id, reason
    db.session.execute(sa.update(CommentFlag).where(CommentFlag.comment_id == note.id).values(handled_at=now()))
    db.session.flush()
    audit.record(worker, "comment.hide", note, community_id=topic.community_id, after={"reason": reason, "topic_id": topic.id})


def dismiss_flags(worker, note: Comment) -> None:
    """The committee looked at the flags and keeps the comment."""
    topic = db.session.get(Topic, note.topic_id)
    require_committee(worker, _community(topic))
    db.session.execute(
        sa.update(CommentFlag).where(CommentFlag.comment_id == note.id, CommentFlag.handled_at.is_(None)).values(handled_at=now())
    )
    audit.record(worker, "comment.keep", note, community_id=topic.community_id, after={"topic_id": topic.id})


# --- following -------------------------------------------------------------------------------


def follow(user, topic: Topic) -> None:
    """Follow a topic to hear of its changes and new comments."""
    require_visible(user, topic)
    _follow(topic, user)
    db.session.flush()


def unfollow(user, topic: Topic) -> None:
    db.session.execute(sa.delete(Follow).where(Follow.topic_id == topic.id, Follow.user_id == user.id))


def is_following(user, topic: Topic) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Follow, (topic.id, user.id)) is not None


# --- outcome and progress --------------------------------------------------------------------


def publish_outcome(worker, topic: Topic, *, decision: str, responsible: str, actions: str, due_date: date) -> Outcome:
    """The committee publishes the outcome (结果公示) of a closed topic."""
    require_committee(worker, _community(topic))
    topic = _lock(topic)
    settle(topic)
    decision, responsible, actions = (decision or "").strip(), (responsible or "").strip(), (actions or "").strip()
    if not decision or len(decision) > 5000:
        raise RuleViolation(_("Write the decision (at most 5000 characters)."), field="decision")
    if not responsible or len(responsible) > 100:
        raise RuleViolation(_("Name who is responsible (at most 100 characters)."), field="responsible")
    if not actions or len(actions) > 5000:
        raise RuleViolation(_("List the planned actions (at most 5000 characters)."), field="actions")
    if topic.status != S.CLOSED:
        raise Conflict(_("An outcome can only be published once voting has closed."))
    outcome = add_unique(
        Outcome(
            topic_id=topic.id,
            decision=decision,
            responsible=responsible,
            actions=actions,
            original_due_date=due_date,
            due_date=due_date,
            published_by_id=worker.id,
        ),
        _("This topic already has an outcome."),
    )
    _transition(topic, S.OUTCOME_PUBLISHED, worker, committee=True)
    audit.record(
        worker,
        "outcome.publish",
        outcome,
        community_id=topic.community_id,
        after={"topic_id": topic.id, "due_date": due_date.isoformat(), "responsible": responsible},
    )
    return outcome


def add_progress(worker, outcome: Outcome, *, status: str, note: str, due_date: date | None = None) -> OutcomeUpdate:
    """A progress update on the outcome's timeline; a changed due date is kept, the original too."""
    topic = db.session.get(Topic, outcome.topic_id)
    require_committee(worker, _community(topic))
    note = (note or "").strip()
    if status not in {s.value for s in ProgressStatus}:
        raise RuleViolation(_("Choose a progress status."), field="status")
    if not note or len(note) > 2000:
        raise RuleViolation(_("Say what happened (at most 2000 characters)."), field="note")
    if outcome.status in (ProgressStatus.DONE, ProgressStatus.NOT_FEASIBLE):
        raise Conflict(_("This outcome is finished; no more progress can be added."))
    update = OutcomeUpdate(outcome_id=outcome.id, status=status, note=note, created_by_id=worker.id)
    before = {"status": outcome.status, "due_date": outcome.due_date.isoformat()}
    if due_date is not None and due_date != outcome.due_date:
        update.old_due_date, update.new_due_date = outcome.due_date, due_date
        outcome.due_date = due_date
    outcome.status = status
    if status == ProgressStatus.DONE:
        outcome.done_at = now()
    db.session.add(update)
    db.session.flush()
    audit.record(
        worker,
        "outcome.progress",
        outcome,
        community_id=topic.community_id,
        before=before,
        after={"status": status, "due_date": outcome.due_date.isoformat()},
    )
    _notify_followers(
        topic,
        f"outcome:{outcome.id}:update:{update.id}",
        N_("Progress on “%(title)s”: %(status)s"),
        exclude=worker,
        status=status_name(status),
    )
    return update


def can_rate(user, topic: Topic, outcome: Outcome | None, vote: Vote | None) -> bool:
    """Residents who were eligible to vote may rate a done outcome."""
    if outcome is None or vote is None or outcome.status != ProgressStatus.DONE:
        return False
    if not getattr(user, "is_authenticated", False) or vote.closed_at is None:
        return False
    return places.was_resident_at(user.id, topic.community_id, vote.closed_at)


def rate(user, outcome: Outcome, level: str, comment_text: str | None = None) -> OutcomeRating:
    """Rate a done outcome 满意 / 基本满意 / 不满意, once; a change is a new version."""
    topic = db.session.get(Topic, outcome.topic_id)
    vote = vote_of(topic)
    if outcome.status != ProgressStatus.DONE:
        raise RuleViolation(_("An outcome can be rated once the committee marks it done."))
    if not can_rate(user, topic, outcome, vote):
        raise PermissionDenied(_("Only residents who could vote on this topic can rate its outcome."))
    if level not in {lvl.value for lvl in RatingLevel}:
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    comment_text = (comment_text or "").strip() or None
    if comment_text and len(comment_text) > 500:
        raise RuleViolation(_("Keep the comment to 500 characters."), field="comment")
    current = db.session.scalar(
        sa.select(OutcomeRating)
        .where(OutcomeRating.outcome_id == outcome.id, OutcomeRating.user_id == user.id, OutcomeRating.superseded_at.is_(None))
        .with_for_update()
    )
    moment = now()
    if current is not None:
        if current.level == level and current.comment == comment_text:
            return current
        current.superseded_at = moment
        db.session.flush()
    rating = OutcomeRating(
        outcome_id=outcome.id,
        user_id=user.id,
        level=level,
        comment=comment_text,
        version=(current.version + 1) if current else 1,
        first_given_at=current.first_given_at if current else moment,
        created_at=moment,
    )
    return add_unique(rating, _("Your rating was already recorded."))


def current_rating(user, outcome: Outcome) -> OutcomeRating | None:
    if outcome is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(OutcomeRating).where(
            OutcomeRating.outcome_id == outcome.id, OutcomeRating.user_id == user.id, OutcomeRating.superseded_at.is_(None)
        )
    )


def topic_in(community: Community, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.community_id != community.id:
        raise NotFound(_("No such topic in this community."))
    return topic
