"""Reads of resident requests: lists, one request's page, photos, timelines."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from consult.core.policy import policy_of
from consult.extensions import db
from consult.places.models import Community
from consult.requests.models import Request, RequestEvent, RequestPhoto


def request_or_404(request_id: int) -> Request:
    request = db.session.scalar(sa.select(Request).options(joinedload(Request.category)).where(Request.id == request_id))
    if request is None:
        abort(404)
    return request


def public_list(community_id: int):
    """A community's requests, newest first, for the public list (no one's name, phone or room)."""
    return (
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.community_id == community_id)
        .order_by(Request.created_at.desc(), Request.id.desc())
    )


def of_reporter(user_id: int):
    return (
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.reporter_id == user_id)
        .order_by(Request.created_at.desc(), Request.id.desc())
    )


def photos_of(request_id: int) -> list[RequestPhoto]:
    return list(
        db.session.scalars(sa.select(RequestPhoto).where(RequestPhoto.request_id == request_id).order_by(RequestPhoto.id))
    )


def photo(request_id: int, key: str) -> RequestPhoto | None:
    return db.session.scalar(sa.select(RequestPhoto).where(RequestPhoto.request_id == request_id, RequestPhoto.key == key))


def timeline(request_id: int) -> list[RequestEvent]:
    return list(
        db.session.scalars(
            sa.select(RequestEvent)
            .where(RequestEvent.request_id == request_id, RequestEvent.kind != "reminded")
            .order_by(RequestEvent.at, RequestEvent.id)
        )
    )


@dataclass
class RequestPage:
    """What the page of one request shows to one person: the full record or the public part."""

    request: Request
    community: Community
    full: bool
    photos: list[RequestPhoto] = field(default_factory=list)
    events: list[RequestEvent] = field(default_factory=list)


def request_page(request: Request, viewer) -> RequestPage:
    """The reporter and the staff who handle it see everything; anyone else the public part."""
    community = db.session.get(Community, request.community_id)
    assert community is not None
    if not policy_of(request, community=community).can("view", viewer):
        return RequestPage(request, community, full=False, events=timeline(request.id))
    return RequestPage(request, community, full=True, photos=photos_of(request.id), events=timeline(request.id))
