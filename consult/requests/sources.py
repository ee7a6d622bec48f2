"""What requests lend the evaluation: the 三率 of 接诉即办 (registered in ``consult.core.registries``).

From issue 13 on, the response, resolution and satisfaction rates of a community's month come
from its residents' requests, as in the system they are named after; topics and micro-wishes keep
their own figures beside them. Evaluation never reads these models; it reads the rows below and
applies its rules (``consult.evaluation.figures``): which requests count, and what each row's
due time and answer are, is said here.

- Response (响应率): every request received in the month (a merged duplicate and one referred
  elsewhere too: merging or referring is the committee's answer), due at its *original* response
  time; answered when the committee accepted it (contacted the resident), merged or referred it.
- Resolution (解决率): requests whose *original* resolution due time falls in the month, except
  merged duplicates (the request they were merged into carries them) and those referred elsewhere
  (not the community's to solve); met when it was resolved by then *and* the resident confirmed it
  solved, themselves or in a worker's call-back (回访) — a resolution nobody confirmed is not yet a
  solution (a request reopened and resolved again counts with its last resolution).
- Satisfaction (满意率): the resident's answer (their own confirmation or a worker's call-back)
  recorded in the month, one per request (the last answer).

Registered when ``create_app`` imports this module.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from consult.core.registries import evaluation_record, evaluation_source
from consult.extensions import db
from consult.requests.labels import STATUS_LABELS, place_label
from consult.requests.models import Request, RequestCategory, RequestStatus as S

_ANSWERED = sa.case(
    (Request.accepted_at.is_not(None), Request.accepted_at),
    (Request.status.in_([S.MERGED.value, S.OUT_OF_SCOPE.value]), Request.closed_at),
    else_=None,
)


@evaluation_source("response", "requests")
def requests_received(community_ids, start, end, moment, target):
    """Requests received in the month, each due at its own original response time (``target``, the
    topics', does not apply). The facts are stated in SQL: a street has many."""
    due = Request.original_response_due_at
    return (
        db.session.connection()
        .execute(
            sa.select(
                sa.literal("request"),
                Request.id,
                Request.community_id,
                _ANSWERED.is_not(None),
                sa.and_(_ANSWERED.is_not(None), due >= _ANSWERED),
                due <= moment,
                sa.false(),
            )
            .where(Request.community_id.in_(community_ids), Request.created_at >= start, Request.created_at < end)
            .order_by(Request.id)
        )
        .all()
    )


@evaluation_source("resolution", "requests")
def requests_due(community_ids, start, end, moment):
    """Requests due to be solved in the month: solved by their original due time, and whether it has come."""
    due = Request.original_resolution_due_at
    return (
        db.session.connection()
        .execute(
            sa.select(
                sa.literal("request_due"),
                Request.id,
                Request.community_id,
                sa.and_(Request.solved.is_(True), Request.resolved_at <= due),
                due <= moment,
            )
            .where(
                Request.community_id.in_(community_ids),
                due >= start,
                due < end,
                Request.status.not_in([S.MERGED.value, S.OUT_OF_SCOPE.value]),
            )
            .order_by(Request.id)
        )
        .all()
    )


@evaluation_source("satisfaction", "requests")
def request_answers(community_ids, start, end, moment):
    """Residents' answers recorded in the month: (kind, id, community, level)."""
    return (
        db.session.connection()
        .execute(
            sa.select(sa.literal("request_answer"), Request.id, Request.community_id, Request.satisfaction)
            .where(
                Request.community_id.in_(community_ids),
                Request.satisfaction.is_not(None),
                Request.confirmed_at >= start,
                Request.confirmed_at < end,
            )
            .order_by(Request.id)
        )
        .all()
    )


def _requests(ids) -> Sequence[sa.Row]:
    return (
        db.session.connection()
        .execute(
            sa.select(
                Request.id,
                Request.building,
                Request.unit,
                Request.status,
                Request.satisfaction,
                Request.confirmed_at,
                RequestCategory.name,
            )
            .join(RequestCategory, RequestCategory.id == Request.category_id)
            .where(Request.id.in_(ids))
        )
        .all()
    )


def _record(r) -> dict:
    return {
        "title": f"#{r.id} {r.name} · {place_label(r.building, r.unit)} · {STATUS_LABELS.get(r.status, r.status)}",
        "endpoint": "requests.detail",
        "args": {"request_id": r.id},
    }


@evaluation_record("request", "request_due")
def request_records(ids) -> dict[int, dict]:
    """A request behind a figure, as the community's public list shows it (number, category, building,
    status; its page shows others the public part only) — never the reporter, phone or room."""
    return {r.id: _record(r) for r in _requests(ids)}


@evaluation_record("request_answer")
def request_answer_records(ids) -> dict[int, dict]:
    """A resident's answer: the request, the level and the date, never who answered."""
    return {r.id: {**_record(r), "level": r.satisfaction, "at": r.confirmed_at} for r in _requests(ids)}
