"""A month's figures per community, computed from the records the domains register as sources.

The response, resolution and satisfaction rates (响应率、解决率、满意率) come from residents'
requests (接诉即办, ``consult/requests/sources.py``); topics and micro-wishes keep their own three
rates beside them (``BESIDE``: shown and listed, never weighted), and participation comes from votes.
Every figure computed here carries ``basis: "requests"``; a month stored before (no ``basis``)
keeps the figures it was computed with, when its three rates came from topics and micro-wishes.

Each rate keeps the records it was computed from, so a figure links to exactly the records
behind its denominator; a rate with fewer records than the street's minimum is "not enough data"
(None), and the composite spreads its weight over the other rates. The records come from the
sources each domain registers in ``consult.core.registries`` (its ``sources.py``); here are the
rules: what counts, what is on time, what is good.
"""

from __future__ import annotations

from datetime import timedelta

from consult.core import registries
from consult.core.clock import month_bounds, now
from consult.core.scales import SATISFACTION_LEVELS, SATISFIED_LEVELS
from consult.evaluation.models import RATES, EvaluationSettings

#: Counts shown beside the rates; each links to its records as well.
COUNTS = ("volunteer_minutes", "party_services", "wishes_fulfilled")
#: Topics' and micro-wishes' own rates, beside the requests' (same rules as before issue 13; not weighted).
BESIDE = ("topics_response", "topics_resolution", "topics_satisfaction")
#: Every figure whose records can be listed: the rates, participation's votes, the rates beside, and the counts.
FIGURES = RATES + BESIDE + COUNTS
#: What the figures of a month are computed from (stored with them; a month stored without it is "topics").
BASIS = "requests"
#: How long after its month a source's item can still be waiting inside its response time: a request
#: received in the month's last minutes is due by the next morning at the latest (``requests/clocks.py``;
#: ``tests/requests/test_sources.py`` holds the two to each other).
ANSWER_WINDOW = timedelta(hours=24)
#: The order of a figure's records by kind, whatever the order the domains registered their sources
#: in (a kind not listed comes last); within a kind, the source's own order.
RECORD_ORDER = (
    "request",
    "request_due",
    "request_answer",
    "appointment_rating",
    "topic",
    "wish",
    "outcome",
    "outcome_rating",
    "wish_rating",
    "activity_rating",
    "vote",
    "activity",
    "party_service",
    "wish_fulfilled",
)


def _rate(num: int, den: int, minimum: int) -> float | None:
    return num / den if den >= minimum and den > 0 else None


def composite(figures: dict, weights: dict) -> float | None:
    """The weighted mean of the rates that have enough data, 0–100; missing rates' weight is spread over the rest."""
    available = [(weights.get(rate, 0), figures[rate]["rate"]) for rate in RATES if figures[rate]["rate"] is not None]
    total = sum(weight for weight, _ in available)
    if not available or total <= 0:
        return None
    return round(100 * sum(weight * value for weight, value in available) / total, 1)


def blank(community_ids: list[int], settings: EvaluationSettings) -> dict[int, dict]:
    """Figures with no records at all (every rate "not enough data")."""
    empty = lambda: {"num": 0, "den": 0, "records": [], "rate": None}  # noqa: E731
    return {
        cid: {
            "basis": BASIS,
            "response": empty(),
            "resolution": empty(),
            "satisfaction": {**empty(), "levels": dict.fromkeys(SATISFACTION_LEVELS, 0)},
            "participation": empty(),
            "topics_response": empty(),
            "topics_resolution": empty(),
            "topics_satisfaction": {**empty(), "levels": dict.fromkeys(SATISFACTION_LEVELS, 0)},
            "volunteer_minutes": 0,
            "party_services": 0,
            "wishes_fulfilled": 0,
            "count_records": {name: [] for name in COUNTS},
        }
        for cid in community_ids
    }


def compute(community_ids: list[int], month: str, settings: EvaluationSettings) -> dict[int, dict]:
    """The month's figures for several communities of one street, a fixed number of queries in all.

    The records come from the sources the domains register (``consult.core.registries``); this
    applies the rules: what counts, what is on time, what is good.
    """
    start, end = month_bounds(month)
    moment = now()
    out = blank(community_ids, settings)
    if not community_ids:
        return out
    target = timedelta(hours=settings.response_hours)
    for prefix in ("", "topics_"):
        _response(out, prefix + "response", _rows(prefix + "response", community_ids, start, end, moment, target))
        _resolution(out, prefix + "resolution", _rows(prefix + "resolution", community_ids, start, end, moment))
        _satisfaction(out, prefix + "satisfaction", _rows(prefix + "satisfaction", community_ids, start, end, moment))
    for kind, record_id, cid, voters, eligible in _rows("participation", community_ids, start, end, moment):
        figure = out[cid]["participation"]
        figure["records"].append([kind, record_id])
        figure["voters"] = figure.get("voters", set()) | voters
        figure["den"] = eligible
    for figures in out.values():
        figures["participation"]["num"] = len(figures["participation"].pop("voters", ()))
    # Volunteer minutes, party-member services, micro-wishes fulfilled: each with the records it sums or counts.
    for figure in ("volunteer_minutes", "party_services"):
        for kind, record_id, cid, minutes in _rows(figure, community_ids, start, end, moment):
            out[cid][figure] += minutes if figure == "volunteer_minutes" else 1
            out[cid]["count_records"][figure].append([kind, record_id, minutes])
    for kind, record_id, cid in _rows("wishes_fulfilled", community_ids, start, end, moment):
        out[cid]["wishes_fulfilled"] += 1
        out[cid]["count_records"]["wishes_fulfilled"].append([kind, record_id])
    for figures in out.values():
        for rate in RATES + BESIDE:
            figures[rate]["rate"] = _rate(figures[rate]["num"], figures[rate]["den"], settings.min_records)
    return out


def _rows(figure: str, *arguments) -> list:
    """Every registered source's rows for ``figure``, by kind in RECORD_ORDER; a source is called with
    (community_ids, start, end, moment), and a response source also with the target response time."""
    sources = registries.evaluation_sources.get(figure, {}).values()
    rows = [row for source in sources for row in source(*arguments)]
    rank = {kind: index for index, kind in enumerate(RECORD_ORDER)}
    return sorted(rows, key=lambda row: rank.get(row[0], len(rank)))


def _response(out: dict, name: str, rows: list) -> None:
    """Response: items received in the month, answered by their due time (each source says when that
    is: a request's original response due time, else the street's target after it came in; see
    ``consult.core.timeliness``). An item unanswered and still inside its time, or withdrawn before
    any answer (the author's doing), is not counted."""
    for kind, record_id, cid, answered, in_time, due_passed, withdrawn in rows:
        if not answered and (not due_passed or withdrawn):
            continue
        figure = out[cid][name]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        figure["num"] += bool(in_time)


def _resolution(out: dict, name: str, rows: list) -> None:
    """Resolution: items due in the month (an outcome's original due date, a request's original due
    time), done by then; one not yet due and not done in time is not counted yet."""
    for kind, record_id, cid, in_time, due_passed in rows:
        if not in_time and not due_passed:
            continue
        figure = out[cid][name]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        figure["num"] += bool(in_time)


def _satisfaction(out: dict, name: str, rows: list) -> None:
    """Satisfaction: answers given in the month; satisfied and basically satisfied count as met."""
    for kind, record_id, cid, level in rows:
        figure = out[cid][name]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        figure["levels"][level] += 1
        figure["num"] += level in SATISFIED_LEVELS
