"""What requests add to the registries: the reminder tick, personal data, audit labels."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l

from consult.core import cache_writes, search
from consult.core.registries import (
    STAFF_ACTION,
    TodoItem,
    add_labels,
    community_panel,
    linked_record,
    not_personal,
    personal,
    template_global,
    tick,
    todo,
)
from consult.extensions import db
from consult.places import queries as places
from consult.requests import queries, reminders
from consult.requests.labels import CHANNEL_LABELS, HOLDER_LABELS, STATUS_LABELS, place_label
from consult.requests.models import Request, RequestCategory, RequestEvent, RequestPhoto, RequestSettings

search.watch(Request, queries.SEARCH)

add_labels(
    {
        **{f"request.{status}": label for status, label in STATUS_LABELS.items()},
        "request.assigned": _l("request assigned"),
        "request.escalated": _l("request passed to the street"),
        "request.sent_back": _l("request sent back to the committee"),
        "request.dispatched": _l("request handed to a department"),
        "request.department_accepted": _l("taken up by the department"),
        "request.reopened": _l("request reopened"),
        "request.called_back": _l("call-back recorded"),
        "request.due_moved": _l("due time moved"),
        "open311_key.issued": _l("Open311 API key issued"),
        "open311_key.revoked": _l("Open311 API key revoked"),
        **{f"channel.{key}": label for key, label in CHANNEL_LABELS.items()},
        **{f"holder.{key}": label for key, label in HOLDER_LABELS.items()},
    }
)


@todo("requests")
def open_requests(community):
    """Open requests, the most urgent first: overdue when their answer or solution time has passed."""
    return [
        TodoItem(
            kind=_("Request to answer") if r.accepted_at is None else _("Request to solve"),
            title=f"#{r.id} {r.category.name}",
            since=r.created_at,
            link=url_for("requests.detail", request_id=r.id),
            target=r.due_at - r.created_at,
        )
        for r in queries.queue(community.id)
    ]


@community_panel("requests")
def community_requests(community, user):
    """Report a problem, and the link to the public list, on the community's home page."""
    return {"member": getattr(user, "is_authenticated", False) and places.is_confirmed_member(user, community)}


@tick("requests")
def remind_holders() -> int:
    """Remind whoever holds a request at 75 % of its response or resolution time."""
    return reminders.remind_due()


@personal("requests", covers={"requests.reporter_id": "requests", "request_photos.uploaded_by_id": "photos"})
def my_requests(user):
    """The requests I reported (with their answers) and the photos I sent. A request sent through
    Open311 belongs to no account, so it is in nobody's export (its caller's contact is matched to no one)."""
    rows = db.session.scalars(sa.select(Request).where(Request.reporter_id == user.id).order_by(Request.id))
    photos = db.session.scalars(sa.select(RequestPhoto).where(RequestPhoto.uploaded_by_id == user.id).order_by(RequestPhoto.id))
    return {
        "requests": [
            {
                "id": r.id,
                "community_id": r.community_id,
                "description": r.description,
                "building": r.building,
                "unit": r.unit,
                "place": r.place,
                "may_call": r.may_call,
                "status": r.status,
                "reported_at": r.created_at.isoformat(),
                "resolution_note": r.resolution_note,
                "satisfaction": r.satisfaction,
                "solved": r.solved,
            }
            for r in rows
        ],
        "photos": [{"request_id": p.request_id, "stage": p.stage, "created_at": p.created_at.isoformat()} for p in photos],
    }


not_personal(
    {
        "requests.recorded_by_id": STAFF_ACTION,
        "requests.assignee_id": STAFF_ACTION,
        "requests.accepted_by_id": STAFF_ACTION,
        "requests.resolved_by_id": STAFF_ACTION,
        "requests.called_back_by_id": STAFF_ACTION,
        "request_events.actor_id": STAFF_ACTION,
        "request_events.assignee_id": STAFF_ACTION,
        "request_settings.updated_by_id": STAFF_ACTION,
        "open311_keys.issued_by_id": STAFF_ACTION,
        "open311_keys.revoked_by_id": STAFF_ACTION,
    }
)


# Where a request is, as the public sees it (the list, the request page, the evaluation's records).
template_global(place_label)


# --- what a change shows on cached public pages (consult.core.cache_writes) -------------------
# Requests show on their community's home panel and in its evaluation (and the street's ranking).


def _request_scopes(request_id: int | None) -> list[str]:
    found = db.session.get(Request, request_id) if request_id is not None else None
    return places.cache_scopes(found.community_id) if found is not None else [cache_writes.SITE]


cache_writes.scopes_for(Request)(lambda row: places.cache_scopes(row.community_id))
cache_writes.scopes_for(RequestEvent)(lambda event: _request_scopes(event.request_id))
cache_writes.scopes_for(RequestCategory)(lambda category: places.cache_scopes(category.community_id))
cache_writes.scopes_for(RequestSettings)(lambda settings: places.street_cache_scopes(settings.street_id))


@linked_record("request")
def linked_request(request_id: int) -> dict | None:
    """A request by its number, for a hazard turned from it (safety): its community, what and where."""
    request = db.session.get(Request, request_id)
    if request is None:
        return None
    return {
        "community_id": request.community_id,
        "title": f"#{request.id} {request.description[:40]}",
        "description": request.description,
        "building": request.building,
        "place": request.place,
        "endpoint": "requests.detail",
        "args": {"request_id": request.id},
    }
