"""The open-data API. Every list is paginated (``page``, ``per_page`` 1–100) as JSON; with
``?format=csv`` the whole list downloads as CSV, streamed in batches (constant memory, paging
ignored). No person is named: authors, voters and raters never appear."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from consult.activities.models import Activity
from consult.core.errors import DomainError, RuleViolation
from consult.core.exports import csv_stream
from consult.evaluation import services as evaluation
from consult.evaluation.models import RATES
from consult.extensions import csrf, db
from consult.places import queries as places
from consult.places.models import Community, Street
from consult.topics import queries as topic_queries, services as topics
from consult.topics.labels import option_label
from consult.topics.models import LISTED_STATUSES, Outcome, OutcomeUpdate, Topic

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)
MAX_PER_PAGE = 100
CSV_BATCH = 500  #: rows read from the database at a time while a CSV streams


@bp.errorhandler(DomainError)
def domain_error(error: DomainError):
    return jsonify(error=error.message, status=error.status), error.status


@bp.errorhandler(404)
def not_found(error):
    return jsonify(error=_("Not found."), status=404), 404


def _paging() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", "1")[:7])
        per_page = int(request.args.get("per_page", "20")[:7])
    except ValueError:
        raise RuleViolation(_("page and per_page must be whole numbers.")) from None
    if not 1 <= page <= 100_000 or not 1 <= per_page <= MAX_PER_PAGE:
        raise RuleViolation(_("page must be 1 or more and per_page between 1 and %(max)d.", max=MAX_PER_PAGE))
    return page, per_page


def _format() -> str:
    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        raise RuleViolation(_("format must be json or csv."))
    return fmt


def _csv(stmt, render_batch, columns: list[str], name: str):
    """The whole of ``stmt`` as a streamed CSV: read CSV_BATCH rows at a time, each batch rendered by ``render_batch``.
    Paging parameters are checked (a malformed one is refused as for JSON) and then ignored."""
    _paging()

    def chunks():
        for batch in db.session.scalars(stmt.execution_options(yield_per=CSV_BATCH)).partitions():
            yield [[_flat(item.get(c)) for c in columns] for item in render_batch(batch)]

    return csv_stream(f"{name}.csv", columns, chunks())


def _listing(stmt, render, columns: list[str], name: str):
    """One page of ``stmt`` as JSON (items rendered by ``render``), or the whole list as CSV with ``columns``."""
    if _format() == "csv":
        return _csv(stmt, lambda batch: [render(obj) for obj in batch], columns, name)
    page, per_page = _paging()
    pager = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = [render(obj) for obj in pager.items]
    return jsonify(items=items, page=page, per_page=per_page, total=pager.total, pages=pager.pages)


def _flat(value):
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return value


def _iso(moment):
    return moment.isoformat() if moment else None


@bp.get("/communities")
def communities():
    """Every community with its street and number of confirmed residents."""
    stmt = sa.select(Community).join(Street, Street.id == Community.street_id).order_by(Street.slug, Community.slug)
    return _listing(
        stmt,
        lambda c: {
            "slug": c.slug,
            "name": c.name,
            "street": c.street.slug,
            "street_name": c.street.name,
            "member_count": c.member_count,
        },
        ["slug", "name", "street", "street_name", "member_count"],
        "communities",
    )


def _topic(topic: Topic, votes: dict) -> dict:
    vote = votes.get(topic.id)
    out = {
        "id": topic.id,
        "title": topic.title,
        "status": topics.effective_status(topic, vote),
        "category": topic.category_id,
        "committee_initiated": topic.committee_initiated,
        "created_at": _iso(topic.created_at),
        "support_count": topic.support_count,
        "comment_count": topic.comment_count,
        "ballot_count": topic.ballot_count,
        "results": None,
    }
    if vote is not None:
        result = topics.results(topic, vote)
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


@bp.get("/communities/<slug>/topics")
def community_topics(slug: str):
    """A community's public topics with their status and, where shown, their results."""
    community = places.community_by_slug(slug)
    stmt = sa.select(Topic).where(Topic.community_id == community.id, Topic.status.in_(LISTED_STATUSES)).order_by(Topic.id)

    def render(batch):
        votes = topic_queries.votes_for([t.id for t in batch])
        return [_topic(t, votes) for t in batch]

    if _format() == "csv":
        columns = ["id", "title", "status", "created_at", "support_count", "comment_count", "ballot_count", "results"]
        return _csv(stmt, render, columns, f"topics-{community.slug}")
    page, per_page = _paging()
    pager = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = render(pager.items)
    return jsonify(items=items, page=page, per_page=per_page, total=pager.total, pages=pager.pages)


@bp.get("/communities/<slug>/outcomes")
def community_outcomes(slug: str):
    """Published outcomes with their progress timeline and due dates (the original kept)."""
    community = places.community_by_slug(slug)
    stmt = (
        sa.select(Outcome)
        .join(Topic, Topic.id == Outcome.topic_id)
        .where(Topic.community_id == community.id)
        .order_by(Outcome.id)
    )

    def render(batch, with_progress=True):
        updates: dict[int, list] = {}
        if batch and with_progress:
            for u in db.session.scalars(
                sa.select(OutcomeUpdate).where(OutcomeUpdate.outcome_id.in_([o.id for o in batch])).order_by(OutcomeUpdate.id)
            ):
                updates.setdefault(u.outcome_id, []).append(
                    {
                        "status": u.status,
                        "note": u.note,
                        "at": _iso(u.created_at),
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
                "published_at": _iso(o.published_at),
                "done_at": _iso(o.done_at),
                "progress": updates.get(o.id, []),
            }
            for o in batch
        ]

    if _format() == "csv":
        columns = ["topic_id", "decision", "responsible", "original_due_date", "due_date", "status", "published_at", "done_at"]
        return _csv(stmt, lambda batch: render(batch, with_progress=False), columns, f"outcomes-{community.slug}")
    page, per_page = _paging()
    pager = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    items = render(pager.items)
    return jsonify(items=items, page=page, per_page=per_page, total=pager.total, pages=pager.pages)


@bp.get("/communities/<slug>/activities")
def community_activities(slug: str):
    """A community's activities: when, where, places and points per hour."""
    community = places.community_by_slug(slug)
    stmt = sa.select(Activity).where(Activity.community_id == community.id).order_by(Activity.starts_at.desc(), Activity.id)
    return _listing(
        stmt,
        lambda a: {
            "id": a.id,
            "title": a.title,
            "kind": a.kind,
            "starts_at": _iso(a.starts_at),
            "ends_at": _iso(a.ends_at),
            "place": a.place,
            "capacity": a.capacity,
            "signup_count": a.signup_count,
            "points_per_hour": a.points_per_hour,
        },
        ["id", "title", "kind", "starts_at", "ends_at", "place", "capacity", "signup_count", "points_per_hour"],
        f"activities-{community.slug}",
    )


def _figures(figures: dict) -> dict:
    out = {
        rate: {
            "num": figures[rate]["num"],
            "den": figures[rate]["den"],
            "rate": None if figures[rate]["rate"] is None else round(figures[rate]["rate"], 4),
        }
        for rate in RATES
    }
    out.update(
        volunteer_minutes=figures["volunteer_minutes"],
        party_services=figures["party_services"],
        wishes_fulfilled=figures["wishes_fulfilled"],
    )
    return out


@bp.get("/streets/<slug>/figures")
def street_figures(slug: str):
    """A street's monthly figures and ranking (?month=YYYY-MM, default the newest stored month, as on the ranking page)."""
    street = places.street_by_slug(slug)
    month = evaluation.check_month(request.args["month"]) if "month" in request.args else evaluation.default_month(street)
    result = evaluation.street_month(street, month)
    evaluation.commit_if_stored()  # a month that ended is stored on its first view
    items = [
        {"rank": rank, "community": c.slug, "composite": score, "figures": _figures(f)} for c, f, score, rank in result["rows"]
    ]
    if _format() == "csv":
        _paging()
        columns = ["rank", "community", "composite", "figures"]
        return csv_stream(f"figures-{street.slug}-{month}.csv", columns, [[[_flat(i[c]) for c in columns] for i in items]])
    page, per_page = _paging()
    shown = items[(page - 1) * per_page : page * per_page]
    return jsonify(
        month=month,
        stored=result["final"],
        weights=result["weights"],
        items=shown,
        page=page,
        per_page=per_page,
        total=len(items),
        pages=max(1, -(-len(items) // per_page)),
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    from consult.api.spec import spec

    return jsonify(spec())
