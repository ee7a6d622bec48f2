"""Public micro-wish pages: the list (and posting one), one wish and the moves its policy allows."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts.models import User
from consult.activities import queries, wishes as services
from consult.activities.blueprints import bp
from consult.activities.forms import ReasonForm, WishForm, rating_form
from consult.activities.models import Wish
from consult.activities.policy import WishPolicy
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import paginate
from consult.core.policy import policy_of
from consult.extensions import db
from consult.places import queries as places


@bp.route("/c/<community>/wishes/", methods=["GET", "POST"])
def wishes(community: str):
    """Micro-wishes of a community; confirmed residents post new ones here."""
    community = places.community_by_slug(community)
    form = WishForm()
    if request.method == "POST" and not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=request.path))
    if done := submit(form, lambda: services.post_wish(current_user, community, **_wish_fields(form))):
        flash(_("Your micro-wish was sent to the committee."), "success")
        return redirect(url_for("activities.wish", wish_id=done.value.id))
    return render_template("activities/wishes.html", community=community, form=form, **_list_of(community)), form_status(form)


def _list_of(community) -> dict:
    """The community's public wishes, and mine; what the person looking may do there."""
    return {
        "page": paginate(queries.wishes(community.id), per_page=30),
        "member": places.is_confirmed_member(current_user, community),
        "mine": queries.my_wishes(current_user.id, community.id) if current_user.is_authenticated else [],
        "party_member": queries.is_party_member(current_user, community),
    }


def _wish_fields(form) -> dict:
    return {"title": form.title.data, "description": form.description.data}


def _wish_or_404(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        abort(404)
    policy_of(wish).require("see", current_user)
    return wish


def _user(user_id: int | None) -> User | None:
    return db.session.get(User, user_id) if user_id else None


@bp.get("/wishes/<int:wish_id>")
def wish(wish_id: int):
    """One micro-wish with its history; the moves open to the person looking come from ``wish|can(...)``."""
    item = _wish_or_404(wish_id)
    author = db.session.get(User, item.author_id)
    return render_template(
        "activities/wish.html",
        wish=item,
        community=queries.community_of(item.community_id),
        history=queries.wish_history(item.id),
        confirmed_automatically=WishPolicy(item).confirmed_automatically,
        confirm_form=rating_form(),
        reason_form=ReasonForm(),
        author=author,
        claimer=_user(item.claimer_id),
        contact=services.contact_for_claimer(current_user, item, author),
        recorder=_user(item.recorded_by_id),
    )


def _wish_act(wish_id: int, action, message: str):
    action(_wish_or_404(wish_id))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("activities.wish", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/claim")
@login_required
def claim_wish(wish_id: int):
    """Take a micro-wish on (party members registered here)."""
    return _wish_act(wish_id, lambda w: services.claim_wish(current_user, w), _("You have taken on this micro-wish."))


@bp.post("/wishes/<int:wish_id>/release")
@login_required
def release_wish(wish_id: int):
    """Give up a micro-wish I took on."""
    return _wish_act(wish_id, lambda w: services.release_wish(current_user, w), _("You gave up this micro-wish."))


@bp.post("/wishes/<int:wish_id>/fulfil")
@login_required
def fulfil_wish(wish_id: int):
    """Mark a micro-wish I took on as fulfilled."""
    return _wish_act(
        wish_id, lambda w: services.fulfil_wish(current_user, w), _("Marked as fulfilled. The resident will confirm it.")
    )


@bp.post("/wishes/<int:wish_id>/confirm")
@login_required
def confirm_wish(wish_id: int):
    """Confirm my micro-wish was done, and rate it."""
    form = rating_form()
    if not form.validate():
        refuse(form)
    return _wish_act(
        wish_id,
        lambda w: services.confirm_wish(current_user, w, form.rating.data, form.comment.data),
        _("Thank you for confirming."),
    )


@bp.post("/wishes/<int:wish_id>/withdraw")
@login_required
def withdraw_wish(wish_id: int):
    """Withdraw my micro-wish (until someone has taken it on)."""
    return _wish_act(wish_id, lambda w: services.withdraw_wish(current_user, w), _("Your micro-wish is withdrawn."))
