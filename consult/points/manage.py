"""The committee's points pages: balances, bonuses, reversals and corrections, rewards,
redemptions to hand over, settings, the month's ledger as CSV, certificates for members."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.core.clock import local, local_now, month_bounds
from consult.core.errors import DomainError, NotFound
from consult.core.exports import csv_response
from consult.core.forms import form_error, refuse
from consult.core.pagination import paginate
from consult.core.templating import label
from consult.extensions import db
from consult.places.access import community_staff_required
from consult.points import queries, services
from consult.points.forms import BonusForm, CorrectForm, ReasonForm, RewardForm, SettingsForm, StockForm

bp = Blueprint("points_manage", __name__, url_prefix="/manage/c/<community>/points")


def _back(community):
    return redirect(url_for("points_manage.index", community=community.slug))


def _page(community, status: int = 200, *, refusal: str | None = None, kept: dict | None = None, **forms):
    """The points page; after a refusal, with its message and the form as it was sent."""
    entries = paginate(queries.community_entries(community.id), per_page=50)
    balances = paginate(queries.community_balances(community.id), per_page=50, arg="bpage")
    settings = services.settings_for(community.id)
    forms.setdefault("bonus_form", BonusForm(formdata=None))
    forms.setdefault("reward_form", RewardForm(formdata=None))
    forms.setdefault("settings_form", SettingsForm(formdata=None, obj=settings))
    return render_template(
        "points/manage.html",
        community=community,
        entries=entries,
        balances=balances,
        reversed=queries.reversed_ids([e.id for e in entries.items]),
        rewards=queries.rewards(community.id),
        pending=queries.pending_redemptions(community.id),
        month=local_now().strftime("%Y-%m"),
        refusal=refusal,
        kept=kept or {},
        **forms,
    ), status


def _refused(community, error: DomainError, form=None, form_name: str | None = None, kept: dict | None = None):
    """A service said no: roll back and show why on the page, the form kept as sent."""
    db.session.rollback()
    if form is not None:
        form_error(form, error)
        return _page(community, error.status, refusal=error.message, kept=kept, **{form_name: form})
    return _page(community, error.status, refusal=error.message, kept=kept)


@bp.get("/")
@community_staff_required
def index(community):
    """Balances (owed ones below zero), the ledger with its actions, rewards and redemptions waiting to be handed over."""
    return _page(community)


@bp.post("/bonus")
@community_staff_required
def bonus(community):
    """Award a bonus to a resident (never to oneself)."""
    form = BonusForm()
    if not form.validate():
        return _page(community, 400, bonus_form=form)
    try:
        person = accounts.user_by_username(form.username.data)
        if person is None:
            raise NotFound(_("No one has that username."), field="username")
        services.bonus(current_user, person, community, form.points.data, form.reason.data, request.form.get("request_key"))
        db.session.commit()
    except DomainError as error:
        return _refused(community, error, form, "bonus_form")
    flash(_("%(points)d points awarded to %(name)s.", points=form.points.data, name=person.display_name), "success")
    return _back(community)


@bp.post("/entries/<int:entry_id>/reverse")
@community_staff_required
def reverse(community, entry_id: int):
    """Reverse an entry with a reason (recorded even if the points were spent: the balance is then owed)."""
    form = ReasonForm()
    kept = {"entry_id": entry_id, "reason": request.form.get("reason", "")}
    try:
        services.reverse(current_user, services.entry_in(community, entry_id), form.reason.data if form.validate() else "")
        db.session.commit()
    except DomainError as error:
        return _refused(community, error, kept=kept)
    flash(_("The entry is reversed."), "success")
    return _back(community)


@bp.post("/entries/<int:entry_id>/correct")
@community_staff_required
def correct(community, entry_id: int):
    """Correct an entry: a reversal and a new entry naming the one it replaces."""
    form = CorrectForm()
    kept = {"entry_id": entry_id, "correct_reason": request.form.get("reason", ""), "points": request.form.get("points", "")}
    try:
        if not form.validate():
            refuse(form)
        services.correct(current_user, services.entry_in(community, entry_id), form.points.data, form.reason.data)
        db.session.commit()
    except DomainError as error:
        return _refused(community, error, kept=kept)
    flash(_("The entry is corrected."), "success")
    return _back(community)


@bp.post("/rewards")
@community_staff_required
def create_reward(community):
    """Add a reward."""
    form = RewardForm()
    if not form.validate():
        return _page(community, 400, reward_form=form)
    try:
        services.create_reward(current_user, community, name=form.name.data, price=form.price.data, stock=form.stock.data)
        db.session.commit()
    except DomainError as error:
        return _refused(community, error, form, "reward_form")
    flash(_("Reward added."), "success")
    return _back(community)


@bp.post("/rewards/<int:reward_id>")
@community_staff_required
def update_reward(community, reward_id: int):
    """Change a reward's stock, or stop offering it."""
    form = StockForm()
    try:
        if not form.validate():
            refuse(form)
        services.update_reward(
            current_user, services.reward_in(community, reward_id), stock=form.stock.data, active=form.active.data
        )
        db.session.commit()
    except DomainError as error:
        return _refused(community, error)
    flash(_("Reward updated."), "success")
    return _back(community)


@bp.post("/redemptions/<int:redemption_id>/hand-over")
@community_staff_required
def hand_over(community, redemption_id: int):
    """Mark a redeemed reward as handed over (by another staff member if it is one's own)."""
    try:
        services.hand_over(current_user, services.redemption_in(community, redemption_id))
        db.session.commit()
    except DomainError as error:
        return _refused(community, error)
    flash(_("Marked as handed over."), "success")
    return _back(community)


@bp.post("/redemptions/<int:redemption_id>/cancel")
@community_staff_required
def cancel_redemption(community, redemption_id: int):
    """Cancel a redemption not yet handed over: points and stock come back, the member is told."""
    try:
        services.cancel_redemption(current_user, services.redemption_in(community, redemption_id))
        db.session.commit()
    except DomainError as error:
        return _refused(community, error)
    flash(_("Cancelled; the points and the stock are back."), "success")
    return _back(community)


@bp.post("/settings")
@community_staff_required
def settings(community):
    """Save the community's points rules."""
    form = SettingsForm()
    if not form.validate():
        return _page(community, 400, settings_form=form)
    try:
        services.update_settings(
            current_user, community, default_points_per_hour=form.default_points_per_hour.data, wish_points=form.wish_points.data
        )
        db.session.commit()
    except DomainError as error:
        return _refused(community, error, form, "settings_form")
    flash(_("The points rules are saved."), "success")
    return _back(community)


@bp.get("/export")
@community_staff_required
def export(community):
    """The community's ledger for a month (YYYY-MM) as CSV."""
    month = request.args.get("month") or local_now().strftime("%Y-%m")
    start, end = month_bounds(month)
    entries = db.session.scalars(queries.community_entries(community.id, start, end).order_by(None).order_by("created_at", "id"))
    return csv_response(
        f"ledger-{community.slug}-{month}.csv",
        [_("Entry"), _("Time"), _("Resident"), _("Points"), _("Reason"), _("Source"), _("Reverses"), _("Replaces"), _("Note")],
        [
            (
                e.id,
                local(e.created_at).strftime("%Y-%m-%d %H:%M"),
                e.user.display_name,
                e.delta,
                label(f"points.{e.reason}"),
                f"{e.source_type}:{e.source_id}" if e.source_type else "",
                e.reverses_id or "",
                e.replaces_id or "",
                e.note or "",
            )
            for e in entries
        ],
    )


@bp.route("/members/<int:user_id>/certificate", methods=["GET", "POST"])
@community_staff_required
def certificate(community, user_id: int):
    """A member's volunteer record certificate, for the committee to issue and seal."""
    from consult.points.views import certificate_page

    return certificate_page(
        db.get_or_404(User, user_id), community, "points_manage.certificate", {"community": community.slug, "user_id": user_id}
    )
