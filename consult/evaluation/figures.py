"""A month's figures per community, computed from the records the domains register as sources.

Each rate keeps the records it was computed from, so a figure links to exactly the records
behind its denominator; a rate with fewer records than the street's minimum is "not enough data"
(None), and the composite spreads its weight over the other rates. The records come from the
sources each domain registers in ``consult.core.registries`` (its ``sources.py``); here are the
rules: what counts, what is on time, what is good.
"""

from __future__ import annotations

from datetime import timedelta

from consult.core import registries
from consult.core.clock import local, month_bounds, now
from consult.core.scales import SATISFACTION_LEVELS, SATISFIED_LEVELS
from consult.evaluation.models import RATES, EvaluationSettings

#: Counts shown beside the rates; each links to its records as well.
COUNTS = ("volunteer_minutes", "party_services", "wishes_fulfilled")
#: Every figure whose records can be listed: the rates, participation's votes, and the counts.
FIGURES = RATES + COUNTS
#: The order of a figure's records by kind, whatever the order the domains registered their sources
#: in (a kind not listed comes last); within a kind, the source's own order.
RECORD_ORDER = (
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
            "response": empty(),
            "resolution": empty(),
            "satisfaction": {**empty(), "levels": dict.fromkeys(SATISFACTION_LEVELS, 0)},
            "participation": empty(),
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
    _response(out, _rows("response", community_ids, start, end, moment), moment, timedelta(hours=settings.response_hours))
    _resolution(out, _rows("resolution", community_ids, start, end, moment), moment)
    for kind, record_id, cid, level in _rows("satisfaction", community_ids, start, end, moment):
        figure = out[cid]["satisfaction"]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        figure["levels"][level] += 1
        figure["num"] += level in SATISFIED_LEVELS
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
        for rate in RATES:
            figures[rate]["rate"] = _rate(figures[rate]["num"], figures[rate]["den"], settings.min_records)
    return out


def _rows(figure: str, community_ids: list[int], start, end, moment) -> list:
    """Every registered source's rows for ``figure``, by kind in RECORD_ORDER."""
    sources = registries.evaluation_sources.get(figure, {}).values()
    rows = [row for source in sources for row in source(community_ids, start, end, moment)]
    rank = {kind: index for index, kind in enumerate(RECORD_ORDER)}
    return sorted(rows, key=lambda row: rank.get(row[0], len(rank)))


def _response(out: dict, rows: list, moment, target: timedelta) -> None:
    """Response: items submitted in the month, decided within the target time. An item still inside
    its target time, or withdrawn before any decision (the author's doing), is not counted."""
    for kind, record_id, cid, at, decided, withdrawn in rows:
        deadline = at + target
        if decided is None and (deadline > moment or withdrawn):
            continue
        figure = out[cid]["response"]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        if decided is not None and decided <= deadline:
            figure["num"] += 1


def _resolution(out: dict, rows: list, moment) -> None:
    """Resolution: outcomes due in the month, done by their original due date (not yet due and not
    done: not counted yet)."""
    for kind, record_id, cid, due, done_at in rows:
        on_time = done_at is not None and local(done_at).date() <= due
        if not on_time and due >= local(moment).date():
            continue
        figure = out[cid]["resolution"]
        figure["den"] += 1
        figure["records"].append([kind, record_id])
        figure["num"] += on_time
