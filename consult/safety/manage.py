"""Grid pages: the committee's /manage/c/<community>/grids/ (grids, buildings, grid workers,
volunteers, people needing help) and a grid worker's /manage/grids/<id>/."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.core.forms import form_status, refuse, submit
from consult.extensions import db
from consult.places.access import community_staff_required
from consult.safety import grids, needs, pages, queries, staff
from consult.safety.forms import BuildingForm, ConfirmForm, GridForm, GridWorkerForm, RecordNeedForm, VolunteerForm
from consult.safety.policy import GridPolicy

bp = Blueprint("safety_manage", __name__, url_prefix="/manage")


def _forms(community, **sent) -> dict:
    choices = [SelectChoice(g.id, g.name) for g in queries.grids_of(community.id)]
    forms = {
        "grid_form": GridForm(),
        "building_form": BuildingForm(),
        "worker_form": GridWorkerForm(),
        "volunteer_form": VolunteerForm(),
        "need_form": RecordNeedForm(),
    } | sent
    forms["building_form"].grid.choices = forms["worker_form"].grid.choices = choices
    return forms | {"confirm": ConfirmForm()}


def _page(community, status: int = 200, **sent):
    page = pages.grids_page(community, current_user)
    return render_template("safety/manage/grids.html", page=page, community=community, **_forms(community, **sent)), status


def _back(community, message: str):
    flash(message, "success")
    return redirect(url_for("safety_manage.grids_page", community=community.slug))


def _send(community, form, action, message: str, name: str):
    """Longer: the shared step of every form of the committee's page (submit, then back or again)."""
    if submit(form, action):
        return _back(community, message)
    return _page(community, form_status(form), **{name: form})


@bp.get("/c/<community>/grids/")
@community_staff_required
def grids_page(community):
    """The community's grids, their buildings, grid workers, volunteers and who needs help."""
    return _page(community)


@bp.post("/c/<community>/grids/")
@community_staff_required
def create_grid(community):
    """Add a grid."""
    form = GridForm()
    return _send(
        community, form, lambda: grids.create_grid(current_user, community, form.name.data), _("The grid is added."), "grid_form"
    )


@bp.post("/c/<community>/grids/<int:grid_id>/rename")
@community_staff_required
def rename_grid(community, grid_id: int):
    """Rename a grid (a refusal is shown on top of the page, not under "Add a grid")."""
    form, grid = GridForm(), queries.grid_in(community, grid_id)
    if not form.validate_on_submit():
        refuse(form)
    grids.rename_grid(current_user, grid, form.name.data)
    db.session.commit()
    return _back(community, _("The grid is renamed."))


@bp.post("/c/<community>/grids/<int:grid_id>/delete")
@community_staff_required
def delete_grid(community, grid_id: int):
    """Delete an empty grid."""
    form, grid = ConfirmForm(), queries.grid_in(community, grid_id)
    return _send(community, form, lambda: grids.delete_grid(current_user, grid), _("The grid is deleted."), "confirm")


@bp.post("/c/<community>/grids/buildings")
@community_staff_required
def place_building(community):
    """Put a building in a grid (or move it there from another)."""
    form = BuildingForm()
    form.grid.choices = [SelectChoice(g.id, g.name) for g in queries.grids_of(community.id)]

    def place():
        return grids.place_building(current_user, queries.grid_in(community, form.grid.data), form.building.data)

    return _send(community, form, place, _("The building is in the grid."), "building_form")


@bp.post("/c/<community>/grids/buildings/<int:building_id>/remove")
@community_staff_required
def remove_building(community, building_id: int):
    """Take a building out of its grid."""
    form, row = ConfirmForm(), queries.grid_building_in(community, building_id)
    return _send(
        community, form, lambda: grids.remove_building(current_user, row), _("The building is out of its grid."), "confirm"
    )


@bp.post("/c/<community>/grids/workers")
@community_staff_required
def appoint_grid_worker(community):
    """Appoint a grid worker of one of the community's grids, with a work phone."""
    form = GridWorkerForm()
    form.grid.choices = [SelectChoice(g.id, g.name) for g in queries.grids_of(community.id)]

    def appoint():
        grid = queries.grid_in(community, form.grid.data)
        return staff.appoint_grid_worker(current_user, accounts.active_user_named(form.username.data), grid, form.work_phone.data)

    return _send(community, form, appoint, _("The grid worker is appointed."), "worker_form")


@bp.post("/c/<community>/grids/workers/<int:appointment_id>/end")
@community_staff_required
def end_grid_worker(community, appointment_id: int):
    """End a grid worker's appointment (kept in the history)."""
    form, appointment = ConfirmForm(), queries.grid_appointment_in(community, appointment_id)
    return _send(
        community, form, lambda: staff.end_grid_worker(current_user, appointment), _("The appointment has ended."), "confirm"
    )


@bp.post("/c/<community>/grids/volunteers")
@community_staff_required
def name_volunteer(community):
    """Name a confirmed resident volunteer (楼栋长) of a building."""
    form = VolunteerForm()

    def name():
        return staff.name_volunteer(current_user, community, accounts.active_user_named(form.username.data), form.building.data)

    return _send(community, form, name, _("The building volunteer is named."), "volunteer_form")


@bp.post("/c/<community>/grids/volunteers/<int:volunteer_id>/end")
@community_staff_required
def end_volunteer(community, volunteer_id: int):
    """End a building volunteer's role."""
    form, volunteer = ConfirmForm(), queries.volunteer_in(community, volunteer_id)
    return _send(
        community,
        form,
        lambda: staff.end_volunteer(current_user, volunteer),
        _("The building volunteer's role has ended."),
        "confirm",
    )


def _record(form: RecordNeedForm):
    person = accounts.active_user_named(form.username.data)
    return needs.record_for(current_user, person, form.marks(), form.note.data, form.consent_by.data, form.consent_how.data)


@bp.post("/c/<community>/grids/needs")
@community_staff_required
def record_need(community):
    """A worker records that a resident needs help in an emergency, with their consent noted."""
    form = RecordNeedForm()
    return _send(community, form, lambda: _record(form), _("Recorded, with the consent noted."), "need_form")


def _grid_page(grid, form=None, status: int = 200):
    page = pages.grid_page(grid, current_user)
    return render_template("safety/manage/grid.html", page=page, grid=grid, need_form=form or RecordNeedForm()), status


@bp.get("/grids/<int:grid_id>/")
@login_required
def grid_page(grid_id: int):
    """A grid worker's grid (the committee may open it too): buildings, residences, who needs help."""
    grid = queries.grid_by_id(grid_id)
    GridPolicy(grid).require("view", current_user)
    return _grid_page(grid)


@bp.post("/grids/<int:grid_id>/needs")
@login_required
def grid_record_need(grid_id: int):
    """A grid worker records that a resident of their grid needs help, with their consent noted."""
    grid, form = queries.grid_by_id(grid_id), RecordNeedForm()
    GridPolicy(grid).require("record_need", current_user)
    if submit(form, lambda: _record(form)):
        flash(_("Recorded, with the consent noted."), "success")
        return redirect(url_for("safety_manage.grid_page", grid_id=grid.id))
    return _grid_page(grid, form, form_status(form))
