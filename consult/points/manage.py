"""The committee's points pages: balances, bonuses, reversals and corrections, rewards,
redemptions to hand over, settings, the month's ledger as CSV, certificates for members.

Every form goes through ``_send``: the service's refusal (or what was wrong with a small form) is
shown on the points page under its status, with the form as it was sent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.core.clock import local_now
from consult.core.errors import NotFound
from consult.core.exports import csv_response
from consult.core.forms import Form, form_status, submit
from consult.extensions import db
from consult.places.access import community_staff_required
from consult.points import ledger, pages, queries, rewards
from consult.points.forms import BonusForm, CorrectForm, ReverseForm, RewardForm, SettingsForm, StockForm, refusal
from consult.points.settings import update_settings
from consult.points.views import certificate_page

bp = Blueprint("points_manage", __name__, url_prefix="/manage/c/<community>/points")


def _page(community, status: int = 200, *, refusal: str | None = None, kept: dict | None = None, **forms):
    """The points page; after a refusal, with its message and the form as it was sent."""
    page = pages.ledger_page(community, current_user)
    forms.setdefault("bonus_form", BonusForm(formdata=None))
    forms.setdefault("reward_form", RewardForm(formdata=None))
    forms.setdefault("settings_form", SettingsForm(formdata=None, obj=page.settings))
    return render_template("points/manage.html", **vars(page), refusal=refusal, kept=kept or {}, **forms), status


def _send(
    community, form: Form, action: Callable[[], Any], done: str | None, *, drawn: str | None = None, kept: dict | None = None
):
    """Send ``form`` to the service ``action``: flash ``done`` (None: what the action returned) and
    back to the points page; or the page again under the refusal's status, the form kept as sent
    (``drawn``: the name the page draws this form under; ``kept``: the values of a small form)."""
    if sent := submit(form, action):
        flash(done or sent.value, "success")
        return redirect(url_for("points_manage.index", community=community.slug))
    forms = {drawn: form} if drawn else {}
    return _page(community, form_status(form), refusal=refusal(form, drawn=bool(drawn)), kept=kept, **forms)


@bp.get("/")
@community_staff_required
def index(community):
    """Balances (owed ones below zero), the ledger with its actions, rewards and redemptions waiting to be handed over."""
    return _page(community)


def _bonus(community, form: BonusForm) -> str:
    person = accounts.user_by_username(form.username.data)
    if person is None:
        raise NotFound(_("No one has that username."), field="username")
    ledger.bonus(current_user, person, community, form.points.data, form.reason.data, request.form.get("request_key"))
    return _("%(points)d points awarded to %(name)s.", points=form.points.data, name=person.display_name)


@bp.post("/bonus")
@community_staff_required
def bonus(community):
    """Award a bonus to a resident (never to oneself)."""
    form = BonusForm()
    return _send(community, form, lambda: _bonus(community, form), None, drawn="bonus_form")


@bp.post("/entries/<int:entry_id>/reverse")
@community_staff_required
def reverse(community, entry_id: int):
    """Reverse an entry with a reason (recorded even if the points were spent: the balance is then owed)."""
    form = ReverseForm()
    return _send(
        community,
        form,
        lambda: ledger.reverse(current_user, queries.entry_in(community, entry_id), form.reason.data),
        _("The entry is reversed."),
        kept={"entry_id": entry_id, "reason": request.form.get("reason", "")},
    )


@bp.post("/entries/<int:entry_id>/correct")
@community_staff_required
def correct(community, entry_id: int):
    """Correct an entry: a reversal and a new entry naming the one it replaces."""
    form = CorrectForm()
    return _send(
        community,
        form,
        lambda: ledger.correct(current_user, queries.entry_in(community, entry_id), form.points.data, form.reason.data),
        _("The entry is corrected."),
        kept={"entry_id": entry_id, "correct_reason": request.form.get("reason", ""), "points": request.form.get("points", "")},
    )


@bp.post("/rewards")
@community_staff_required
def create_reward(community):
    """Add a reward."""
    form = RewardForm()
    return _send(
        community,
        form,
        lambda: rewards.create_reward(current_user, community, name=form.name.data, price=form.price.data, stock=form.stock.data),
        _("Reward added."),
        drawn="reward_form",
    )


@bp.post("/rewards/<int:reward_id>")
@community_staff_required
def update_reward(community, reward_id: int):
    """Change a reward's stock, or stop offering it."""
    form = StockForm()
    return _send(
        community,
        form,
        lambda: rewards.update_reward(
            current_user, queries.reward_in(community, reward_id), stock=form.stock.data, active=form.active.data
        ),
        _("Reward updated."),
    )


@bp.post("/redemptions/<int:redemption_id>/hand-over")
@community_staff_required
def hand_over(community, redemption_id: int):
    """Mark a redeemed reward as handed over (by another staff member if it is one's own)."""
    return _send(
        community,
        Form(),
        lambda: rewards.hand_over(current_user, queries.redemption_in(community, redemption_id)),
        _("Marked as handed over."),
    )


@bp.post("/redemptions/<int:redemption_id>/cancel")
@community_staff_required
def cancel_redemption(community, redemption_id: int):
    """Cancel a redemption not yet handed over: points and stock come back, the member is told."""
    return _send(
        community,
        Form(),
        lambda: rewards.cancel_redemption(current_user, queries.redemption_in(community, redemption_id)),
        _("Cancelled; the points and the stock are back."),
    )


@bp.post("/settings")
@community_staff_required
def settings(community):
    """Save the community's points rules."""
    form = SettingsForm()
    return _send(
        community,
        form,
        lambda: update_settings(
            current_user, community, default_points_per_hour=form.default_points_per_hour.data, wish_points=form.wish_points.data
        ),
        _("The points rules are saved."),
        drawn="settings_form",
    )


@bp.get("/export")
@community_staff_required
def export(community):
    """The community's ledger for a month (YYYY-MM) as CSV."""
    return csv_response(*pages.ledger_export(community, request.args.get("month") or local_now().strftime("%Y-%m")))


@bp.route("/members/<int:user_id>/certificate", methods=["GET", "POST"])
@community_staff_required
def certificate(community, user_id: int):
    """A member's volunteer record certificate, for the committee to issue and seal."""
    return certificate_page(
        db.get_or_404(User, user_id), community, "points_manage.certificate", {"community": community.slug, "user_id": user_id}
    )
