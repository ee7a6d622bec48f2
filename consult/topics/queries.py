"""Reads of topics for pages and other domains: lists, details, comments, outcomes, ratings."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from consult.core import search
from consult.core.clock import now
from consult.core.pagination import LoadedPage
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.topics import policy
from consult.topics.models import (
    LISTED_STATUSES,
    Comment,
    CommentFlag,
    Follow,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    Support,
    Topic,
    TopicEvent,
    TopicStatus,
    Vote,
    VoteOption,
    VoteParticipation,
    public_clause,
)

S = TopicStatus
#: the sorts a person may choose; without one a search lists the best match first, else the newest
SORTS = ("newest", "supported", "closing")
PER_PAGE = 20
COMMENTS_PER_PAGE = 50
#: the search index of topics (consult/core/search.py; migration 0018 builds it)
SEARCH = search.Index("search_topics", "topic_id", (("title", "A"), ("body", "B")))


def topic_list(
    community_id: int,
    *,
    status: str | None = None,
    category_id: int | None = None,
    q: str | None = None,
    sort: str | None = None,
    include_unlisted: bool = False,
    author_id: int | None = None,
):
    """A select of a community's topics, filtered, searched (``q``, on the index) and sorted.

    Without ``include_unlisted`` (the committee's view) only public topics come out, and the
    topics of ``author_id`` (the viewer's own drafts, reviews and rejections). Without a ``sort``,
    a search comes best match first (a title counts more than the body), a list newest first.
    """
    stmt = sa.select(Topic).where(Topic.community_id == community_id).options(joinedload(Topic.category))
    if status:
        stmt = stmt.where(policy.in_state(status, now()))
        if not include_unlisted:
            stmt = stmt.where(public_clause() if author_id is None else sa.or_(public_clause(), Topic.author_id == author_id))
    elif not include_unlisted:
        # Every listed status is public (a withdrawn topic is not listed): the status alone decides,
        # so the page's count reads the (community, status, created) index only, no table rows.
        stmt = stmt.where(Topic.status.in_(LISTED_STATUSES))
    if category_id:
        stmt = stmt.where(Topic.category_id == category_id)
    if q:
        found = search.apply(stmt, SEARCH, Topic.id, q, db.session)
        stmt = found.select
        if sort is None:
            return stmt.order_by(*found.best_first)
    if sort == "supported":
        stmt = stmt.order_by(Topic.support_count.desc(), Topic.id.desc())
    elif sort == "closing":
        stmt = stmt.order_by(Topic.closes_at.is_(None), Topic.closes_at, Topic.id.desc())
    else:
        stmt = stmt.order_by(Topic.created_at.desc(), Topic.id.desc())
    return stmt


def unpublished_counts(community_id: int) -> dict[str, int]:
    """How many topics wait for review and how many were not approved: what the public sees of them."""
    rows = db.session.execute(
        sa.select(Topic.status, sa.func.count())
        .where(Topic.community_id == community_id, Topic.status.in_([S.PENDING_REVIEW, S.REJECTED]))
        .group_by(Topic.status)
    ).all()
    counts = {S.PENDING_REVIEW.value: 0, S.REJECTED.value: 0}
    counts.update({status: n for status, n in rows})
    return counts


def with_votes_and_unpublished(stmt, community_id: int):
    """A select of topics with each one's vote (or None) and the community's numbers of topics
    waiting for review and not approved (the list page's line about them), as columns 1-3."""
    count = sa.select(sa.func.count()).select_from(Topic)
    return stmt.outerjoin(Vote, Vote.topic_id == Topic.id).add_columns(
        Vote,
        count.where(Topic.community_id == community_id, Topic.status == S.PENDING_REVIEW).correlate(None).scalar_subquery(),
        count.where(Topic.community_id == community_id, Topic.status == S.REJECTED).correlate(None).scalar_subquery(),
    )


def public_titles(topic_ids: list[int]) -> dict[int, str]:
    """Titles of those of ``topic_ids`` that are public (for pages listing records of other domains)."""
    if not topic_ids:
        return {}
    rows = db.session.execute(sa.select(Topic.id, Topic.title).where(Topic.id.in_(topic_ids), public_clause()))
    return {topic_id: title for topic_id, title in rows}


def topic_by_id(topic_id: int) -> Topic | None:
    """A topic with its category and author, ready for a page."""
    return db.session.scalar(
        sa.select(Topic).where(Topic.id == topic_id).options(joinedload(Topic.category), joinedload(Topic.author))
    )


def topics_of_author(user_id: int, community_id: int):
    """A person's own topics in a community, drafts and rejections included."""
    return (
        sa.select(Topic)
        .where(Topic.author_id == user_id, Topic.community_id == community_id)
        .options(joinedload(Topic.category))
        .order_by(Topic.created_at.desc())
    )


def unpublished_of_author(user_id: int, community_id: int) -> list[Topic]:
    """A person's own topics the public does not see: drafts, reviews and rejections (20 newest)."""
    private = [S.DRAFT, S.PENDING_REVIEW, S.REJECTED]
    return list(db.session.scalars(topics_of_author(user_id, community_id).where(Topic.status.in_(private)).limit(20)))


def votes_for(topic_ids: list[int]) -> dict[int, Vote]:
    if not topic_ids:
        return {}
    return {v.topic_id: v for v in db.session.scalars(sa.select(Vote).where(Vote.topic_id.in_(topic_ids)))}


def open_ballots(community_id: int, user=None) -> list[Topic]:
    """Topics whose vote is open now, without those the person has voted on."""
    moment = now()
    stmt = (
        sa.select(Topic)
        .join(Vote, Vote.topic_id == Topic.id)
        .where(
            Topic.community_id == community_id,
            policy.in_state(S.VOTING, moment),
        )
        .order_by(Vote.closes_at)
        .limit(20)
    )
    if user is not None and getattr(user, "is_authenticated", False):
        voted = sa.select(VoteParticipation.vote_id).where(VoteParticipation.user_id == user.id)
        stmt = stmt.where(Vote.id.not_in(voted))
        residence = places.active_residence(user)
        if residence is not None and residence.community_id == community_id:
            # One ballot per household: another adult of the household may have cast it.
            household = sa.select(VoteParticipation.vote_id).where(VoteParticipation.household == places.household_key(residence))
            stmt = stmt.where(sa.or_(Vote.scope != "household", Vote.id.not_in(household)))
    return list(db.session.scalars(stmt))


def options_of(vote_id: int) -> list[VoteOption]:
    return list(db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote_id).order_by(VoteOption.position)))


def history(topic_id: int) -> list[TopicEvent]:
    return list(
        db.session.scalars(
            sa.select(TopicEvent)
            .where(TopicEvent.topic_id == topic_id)
            .options(joinedload(TopicEvent.actor))
            .order_by(TopicEvent.id)
        )
    )


def comments_page(topic_id: int, page: int):
    """Top-level comments, 50 a page, with their replies and the number of top-level comments in
    all, in one statement: the page (an index range of the topic's top-level comments) and the
    replies to it (by parent), each arm read through an index, never the whole table."""
    top = sa.and_(Comment.topic_id == topic_id, Comment.parent_id.is_(None))
    number = max(page, 1)
    ids = (
        (sa.select(Comment.id).where(top).order_by(Comment.created_at, Comment.id).limit(COMMENTS_PER_PAGE))
        .offset((number - 1) * COMMENTS_PER_PAGE)
        .cte("page_ids")
    )
    both = sa.union_all(
        sa.select(Comment).join(ids, ids.c.id == Comment.id),
        sa.select(Comment).where(Comment.parent_id.in_(sa.select(ids.c.id))),
    ).subquery("shown")
    shown = aliased(Comment, both)
    total = sa.select(sa.func.count()).where(top).correlate(None).scalar_subquery().label("total")
    rows = db.session.execute(
        sa.select(shown, total).options(joinedload(shown.author)).order_by(shown.created_at, shown.id)
    ).all()
    found = [row[0] for row in rows]
    # No row on page 1: no comment at all. Past the last page: the count on its own.
    count = rows[0][1] if rows else 0 if number == 1 else db.session.scalar(sa.select(sa.func.count()).where(top)) or 0
    items = [c for c in found if c.parent_id is None]
    replies: dict[int, list[Comment]] = {c.id: [] for c in items}
    for reply in found:
        if reply.parent_id is not None:
            replies[reply.parent_id].append(reply)
    return LoadedPage(items, number, COMMENTS_PER_PAGE, count), replies


def topic_frame(topic: Topic, user=None):
    """A topic's community (with its street), vote, outcome and vote options, and whether the
    person supports, follows and has voted on it (they or their household): one statement (a row
    per option), a second only for a household vote the person did not cast themselves."""
    signed_in = getattr(user, "is_authenticated", False)
    marks = (
        [
            sa.exists().where(Support.topic_id == topic.id, Support.user_id == user.id),
            sa.exists().where(Follow.topic_id == topic.id, Follow.user_id == user.id),
            sa.exists().where(VoteParticipation.vote_id == Vote.id, VoteParticipation.user_id == user.id),
        ]
        if signed_in
        else [sa.false(), sa.false(), sa.false()]
    )
    # An open vote with live results and no frozen electorate shows its turnout against the
    # community's residents (or households) now: read here, only when so (CASE evaluates lazily).
    moment = now()
    live = sa.and_(Vote.live_results.is_(True), Vote.eligible_count.is_(None), Vote.closed_at.is_(None))
    electorate = sa.case(
        (
            sa.and_(live, Vote.scope == "household"),
            places.eligible_count_query(topic.community_id, moment, "household").scalar_subquery(),
        ),
        (live, places.eligible_count_query(topic.community_id, moment, "resident").scalar_subquery()),
        else_=None,
    )
    rows = db.session.execute(
        sa.select(Community, Vote, Outcome, VoteOption, *marks, electorate)
        .select_from(Community)
        .outerjoin(Vote, Vote.topic_id == topic.id)
        .outerjoin(Outcome, Outcome.topic_id == topic.id)
        .outerjoin(VoteOption, VoteOption.vote_id == Vote.id)
        .where(Community.id == topic.community_id)
        .order_by(VoteOption.position)
    ).all()
    community, vote, outcome = rows[0][0], rows[0][1], rows[0][2]
    supported, following, voted = (bool(v) for v in rows[0][4:7])
    if signed_in and vote is not None and not voted and vote.scope == "household":
        voted = has_voted(user, topic, vote)
    options = [row[3] for row in rows if row[3] is not None]
    return Frame(community, vote, outcome, options, supported, following, voted, rows[0][7])


@dataclass(frozen=True)
class Frame:
    """What ``topic_frame`` reads."""

    community: Community
    vote: Vote | None
    outcome: Outcome | None
    options: list[VoteOption]
    supported: bool = False
    following: bool = False
    voted: bool = False
    electorate: int | None = None  #: of an open vote with live results (else None)


def outcome_of(topic_id: int) -> Outcome | None:
    return db.session.scalar(sa.select(Outcome).where(Outcome.topic_id == topic_id))


def progress_of(outcome_id: int) -> list[OutcomeUpdate]:
    return list(
        db.session.scalars(sa.select(OutcomeUpdate).where(OutcomeUpdate.outcome_id == outcome_id).order_by(OutcomeUpdate.id))
    )


def rating_summary(outcome_id: int) -> dict:
    """Current ratings by level, with the comments: level, date and text — never the rater."""
    current = sa.and_(OutcomeRating.outcome_id == outcome_id, OutcomeRating.superseded_at.is_(None))
    rows = db.session.execute(sa.select(OutcomeRating.level, sa.func.count()).where(current).group_by(OutcomeRating.level))
    counts: dict[str, int] = {level: n for level, n in rows}
    comments = db.session.execute(
        sa.select(OutcomeRating.level, OutcomeRating.comment, OutcomeRating.created_at)
        .where(current, OutcomeRating.comment.is_not(None))
        .order_by(OutcomeRating.created_at.desc())
        .limit(50)
    ).all()
    total = sum(counts.values())
    return {
        "total": total,
        "levels": [(level, counts.get(level, 0)) for level in SATISFACTION_LEVELS],
        "comments": comments,
    }


def pending_review(community_id: int) -> list[Topic]:
    return list(
        db.session.scalars(
            sa.select(Topic)
            .where(Topic.community_id == community_id, Topic.status == S.PENDING_REVIEW)
            .options(joinedload(Topic.author))
            .order_by(Topic.submitted_at)
            .limit(200)
        )
    )


def needing_committee(community_id: int, status: str) -> list[Topic]:
    return list(
        db.session.scalars(
            sa.select(Topic).where(Topic.community_id == community_id, Topic.status == status).order_by(Topic.id).limit(200)
        )
    )


def flagged_comments(community_id: int):
    """Comments with flags the committee has not handled yet, oldest flag first."""
    first_flag = sa.func.min(CommentFlag.created_at).label("since")
    return db.session.execute(
        sa.select(Comment, first_flag)
        .join(CommentFlag, CommentFlag.comment_id == Comment.id)
        .join(Topic, Topic.id == Comment.topic_id)
        .where(Topic.community_id == community_id, CommentFlag.handled_at.is_(None), Comment.hidden_at.is_(None))
        .group_by(Comment.id)
        .order_by(first_flag)
        .limit(200)
    ).all()


# --- what one person did ----------------------------------------------------------------------


def has_supported(user, topic: Topic) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(sa.select(Support.id).where(Support.topic_id == topic.id, Support.user_id == user.id)) is not None


def is_following(user, topic: Topic) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.get(Follow, (topic.id, user.id)) is not None


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


def current_rating(user, outcome: Outcome) -> OutcomeRating | None:
    if outcome is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        sa.select(OutcomeRating).where(
            OutcomeRating.outcome_id == outcome.id, OutcomeRating.user_id == user.id, OutcomeRating.superseded_at.is_(None)
        )
    )
