"""Open311 GeoReport v2 (write part): POST requests.json with an API key, and tokens/<token>.json.

Registered on ``open311``'s blueprint (imported at the end of open311.py). The POST is
authenticated by its ``api_key`` alone (docs/requests.md, "Open311"): no CSRF token, and no
cookie or session is ever read. JSON only (no .xml).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from consult.core.clock import local
from consult.core.errors import DomainError
from consult.core.forms import has_control_chars
from consult.extensions import csrf, db, limiter
from consult.requests import api_keys, reporting
from consult.requests.models import Request
from consult.requests.open311 import Open311Error, _community, bp

#: the service's field names, as the standard calls them (the others are the standard's already)
OPEN311_NAMES = {"category": "service_code"}


@bp.post("/requests.json")
@csrf.exempt
@limiter.limit(lambda: current_app.config.get("OPEN311_POST_LIMIT", "30 per minute; 1000 per day"), scope="open311-post")
def create():
    """A new service request, sent with an API key; answered with its id and token."""
    row = submitted(request.form)
    db.session.commit()
    due = local(row.response_due_at).strftime("%Y-%m-%d %H:%M")
    notice = _("Received; the committee will contact the resident by %(due)s.", due=due)
    return jsonify([{"service_request_id": str(row.id), "token": row.token, "service_notice": notice}]), 201


@bp.get("/tokens/<token>.json")
def token(token: str):
    """The service request a token was given for (a list of one)."""
    row = db.session.scalar(sa.select(Request).where(Request.token == token)) if len(token) <= 64 else None
    if row is None:
        raise Open311Error(404, _("No service request has this token."))
    return jsonify([{"service_request_id": str(row.id), "token": row.token}])


def submitted(form: MultiDict) -> Request:
    """Check the key, then the jurisdiction, then the fields; the request, or an Open311Error (nothing written)."""
    key = api_keys.valid_key(form.get("api_key", ""))
    if key is None:
        raise Open311Error(403, _("Send a valid api_key; a site administrator issues them."))
    community = _community(form.get("jurisdiction_id", ""))
    if any(has_control_chars(value) for value in form.values()):
        raise Open311Error(400, _("Please remove invisible control characters."))
    if form.get("media_url"):  # photos are not fetched from other sites; lat/long are ignored (not stored)
        raise Open311Error(400, _("media_url is not accepted: photos are not fetched from other sites."))
    if not form.get("address_string", "").strip():
        raise Open311Error(400, _("Give address_string (the building and place); coordinates are not used here."))
    contact = reporting.Contact(
        name=" ".join(part for part in (form.get("last_name", ""), form.get("first_name", "")) if part.strip()),
        phone=form.get("phone"),
        email=form.get("email"),
    )
    try:
        return reporting.report_from_api(
            key,
            community,
            category=form.get("service_code", ""),
            description=form.get("description", ""),
            place=form.get("address_string", ""),
            contact=contact,
        )
    except DomainError as error:
        field = f"{OPEN311_NAMES.get(error.field, error.field)}: " if error.field else ""
        raise Open311Error(error.status, field + error.message) from None
