"""Reporting a request: a resident on the site (or the kiosk, or Open311), or a worker on their behalf."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from consult.core import photos as photo_files
from consult.core.clock import now, site_zone
from consult.core.errors import PermissionDenied, RuleViolation
from consult.core.notifications import N_
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee, require_member
from consult.requests import common
from consult.requests.clocks import resolution_due, response_due
from consult.requests.models import CONTACT_MAX, DESCRIPTION_MAX, PHOTOS_MAX, PLACE_MAX, Channel, Open311Key, Request
from consult.requests.targets import ensure_categories, resolution_for, targets_for


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
        require_committee(recorded_by, community)
        if channel not in (Channel.PHONE, Channel.VISIT, Channel.HOTLINE):
            raise RuleViolation(_("Say how the resident reached you."), field="channel")
    elif channel not in (Channel.WEB, Channel.KIOSK, Channel.OPEN311):
        raise RuleViolation(_("Choose how the request reached us."), field="channel")
    require_member(reporter, community)
    request = _new(
        community,
        category,
        description,
        reporter_id=reporter.id,
        recorded_by_id=getattr(recorded_by, "id", None),
        channel=channel,
        building=common.text(building, 30, "building"),
        unit=common.text(unit, 30, "unit"),
        place=common.text(place, PLACE_MAX, "place"),
        may_call=bool(may_call),
    )
    cleaned = photo_files.clean_all(photos, PHOTOS_MAX)
    db.session.add(request)
    db.session.flush()
    common.keep_photos(request, cleaned, "report", recorded_by or reporter)
    common.event(request, recorded_by or reporter, "submitted")
    common.tell_reporter(
        request,
        "submitted",
        N_("Your request #%(id)d is received; the committee will contact you by %(due)s."),
        id=request.id,
        due=request.response_due_at.astimezone(site_zone()).strftime("%Y-%m-%d %H:%M"),
    )
    return request


def _new(community: Community, category: str, description: str, **fields) -> Request:
    """A request of ``community`` in its category ``category``, its clocks started now (not yet added)."""
    chosen = next((c for c in ensure_categories(community.id) if c.key == category), None)
    if chosen is None:
        raise RuleViolation(_("Choose a category of this community."), field="category")
    description = common.required(description, DESCRIPTION_MAX, "description")
    moment = now()
    targets = targets_for(community.street_id)
    respond_by = response_due(moment, targets, site_zone())
    solve_by = resolution_due(moment, resolution_for(targets, chosen))
    return Request(
        community_id=community.id,
        category_id=chosen.id,
        description=description,
        created_at=moment,
        held_since=moment,
        response_due_at=respond_by,
        original_response_due_at=respond_by,
        resolution_due_at=solve_by,
        original_resolution_due_at=solve_by,
        **fields,
    )


def report_from_api(
    key: Open311Key, community: Community, *, category: str, description: str, place: str, contact: Contact
) -> Request:
    """Open311 POST: a request without a resident account (docs/requests.md, "Open311"). Only the
    key's own street's communities; nobody is identified by what the caller sends."""
    if key.revoked_at is not None or key.street_id != community.street_id:
        raise PermissionDenied(_("This API key is not valid for this jurisdiction."))
    request = _new(
        community,
        category,
        description,
        reporter_id=None,
        channel=Channel.OPEN311,
        place=common.required(place, PLACE_MAX, "address_string"),
        may_call=bool(contact.phone),
        api_key_id=key.id,
        contact_name=common.text(contact.name, CONTACT_MAX, "first_name"),
        contact_phone=common.text(contact.phone, 30, "phone"),
        contact_email=common.text(contact.email, CONTACT_MAX, "email"),
        token=secrets.token_urlsafe(24),
    )
    key.last_used_at = request.created_at
    db.session.add(request)
    db.session.flush()
    common.event(request, None, "submitted", key.holder)
    return request


@dataclass(frozen=True)
class Contact:
    """Who called, as the caller says: kept for the staff who hold the request, never matched to an account."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
