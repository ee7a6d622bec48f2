"""A street's monthly ranking, a community's twelve months, the records behind each figure, and their charts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from consult.core import cache
from consult.core.clock import next_month
from consult.core.exports import csv_response
from consult.core.i18n import large_text
from consult.evaluation import charts, queries, services
from consult.evaluation.figures import BESIDE
from consult.evaluation.models import RATES
from consult.evaluation.registrations import rate_label
from consult.places import queries as places

bp = Blueprint("evaluation", __name__)


def _pct(value) -> str:
    return "" if value is None else f"{100 * value:.1f}"


def _figure_header() -> list[str]:
    """The CSV columns after the month or community, in the reader's language."""
    header = []
    for rate in RATES + BESIDE:
        label = rate_label(rate)
        if rate == "participation":
            header += [_("%(rate)s: voters", rate=label), _("%(rate)s: residents who could vote", rate=label)]
        else:
            header += [_("%(rate)s: counted as met", rate=label), _("%(rate)s: records counted", rate=label)]
        header.append(_("%(rate)s (%%)", rate=label))
    return header + [_("Votes closed"), _("Volunteer minutes"), _("Party-member services"), _("Micro-wishes fulfilled")]


def _rate_cells(figure: dict | None) -> tuple:
    """num, den, percent; a rate a stored month did not have yet is three empty cells."""
    return ("", "", "") if figure is None else (figure["num"], figure["den"], _pct(figure["rate"]))


def _figure_cells(figures: dict) -> list:
    return [v for rate in RATES + BESIDE for v in _rate_cells(figures.get(rate))] + [
        len(figures["participation"]["records"]),
        figures["volunteer_minutes"],
        figures["party_services"],
        figures["wishes_fulfilled"],
    ]


def _svg(body: bytes) -> Response:
    # The chart's CSS is inside the file; this policy is the image's own and allows nothing else.
    return Response(
        body,
        mimetype="image/svg+xml",
        headers={
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-cache",
        },
    )


def _ranking_month(street) -> str:
    month = request.args.get("month")
    return services.check_month(month) if month else services.default_month(street)


def _street_month(street, month: str) -> dict:
    result = services.street_month(street, month)
    services.commit_if_stored()  # a month that ended is stored on its first view
    return result


def _large() -> bool:
    return request.args.get("large") == "1"


def _ranking_csv(street, month: str, result: dict) -> Response:
    header = [_("Rank"), _("Community"), _("Score")] + _figure_header()
    rows = [
        [rank or "", community.name, "" if score is None else score] + _figure_cells(figures)
        for community, figures, score, rank in result["rows"]
    ]
    return csv_response(f"ranking-{street.slug}-{month}.csv", header, rows)


def _ranking_page(street, month: str, result: dict) -> dict:
    following = next_month(month)
    return {
        "street": street,
        "month": month,
        "result": result,
        "rates": RATES,
        "beside": BESIDE,
        "previous": services.previous_month(month),
        "following": following if following <= services.current_month() else None,
        "large": large_text(),
    }


@bp.get("/streets/<street>/ranking")
@cache.page("street:{street}")
def ranking(street: str):
    """The street's communities ranked for a month (?month=YYYY-MM; by default the newest stored month),
    with every figure linked to its records."""
    street = places.street_by_slug(street)
    month = _ranking_month(street)
    result = _street_month(street, month)
    if request.args.get("format") == "csv":
        return _ranking_csv(street, month, result)
    return render_template("evaluation/ranking.html", **_ranking_page(street, month, result))


@bp.get("/streets/<street>/ranking.svg")
def ranking_chart(street: str):
    """The month's composite scores as a bar chart, one bar per ranked community (SVG, for <img>)."""
    street = places.street_by_slug(street)
    month = _ranking_month(street)
    result = _street_month(street, month)
    rows = [(f"{rank}. {community.name}", score) for community, _figures, score, rank in result["rows"] if rank is not None]
    title, axis = _("Composite score, %(month)s", month=month), _("Score (0–100)")
    return _svg(charts.bar_chart(title, axis, rows, no_data=_("No community has enough data yet."), large=_large()))


def _community_months(community) -> list:
    months = services.community_months(community)
    services.commit_if_stored()  # ended months are stored on their first view
    return months


def _community_csv(community, months: list) -> Response:
    header = [_("Month"), _("Score")] + _figure_header()
    rows = [[month, "" if score is None else score] + _figure_cells(figures) for month, figures, score in months]
    return csv_response(f"evaluation-{community.slug}.csv", header, rows)


@bp.get("/c/<community>/evaluation/")
@cache.page("community:{community}")
def community(community: str):
    """A community's last twelve months: rates and participation, as charts that are also tables."""
    community = places.community_by_slug(community)
    months = _community_months(community)
    if request.args.get("format") == "csv":
        return _community_csv(community, months)
    return render_template(
        "evaluation/community.html", community=community, months=months, rates=RATES, beside=BESIDE, large=large_text()
    )


def _rate_rows(months: list, rate: str, no_data: str) -> list[tuple[str, float | None]]:
    """(month, percent) bars of one rate, oldest first; a month without enough data says so."""
    return [
        (
            month if figures[rate]["rate"] is not None else f"{month} ({no_data})",
            None if figures[rate]["rate"] is None else 100 * figures[rate]["rate"],
        )
        for month, figures, _score in reversed(months)
    ]


@bp.get("/c/<community>/evaluation/<rate>.svg")
def community_chart(community: str, rate: str):
    """One rate of a community over twelve months as a bar chart (SVG, for <img>)."""
    community = places.community_by_slug(community)
    if rate not in RATES:
        abort(404)
    no_data = _("not enough data")
    rows = _rate_rows(_community_months(community), rate, no_data)
    return _svg(charts.bar_chart(rate_label(rate), _("Percent"), rows, no_data=no_data, large=_large()))


@bp.get("/c/<community>/evaluation/records")
def records(community: str):
    """The records one figure was computed from (ratings with level, date and comment but never the rater;
    votes without choices)."""
    community = places.community_by_slug(community)
    month = services.check_month(request.args.get("month") or services.current_month())
    figure = request.args.get("figure", "")
    figures, items = services.figure_records(community, month, figure)
    services.commit_if_stored()
    rows = queries.record_details(items)
    levels = queries.level_counts(rows) if figure.endswith("satisfaction") else None
    page = {"community": community, "month": month, "figure": figure, "rows": rows, "figures": figures, "levels": levels}
    return render_template("evaluation/records.html", **page)
