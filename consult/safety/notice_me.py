"""A resident's side of urgent notices: read one, acknowledge it (已知晓, one tap), answer as a
called first responder; and opting in as a first responder on /me/safety."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.core.errors import NotFound
from consult.core.forms import form_status, submit
from consult.core.views import safe_next
from consult.extensions import db
from consult.safety import followup, notice_queries as nq, queries, responders
from consult.safety.forms import ConfirmForm
from consult.safety.notice_forms import LEVEL_LABELS, AnswerForm, ResponderForm
from consult.safety.notice_policy import NoticePolicy, recipient_of

bp = Blueprint("safety_notice", __name__)


@bp.get("/notices/<int:notice_id>")
@login_required
def notice(notice_id: int):
    """A notice as its recipient (or a responder it called, or someone following it up) reads it."""
    shown = nq.notice_by_id(notice_id)
    recipient = recipient_of(shown, current_user.id)
    called = nq.roster_row(shown.id, current_user.id)
    if recipient is None and called is None and not NoticePolicy(shown).can("follow", current_user):
        raise NotFound(_("No such notice."))
    return render_template(
        "safety/notices/notice.html",
        notice=shown,
        recipient=recipient,
        ack=nq.acknowledgement(shown.id, current_user.id) if recipient else None,
        called=called,
        levels=LEVEL_LABELS,
        form=ConfirmForm(),
    )


def _posted(form) -> None:
    """A one-tap form: a bad CSRF token or a missing choice is a 400, nothing written."""
    if not form.validate_on_submit():
        abort(400)


@bp.post("/notices/<int:notice_id>/ack")
@login_required
def acknowledge(notice_id: int):
    """已知晓: one tap, works without JS; a second tap changes nothing; an ended notice is refused (410)."""
    shown = nq.notice_by_id(notice_id)
    _posted(ConfirmForm())
    followup.acknowledge(current_user, shown)
    db.session.commit()
    flash(_("Thank you: the committee sees that you know."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("safety_notice.notice", notice_id=shown.id)))


@bp.post("/notices/<int:notice_id>/answer")
@login_required
def answer(notice_id: int):
    """A called first responder says whether they are available (one tap)."""
    shown = nq.notice_by_id(notice_id)
    form = AnswerForm()
    _posted(form)
    followup.answer(current_user, shown, form.available.data == "yes")
    db.session.commit()
    flash(_("Thank you: the committee sees your answer."), "success")
    return redirect(url_for("safety_notice.notice", notice_id=shown.id))


def responder_form(form: ResponderForm | None = None) -> ResponderForm:
    """The opt-in form of /me/safety, filled with the person's current answers and their community's grids."""
    home = queries.home_of(current_user.id)
    mine = responders.responder_of(current_user.id)
    if form is None:
        form = ResponderForm(obj=mine)
        form.grids.data = responders.grids_of(mine)
    form.grids.choices = [SelectChoice(g.id, g.name) for g in queries.grids_of(home.community_id)] if home else []
    return form


@bp.post("/me/safety/responder")
@login_required
def opt_in():
    """Offer myself as a first responder, or change my skills and grids."""
    form = ResponderForm()
    form.grids.choices = []
    if submit(form, lambda: responders.opt_in(current_user, form.skills(), form.other_skill.data, form.grids.data or [])):
        flash(_("Thank you: you are a first responder of the grids you chose."), "success")
        return redirect(url_for("safety.my_safety") + "#responder")
    from consult.safety.views import _page  # noqa: PLC0415  (/me/safety is drawn there, which imports this module)

    return _page(status=form_status(form), responder=responder_form(form))


@bp.post("/me/safety/responder/remove")
@login_required
def opt_out():
    """Stop being a first responder."""
    _posted(ConfirmForm())
    responders.opt_out(current_user)
    db.session.commit()
    flash(_("You are no longer a first responder."), "success")
    return redirect(url_for("safety.my_safety"))
