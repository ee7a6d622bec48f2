"""A resident's own safety page, /me/safety: their grid and its workers' work phones, their
building's volunteer, and their marks of needing help in an emergency (set, change, remove)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.forms import form_status, submit
from consult.safety import needs, pages, responders
from consult.safety.forms import ConfirmForm, NeedForm
from consult.safety.notice_forms import ResponderForm
from consult.safety.notice_me import responder_form

bp = Blueprint("safety", __name__)


def _page(form: NeedForm | None = None, status: int = 200, responder: ResponderForm | None = None):
    page = pages.my_safety(current_user)
    if form is None:
        form = NeedForm(obj=page.need)
    responding = {"responder_form": responder_form(responder), "responder": responders.responder_of(current_user.id)}
    return render_template("safety/me.html", page=page, form=form, remove_form=ConfirmForm(), **responding), status


@bp.get("/me/safety")
@login_required
def my_safety():
    """My grid, its grid workers' work phones, my building's volunteer, my marks."""
    return _page()


@bp.post("/me/safety")
@login_required
def set_need():
    """Mark myself as needing help in an emergency, or change my marks."""
    form = NeedForm()
    if submit(form, lambda: needs.set_own(current_user, form.marks(), form.note.data)):
        flash(_("Saved. Your grid workers and your committee's workers can see it."), "success")
        return redirect(url_for("safety.my_safety"))
    return _page(form, form_status(form))


@bp.post("/me/safety/remove")
@login_required
def remove_need():
    """Remove my marks (deleted at once)."""
    form = ConfirmForm()
    if submit(form, lambda: needs.remove_own(current_user)):
        flash(_("Your marks are removed."), "success")
        return redirect(url_for("safety.my_safety"))
    return _page(status=form_status(form))
