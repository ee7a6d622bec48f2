"""What topics adds to the shared registries: to-do items, personal data, the tick job."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from consult.core import cache_writes, search
from consult.core.registries import STAFF_ACTION, TodoItem, community_panel, not_personal, personal, tick, todo
from consult.extensions import db
from consult.places import queries as places
from consult.topics import (
    deadlines,
    labels,  # noqa: F401  (registers the status labels)
    queries,
)
from consult.topics.ballot_models import Ballot, SealedBallot
from consult.topics.models import (
    Category,
    Comment,
    CommentFlag,
    Follow,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    Support,
    Topic,
    TopicEvent,
    TopicSettings,
    TopicStatus,
    Vote,
    VoteOption,
    VoteParticipation,
)

search.watch(Topic, queries.SEARCH)


@todo("topics")
def topic_items(community):
    """Topics to review, to set a vote for, to publish an outcome of; flagged comments."""
    items = []
    for topic in queries.pending_review(community.id):
        items.append(
            TodoItem(
                kind=_("Topic to review"),
                title=topic.title,
                since=topic.submitted_at or topic.created_at,
                link=url_for("topics_manage.review", community=community.slug, topic_id=topic.id),
            )
        )
    for topic in queries.needing_committee(community.id, TopicStatus.READY_FOR_VOTE):
        items.append(
            TodoItem(
                kind=_("Vote to set up"),
                title=topic.title,
                since=topic.decided_at or topic.created_at,
                link=url_for("topics_manage.setup_vote", community=community.slug, topic_id=topic.id),
                target=timedelta(days=7),
            )
        )
    closed = queries.needing_committee(community.id, TopicStatus.CLOSED)
    votes = queries.votes_for([t.id for t in closed])
    for topic in closed:
        vote = votes.get(topic.id)
        items.append(
            TodoItem(
                kind=_("Outcome to publish"),
                title=topic.title,
                since=vote.closed_at if vote and vote.closed_at else topic.created_at,
                link=url_for("topics_manage.outcome", community=community.slug, topic_id=topic.id),
                target=timedelta(days=14),
            )
        )
    for note, since in queries.flagged_comments(community.id):
        items.append(
            TodoItem(
                kind=_("Flagged comment"),
                title=note.body[:40],
                since=since,
                link=url_for("topics_manage.flags", community=community.slug) + f"#comment-{note.id}",
                target=timedelta(hours=24),
            )
        )
    return items


@tick("topics")
def settle_topics() -> int:
    """Support windows ending, votes opening and closing."""
    return deadlines.settle_due()


@personal(
    "topics",
    covers={
        "topics.author_id": "topics",
        "topic_supports.user_id": "supports",
        "topic_comments.author_id": "comments",
        "vote_participations.user_id": "votes_taken_part_in",
        "topic_outcome_ratings.user_id": "outcome_ratings",
        "topic_follows.user_id": "follows",
        "topic_comment_flags.user_id": "flags",
    },
)
def my_topics(user):
    """My topics, supports, comments, vote participation (never choices: ballots hold no person), ratings,
    the topics I follow and the comments I flagged."""
    rows = lambda stmt: list(db.session.execute(stmt).all())  # noqa: E731
    return {
        "topics": [
            {"id": t.id, "title": t.title, "body": t.body, "status": t.status, "created_at": t.created_at.isoformat()}
            for t in db.session.scalars(sa.select(Topic).where(Topic.author_id == user.id))
        ],
        "supports": [r.topic_id for r in rows(sa.select(Support.topic_id).where(Support.user_id == user.id))],
        "comments": [
            {"topic_id": c.topic_id, "body": c.body, "created_at": c.created_at.isoformat()}
            for c in db.session.scalars(sa.select(Comment).where(Comment.author_id == user.id))
        ],
        "votes_taken_part_in": [
            r.vote_id for r in rows(sa.select(VoteParticipation.vote_id).where(VoteParticipation.user_id == user.id))
        ],
        "outcome_ratings": [
            {
                "outcome_id": r.outcome_id,
                "level": r.level,
                "comment": r.comment,
                "version": r.version,
                "created_at": r.created_at.isoformat(),
            }
            for r in db.session.scalars(sa.select(OutcomeRating).where(OutcomeRating.user_id == user.id))
        ],
        "follows": [
            {"topic_id": f.topic_id, "created_at": f.created_at.isoformat()}
            for f in db.session.scalars(sa.select(Follow).where(Follow.user_id == user.id))
        ],
        "flags": [
            {
                "comment_id": f.comment_id,
                "created_at": f.created_at.isoformat(),
                "handled_at": f.handled_at.isoformat() if f.handled_at else None,
            }
            for f in db.session.scalars(sa.select(CommentFlag).where(CommentFlag.user_id == user.id))
        ],
    }


not_personal(
    {
        "topic_events.actor_id": "a topic's status history; the person's own topics are exported",
        "topic_comments.hidden_by_id": STAFF_ACTION,
        "topic_outcomes.published_by_id": STAFF_ACTION,
        "topic_outcome_updates.created_by_id": STAFF_ACTION,
        "votes.created_by_id": STAFF_ACTION,
        "votes.closed_by_id": STAFF_ACTION,
        "vote_participations.recorded_by_id": STAFF_ACTION,
    }
)


@community_panel("topics")
def community_topics(community, user):
    """Open ballots the visitor has not voted on, and the newest topics."""
    newest = list(db.session.scalars(queries.topic_list(community.id).limit(5)))
    return {"open_ballots": queries.open_ballots(community.id, user), "newest": newest, "community": community}


# --- what a change shows on cached public pages (consult.core.cache_writes) -------------------


def _topic_scopes(topic_id: int | None) -> list[str]:
    """A topic's page, and its community's and street's pages (lists, counts, panels)."""
    topic = db.session.get(Topic, topic_id) if topic_id is not None else None
    if topic is None:
        return [cache_writes.SITE]
    return [f"topic:{topic.id}", *places.cache_scopes(topic.community_id)]


def _of(model, parent_id: int | None) -> int | None:
    """The topic id of a vote, comment or outcome (read from the session's rows when it has them)."""
    parent = db.session.get(model, parent_id) if parent_id is not None else None
    return parent.topic_id if parent is not None else None


cache_writes.scopes_for(Topic)(lambda topic: _topic_scopes(topic.id))
for _model in (TopicEvent, Support, Comment, Vote, Outcome):
    cache_writes.scopes_for(_model)(lambda row: _topic_scopes(row.topic_id))
for _model in (VoteOption, SealedBallot, Ballot, VoteParticipation):
    cache_writes.scopes_for(_model)(lambda row: _topic_scopes(_of(Vote, row.vote_id)))
for _model in (OutcomeUpdate, OutcomeRating):
    cache_writes.scopes_for(_model)(lambda row: _topic_scopes(_of(Outcome, row.outcome_id)))
cache_writes.scopes_for(CommentFlag)(lambda flag: _topic_scopes(_of(Comment, flag.comment_id)))
cache_writes.scopes_for(TopicSettings)(lambda settings: places.cache_scopes(settings.community_id))
cache_writes.scopes_for(Category)(lambda category: places.cache_scopes(category.community_id))  # none: site-wide
