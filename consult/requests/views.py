"""Public and resident pages of requests: the community's list, report one, one request, my requests."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.core import photos as photo_files, search
from consult.core.forms import form_status, submit
from consult.core.guard import accepts_files
from consult.core.pagination import paginate
from consult.core.policy import policy_of
from consult.places import queries as places
from consult.requests import queries, reporting, services
from consult.requests.forms import AnswerForm, ReportForm
from consult.requests.targets import category_choices

bp = Blueprint("requests", __name__)


@bp.get("/c/<community>/requests/")
def index(community: str):
    """A community's requests as the public sees them: what, where (building), state and times;
    ``?q=`` searches what was done."""
    community = places.community_by_slug(community)
    q = search.words()
    page = paginate(queries.public_list(community.id, q), per_page=30)
    member = current_user.is_authenticated and places.is_confirmed_member(current_user, community)
    return render_template("requests/index.html", community=community, page=page, member=member, q=q)


@bp.route("/c/<community>/requests/new", methods=["GET", "POST"])
@login_required
@accepts_files("photos")
def new(community: str):
    """A confirmed resident reports a problem or asks a question."""
    community = places.community_by_slug(community)
    if not places.is_confirmed_member(current_user, community):
        abort(403)
    form = ReportForm()
    form.category.choices = [SelectChoice(key, name) for key, name in category_choices(community.id)]
    if done := submit(form, lambda: reporting.report(current_user, community, photos=form.photo_bytes(), **_fields(form))):
        flash(_("Your request is sent. You will be told when the committee takes it up."), "success")
        return redirect(url_for("requests.detail", request_id=done.value.id))
    return render_template("requests/new.html", community=community, form=form), form_status(form)


def _fields(form: ReportForm) -> dict:
    names = ("category", "description", "building", "unit", "place", "may_call")
    return {name: getattr(form, name).data for name in names}


@bp.get("/requests/<int:request_id>")
def detail(request_id: int):
    """One request: everything for its reporter and the staff handling it, the public part for others."""
    page = queries.request_page(queries.request_or_404(request_id), current_user)
    return render_template("requests/detail.html", page=page, answer=AnswerForm(), step_form=None, failed=None)


@bp.post("/requests/<int:request_id>/answer")
@login_required
def answer(request_id: int):
    """The reporter says whether it is solved (and how satisfied they are)."""
    request = queries.request_or_404(request_id)
    form = AnswerForm()
    if submit(form, lambda: services.confirm(current_user, request, solved=form.solved.data == "yes", level=form.level.data)):
        flash(_("Thank you. Your answer is recorded."), "success")
        return redirect(url_for("requests.detail", request_id=request.id))
    page = queries.request_page(queries.request_or_404(request_id), current_user)  # reread after the rollback
    return render_template("requests/detail.html", page=page, answer=form, step_form=None, failed=None), form_status(form)


@bp.get("/requests/<int:request_id>/photos/<key>")
def photo(request_id: int, key: str):
    """A photo of a request, for those who may see the whole request (never cached by others)."""
    request = queries.request_or_404(request_id)
    stored = queries.photo(request.id, key)
    if stored is None or not policy_of(request).can("view", current_user):
        abort(404)
    return photo_files.response(stored.key, stored.mime)


@bp.get("/me/requests")
@login_required
def mine():
    """The requests I reported, newest first."""
    page = paginate(queries.of_reporter(current_user.id), per_page=30)
    return render_template("requests/mine.html", page=page)
