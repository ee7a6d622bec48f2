"""Public pages of the service list: a community's list (kind, open now), one service, the A4 print."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.qr import qr_svg
from consult.offerings import queries
from consult.offerings.appointment_reads import appointment_reads
from consult.offerings.labels import SERVICE_KINDS
from consult.offerings.policy import ServicePolicy
from consult.places import queries as places

bp = Blueprint("offerings", __name__)


def _list(community: str):
    found = places.community_by_slug(community)
    return found, queries.service_list(found, request.args.get("kind"), request.args.get("open") == "1")


@bp.get("/c/<community>/services/")
def index(community: str):
    """社区服务清单: the community's services and its neighbours' within 15 minutes, grouped by walking minutes."""
    found, listing = _list(community)
    return render_template("offerings/index.html", community=found, listing=listing, kinds=SERVICE_KINDS)


@bp.get("/services/<int:service_id>")
def detail(service_id: int):
    """One service: what, where, when (the week, today, closed days), what to bring, contact, price."""
    service = queries.service_or_404(service_id)
    ServicePolicy(service).require("view", current_user)
    row, week = queries.service_page(service)
    closed = [d.isoformat() for d in queries.upcoming_closed_days(service, queries.local_moment())]
    return render_template(
        "offerings/detail.html", service=service, row=row, week=week, closed=closed, edit_url=_edit_url(service, row),
        **appointment_reads(service, current_user),
    )  # fmt: skip


def _edit_url(service, row) -> str | None:
    """Where the person may edit this service: the committee's page, their provider's page, or nowhere."""
    if not ServicePolicy(service).can("edit", current_user):
        return None
    if places.can_manage_community(current_user, row.community):
        return url_for("offerings_manage.edit_service", community=row.community.slug, service_id=service.id)
    return url_for("offerings_manage.provider_edit_service", provider_id=service.provider_id, service_id=service.id)


@bp.get("/c/<community>/services/print")
def print_list(community: str):
    """The list on A4 for the service hall's wall, with a QR code of the list's page."""
    found, listing = _list(community)
    address = url_for("offerings.index", community=found.slug, _external=True)
    return render_template(
        "offerings/print.html", community=found, listing=listing, address=address, qr_svg=qr_svg(address, _("Service list"))
    )
