"""`flask tick`: remind whoever holds a request at 75 % of its response or resolution time, once each."""

from __future__ import annotations

import sqlalchemy as sa

from consult.core.clock import now
from consult.core.notifications import N_, notify
from consult.extensions import db
from consult.places import departments, queries as places
from consult.requests import common
from consult.requests.clocks import reminder_at
from consult.requests.models import Holder, Request, RequestEvent, RequestStatus as S


def remind_due() -> int:
    """`flask tick`: remind the holder of requests past 75 % of their response or resolution time, once each."""
    moment, count = now(), 0
    waiting = db.session.scalars(sa.select(Request).where(Request.status == S.SUBMITTED, Request.response_reminded_at.is_(None)))
    for request in waiting:
        if reminder_at(request.created_at, request.response_due_at) <= moment:
            request.response_reminded_at = moment
            count += _remind(request, "response")
    departments_waiting = db.session.scalars(
        sa.select(Request).where(
            Request.status == S.IN_PROGRESS,
            Request.holder == Holder.DEPARTMENT,
            Request.department_accepted_at.is_(None),
            Request.response_reminded_at.is_(None),
        )
    )
    for request in departments_waiting:  # the department's answer runs from the hand-over
        if reminder_at(request.held_since, request.response_due_at) <= moment:
            request.response_reminded_at = moment
            count += _remind(request, "response")
    open_ones = db.session.scalars(
        sa.select(Request).where(Request.status.in_([S.ACCEPTED, S.IN_PROGRESS]), Request.resolution_reminded_at.is_(None))
    )
    for request in open_ones:
        if reminder_at(request.created_at, request.resolution_due_at) <= moment:
            request.resolution_reminded_at = moment
            count += _remind(request, "resolution")
    db.session.flush()
    return count


def _remind(request: Request, clock: str) -> int:
    if request.holder == Holder.COMMUNITY:
        people = [request.assignee_id] if request.assignee_id else [w.user_id for w in places.workers_of(request.community_id)]
    elif request.holder == Holder.DEPARTMENT and request.department_id is not None:
        people = departments.members_of(request.department_id)
    else:
        street_id = common.community_of(request).street_id
        people = [a.user_id for a in places.street_workers(street_id)] if request.holder == Holder.STREET else []
    text = N_("Request #%(id)d must be answered soon.") if clock == "response" else N_("Request #%(id)d must be solved soon.")
    for person in people:
        notify(person, f"request.remind.{clock}:{request.id}", text, link=f"/manage/requests/{request.id}", id=request.id)
    db.session.add(
        RequestEvent(
            request_id=request.id,
            at=now(),
            kind="reminded",
            status=request.status,
            holder=request.holder,
            assignee_id=request.assignee_id,
            department_id=request.department_id,
            note=clock,
        )
    )
    return 1
