"""What every step of a request shares: checked text, the row lock, the timeline, telling the reporter, photos."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit, photos as photo_files
from consult.core.clock import now
from consult.core.errors import NotFound, RuleViolation
from consult.core.notifications import notify
from consult.extensions import db
from consult.places.models import Community
from consult.requests.models import Request, RequestEvent, RequestPhoto

LINK = "/requests/{id}"


def text(value: str | None, limit: int, field: str, *, required: bool = False) -> str | None:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Please fill this in."), field=field)
    if len(value) > limit:
        raise RuleViolation(_("Please keep this under %(limit)d characters.", limit=limit), field=field)
    return value or None


def required(value: str | None, limit: int, field: str) -> str:
    checked = text(value, limit, field, required=True)
    assert checked is not None
    return checked


def community_of(request: Request) -> Community:
    community = db.session.get(Community, request.community_id)
    assert community is not None
    return community


def lock(request: Request) -> Request:
    """Re-read the request with a row lock: steps on one request happen one at a time."""
    locked = db.session.scalar(
        sa.select(Request).where(Request.id == request.id).with_for_update().execution_options(populate_existing=True)
    )
    if locked is None:
        raise NotFound(_("That request does not exist."))
    return locked


def event(request: Request, actor, kind: str, note: str | None = None) -> None:
    db.session.add(
        RequestEvent(
            request_id=request.id,
            at=now(),
            actor_id=getattr(actor, "id", None),
            kind=kind,
            status=request.status,
            holder=request.holder,
            assignee_id=request.assignee_id,
            department_id=request.department_id,
            note=note,
        )
    )
    audit.record(
        actor, f"request.{kind}", request, community_id=request.community_id, after={"status": request.status, "note": note}
    )


def tell_reporter(request: Request, kind: str, text: str, **params) -> None:
    """Notify the reporter; a request sent through Open311 has no reporter account, so nobody is told
    (the committee calls the contact it came with)."""
    if request.reporter_id is None:
        return
    notify(request.reporter_id, f"request.{kind}:{request.id}:{request.status}", text, link=LINK.format(id=request.id), **params)


def keep_photos(request: Request, cleaned, stage: str, actor) -> None:
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
