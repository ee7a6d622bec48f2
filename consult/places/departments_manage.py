"""A street admin's page of the street's departments (职能部门): add one, appoint and remove members.

Registered on ``places_manage``'s blueprint (imported at the end of manage.py).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.core.errors import NotFound
from consult.core.forms import form_status, submit
from consult.places import departments, queries, services
from consult.places.access import street_admin_required
from consult.places.forms import ConfirmForm, DepartmentForm, DepartmentMemberForm
from consult.places.manage import bp
from consult.places.models import StaffRole


def _page(street, add=None, appoint=None, status=200):
    rows = departments.departments_of_street(street.id)
    appoint = appoint or DepartmentMemberForm()
    appoint.department.choices = [SelectChoice(d.id, d.name) for d in rows]
    context = dict(street=street, departments=rows, members=departments.department_members(street.id), end_form=ConfirmForm())
    return render_template("manage/departments.html", add=add or DepartmentForm(), appoint=appoint, **context), status


@bp.get("/streets/<street>/departments/")
@street_admin_required
def departments_page(street):
    """The street's departments and their members."""
    return _page(street)


@bp.post("/streets/<street>/departments/")
@street_admin_required
def add_department(street):
    """Add a department to the street."""
    form = DepartmentForm()
    if done := submit(form, lambda: departments.create_department(current_user, street, form.name.data)):
        flash(_("The department %(name)s is added.", name=done.value.name), "success")
        return redirect(url_for("places_manage.departments_page", street=street.slug))
    return _page(street, add=form, status=form_status(form))


@bp.post("/streets/<street>/departments/members")
@street_admin_required
def appoint_department_member(street):
    """Appoint a member of one of the street's departments, by username."""
    form = DepartmentMemberForm()
    form.department.choices = [SelectChoice(d.id, d.name) for d in departments.departments_of_street(street.id)]
    if done := submit(form, lambda: _appoint(street, form)):
        flash(_("%(name)s is now a member of the department.", name=done.value.display_name), "success")
        return redirect(url_for("places_manage.departments_page", street=street.slug))
    return _page(street, appoint=form, status=form_status(form))


def _appoint(street, form: DepartmentMemberForm):
    user = accounts.active_user_named(form.username.data)
    department = departments.department_by_id(form.department.data or 0)
    if department.street_id != street.id:
        raise NotFound(_("No such department."), field="department")
    departments.appoint_department_member(current_user, user, department)
    return user


@bp.post("/streets/<street>/departments/members/<int:appointment_id>/end")
@street_admin_required
def end_department_member(street, appointment_id: int):
    """End a department member's appointment."""
    appointment = queries.appointment_by_id(appointment_id)
    if appointment.role != StaffRole.DEPARTMENT:
        abort(404)
    form = ConfirmForm()
    if submit(form, lambda: services.end_appointment(current_user, appointment)):
        flash(_("The appointment has ended."), "success")
        return redirect(url_for("places_manage.departments_page", street=street.slug))
    return _page(street, status=form_status(form))
