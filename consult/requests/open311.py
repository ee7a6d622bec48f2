"""Open311 GeoReport v2 (read part): a community's request categories as services, and its
requests as service requests, in the standard's JSON (docs/requests.md).

``jurisdiction_id`` is the community's slug. What the public list of the site shows is what is
shown here: no description, name, phone, room, photo or position (``address`` is the building and
unit). Errors use the standard's format: ``[{"code": 400, "description": "…"}]``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from consult.core.clock import local, now
from consult.core.pagination import parse_id
from consult.extensions import db
from consult.places.models import Community
from consult.requests.models import OPEN_STATES, Request, RequestCategory, RequestStatus
from consult.requests.targets import category_choices

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

#: the most service requests one answer holds, and the default window without dates (the standard's)
MAX_REQUESTS = 1000
DEFAULT_DAYS = 90


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


@bp.errorhandler(Open311Error)
def _error(error: Open311Error):
    db.session.rollback()
    return jsonify([{"code": error.code, "description": error.description}]), error.code


def _community(slug: str | None = None) -> Community:
    slug = request.args.get("jurisdiction_id", "") if slug is None else slug
    community = db.session.scalar(sa.select(Community).where(Community.slug == slug)) if slug else None
    if community is None:
        raise Open311Error(400 if not slug else 404, _("Give jurisdiction_id: the slug of a community of this site."))
    return community


def _when(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, _("%(name)s must be a date and time in ISO 8601.", name=name)) from None
    if moment.tzinfo is None:
        raise Open311Error(400, _("%(name)s must carry its time zone offset.", name=name))
    return moment


@bp.get("/services.json")
def services():
    """The community's categories as Open311 services."""
    community = _community()
    return jsonify(
        [
            {
                "service_code": key,
                "service_name": name,
                "description": name,
                "metadata": False,
                "type": "realtime",
                "keywords": "",
                "group": community.name,
            }
            for key, name in category_choices(community.id)
        ]
    )


@bp.get("/requests.json")
def requests_():
    """The community's requests, newest first (the last 90 days unless dates are given; at most 1,000)."""
    community = _community()
    query = _filtered(sa.select(Request).where(Request.community_id == community.id))
    rows = db.session.scalars(query.order_by(Request.created_at.desc(), Request.id.desc()).limit(MAX_REQUESTS))
    return jsonify([_item(row, community) for row in rows])


@bp.get("/requests/<int:request_id>.json")
def one(request_id: int):
    """One service request (a list of one, as the standard has it)."""
    community = _community()
    row = db.session.scalar(
        sa.select(Request)
        .options(joinedload(Request.category))
        .where(Request.id == request_id, Request.community_id == community.id)
    )
    if row is None:
        raise Open311Error(404, _("No such service request in this jurisdiction."))
    return jsonify([_item(row, community)])


def _filtered(query):
    query = query.options(joinedload(Request.category))
    ids = request.args.get("service_request_id")
    if ids:
        wanted = [parse_id(part.strip()) for part in ids.split(",")]
        if None in wanted or len(wanted) > MAX_REQUESTS:
            raise Open311Error(400, _("service_request_id must be request numbers separated by commas."))
        return query.where(Request.id.in_(wanted))
    code = request.args.get("service_code")
    if code:
        query = query.join(RequestCategory, RequestCategory.id == Request.category_id).where(RequestCategory.key == code)
    status = request.args.get("status")
    if status == "open":
        query = query.where(Request.status.in_([s.value for s in OPEN_STATES]))
    elif status == "closed":
        query = query.where(Request.status.not_in([s.value for s in OPEN_STATES]))
    elif status:
        raise Open311Error(400, _("status must be open or closed."))
    start, end = _when(request.args.get("start_date"), "start_date"), _when(request.args.get("end_date"), "end_date")
    if start is None and end is None:
        start = now() - timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and end < start:
        raise Open311Error(400, _("end_date must not be before start_date."))
    if start is not None:
        query = query.where(Request.created_at >= start)
    if end is not None:
        query = query.where(Request.created_at <= end)
    return query


def _notes(row: Request) -> str:
    if row.status == RequestStatus.MERGED:
        return _("Handled together with request #%(id)d", id=row.merged_into_id)
    if row.status == RequestStatus.OUT_OF_SCOPE:
        return f"{row.out_of_scope_reason} {row.go_instead}"
    return row.resolution_note or ""


def _item(row: Request, community: Community) -> dict:
    parts = [
        _("Building %(building)s", building=row.building) if row.building else "",
        _("Unit %(unit)s", unit=row.unit) if row.unit else "",
    ]
    address = " ".join(part for part in parts if part)
    return {
        "service_request_id": str(row.id),
        "status": "open" if row.status in OPEN_STATES else "closed",
        "status_notes": _notes(row),
        "service_name": row.category.name,
        "service_code": row.category.key,
        "agency_responsible": community.name,
        "service_notice": "",
        "requested_datetime": local(row.created_at).isoformat(),
        "updated_datetime": local(
            row.closed_at or row.confirmed_at or row.resolved_at or row.accepted_at or row.created_at
        ).isoformat(),
        "expected_datetime": local(row.resolution_due_at).isoformat(),
        "address": address or community.name,
        "address_id": "",
        "zipcode": "",
    }


from consult.requests import open311_post  # noqa: E402, F401  (its routes on this blueprint)
