"""Reads for the records page: what each record behind a figure is, without the person behind it."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities.models import Activity, ActivityRating, Wish
from consult.extensions import db
from consult.topics import queries as topic_queries
from consult.topics.models import Outcome, OutcomeRating, Topic

RATING_KINDS = ("outcome_rating", "wish_rating", "activity_rating")


def record_details(items: list[list]) -> list[dict]:
    """One row per record, in order: its kind, what it is about (title and page), and for a rating
    its level, date and comment — never who gave it. A fixed number of queries, one per kind."""
    ids: dict[str, set] = {}
    for item in items:
        ids.setdefault(item[0], set()).add(item[1])
    topic_ids = set().union(*(ids.get(k, set()) for k in ("topic", "outcome", "vote")))
    topics = topic_queries.public_titles(list(topic_ids))  # a topic in review or rejected is counted, never named
    activity_ids = ids.get("activity", set()) | ids.get("party_service", set())
    activities = (
        dict(db.session.execute(sa.select(Activity.id, Activity.title).where(Activity.id.in_(activity_ids))).all())
        if activity_ids
        else {}
    )
    wish_ids = ids.get("wish", set()) | ids.get("wish_fulfilled", set()) | ids.get("wish_rating", set())
    wishes = (
        {
            w.id: w
            for w in db.session.execute(
                sa.select(Wish.id, Wish.title, Wish.rating, Wish.rating_comment, Wish.confirmed_at).where(Wish.id.in_(wish_ids))
            ).all()
        }
        if wish_ids
        else {}
    )
    outcome_ratings = (
        {
            r.id: r
            for r in db.session.execute(
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
                .where(OutcomeRating.id.in_(ids["outcome_rating"]))
            ).all()
        }
        if "outcome_rating" in ids
        else {}
    )
    activity_ratings = (
        {
            r.id: r
            for r in db.session.execute(
                sa.select(
                    ActivityRating.id,
                    ActivityRating.level,
                    ActivityRating.comment,
                    ActivityRating.created_at,
                    Activity.id.label("activity_id"),
                    Activity.title,
                )
                .join(Activity, Activity.id == ActivityRating.activity_id)
                .where(ActivityRating.id.in_(ids["activity_rating"]))
            ).all()
        }
        if "activity_rating" in ids
        else {}
    )

    rows = []
    for item in items:
        kind, record_id = item[0], item[1]
        row = {
            "kind": kind,
            "id": record_id,
            "title": None,
            "endpoint": None,
            "args": {},
            "level": None,
            "comment": None,
            "at": None,
            "minutes": item[2] if len(item) > 2 else None,
        }
        if kind in ("topic", "outcome", "vote"):
            if record_id in topics:
                row.update(title=topics[record_id], endpoint="topics.detail", args={"topic_id": record_id})
            else:
                row.update(title=_("a topic not published"))
        elif kind in ("activity", "party_service"):
            row.update(title=activities.get(record_id), endpoint="activities.detail", args={"activity_id": record_id})
        elif kind in ("wish", "wish_fulfilled", "wish_rating") and record_id in wishes:
            wish = wishes[record_id]
            row.update(title=wish.title, endpoint="activities.wish", args={"wish_id": record_id})
            if kind == "wish_rating":
                row.update(level=wish.rating, comment=wish.rating_comment, at=wish.confirmed_at)
        elif kind == "outcome_rating" and record_id in outcome_ratings:
            r = outcome_ratings[record_id]
            row.update(
                title=r.title,
                endpoint="topics.detail",
                args={"topic_id": r.topic_id},
                level=r.level,
                comment=r.comment,
                at=r.created_at,
            )
        elif kind == "activity_rating" and record_id in activity_ratings:
            r = activity_ratings[record_id]
            row.update(
                title=r.title,
                endpoint="activities.detail",
                args={"activity_id": r.activity_id},
                level=r.level,
                comment=r.comment,
                at=r.created_at,
            )
        rows.append(row)
    return rows


def level_counts(rows: list[dict]) -> list[tuple[str, int]]:
    """Ratings among ``rows`` by level, best first."""
    levels = ("satisfied", "basically", "unsatisfied")
    return [(level, sum(1 for r in rows if r["level"] == level)) for level in levels]
