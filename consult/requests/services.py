"""Resident requests: respond, hand over, resolve, confirm or call back, close, merge, refer.

Every step asks ``RequestPolicy`` (policy.py, the state table) before it writes, holds the
request's row lock, writes one timeline event, an audit entry and the reporter's notification
(common.py). Reporting is in reporting.py, reminders in reminders.py, reads in queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from flask_babel import gettext as _

from consult.core import photos as photo_files
from consult.core.clock import now, site_zone
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.core.scales import is_satisfaction
from consult.places import departments, queries as places
from consult.places.models import Department
from consult.requests import common, queries
from consult.requests.clocks import response_due
from consult.requests.models import NOTE_MAX, PHOTOS_MAX, REASON_MAX, Holder, Request, RequestStatus as S
from consult.requests.policy import RequestPolicy
from consult.requests.targets import targets_for


def accept(actor, request: Request, note: str | None = None) -> Request:
    """The committee has contacted the resident: the response, timed against its due time.

    A department that holds it answers the same way; the committee's first answer is kept."""
    request = common.lock(request)
    RequestPolicy(request).require("accept", actor)
    if request.holder == Holder.DEPARTMENT:
        request.department_accepted_at = now()
        common.event(request, actor, "department_accepted", common.text(note, NOTE_MAX, "note"))
        return request
    request.status, request.accepted_at, request.accepted_by_id = S.ACCEPTED, now(), actor.id
    common.event(request, actor, "accepted", common.text(note, NOTE_MAX, "note"))
    common.tell_reporter(request, "accepted", N_("The committee has taken up your request #%(id)d."), id=request.id)
    return request


def assign(actor, request: Request, assignee) -> Request:
    """Give it to one worker of the community (who is reminded of it)."""
    request = common.lock(request)
    RequestPolicy(request).require("assign", actor)
    if request.community_id not in places.roles_of(assignee).worker_of:
        raise RuleViolation(_("Choose a worker of this community."), field="assignee")
    request.status, request.assignee_id, request.held_since = S.IN_PROGRESS, assignee.id, now()
    common.event(request, actor, "assigned")
    return request


def escalate(actor, request: Request, note: str) -> Request:
    """街道吹哨: the community cannot solve it; the street holds it from now on."""
    request = common.lock(request)
    RequestPolicy(request).require("escalate", actor)
    note = common.required(note, NOTE_MAX, "note")
    request.status, request.holder, request.assignee_id, request.held_since = S.IN_PROGRESS, Holder.STREET, None, now()
    common.event(request, actor, "escalated", note)
    common.tell_reporter(request, "escalated", N_("Your request #%(id)d was passed to the street."), id=request.id)
    return request


def send_back(actor, request: Request, note: str) -> Request:
    """The street hands it back to the committee (with what to do); a department back to the street."""
    request = common.lock(request)
    RequestPolicy(request).require("send_back", actor)
    note = common.required(note, NOTE_MAX, "note")
    back_to = Holder.STREET if request.holder == Holder.DEPARTMENT else Holder.COMMUNITY
    request.holder, request.department_id, request.assignee_id, request.held_since = back_to, None, None, now()
    common.event(request, actor, "sent_back", note)
    return request


def dispatch(actor, request: Request, department: Department, note: str | None = None) -> Request:
    """部门报到: the street hands it to one of its departments, which answers and solves it within
    its own targets. The current due times follow the department; the original ones never move."""
    request = common.lock(request)
    RequestPolicy(request).require("dispatch", actor)
    street_id = common.community_of(request).street_id
    if department.street_id != street_id:
        raise RuleViolation(_("Choose a department of this street."), field="department")
    moment, targets = now(), targets_for(street_id, department=True)
    request.holder, request.department_id, request.assignee_id, request.held_since = (
        Holder.DEPARTMENT,
        department.id,
        None,
        moment,
    )
    request.department_accepted_at = None
    request.response_due_at = max(response_due(moment, targets, site_zone()), request.original_response_due_at)
    request.resolution_due_at = max(moment + targets.resolution, request.original_resolution_due_at)
    request.response_reminded_at = request.resolution_reminded_at = None
    common.event(request, actor, "dispatched", common.text(note, NOTE_MAX, "note"))
    for member in departments.members_of(department.id):
        notify(
            member,
            f"request.dispatched:{request.id}:{department.id}",
            N_("Request #%(id)d was handed to your department."),
            link=common.LINK.format(id=request.id),
            id=request.id,
        )
    return request


def resolve(actor, request: Request, note: str, photos: Sequence[bytes] = ()) -> Request:
    """Whoever holds it says what was done; the resident then confirms, or a worker calls back."""
    request = common.lock(request)
    RequestPolicy(request).require("resolve", actor)
    note = common.required(note, NOTE_MAX, "note")
    cleaned = photo_files.clean_all(photos, PHOTOS_MAX)
    request.status, request.resolved_at, request.resolved_by_id, request.resolution_note = S.RESOLVED, now(), actor.id, note
    common.keep_photos(request, cleaned, "resolution", actor)
    common.event(request, actor, "resolved", note)
    common.tell_reporter(
        request, "resolved", N_("Your request #%(id)d is resolved. Please tell us whether it is solved."), id=request.id
    )
    for duplicate in queries.merged_into(request.id):  # one resolution answers every merged report
        common.tell_reporter(
            duplicate, "resolved", N_("Request #%(other)d, which yours was merged into, is resolved."), other=request.id
        )
    return request


def _answer(actor, request: Request, *, solved: bool, level: str | None, called_back: bool, note: str | None) -> Request:
    if solved and not is_satisfaction(level):
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    moment = now()
    if not solved and request.reopened_at is None:
        request.status, request.reopened_at, request.resolved_at, request.held_since = S.IN_PROGRESS, moment, None, moment
        common.event(request, actor, "reopened", note)
        return request
    request.status, request.confirmed_at, request.solved = S.CONFIRMED, moment, solved
    request.satisfaction = level if solved else (level or "unsatisfied")
    request.called_back_by_id = actor.id if called_back else None
    common.event(request, actor, "called_back" if called_back else "confirmed", note)
    return request


def confirm(reporter, request: Request, *, solved: bool, level: str | None = None) -> Request:
    """The reporter answers: solved (with how satisfied), or not solved (reopens it once)."""
    request = common.lock(request)
    RequestPolicy(request).require("confirm" if solved else "not_solved", reporter)
    return _answer(reporter, request, solved=solved, level=level, called_back=False, note=None)


def call_back(actor, request: Request, *, solved: bool, level: str | None, note: str) -> Request:
    """回访: a worker phones or visits the resident and records their answer."""
    request = common.lock(request)
    RequestPolicy(request).require("call_back", actor)
    note = common.required(note, NOTE_MAX, "note")
    answered = _answer(actor, request, solved=solved, level=level, called_back=True, note=note)
    return answered


def close(actor, request: Request) -> Request:
    request = common.lock(request)
    RequestPolicy(request).require("close", actor)
    request.status, request.closed_at = S.CLOSED, now()
    common.event(request, actor, "closed")
    return request


def merge(actor, request: Request, into: Request) -> Request:
    """A duplicate: the other request answers both; its reporter is told where to follow it."""
    request = common.lock(request)
    RequestPolicy(request).require("merge", actor)
    if into.id == request.id or into.community_id != request.community_id or into.status in (S.MERGED, S.OUT_OF_SCOPE):
        raise RuleViolation(_("Choose another open request of this community."), field="into")
    request.status, request.merged_into_id, request.closed_at = S.MERGED, into.id, now()
    common.event(request, actor, "merged", f"#{into.id}")
    common.tell_reporter(
        request, "merged", N_("Your request #%(id)d is the same as #%(other)d; follow that one."), id=request.id, other=into.id
    )
    return request


def out_of_scope(actor, request: Request, reason: str, go_instead: str) -> Request:
    request = common.lock(request)
    RequestPolicy(request).require("refer", actor)
    request.out_of_scope_reason = common.required(reason, REASON_MAX, "reason")
    request.go_instead = common.required(go_instead, REASON_MAX, "go_instead")
    request.status, request.closed_at = S.OUT_OF_SCOPE, now()
    common.event(request, actor, "out_of_scope", request.out_of_scope_reason)
    common.tell_reporter(
        request,
        "out_of_scope",
        N_("Your request #%(id)d is not something the committee can handle; see where to go instead."),
        id=request.id,
    )
    return request


def move_due(actor, request: Request, *, resolution_due_at: datetime, reason: str) -> Request:
    """Give more time: the new due time shows; the original one still decides whether it was on time."""
    request = common.lock(request)
    RequestPolicy(request).require("move_due", actor)
    if resolution_due_at <= request.resolution_due_at:
        raise RuleViolation(_("The new due time must be later than the current one."), field="resolution_due_at")
    request.resolution_due_at, request.resolution_reminded_at = resolution_due_at, None
    common.event(request, actor, "due_moved", common.required(reason, NOTE_MAX, "reason"))
    return request
