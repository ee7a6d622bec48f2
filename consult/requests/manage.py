"""Committee and street pages of requests: the queue by due time, recording one, each step."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.core import search
from consult.core.clock import site_zone
from consult.core.errors import NotFound, RuleViolation
from consult.core.forms import form_status, submit
from consult.core.guard import accepts_files
from consult.extensions import db
from consult.places import departments, queries as places
from consult.places.access import community_staff_required, street_admin_required
from consult.places.models import Department
from consult.requests import queries, reporting, services, settings
from consult.requests.forms import CategoryForm, RecordForm, StepForm, TargetsForm
from consult.requests.models import Request
from consult.requests.targets import categories_of, category_choices, targets_for

bp = Blueprint("requests_manage", __name__, url_prefix="/manage")


@bp.get("/c/<community>/requests/")
@community_staff_required
def queue(community):
    """The community's open requests, the most urgent first, 50 a page; overdue ones flagged;
    ``?q=`` searches them."""
    q = search.words()
    page = queries.queue_page(community.id, q)
    return render_template("requests/manage/queue.html", community=community, page=page, q=q)


@bp.route("/c/<community>/requests/new", methods=["GET", "POST"])
@community_staff_required
@accepts_files("photos")
def record(community):
    """Record a request for a resident who phoned, came in, or was passed on by the 12345 hotline."""
    form = RecordForm()
    form.category.choices = [SelectChoice(key, name) for key, name in category_choices(community.id)]
    if done := submit(form, lambda: reporting.report(_resident(form), community, recorded_by=current_user, **form.fields())):
        flash(_("The request is recorded for %(name)s.", name=form.username.data), "success")
        return redirect(url_for("requests.detail", request_id=done.value.id))
    return render_template("requests/manage/record.html", community=community, form=form), form_status(form)


def _resident(form: RecordForm):
    person = accounts.user_by_username(form.username.data)
    if person is None:
        raise NotFound(_("No one has that username."), field="username")
    return person


def _due(form: StepForm) -> datetime:
    if form.due.data is None:
        raise RuleViolation(_("Give the new date."), field="due")
    return datetime.combine(form.due.data, time(20, 0), tzinfo=site_zone())


def _chosen(model, record_id: int | None, message: str, field: str):
    """The record a step names by id; whether it may be used (this community's, this street's) is the
    service's to say."""
    record = db.session.get(model, record_id or 0)
    if record is None:
        raise RuleViolation(message, field=field)
    return record


def _into(form: StepForm) -> Request:
    return _chosen(Request, form.into.data, _("Choose another open request of this community."), "into")


def _assignee(form: StepForm) -> User:
    return _chosen(User, form.assignee.data, _("Choose a worker of this community."), "assignee")


def _department(form: StepForm) -> Department:
    return _chosen(Department, form.department.data, _("Choose a department of this street."), "department")


#: action -> what the step does with the request, the acting person and the form
STEPS: dict[str, Callable] = {
    "accept": lambda c, r, f: services.accept(current_user, r, f.note.data),
    "assign": lambda c, r, f: services.assign(current_user, r, _assignee(f)),
    "escalate": lambda c, r, f: services.escalate(current_user, r, f.note.data),
    "send_back": lambda c, r, f: services.send_back(current_user, r, f.note.data),
    "dispatch": lambda c, r, f: services.dispatch(current_user, r, _department(f), f.note.data),
    "resolve": lambda c, r, f: services.resolve(current_user, r, f.note.data, photos=f.photo_bytes()),
    "call_back": lambda c, r, f: services.call_back(
        current_user, r, solved=f.solved.data == "yes", level=f.level.data, note=f.note.data
    ),
    "close": lambda c, r, f: services.close(current_user, r),
    "merge": lambda c, r, f: services.merge(current_user, r, _into(f)),
    "refer": lambda c, r, f: services.out_of_scope(current_user, r, f.reason.data, f.go_instead.data),
    "move_due": lambda c, r, f: services.move_due(current_user, r, resolution_due_at=_due(f), reason=f.reason.data),
}


@bp.post("/c/<community>/requests/<int:request_id>/<action>")
@community_staff_required
@accepts_files("photos")
def step(community, request_id: int, action: str):
    """One step of a request's life (the state table in policy.py decides who may take it)."""
    item = queries.request_in(community.id, request_id)
    if action not in STEPS:
        abort(404)
    form = StepForm()
    if submit(form, lambda: STEPS[action](community, item, form)):
        flash(_("Done."), "success")
        return redirect(url_for("requests.detail", request_id=item.id))
    page = queries.request_page(queries.request_in(community.id, request_id), current_user)  # reread after the rollback
    return render_template("requests/detail.html", page=page, answer=None, step_form=form, failed=action), form_status(form)


#: the steps a department takes (the state table decides which it may take now)
DEPARTMENT_STEPS = ("accept", "resolve", "send_back", "move_due")


def _member(department_id: int) -> Department:
    """The department, for its members only (403 for anyone else)."""
    department = departments.department_by_id(department_id)
    if department.id not in places.roles_of(current_user).department_of:
        abort(403)
    return department


@bp.get("/departments/<int:department_id>/requests/")
@login_required
def department_queue(department_id: int):
    """What the department holds now, the most urgent first."""
    department = _member(department_id)
    rows = queries.department_queue(department.id)
    return render_template("requests/manage/department.html", department=department, rows=rows)


@bp.post("/departments/<int:department_id>/requests/<int:request_id>/<action>")
@login_required
@accepts_files("photos")
def department_step(department_id: int, request_id: int, action: str):
    """A department's step on a request it holds (a request it does not hold: the policy refuses, 403)."""
    _member(department_id)
    item = queries.request_or_404(request_id)
    if action not in DEPARTMENT_STEPS:
        abort(404)
    form = StepForm()
    if submit(form, lambda: STEPS[action](None, item, form)):
        flash(_("Done."), "success")
        return redirect(url_for("requests.detail", request_id=item.id))
    page = queries.request_page(queries.request_or_404(request_id), current_user)  # reread after the rollback
    return render_template("requests/detail.html", page=page, answer=None, step_form=form, failed=action), form_status(form)


@bp.get("/streets/<street>/requests/")
@street_admin_required
def street(street):
    """What the street holds (escalated by its communities) and what is overdue anywhere in it, 50 a page each."""
    return render_template("requests/manage/street.html", street=street, lists=queries.street_pages(street.id))


def _days() -> int:
    return 90 if request.args.get("days") == "90" else 30


@bp.get("/c/<community>/requests/recurring")
@community_staff_required
def recurring(community):
    """高频共性诉求: the community's recurring problems, and look-alike requests to merge."""
    found = queries.recurring([community.id], _days())
    return render_template("requests/manage/recurring.html", community=community, street=None, found=found)


@bp.get("/streets/<street>/requests/recurring")
@street_admin_required
def street_recurring(street):
    """The same across the street's communities."""
    found = queries.recurring([c.id for c in places.communities_of_street(street.id)], _days())
    return render_template("requests/manage/recurring.html", community=None, street=street, found=found)


@bp.route("/c/<community>/requests/categories", methods=["GET", "POST"])
@community_staff_required
def categories(community):
    """The community's request categories: rename, give one its own days to solve, retire, add."""
    form = CategoryForm()
    if submit(form, lambda: settings.save_category(current_user, community, form.category_id.data, **_category(form))):
        flash(_("The categories are saved."), "success")
        return redirect(url_for("requests_manage.categories", community=community.slug))
    rows = categories_of(community.id, active_only=False)
    return render_template("requests/manage/categories.html", community=community, rows=rows, form=form), form_status(form)


def _category(form: CategoryForm) -> dict:
    return {"name": form.name.data, "resolution_days": form.resolution_days.data, "active": form.active.data}


@bp.route("/streets/<street>/requests/settings", methods=["GET", "POST"])
@street_admin_required
def targets(street):
    """The street's targets: how soon a request is answered and solved (new requests use them)."""
    form = TargetsForm(data=None if request.method == "POST" else _target_data(street.id))
    if submit(form, lambda: settings.save_targets(current_user, street, **form.values())):
        flash(_("The targets are saved. Requests reported from now on use them."), "success")
        return redirect(url_for("requests_manage.targets", street=street.slug))
    return render_template("requests/manage/targets.html", street=street, form=form), form_status(form)


def _target_data(street_id: int) -> dict:
    targets = targets_for(street_id)
    department = targets_for(street_id, department=True)
    return {
        "response_minutes": int(targets.response.total_seconds() // 60),
        "service_start": targets.service_start,
        "service_end": targets.service_end,
        "next_morning": targets.next_morning_by,
        "resolution_days": targets.resolution.days,
        "department_response_minutes": int(department.response.total_seconds() // 60),
        "department_resolution_days": department.resolution.days,
    }


from consult.requests import keys_manage  # noqa: E402, F401  (its routes on this blueprint)
