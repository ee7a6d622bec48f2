"""A street's monthly ranking, a community's twelve months, and the records behind each figure."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from consult.core.exports import csv_response
from consult.evaluation import services
from consult.evaluation.models import RATES
from consult.places import queries as places
from consult.topics import queries as topic_queries

bp = Blueprint("evaluation", __name__)


def _pct(value) -> str:
    return "" if value is None else f"{100 * value:.1f}"


@bp.get("/streets/<street>/ranking")
def ranking(street: str):
    """The street's communities ranked for a month (?month=YYYY-MM), with every figure linked to its records."""
    street = places.street_by_slug(street)
    month = services.check_month(request.args.get("month") or services.current_month())
    result = services.street_month(street, month)
    if request.args.get("format") == "csv":
        header = ["rank", "community", "composite"] + [f"{rate}_{part}" for rate in RATES for part in ("num", "den", "rate")] + \
                 ["volunteer_minutes", "party_services", "wishes_fulfilled"]
        rows = []
        for rank, (community, figures, score) in enumerate(result["rows"], start=1):
            rows.append([rank, community.name, "" if score is None else score]
                        + [v for rate in RATES for v in (figures[rate]["num"], figures[rate]["den"], _pct(figures[rate]["rate"]))]
                        + [figures["volunteer_minutes"], figures["party_services"], figures["wishes_fulfilled"]])
        return csv_response(f"ranking-{street.slug}-{month}.csv", header, rows)
    return render_template("evaluation/ranking.html", street=street, month=month, result=result, rates=RATES,
                           previous=services.previous_month(month))


@bp.get("/c/<community>/evaluation/")
def community(community: str):
    """A community's last twelve months: rates and participation, as charts that are also tables."""
    community = places.community_by_slug(community)
    months = services.community_months(community)
    if request.args.get("format") == "csv":
        header = ["month", "composite"] + [f"{rate}_{part}" for rate in RATES for part in ("num", "den", "rate")] + \
                 ["volunteer_minutes", "party_services", "wishes_fulfilled"]
        return csv_response(f"evaluation-{community.slug}.csv", header, [
            [month, "" if score is None else score]
            + [v for rate in RATES for v in (figures[rate]["num"], figures[rate]["den"], _pct(figures[rate]["rate"]))]
            + [figures["volunteer_minutes"], figures["party_services"], figures["wishes_fulfilled"]]
            for month, figures, score in months
        ])
    return render_template("evaluation/community.html", community=community, months=months, rates=RATES)


@bp.get("/c/<community>/evaluation/records")
def records(community: str):
    """The records one figure was computed from (ratings without their raters, votes without choices)."""
    community = places.community_by_slug(community)
    month = services.check_month(request.args.get("month") or services.current_month())
    figure = request.args.get("figure", "")
    items = services.figure_records(community, month, figure)
    topic_ids = [i for kind, i in items if kind in ("topic", "outcome", "vote")]
    titles = topic_queries.public_titles(topic_ids)  # a topic in review or rejected is counted, never named
    return render_template("evaluation/records.html", community=community, month=month, figure=figure, items=items, titles=titles)
