"""The kiosk's own pages (/kiosk/…): the home screen, the PIN log-in, log-out and reporting a problem.

Every request goes through consult/kiosk/mode.py first (registered here for the whole app). The
pages open only on a registered terminal: elsewhere, or with a revoked kiosk's cookie, 403.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts import auth, limits, sessions
from consult.accounts.models import USERNAME_INPUT_MAX
from consult.core.clock import now
from consult.core.errors import DomainError
from consult.core.forms import form_error, form_status, submit
from consult.core.views import safe_next
from consult.extensions import db
from consult.kiosk import mode, pins
from consult.kiosk.forms import KioskLoginForm, KioskReportForm
from consult.places.models import Community
from consult.requests import reporting
from consult.requests.models import Channel
from consult.requests.targets import category_choices

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
bp.before_app_request(mode.enter)
bp.after_app_request(mode.leave)


def kiosk_required(view):
    """Open only on a registered, unrevoked terminal; the view gets the kiosk and its community."""

    @wraps(view)
    def wrapped(**kwargs):
        kiosk = mode.current_kiosk()
        if kiosk is None:
            revoked = g.get("kiosk_refused") is not None
            return render_template("kiosk/refused.html", revoked=revoked), 403
        return view(kiosk, db.session.get_one(Community, kiosk.community_id), **kwargs)

    return wrapped


@bp.get("/")
@kiosk_required
def home(kiosk, community):
    """The home screen: the five things people come for, and log in or out."""
    g.kiosk_cookie = request.cookies.get(mode.KIOSK_COOKIE)  # renewed on each visit
    return render_template("kiosk/home.html", kiosk=kiosk, community=community)


def _pin_rules(kiosk, username: str) -> tuple[limits.Rule, ...]:
    """Guesses are limited per username and per terminal (counted before the PIN is checked)."""
    username = (username or "").strip().lower()[:USERNAME_INPUT_MAX]
    config = current_app.config
    return (
        limits.Rule(config.get("KIOSK_PIN_LIMIT_USERNAME", "10 per 15 minutes"), f"kiosk-user:{username}", "kiosk-user"),
        limits.Rule(config.get("KIOSK_PIN_LIMIT_KIOSK", "30 per 15 minutes"), f"kiosk-terminal:{kiosk.id}", "kiosk-terminal"),
    )


@bp.route("/login", methods=["GET", "POST"])
@kiosk_required
def login(kiosk, community):
    """Log in with username and 6-digit PIN (the on-screen number pad fills the PIN).

    Longer: the attempt limit is counted before the PIN is checked, and a wrong PIN's count is
    committed before the refusal is shown."""
    next_url = safe_next(request.values.get("next"), url_for("kiosk.home"))
    if current_user.is_authenticated:
        return redirect(next_url)
    form = KioskLoginForm()
    if form.validate_on_submit():
        taken = limits.attempt(*_pin_rules(kiosk, form.username.data))
        try:
            user = pins.log_in_with_pin(kiosk, form.username.data, form.pin.data)
        except DomainError as error:
            db.session.commit()  # a wrong PIN's count and lock stay (nothing else was written)
            form_error(form, error)
            form.pin.data = ""
            return render_template("kiosk/login.html", form=form, next=next_url, community=community), error.status
        limits.give_back(taken)
        row = auth.log_in(user)
        session[mode.SESSION_KEY] = kiosk.id
        sessions.expire_at(row, _idle_end())
        db.session.commit()
        return redirect(next_url)
    return render_template("kiosk/login.html", form=form, next=next_url, community=community), form_status(form)


def _idle_end():
    return now() + timedelta(seconds=mode.idle_seconds())


@bp.post("/logout")
@kiosk_required
def logout(kiosk, community):
    """Log out and forget this person (the countdown posts this too)."""
    mode.forget_person()
    flash(_("You have logged out. Nothing of yours stays on this kiosk."), "success")
    return redirect(url_for("kiosk.home"))


@bp.route("/report", methods=["GET", "POST"])
@kiosk_required
def report(kiosk, community):
    """Report a problem from the kiosk (the requests domain's form and rules, channel "kiosk")."""
    if not current_user.is_authenticated:
        return redirect(url_for("kiosk.login", next=url_for("kiosk.report")))
    form = KioskReportForm()
    form.category.choices = [SelectChoice(key, name) for key, name in category_choices(community.id)]
    if done := submit(form, lambda: reporting.report(current_user, community, channel=Channel.KIOSK, **_fields(form))):
        flash(_("Your request #%(id)d is sent. You will be told when the committee takes it up.", id=done.value.id), "success")
        return redirect(url_for("kiosk.home"))
    return render_template("kiosk/report.html", form=form, community=community), form_status(form)


def _fields(form: KioskReportForm) -> dict:
    names = ("category", "description", "building", "unit", "place", "may_call")
    return {name: getattr(form, name).data for name in names}
