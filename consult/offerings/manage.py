"""Committee pages of the service list (/manage/c/<community>/services/…) and a provider's own page.

The committee adds, confirms and ends providers, appoints their staff, links neighbours for the
15-minute circle and keeps every service; a provider's staff keep their provider's services only
(/manage/providers/<id>/). The policies (policy.py) decide; a refusal shows on the form.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.core.errors import NotFound, RuleViolation
from consult.core.forms import form_status, submit
from consult.extensions import db
from consult.offerings import neighbours, providers, queries, services
from consult.offerings.forms import NeighbourForm, ProviderForm, ServiceForm, StaffForm
from consult.offerings.labels import PROVIDER_KINDS, PROVIDER_STATES, SERVICE_STATES
from consult.offerings.policy import ProviderPolicy, ServicePolicy, provider_state, service_state
from consult.places import provider_staff, queries as places
from consult.places.access import community_staff_required

bp = Blueprint("offerings_manage", __name__, url_prefix="/manage")
LABELS = {"provider_kinds": PROVIDER_KINDS, "provider_states": PROVIDER_STATES, "service_states": SERVICE_STATES}


def _overview(community, provider_form=None, neighbour_form=None):
    neighbour_form = neighbour_form or NeighbourForm()
    neighbour_form.neighbour.choices = _neighbour_choices(community)
    return render_template(
        "offerings/manage/index.html",
        community=community,
        providers=[(p, provider_state(p)) for p in queries.providers_of(community.id)],
        services=[(s, service_state(s)) for s in queries.services_of_community(community.id)],
        links=queries.neighbour_links(community.id),
        provider_form=provider_form or ProviderForm(),
        neighbour_form=neighbour_form,
        **LABELS,
    )


def _neighbour_choices(community) -> list[SelectChoice]:
    return [SelectChoice(c.slug, c.name) for c in places.communities_of_street(community.street_id) if c.id != community.id]


@bp.get("/c/<community>/services/")
@community_staff_required
def index(community):
    """The committee's service list: providers (add, confirm, end), neighbours in the circle, every service."""
    return _overview(community)


def _done(message: str, endpoint: str = "offerings_manage.index", **values):
    flash(message, "success")
    return redirect(url_for(endpoint, **values))


@bp.post("/c/<community>/services/providers")
@community_staff_required
def add_provider(community):
    """Add a provider (it waits for confirmation)."""
    form = ProviderForm()
    if done := submit(
        form, lambda: providers.create_provider(current_user, community, form.kind.data, form.name.data, form.phone.data)
    ):
        return _done(_("%(name)s is added; confirm it to list its services.", name=done.value.name), community=community.slug)
    return _overview(community, provider_form=form), form_status(form)


@bp.post("/c/<community>/services/providers/<int:provider_id>/<any(confirm, end):action>")
@community_staff_required
def provider_step(community, provider_id: int, action: str):
    """Confirm or end a provider."""
    provider = queries.provider_or_404(provider_id, community.id)
    (providers.confirm_provider if action == "confirm" else providers.end_provider)(current_user, provider)
    db.session.commit()
    return _done(_("Done."), community=community.slug)


@bp.get("/c/<community>/services/providers/<int:provider_id>")
@community_staff_required
def provider(community, provider_id: int, form=None):
    """One provider: its staff (appoint, end) and its services."""
    found = queries.provider_or_404(provider_id, community.id)
    services_of = [(s, service_state(s)) for s in queries.services_of_provider(found.id)]
    staff = provider_staff.staff_of_provider(found.id)
    return render_template(
        "offerings/manage/provider.html", community=community, provider=found, state=provider_state(found),
        services=services_of, staff=staff, form=form or StaffForm(), **LABELS,
    )  # fmt: skip


@bp.post("/c/<community>/services/providers/<int:provider_id>/staff")
@community_staff_required
def appoint_staff(community, provider_id: int):
    """Appoint a person (by username) to keep this provider's services."""
    found = queries.provider_or_404(provider_id, community.id)
    form = StaffForm()
    if submit(form, lambda: providers.appoint_staff(current_user, found, accounts.active_user_named(form.username.data))):
        return _done(_("Appointed."), "offerings_manage.provider", community=community.slug, provider_id=found.id)
    return provider(community.slug, provider_id=provider_id, form=form), form_status(form)


@bp.post("/c/<community>/services/providers/<int:provider_id>/staff/<int:appointment_id>/end")
@community_staff_required
def end_staff(community, provider_id: int, appointment_id: int):
    """End one of the provider's staff appointments."""
    found = queries.provider_or_404(provider_id, community.id)
    providers.end_staff(current_user, found, appointment_id)
    db.session.commit()
    return _done(_("The appointment has ended."), "offerings_manage.provider", community=community.slug, provider_id=found.id)


@bp.post("/c/<community>/services/neighbours")
@community_staff_required
def link_neighbour(community):
    """Link a neighbouring community with the walk between the centres (again: change the minutes)."""
    form = NeighbourForm()
    form.neighbour.choices = _neighbour_choices(community)
    if submit(
        form, lambda: neighbours.link_neighbour(current_user, community, _neighbour(form.neighbour.data), form.walk_minutes.data)
    ):
        return _done(_("The neighbour is in the 15-minute circle."), community=community.slug)
    return _overview(community, neighbour_form=form), form_status(form)


def _neighbour(slug: str):
    try:
        return places.community_by_slug(slug)
    except NotFound:
        raise RuleViolation(_("Choose a community."), field="neighbour") from None


@bp.post("/c/<community>/services/neighbours/<int:link_id>/remove")
@community_staff_required
def unlink_neighbour(community, link_id: int):
    """Take a neighbour out of the circle."""
    neighbours.unlink_neighbour(current_user, community, link_id)
    db.session.commit()
    return _done(_("The neighbour is no longer in the circle."), community=community.slug)


def _service_form(provider, service, back: str, community=None):
    """Longer: the one form of a service for the committee and a provider's staff, new or edited, with
    the refusal shown on its field (the hours on their weekday) and nothing written."""
    form = ServiceForm()
    if service is not None and request.method == "GET":
        form.fill(service)
    if service is None:
        action = lambda: services.add_service(current_user, provider, form.values())  # noqa: E731
    else:
        action = lambda: services.edit_service(current_user, service, form.values())  # noqa: E731
    if done := submit(form, action):
        flash(_("The service is saved."), "success")
        return redirect(url_for("offerings.detail", service_id=done.value.id))
    return render_template(
        "offerings/manage/service_form.html", form=form, provider=provider, service=service, back=back, community=community
    ), form_status(form)


@bp.route("/c/<community>/services/new", methods=["GET", "POST"])
@community_staff_required
def new_service(community):
    """The committee adds a service for one of its providers (?provider=<id>)."""
    found = queries.provider_or_404(request.args.get("provider", 0, type=int), community.id)
    ProviderPolicy(found).require("add_service", current_user)
    return _service_form(
        found, None, url_for("offerings_manage.provider", community=community.slug, provider_id=found.id), community
    )


@bp.route("/c/<community>/services/<int:service_id>/edit", methods=["GET", "POST"])
@community_staff_required
def edit_service(community, service_id: int):
    """The committee edits a service of its community."""
    service = queries.service_or_404(service_id)
    if service.community_id != community.id:
        abort(404)
    ServicePolicy(service).require("edit", current_user)
    return _service_form(service.provider, service, url_for("offerings_manage.index", community=community.slug), community)


@bp.post("/services/<int:service_id>/withdraw")
@login_required
def withdraw(service_id: int):
    """Take a service off the list (the committee or the provider's staff)."""
    service = services.withdraw_service(current_user, queries.service_or_404(service_id))
    db.session.commit()
    flash(_("The service is withdrawn from the list."), "success")
    community = queries.community_of(service.community_id)
    if places.can_manage_community(current_user, community):
        return redirect(url_for("offerings_manage.index", community=community.slug))
    return redirect(url_for("offerings_manage.provider_home", provider_id=service.provider_id))


def _own_provider(provider_id: int):
    """The provider, for its own staff only (403 for anyone else, the committee included: it has its pages)."""
    found = queries.provider_or_404(provider_id)
    if found.id not in places.roles_of(current_user).provider_of:
        abort(403)
    return found


@bp.get("/providers/<int:provider_id>/")
@login_required
def provider_home(provider_id: int):
    """A provider's staff: their provider's services, to add, edit and withdraw."""
    found = _own_provider(provider_id)
    services_of = [(s, service_state(s)) for s in queries.services_of_provider(found.id)]
    return render_template(
        "offerings/manage/provider_home.html", provider=found, state=provider_state(found), services=services_of, **LABELS
    )


@bp.route("/providers/<int:provider_id>/services/new", methods=["GET", "POST"])
@login_required
def provider_new_service(provider_id: int):
    """A provider's staff add a service."""
    found = _own_provider(provider_id)
    ProviderPolicy(found).require("add_service", current_user)
    return _service_form(found, None, url_for("offerings_manage.provider_home", provider_id=found.id))


@bp.route("/providers/<int:provider_id>/services/<int:service_id>/edit", methods=["GET", "POST"])
@login_required
def provider_edit_service(provider_id: int, service_id: int):
    """A provider's staff edit one of their provider's services (another provider's: 404)."""
    found = _own_provider(provider_id)
    service = queries.service_or_404(service_id)
    if service.provider_id != found.id:
        abort(404)
    ServicePolicy(service).require("edit", current_user)
    return _service_form(found, service, url_for("offerings_manage.provider_home", provider_id=found.id))
