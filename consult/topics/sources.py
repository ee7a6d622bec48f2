"""What topics lends the read-only domains above it: its parts of the evaluation's figures (registered
in ``consult.core.registries``) and the open-data API's lists of topics and outcomes.

Evaluation and the API never read topics' models; they read these. Registered when ``create_app``
imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import timeliness
from consult.core.exports import Listing, iso
from consult.core.registries import evaluation_record, evaluation_source
from consult.extensions import db
from consult.places.models import Residence
from consult.topics import queries, services
from consult.topics.labels import option_label
from consult.topics.models import (
    LISTED_STATUSES,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    Topic,
    TopicStatus,
    Vote,
    VoteParticipation,
)
from consult.topics.policy import state_sql

# --- evaluation ----------------------------------------------------------------------------------


@evaluation_source("topics_response", "topics")
def submitted_topics(community_ids, start, end, moment, target):
    """Topics submitted in the month, due a decision ``target`` after (a committee's own do not count:
    it would answer itself)."""
    rows = db.session.execute(
        sa.select(
            Topic.id,
            Topic.community_id,
            Topic.submitted_at,
            Topic.decided_at,
            state_sql(moment) == TopicStatus.WITHDRAWN.value,
        ).where(
            Topic.community_id.in_(community_ids),
            Topic.submitted_at >= start,
            Topic.submitted_at < end,
            Topic.committee_initiated.is_(False),
        )
    ).all()
    return [
        ("topic", topic_id, cid, *timeliness.answered(decided, at + target, moment), withdrawn)
        for topic_id, cid, at, decided, withdrawn in rows
    ]


@evaluation_source("topics_resolution", "outcomes")
def outcomes_due(community_ids, start, end, moment):
    """Outcomes whose original due date falls in the month, done by the end of that day."""
    first_day, last_day = start.date(), (end - timedelta(days=1)).date()
    rows = db.session.execute(
        sa.select(Outcome.topic_id, Topic.community_id, Outcome.original_due_date, Outcome.done_at)
        .join(Topic, Topic.id == Outcome.topic_id)
        .where(
            Topic.community_id.in_(community_ids), Outcome.original_due_date >= first_day, Outcome.original_due_date <= last_day
        )
    ).all()
    return [("outcome", topic_id, cid, *timeliness.done_by_date(done, due, moment)) for topic_id, cid, due, done in rows]


@evaluation_source("topics_satisfaction", "outcome_ratings")
def outcome_ratings(community_ids, start, end, moment):
    """Outcome ratings first given in the month."""
    return db.session.execute(
        sa.select(sa.literal("outcome_rating"), OutcomeRating.id, Topic.community_id, OutcomeRating.level)
        .join(Outcome, Outcome.id == OutcomeRating.outcome_id)
        .join(Topic, Topic.id == Outcome.topic_id)
        .where(
            Topic.community_id.in_(community_ids),
            OutcomeRating.version == 1,
            OutcomeRating.created_at >= start,
            OutcomeRating.created_at < end,
        )
    ).all()


@evaluation_source("participation", "votes")
def votes_closed(community_ids, start, end, moment):
    """Votes closed in the month, each with its voters and the residents its community had who
    could vote (distinct residents confirmed when one of the month's votes closed)."""
    closed = db.session.execute(
        sa.select(Vote.id, Topic.id, Topic.community_id)
        .join(Topic, Topic.id == Vote.topic_id)
        .where(Topic.community_id.in_(community_ids), Vote.closed_at >= start, Vote.closed_at < end)
    ).all()
    if not closed:
        return []
    vote_community = {vote_id: cid for vote_id, _, cid in closed}
    voters: dict[int, set] = {}
    for vote_id, user_id in db.session.execute(
        sa.select(VoteParticipation.vote_id, VoteParticipation.user_id).where(VoteParticipation.vote_id.in_(list(vote_community)))
    ).all():
        voters.setdefault(vote_community[vote_id], set()).add(user_id)
    eligible = _eligible_for_votes(list(vote_community))
    return [("vote", topic_id, cid, voters.get(cid, set()), eligible.get(cid, 0)) for _vote_id, topic_id, cid in closed]


def _eligible_for_votes(vote_ids: list[int]) -> dict[int, int]:
    """Per community: distinct residents who were confirmed when one of these votes closed."""
    rows = db.session.execute(
        sa.select(Residence.community_id, sa.func.count(sa.distinct(Residence.user_id)))
        .join(Topic, Topic.community_id == Residence.community_id)
        .join(Vote, Vote.topic_id == Topic.id)
        .where(
            Vote.id.in_(vote_ids),
            Residence.confirmed_at.is_not(None),
            Residence.confirmed_at <= Vote.closed_at,
            sa.or_(Residence.ended_at.is_(None), Residence.ended_at > Vote.closed_at),
        )
        .group_by(Residence.community_id)
    ).all()
    return {cid: count for cid, count in rows}


@evaluation_record("topic", "outcome", "vote")
def topic_records(ids) -> dict[int, dict]:
    """A topic behind a figure: its title and page if public; one in review or rejected is counted, never named."""
    titles = queries.public_titles(list(ids))
    return {
        topic_id: {"title": titles[topic_id], "endpoint": "topics.detail", "args": {"topic_id": topic_id}}
        if topic_id in titles
        else {"title": _("a topic not published")}
        for topic_id in ids
    }


@evaluation_record("outcome_rating")
def outcome_rating_records(ids) -> dict[int, dict]:
    """An outcome rating: its level, date and comment, and the topic it is about (never who gave it)."""
    rows = db.session.execute(
        sa.select(
            OutcomeRating.id,
            OutcomeRating.level,
            OutcomeRating.comment,
            OutcomeRating.created_at,
            Topic.id.label("topic_id"),
            Topic.title,
        )
        .join(Outcome, Outcome.id == OutcomeRating.outcome_id)
        .join(Topic, Topic.id == Outcome.topic_id)
        .where(OutcomeRating.id.in_(ids))
    ).all()
    return {
        r.id: {
            "title": r.title,
            "endpoint": "topics.detail",
            "args": {"topic_id": r.topic_id},
            "level": r.level,
            "comment": r.comment,
            "at": r.created_at,
        }
        for r in rows
    }


# --- the open-data API ---------------------------------------------------------------------------


def _topic(topic: Topic, votes: dict, results: dict) -> dict:
    vote = votes.get(topic.id)
    out = {
        "id": topic.id,
        "title": topic.title,
        "status": services.effective_status(topic, vote),
        "category": topic.category_id,
        "committee_initiated": topic.committee_initiated,
        "created_at": iso(topic.created_at),
        "support_count": topic.support_count,
        "comment_count": topic.comment_count,
        "ballot_count": topic.ballot_count,
        "results": None,
    }
    if vote is not None:
        result = results.get(topic.id)
        if result is not None:
            out["results"] = {
                "final": result["final"],
                "ballots": result["ballots"],
                "eligible": result["eligible"],
                "turnout": round(result["turnout"], 4),
                "quorum_met": result["quorum_met"],
                "options": [{"option": option_label(r["option"]), "count": r["count"]} for r in result["rows"]],
            }
    return out


def topics_listing(community_id: int, slug: str) -> Listing:
    """A community's public topics with their status and, where shown, their results."""

    def render(batch: Sequence[Topic]) -> list[dict]:
        votes = queries.votes_for([t.id for t in batch])
        results = services.results_of_many([(t, votes[t.id]) for t in batch if t.id in votes])
        return [_topic(t, votes, results) for t in batch]

    return Listing(
        sa.select(Topic).where(Topic.community_id == community_id, Topic.status.in_(LISTED_STATUSES)).order_by(Topic.id),
        render,
        ["id", "title", "status", "created_at", "support_count", "comment_count", "ballot_count", "results"],
        f"topics-{slug}",
    )


def _outcomes(batch: Sequence[Outcome], with_progress: bool = True) -> list[dict]:
    updates: dict[int, list] = {}
    if batch and with_progress:
        for u in db.session.scalars(
            sa.select(OutcomeUpdate).where(OutcomeUpdate.outcome_id.in_([o.id for o in batch])).order_by(OutcomeUpdate.id)
        ):
            updates.setdefault(u.outcome_id, []).append(
                {
                    "status": u.status,
                    "note": u.note,
                    "at": iso(u.created_at),
                    "new_due_date": u.new_due_date.isoformat() if u.new_due_date else None,
                }
            )
    return [
        {
            "topic_id": o.topic_id,
            "decision": o.decision,
            "responsible": o.responsible,
            "actions": o.actions,
            "original_due_date": o.original_due_date.isoformat(),
            "due_date": o.due_date.isoformat(),
            "status": o.status,
            "published_at": iso(o.published_at),
            "done_at": iso(o.done_at),
            "progress": updates.get(o.id, []),
        }
        for o in batch
    ]


def outcomes_listing(community_id: int, slug: str) -> Listing:
    """Published outcomes with their progress timeline and due dates (the original kept); the CSV
    leaves out the timeline."""
    return Listing(
        sa.select(Outcome)
        .join(Topic, Topic.id == Outcome.topic_id)
        .where(Topic.community_id == community_id)
        .order_by(Outcome.id),
        _outcomes,
        ["topic_id", "decision", "responsible", "original_due_date", "due_date", "status", "published_at", "done_at"],
        f"outcomes-{slug}",
        csv_render=lambda batch: _outcomes(batch, with_progress=False),
    )
