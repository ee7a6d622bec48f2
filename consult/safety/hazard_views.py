"""The hazard ledger's pages: the committee's ledger (add, CSV), a hazard's page (its steps and plan,
for the committee and the grid's workers), its photo, and the community's public safety page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts import services as accounts
from consult.core import photos
from consult.core.clock import local_now
from consult.core.exports import csv_response
from consult.core.forms import form_status, submit
from consult.core.guard import accepts_files
from consult.core.registries import linked_records
from consult.places import queries as places
from consult.places.access import community_staff_required
from consult.safety import hazard_queries as queries, hazards
from consult.safety.forms import ConfirmForm
from consult.safety.hazard_forms import HazardForm, PlanForm
from consult.safety.hazard_labels import STATUS_LABELS
from consult.safety.hazard_models import HazardStatus
from consult.safety.hazard_policy import TRANSITIONS, HazardPolicy

bp = Blueprint("hazards", __name__)


def owner(username: str | None):
    """The owner's account when a username is given (an unknown one is refused, 404)."""
    if not username:
        return None
    return accounts.active_user_named(username, field="owner_username")


def _ledger(community, form=None, status: int = 200):
    rows = queries.ledger(community.id)
    return render_template(
        "safety/hazards/ledger.html",
        community=community,
        hazards=rows,
        grids=queries.grid_names(community.id),
        today=local_now().date(),
        form=form or HazardForm(),
    ), status


def _from_request(community) -> HazardForm | None:
    """The form filled from ``?request_id=`` (a request of this community), else None."""
    number = request.args.get("request_id", type=int)
    lookup = linked_records.get("request")
    record = lookup(number) if lookup and number and 0 < number < 2**31 else None
    if record is None or record["community_id"] != community.id:
        return None
    return HazardForm(request_id=number, description=record["description"], building=record["building"], place=record["place"])


@bp.get("/manage/c/<community>/hazards/")
@community_staff_required
def ledger(community):
    """The community's hazard ledger, the unresolved first, and the form to add one (filled from a
    resident's request when the request's page sent the worker here)."""
    return _ledger(community, _from_request(community))


@bp.post("/manage/c/<community>/hazards/")
@community_staff_required
@accepts_files("photos")
def record(community):
    """The committee adds a hazard (or turns a resident's request into one)."""
    form = HazardForm()

    def add():
        return hazards.record(current_user, community, form.full(owner(form.owner_username.data)))

    if done := submit(form, add):
        flash(_("The hazard is in the ledger."), "success")
        return redirect(url_for("hazards.detail", hazard_id=done.value.id))
    return _ledger(community, form, form_status(form))


@bp.get("/manage/c/<community>/hazards/ledger.csv")
@community_staff_required
def export(community):
    """The hazard ledger as CSV for the committee (places included: it is the committee's own file)."""
    header, rows = queries.export_rows(community.id)
    return csv_response(f"hazards-{community.slug}.csv", header, rows)


def _detail(hazard, plan_form=None, status: int = 200):
    lookup = linked_records.get("request")
    linked = lookup(hazard.request_id) if lookup and hazard.request_id else None
    if plan_form is None:
        plan_form = PlanForm(obj=hazard)
    return render_template(
        "safety/hazards/detail.html",
        hazard=hazard,
        community=queries.community(hazard.community_id),
        grids=queries.grid_names(hazard.community_id),
        request_link=linked,
        steps=[action for action in TRANSITIONS if HazardPolicy(hazard).can(action, current_user)],
        plan_form=plan_form,
        confirm=ConfirmForm(),
        today=local_now().date(),
    ), status


def _viewable(hazard_id: int):
    hazard = queries.hazard_by_id(hazard_id)
    HazardPolicy(hazard).require("view", current_user)
    return hazard


@bp.get("/manage/hazards/<int:hazard_id>/")
@login_required
def detail(hazard_id: int):
    """A hazard: where, what, who found it, its owner and plan, and the steps this person may take."""
    return _detail(_viewable(hazard_id))


@bp.post("/manage/hazards/<int:hazard_id>/steps/<action>")
@login_required
def step(hazard_id: int, action: str):
    """One step of the state table: start fixing, fixed, checked, or back to being fixed."""
    hazard, form = _viewable(hazard_id), ConfirmForm()
    if action not in TRANSITIONS:
        abort(404)
    if submit(form, lambda: hazards.step(current_user, hazard, action)):
        flash(_("The hazard is now: %(status)s.", status=STATUS_LABELS[TRANSITIONS[action][1]]), "success")
        return redirect(url_for("hazards.detail", hazard_id=hazard.id))
    return _detail(queries.hazard_by_id(hazard_id), status=form_status(form))


@bp.post("/manage/hazards/<int:hazard_id>/plan")
@login_required
def plan(hazard_id: int):
    """The committee sets a hazard's owner, measures and due date."""
    hazard, form = _viewable(hazard_id), PlanForm()

    def change():
        return hazards.plan(
            current_user, hazard, form.owner_name.data, owner(form.owner_username.data), form.measures.data, form.due_on.data
        )

    if submit(form, change):
        flash(_("The plan is saved."), "success")
        return redirect(url_for("hazards.detail", hazard_id=hazard.id))
    return _detail(queries.hazard_by_id(hazard_id), form, form_status(form))


@bp.get("/manage/hazards/<int:hazard_id>/photo")
@login_required
def photo(hazard_id: int):
    """A hazard's photo, for those who may see the hazard (never cached by others)."""
    hazard = _viewable(hazard_id)
    if not hazard.photo_key:
        abort(404)
    return photos.response(hazard.photo_key, hazard.photo_mime)


@bp.get("/c/<community>/safety/")
def public(community: str):
    """A community's safety page for everyone: its emergency points and the hazards' counts by kind
    and status, never where they are."""
    obj = places.community_by_slug(community)
    return render_template(
        "safety/hazards/public.html",
        community=obj,
        summary=queries.summary(obj.id),
        statuses=[status.value for status in HazardStatus],
        points=queries.points_of(obj.id),
    )
