"""Inspections (a grid worker's rounds of their grids, a failed item opening a hazard) and the
committee's emergency points."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.clock import local_now
from consult.core.forms import form_status, submit
from consult.places.access import community_staff_required
from consult.safety import hazard_queries as queries, inspections, stations
from consult.safety.forms import ConfirmForm
from consult.safety.hazard_forms import InspectionForm, OpenHazardForm, PointForm
from consult.safety.hazard_models import ITEM_KIND
from consult.safety.hazard_policy import GridRoundsPolicy, InspectionPolicy
from consult.safety.queries import grid_by_id

bp = Blueprint("safety_rounds", __name__, url_prefix="/manage")

#: A failed item's hazard is due this many days after it was found unless the form says otherwise.
DEFAULT_DUE_DAYS = 7


def _rounds(grid, form=None, status: int = 200):
    return render_template(
        "safety/hazards/inspections.html",
        grid=grid,
        rows=queries.inspections_of(grid.id),
        can_inspect=GridRoundsPolicy(grid).can("inspect", current_user),
        form=form or InspectionForm(),
    ), status


@bp.get("/grids/<int:grid_id>/inspections/")
@login_required
def grid_inspections(grid_id: int):
    """A grid's inspections, and the checklist for its grid workers to record a new one."""
    grid = grid_by_id(grid_id)
    GridRoundsPolicy(grid).require("inspections", current_user)
    return _rounds(grid)


@bp.post("/grids/<int:grid_id>/inspections/")
@login_required
def inspect(grid_id: int):
    """A grid worker records an inspection of their grid."""
    grid, form = grid_by_id(grid_id), InspectionForm()
    GridRoundsPolicy(grid).require("inspect", current_user)
    if done := submit(form, lambda: inspections.inspect(current_user, grid, form.results(), form.building.data, form.note.data)):
        flash(_("The inspection is recorded. Open a hazard for each failed item."), "success")
        return redirect(url_for("safety_rounds.inspection", inspection_id=done.value.id))
    return _rounds(grid, form, form_status(form))


def _inspection(inspection, failed: str | None = None, form=None, status: int = 200):
    """The page; each failed item without a hazard has its own form (prefixed by the item: unique ids)."""
    items = queries.items_of(inspection.id)
    due = local_now().date() + timedelta(days=DEFAULT_DUE_DAYS)
    forms = {
        row.item: OpenHazardForm(prefix=row.item, due_on=due, building=inspection.building)
        for row, hazard in items
        if not row.passed and hazard is None
    }
    if failed is not None and form is not None:
        forms[failed] = form
    return render_template(
        "safety/hazards/inspection.html",
        inspection=inspection,
        grid=grid_by_id(inspection.grid_id),
        items=items,
        forms=forms,
    ), status


@bp.get("/inspections/<int:inspection_id>/")
@login_required
def inspection(inspection_id: int):
    """An inspection's items; each failed one opens a hazard in one step."""
    found = queries.inspection_in(inspection_id)
    InspectionPolicy(found).require("view", current_user)
    return _inspection(found)


@bp.post("/inspections/<int:inspection_id>/items/<item>/hazard")
@login_required
def open_hazard(inspection_id: int, item: str):
    """A failed item becomes a hazard of its kind, in the inspected grid."""
    found = queries.inspection_in(inspection_id)
    InspectionPolicy(found).require("open_hazard", current_user)
    if item not in ITEM_KIND:
        abort(404)
    form = OpenHazardForm(prefix=item)

    def make():
        return inspections.open_hazard(current_user, found, item, form.hazard())

    if done := submit(form, make):
        flash(_("The hazard is in the ledger."), "success")
        return redirect(url_for("hazards.detail", hazard_id=done.value.id))
    return _inspection(found, item, form, form_status(form))


def _points(community, form=None, status: int = 200):
    return render_template(
        "safety/hazards/points.html",
        community=community,
        points=queries.points_of(community.id),
        form=form or PointForm(),
        confirm=ConfirmForm(),
    ), status


@bp.get("/c/<community>/emergency-points/")
@community_staff_required
def points(community):
    """The community's emergency points, and the form to list one."""
    return _points(community)


@bp.post("/c/<community>/emergency-points/")
@community_staff_required
def add_point(community):
    """The committee lists an emergency point with what it holds."""
    form = PointForm()

    def add():
        return stations.add_point(current_user, community, **form.point())

    if submit(form, add):
        flash(_("The emergency point is listed."), "success")
        return redirect(url_for("safety_rounds.points", community=community.slug))
    return _points(community, form, form_status(form))


@bp.post("/c/<community>/emergency-points/<int:point_id>/remove")
@community_staff_required
def remove_point(community, point_id: int):
    """The committee takes an emergency point off the list."""
    form, point = ConfirmForm(), queries.point_in(community.id, point_id)
    if submit(form, lambda: stations.remove_point(current_user, point)):
        flash(_("The emergency point is removed."), "success")
        return redirect(url_for("safety_rounds.points", community=community.slug))
    return _points(community, status=form_status(form))
