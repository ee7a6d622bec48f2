"""Resident requests: report, respond, hand over, resolve, confirm or call back, close.

Every step asks ``RequestPolicy`` (policy.py, the state table) before it writes, holds the
request's row lock, writes one timeline event, an audit entry and the reporter's notification.
Reads are in queries.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now, site_zone
from consult.core.errors import NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.scales import is_satisfaction
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.requests import photos as photo_files
from consult.requests.clocks import reminder_at, resolution_due, response_due
from consult.requests.models import (
    DESCRIPTION_MAX,
    NOTE_MAX,
    PHOTOS_MAX,
    PLACE_MAX,
    REASON_MAX,
    Channel,
    Holder,
    Request,
    RequestEvent,
    RequestPhoto,
    RequestStatus as S,
)
from consult.requests.policy import RequestPolicy
from consult.requests.targets import ensure_categories, resolution_for, targets_for

LINK = "/requests/{id}"


def _text(value: str | None, limit: int, field: str, *, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Please fill this in."), field=field)
    if len(value) > limit:
        raise RuleViolation(_("Please keep this under %(limit)d characters.", limit=limit), field=field)
    return value or None


def _required(value: str | None, limit: int, field: str) -> str:
    text = _text(value, limit, field, required=True)
    assert text is not None
    return text


def _community(request: Request) -> Community:
    community = db.session.get(Community, request.community_id)
    assert community is not None
    return community


def _lock(request: Request) -> Request:
    """Re-read the request with a row lock: steps on one request happen one at a time."""
    locked = db.session.scalar(
        sa.select(Request).where(Request.id == request.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("That request does not exist."))
    return locked


def _event(request: Request, actor, kind: str, note: str | None = None) -> None:
    db.session.add(
        RequestEvent(
            request_id=request.id,
            at=now(),
            actor_id=getattr(actor, "id", None),
            kind=kind,
            status=request.status,
            holder=request.holder,
            assignee_id=request.assignee_id,
            note=note,
        )
    )
    audit.record(
        actor, f"request.{kind}", request, community_id=request.community_id, after={"status": request.status, "note": note}
    )


def _tell_reporter(request: Request, kind: str, text: str, **params) -> None:
    notify(request.reporter_id, f"request.{kind}:{request.id}:{request.status}", text, link=LINK.format(id=request.id), **params)


def report(
    reporter,
    community: Community,
    *,
    category: str,
    description: str,
    building: str | None = None,
    unit: str | None = None,
    place: str | None = None,
    may_call: bool = False,
    photos: Sequence[bytes] = (),
    channel: str = Channel.WEB,
    recorded_by=None,
) -> Request:
    """A confirmed resident reports a request (or a worker records one for them, ``recorded_by``)."""
    if recorded_by is not None:
        if not places.can_manage_community(recorded_by, community):
            raise PermissionDenied(_("Only the committee of this community may do this."))
        if channel == Channel.WEB:
            raise RuleViolation(_("Say how the resident reached you."), field="channel")
    elif channel not in (Channel.WEB, Channel.KIOSK, Channel.OPEN311):
        raise RuleViolation(_("Choose how the request reached us."), field="channel")
    if channel not in set(Channel):
        raise RuleViolation(_("Choose how the request reached us."), field="channel")
    if not places.is_confirmed_member(reporter, community):
        raise PermissionDenied(_("Only confirmed residents of this community can do this."))
    chosen = next((c for c in ensure_categories(community.id) if c.key == category), None)
    if chosen is None:
        raise RuleViolation(_("Choose a category of this community."), field="category")
    if len(photos) > PHOTOS_MAX:
        raise RuleViolation(_("Send at most %(count)d photos.", count=PHOTOS_MAX), field="photos")
    cleaned = [photo_files.clean(data) for data in photos]  # every photo checked before anything is written
    moment = now()
    targets = targets_for(community.street_id)
    respond_by = response_due(moment, targets, site_zone())
    solve_by = resolution_due(moment, resolution_for(targets, chosen))
    request = Request(
        community_id=community.id,
        category_id=chosen.id,
        reporter_id=reporter.id,
        recorded_by_id=getattr(recorded_by, "id", None),
        channel=channel,
        description=_required(description, DESCRIPTION_MAX, "description"),
        building=_text(building, 30, "building"),
        unit=_text(unit, 30, "unit"),
        place=_text(place, PLACE_MAX, "place"),
        may_call=bool(may_call),
        created_at=moment,
        held_since=moment,
        response_due_at=respond_by,
        original_response_due_at=respond_by,
        resolution_due_at=solve_by,
        original_resolution_due_at=solve_by,
    )
    db.session.add(request)
    db.session.flush()
    _keep_photos(request, cleaned, "report", recorded_by or reporter)
    _event(request, recorded_by or reporter, "submitted")
    _tell_reporter(
        request,
        "submitted",
        N_("Your request #%(id)d is received; the committee will contact you by %(due)s."),
        id=request.id,
        due=respond_by.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M"),
    )
    return request


def _keep_photos(request: Request, cleaned, stage: str, actor) -> None:
    store = photo_files.store()
    for photo in cleaned:
        key = photo.new_key()
        store.put(key, photo.data, photo.mime)
        db.session.add(
            RequestPhoto(
                request_id=request.id,
                stage=stage,
                key=key,
                mime=photo.mime,
                width=photo.width,
                height=photo.height,
                uploaded_by_id=actor.id,
            )
        )
    db.session.flush()


def accept(actor, request: Request, note: str | None = None) -> Request:
    """The committee has contacted the resident: the response, timed against its due time."""
    request = _lock(request)
    RequestPolicy(request).require("accept", actor)
    request.status, request.accepted_at, request.accepted_by_id = S.ACCEPTED, now(), actor.id
    _event(request, actor, "accepted", _text(note, NOTE_MAX, "note"))
    _tell_reporter(request, "accepted", N_("The committee has taken up your request #%(id)d."), id=request.id)
    return request


def assign(actor, request: Request, assignee) -> Request:
    """Give it to one worker of the community (who is reminded of it)."""
    request = _lock(request)
    RequestPolicy(request).require("assign", actor)
    if request.community_id not in places.roles_of(assignee).worker_of:
        raise RuleViolation(_("Choose a worker of this community."), field="assignee")
    request.status, request.assignee_id, request.held_since = S.IN_PROGRESS, assignee.id, now()
    _event(request, actor, "assigned")
    return request


def escalate(actor, request: Request, note: str) -> Request:
    """街道吹哨: the community cannot solve it; the street holds it from now on."""
    request = _lock(request)
    RequestPolicy(request).require("escalate", actor)
    note = _required(note, NOTE_MAX, "note")
    request.status, request.holder, request.assignee_id, request.held_since = S.IN_PROGRESS, Holder.STREET, None, now()
    _event(request, actor, "escalated", note)
    _tell_reporter(request, "escalated", N_("Your request #%(id)d was passed to the street."), id=request.id)
    return request


def send_back(actor, request: Request, note: str) -> Request:
    """The street hands it back to the committee (with what to do)."""
    request = _lock(request)
    RequestPolicy(request).require("send_back", actor)
    note = _required(note, NOTE_MAX, "note")
    request.holder, request.assignee_id, request.held_since = Holder.COMMUNITY, None, now()
    _event(request, actor, "sent_back", note)
    return request


def resolve(actor, request: Request, note: str, photos: Sequence[bytes] = ()) -> Request:
    """Whoever holds it says what was done; the resident then confirms, or a worker calls back."""
    request = _lock(request)
    RequestPolicy(request).require("resolve", actor)
    note = _required(note, NOTE_MAX, "note")
    if len(photos) > PHOTOS_MAX:
        raise RuleViolation(_("Send at most %(count)d photos.", count=PHOTOS_MAX), field="photos")
    cleaned = [photo_files.clean(data) for data in photos]
    request.status, request.resolved_at, request.resolved_by_id, request.resolution_note = S.RESOLVED, now(), actor.id, note
    _keep_photos(request, cleaned, "resolution", actor)
    _event(request, actor, "resolved", note)
    _tell_reporter(
        request, "resolved", N_("Your request #%(id)d is resolved. Please tell us whether it is solved."), id=request.id
    )
    return request


def _answer(actor, request: Request, *, solved: bool, level: str | None, called_back: bool, note: str | None) -> Request:
    if solved and not is_satisfaction(level):
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    moment = now()
    if not solved and request.reopened_at is None:
        request.status, request.reopened_at, request.resolved_at, request.held_since = S.IN_PROGRESS, moment, None, moment
        _event(request, actor, "reopened", note)
        return request
    request.status, request.confirmed_at, request.solved = S.CONFIRMED, moment, solved
    request.satisfaction = level if solved else (level or "unsatisfied")
    request.called_back_by_id = actor.id if called_back else None
    _event(request, actor, "called_back" if called_back else "confirmed", note)
    return request


def confirm(reporter, request: Request, *, solved: bool, level: str | None = None) -> Request:
    """The reporter answers: solved (with how satisfied), or not solved (reopens it once)."""
    request = _lock(request)
    RequestPolicy(request).require("confirm" if solved else "not_solved", reporter)
    return _answer(reporter, request, solved=solved, level=level, called_back=False, note=None)


def call_back(actor, request: Request, *, solved: bool, level: str | None, note: str) -> Request:
    """回访: a worker phones or visits the resident and records their answer."""
    request = _lock(request)
    RequestPolicy(request).require("call_back", actor)
    note = _required(note, NOTE_MAX, "note")
    answered = _answer(actor, request, solved=solved, level=level, called_back=True, note=note)
    return answered


def close(actor, request: Request) -> Request:
    request = _lock(request)
    RequestPolicy(request).require("close", actor)
    request.status, request.closed_at = S.CLOSED, now()
    _event(request, actor, "closed")
    return request


def merge(actor, request: Request, into: Request) -> Request:
    """A duplicate: the other request answers both; its reporter is told where to follow it."""
    request = _lock(request)
    RequestPolicy(request).require("merge", actor)
    if into.id == request.id or into.community_id != request.community_id or into.status in (S.MERGED, S.OUT_OF_SCOPE):
        raise RuleViolation(_("Choose another open request of this community."), field="into")
    request.status, request.merged_into_id, request.closed_at = S.MERGED, into.id, now()
    _event(request, actor, "merged", f"#{into.id}")
    _tell_reporter(
        request, "merged", N_("Your request #%(id)d is the same as #%(other)d; follow that one."), id=request.id, other=into.id
    )
    return request


def out_of_scope(actor, request: Request, reason: str, go_instead: str) -> Request:
    request = _lock(request)
    RequestPolicy(request).require("refer", actor)
    request.out_of_scope_reason = _required(reason, REASON_MAX, "reason")
    request.go_instead = _required(go_instead, REASON_MAX, "go_instead")
    request.status, request.closed_at = S.OUT_OF_SCOPE, now()
    _event(request, actor, "out_of_scope", request.out_of_scope_reason)
    _tell_reporter(
        request,
        "out_of_scope",
        N_("Your request #%(id)d is not something the committee can handle; see where to go instead."),
        id=request.id,
    )
    return request


def move_due(actor, request: Request, *, resolution_due_at: datetime, reason: str) -> Request:
    """Give more time: the new due time shows; the original one still decides whether it was on time."""
    request = _lock(request)
    RequestPolicy(request).require("move_due", actor)
    if resolution_due_at <= request.resolution_due_at:
        raise RuleViolation(_("The new due time must be later than the current one."), field="resolution_due_at")
    request.resolution_due_at, request.resolution_reminded_at = resolution_due_at, None
    _event(request, actor, "due_moved", _required(reason, NOTE_MAX, "reason"))
    return request


def remind_due() -> int:
    """`flask tick`: remind the holder of requests past 75 % of their response or resolution time, once each."""
    moment, count = now(), 0
    waiting = db.session.scalars(sa.select(Request).where(Request.status == S.SUBMITTED, Request.response_reminded_at.is_(None)))
    for request in waiting:
        if reminder_at(request.created_at, request.response_due_at) <= moment:
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
    else:
        street_id = _community(request).street_id
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
            note=clock,
        )
    )
    return 1
