"""The open-data API. Every list is paginated (``page``, ``per_page`` 1–100) as JSON; with
``?format=csv`` the whole list downloads as CSV, streamed in batches (constant memory, paging
ignored). No person is named: authors, voters and raters never appear."""

from __future__ import annotations

import json

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _

from consult.activities import sources as activities_sources
from consult.api.spec import spec
from consult.core import cache
from consult.core.errors import DomainError, RuleViolation
from consult.core.exports import Listing, csv_stream
from consult.core.pagination import paginate
from consult.evaluation import services as evaluation
from consult.evaluation.figures import BESIDE
from consult.evaluation.models import RATES
from consult.extensions import csrf, db
from consult.offerings import sources as offerings_sources
from consult.places import queries as places, sources as places_sources
from consult.topics import sources as topics_sources

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


def _csv(listing: Listing):
    """The whole list as a streamed CSV: read CSV_BATCH rows at a time, each batch rendered by the listing.
    Paging parameters are checked (a malformed one is refused as for JSON) and then ignored."""
    _paging()
    render = listing.csv_render or listing.render

    def chunks():
        for batch in db.session.scalars(listing.stmt.execution_options(yield_per=CSV_BATCH)).partitions():
            yield [[_flat(item.get(c)) for c in listing.columns] for item in render(batch)]

    return csv_stream(f"{listing.name}.csv", listing.columns, chunks())


def _listing(listing: Listing):
    """One page of a domain's list as JSON, or the whole list as CSV."""
    if _format() == "csv":
        return _csv(listing)
    page, per_page = _paging()
    pager = paginate(listing.stmt, page=page, per_page=per_page)  # the count in the page's statement
    items = listing.render(pager.items)
    return jsonify(items=items, page=page, per_page=per_page, total=pager.total, pages=pager.pages)


def _flat(value):
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


@bp.get("/communities")
def communities():
    """Every community with its street and number of confirmed residents."""
    return _listing(places_sources.communities_listing())


@bp.get("/communities/<slug>/topics")
@cache.page("community:{slug}")
def community_topics(slug: str):
    """A community's public topics with their status and, where shown, their results."""
    community = places.community_by_slug(slug)
    return _listing(topics_sources.topics_listing(community.id, community.slug))


@bp.get("/communities/<slug>/outcomes")
def community_outcomes(slug: str):
    """Published outcomes with their progress timeline and due dates (the original kept)."""
    community = places.community_by_slug(slug)
    return _listing(topics_sources.outcomes_listing(community.id, community.slug))


@bp.get("/communities/<slug>/activities")
def community_activities(slug: str):
    """A community's activities: when, where, places and points per hour."""
    community = places.community_by_slug(slug)
    return _listing(activities_sources.activities_listing(community.id, community.slug))


@bp.get("/communities/<slug>/services")
def community_services(slug: str):
    """A community's service list (社区服务清单) and its neighbours' services within 15 minutes' walk, nearest first."""
    community = places.community_by_slug(slug)
    return _listing(offerings_sources.services_listing(community))


def _rate(figure: dict | None) -> dict | None:
    if figure is None:  # a rate a stored month did not have yet
        return None
    return {"num": figure["num"], "den": figure["den"], "rate": None if figure["rate"] is None else round(figure["rate"], 4)}


def _figures(figures: dict) -> dict:
    out = {rate: _rate(figures.get(rate)) for rate in RATES + BESIDE}
    out.update(
        basis=figures.get("basis", "topics"),
        volunteer_minutes=figures["volunteer_minutes"],
        party_services=figures["party_services"],
        wishes_fulfilled=figures["wishes_fulfilled"],
    )
    return out


def _month(street) -> str:
    return evaluation.check_month(request.args["month"]) if "month" in request.args else evaluation.default_month(street)


def _figure_rows(street, month: str, result: dict):
    """The month's rows as JSON (paged, with the month, whether it is stored, and the weights) or CSV."""
    items = [
        {"rank": rank, "community": c.slug, "composite": score, "figures": _figures(f)} for c, f, score, rank in result["rows"]
    ]
    if _format() == "csv":
        _paging()
        columns = ["rank", "community", "composite", "figures"]
        return csv_stream(f"figures-{street.slug}-{month}.csv", columns, [[[_flat(i[c]) for c in columns] for i in items]])
    page, per_page = _paging()
    return jsonify(
        month=month,
        stored=result["final"],
        weights=result["weights"],
        items=items[(page - 1) * per_page : page * per_page],
        page=page,
        per_page=per_page,
        total=len(items),
        pages=max(1, -(-len(items) // per_page)),
    )


@bp.get("/streets/<slug>/figures")
def street_figures(slug: str):
    """A street's monthly figures and ranking (?month=YYYY-MM, default the newest stored month, as on the ranking page)."""
    street = places.street_by_slug(slug)
    month = _month(street)
    result = evaluation.street_month(street, month)
    evaluation.commit_if_stored()  # a month that ended is stored on its first view
    return _figure_rows(street, month, result)


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(spec())
