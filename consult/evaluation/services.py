"""A street's ranking and its communities' months: the settings, and when figures are stored.

The figures themselves are computed from the records (never typed in) by ``figures.py``, from the
sources the domains register; each rate keeps the records it was computed from. Past months are
stored with the weights in force when they were computed: by `flask tick`, or on the first view
of a month that has ended (race-safe: the loser of two concurrent first views reads the
winner's rows). Only the current month, and a month still inside its response window, is
computed on demand.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from consult.core import audit
from consult.core.clock import local_now, month_bounds, month_of, now, previous_month
from consult.core.errors import NotFound, PermissionDenied, RuleViolation
from consult.evaluation.figures import ANSWER_WINDOW, BASIS, BESIDE, COUNTS, FIGURES, blank, composite, compute
from consult.evaluation.models import DEFAULT_WEIGHTS, RATES, EvaluationSettings, MonthlyResult, StreetRanking
from consult.extensions import db
from consult.places import queries as places
from consult.topics import services as topics

if TYPE_CHECKING:
    from consult.places.models import Community, Street

log = logging.getLogger(__name__)
STORED_NOW = "evaluation_stored_now"  #: session.info flag: a view stored a month, so it must commit


def settings_for(street_id: int) -> EvaluationSettings:
    return db.session.get(EvaluationSettings, street_id) or EvaluationSettings(
        street_id=street_id,
        response_hours=48,
        min_records=5,
        **{f"weight_{rate}": weight for rate, weight in DEFAULT_WEIGHTS.items()},
    )


def update_settings(
    actor, street: Street, *, response_hours: int, min_records: int, weights: dict[str, int]
) -> EvaluationSettings:
    """The street admin sets the target response time, the minimum records and the weights."""
    if not places.can_manage_street(actor, street):
        raise PermissionDenied(_("Only an administrator of this street may do this."))
    if response_hours is None or not 1 <= response_hours <= 720:
        raise RuleViolation(_("The target response time is between 1 and 720 hours."), field="response_hours")
    if min_records is None or not 1 <= min_records <= 1000:
        raise RuleViolation(_("The minimum number of records is between 1 and 1000."), field="min_records")
    if any(weights.get(rate) is None or weights[rate] < 0 or weights[rate] > 1000 for rate in RATES):
        raise RuleViolation(_("Each weight is a whole number from 0 to 1000."), field="weight_response")
    if sum(weights[rate] for rate in RATES) <= 0:
        raise RuleViolation(_("At least one weight must be above zero."), field="weight_response")
    settings = db.session.get(EvaluationSettings, street.id)
    before = settings.weights if settings else None
    if settings is None:
        settings = EvaluationSettings(street_id=street.id)
        db.session.add(settings)
    settings.response_hours, settings.min_records = response_hours, min_records
    for rate in RATES:
        setattr(settings, f"weight_{rate}", weights[rate])
    db.session.flush()
    audit.record(
        actor,
        "evaluation.settings",
        street,
        street_id=street.id,
        before={"weights": before},
        after={"weights": settings.weights, "response_hours": response_hours, "min_records": min_records},
    )
    return settings


def check_month(month: str) -> str:
    """A month that exists and is not in the future (the current month is allowed)."""
    month_bounds(month)
    if month > month_of(now()):
        raise NotFound(_("There are no figures for a month that has not begun."))
    return month


def _figures(street: Street, community_ids: list[int], month: str, settings: EvaluationSettings) -> dict[int, dict]:
    """A month's figures computed now; a month before the street existed has no records, so no queries."""
    if month < month_of(street.created_at):
        return blank(community_ids, settings)
    return compute(community_ids, month, settings)


def street_month(street: Street, month: str) -> dict:
    """A street's month: stored if it has ended (stored now on its first view when final), else computed now.

    Rows are (community, figures, score, rank), best first; a community whose score is "not
    enough data" is listed last and never ranked (its rank is None).
    """
    check_month(month)
    ranking = _stored_ranking(street.id, month) or _store_on_view(street, month)
    communities = places.communities_of_street(street.id)
    if ranking is not None:
        stored = {
            r.community_id: r
            for r in db.session.scalars(
                sa.select(MonthlyResult).where(
                    MonthlyResult.community_id.in_([c.id for c in communities]), MonthlyResult.month == month
                )
            )
        }
        rows = [(c, stored[c.id].figures, stored[c.id].composite) for c in communities if c.id in stored]
        weights, final = ranking.weights, True
        rules = ranking.rules or {}
    else:
        settings = settings_for(street.id)
        figures = _figures(street, [c.id for c in communities], month, settings)
        weights = settings.weights
        rows = [(c, figures[c.id], composite(figures[c.id], weights)) for c in communities]
        final = False
        rules = {"min_records": settings.min_records, "response_hours": settings.response_hours, "basis": BASIS}
    rows.sort(key=lambda row: (row[2] is None, -(row[2] or 0), row[0].name))
    ranked = [(c, f, score, None if score is None else rank) for rank, (c, f, score) in enumerate(rows, start=1)]
    return {"month": month, "weights": weights, "rows": ranked, "final": final, "rules": rules}


def _known_rankings() -> dict:
    """Stored rankings read in this request (outside a request: none kept)."""
    return g.setdefault("evaluation_rankings", {}) if has_request_context() else {}


def _stored_ranking(street_id: int, month: str) -> StreetRanking | None:
    """The stored ranking, read once a request (a stored ranking never changes; none found is not kept)."""
    known = _known_rankings()
    if (street_id, month) not in known:
        stored = sa.select(StreetRanking).where(StreetRanking.street_id == street_id, StreetRanking.month == month)
        found = db.session.scalar(stored)
        if found is None:
            return None
        known[street_id, month] = found
    return known[street_id, month]


def _store_on_view(street: Street, month: str) -> StreetRanking | None:
    """Store an ended, final month the first time someone looks at it, so it is never recomputed.

    Two first views at once: both compute, one insert wins on the unique constraints and the
    other rolls back its savepoint and reads the winner's rows. The caller commits.
    """
    if month >= month_of(now()) or month < month_of(street.created_at) or not ready_to_store(month, settings_for(street.id)):
        return None  # not ended, before the street existed (nothing to keep; a visitor cannot fill the table), or not final
    try:
        with db.session.begin_nested():
            if store_month(street, month):
                db.session.info[STORED_NOW] = True
    except IntegrityError:
        log.info("evaluation of street %s for %s was stored by a concurrent request", street.id, month)
    return _stored_ranking(street.id, month)


def commit_if_stored() -> None:
    """Commit what a view stored (a month stored on its first view); otherwise leave the session alone,
    so that a plain read does not expire every loaded object."""
    if db.session.info.pop(STORED_NOW, False):
        db.session.commit()


def latest_stored_month(street: Street) -> str | None:
    """The newest month stored for the street, if any (its ranking kept for the page's next read)."""
    newest = db.session.scalar(
        sa.select(StreetRanking).where(StreetRanking.street_id == street.id).order_by(StreetRanking.month.desc()).limit(1)
    )
    if newest is None:
        return None
    _known_rankings()[street.id, newest.month] = newest
    return newest.month


def default_month(street: Street) -> str:
    """The month a ranking opens on: the newest final month (stored now if it was not yet), else this month.

    Early in a month this month's rates are mostly "not enough data", so the last month that
    is final is the useful one.
    """
    settings = settings_for(street.id)
    last = previous_month(month_of(now()))
    for month in (last, previous_month(last)):  # a long target time can keep last month open
        if ready_to_store(month, settings):
            _stored_ranking(street.id, month) or _store_on_view(street, month)
            break
    return latest_stored_month(street) or current_month()


def store_month(street: Street, month: str) -> bool:
    """Compute and store an ended month's figures and ranking with today's weights (once; idempotent)."""
    check_month(month)
    if month >= month_of(now()):
        raise RuleViolation(_("Only a month that has ended can be stored."))
    if db.session.scalar(sa.select(StreetRanking.id).where(StreetRanking.street_id == street.id, StreetRanking.month == month)):
        return False
    settings = settings_for(street.id)
    if not ready_to_store(month, settings):
        return False  # items posted at its end are still inside their target time
    communities = places.communities_of_street(street.id)
    figures = compute([c.id for c in communities], month, settings)
    for community in communities:
        db.session.add(
            MonthlyResult(
                community_id=community.id,
                month=month,
                figures=figures[community.id],
                composite=composite(figures[community.id], settings.weights),
                weights=settings.weights,
            )
        )
    db.session.add(
        StreetRanking(
            street_id=street.id,
            month=month,
            weights=settings.weights,
            rules={"min_records": settings.min_records, "response_hours": settings.response_hours, "basis": BASIS},
        )
    )
    db.session.flush()
    log.info("stored evaluation of street %s for %s", street.id, month)
    return True


def ready_to_store(month: str, settings: EvaluationSettings) -> bool:
    """A month is final once nothing received in it can still be inside its response time: its end
    plus the longer of the target response time (topics, micro-wishes) and a request's window."""
    return month_bounds(month)[1] + max(timedelta(hours=settings.response_hours), ANSWER_WINDOW) <= now()


def store_all(month: str) -> int:
    """Store ``month`` for every street; returns how many streets were newly stored."""
    return sum(store_month(street, month) for street in places.all_streets())


def store_last_month() -> int:
    """`flask tick`: the months just ended are stored once for every street, when final.

    Votes due to close by now are settled first, so a vote closing at the end of a month
    counts in it; the two months before this one are tried, since a long target time can
    keep a month open past the next month's end.
    """
    topics.settle_due()
    last = previous_month(month_of(now()))
    return store_all(previous_month(last)) + store_all(last)


def community_months(community: Community, count: int = 12) -> list[tuple[str, dict, float | None]]:
    """The last ``count`` months of a community, oldest first: stored where stored (ended months are
    stored on this first view when final), computed otherwise."""
    months = [month_of(now())]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    months.reverse()
    stored = _stored_results(community.id, months)
    street = community.street
    since = month_of(street.created_at)
    missing = [m for m in months if m not in stored and since <= m < months[-1]]
    if missing:
        for month in missing:
            _stored_ranking(street.id, month) or _store_on_view(street, month)
        stored = _stored_results(community.id, months)
    settings = settings_for(community.street_id)
    out = []
    for month in months:
        if month in stored:
            out.append((month, stored[month].figures, stored[month].composite))
        else:
            figures = _figures(street, [community.id], month, settings)[community.id]
            out.append((month, figures, composite(figures, settings.weights)))
    return out


def _stored_results(community_id: int, months: list[str]) -> dict[str, MonthlyResult]:
    return {
        r.month: r
        for r in db.session.scalars(
            sa.select(MonthlyResult).where(MonthlyResult.community_id == community_id, MonthlyResult.month.in_(months))
        )
    }


def figure_records(community: Community, month: str, figure: str) -> tuple[dict, list[list]]:
    """The records behind one figure of a community's month: exactly as many as its number (a
    rate's denominator; participation's votes; the activities whose minutes sum to the hours;
    the party members' services; the micro-wishes fulfilled), with the month's figures."""
    if figure not in FIGURES:
        raise NotFound(_("No such figure."))
    check_month(month)
    street = community.street
    if month < month_of(now()) and _stored_ranking(street.id, month) is None:
        _store_on_view(street, month)
    stored = db.session.scalar(
        sa.select(MonthlyResult).where(MonthlyResult.community_id == community.id, MonthlyResult.month == month)
    )
    figures = stored.figures if stored else None
    if figures is None or (figure in COUNTS and "count_records" not in figures) or (figure in BESIDE and figure not in figures):
        # Months stored before the counts kept their records, or before the rates beside the requests'
        # existed: list them from the records as they are now.
        figures = _figures(street, [community.id], month, settings_for(community.street_id))[community.id]
    return figures, figures["count_records"][figure] if figure in COUNTS else figures[figure]["records"]


def current_month() -> str:
    return local_now().strftime("%Y-%m")
