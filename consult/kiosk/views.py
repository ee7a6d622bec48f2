"""The kiosk's own pages (/kiosk/…): the home screen, the PIN log-in, log-out and reporting a problem.

Every request goes through consult/kiosk/mode.py first (registered here for the whole app). The
pages open only on a registered terminal: elsewhere, or with a revoked kiosk's cookie, 403.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial, wraps

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
from consult.kiosk import cards, mode, pins
from consult.kiosk.forms import KioskCardForm, KioskLoginForm, KioskReportForm
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
            return render_template("kiosk/refused.html", revoked=g.get("kiosk_refused") == "revoked"), 403
        return view(kiosk, db.session.get_one(Community, kiosk.community_id), **kwargs)

    return wrapped


@bp.get("/")
@kiosk_required
def home(kiosk, community):
    """The home screen: the five things people come for, and log in or out."""
    g.kiosk_cookie = request.cookies.get(mode.KIOSK_COOKIE)  # renewed on each visit
    return render_template("kiosk/home.html", kiosk=kiosk, community=community)


def _attempt_rules(kiosk, username: str | None) -> tuple[limits.Rule, ...]:
    """Guesses are limited per terminal, and PINs per username too (counted before the check)."""
    config = current_app.config
    terminal = limits.Rule(config["KIOSK_PIN_LIMIT_KIOSK"], f"kiosk-terminal:{kiosk.id}", "kiosk-terminal")
    if username is None:
        return (terminal,)
    username = username.strip().lower()[:USERNAME_INPUT_MAX]
    return (
        limits.Rule(config["KIOSK_PIN_LIMIT_USERNAME"], f"kiosk-user:{username}", "kiosk-user"),
        terminal,
    )


@bp.route("/login", methods=["GET", "POST"])
@kiosk_required
def login(kiosk, community):
    """Log in with username and 6-digit PIN (the on-screen number pad fills the PIN).

    Longer: the attempt limit is counted before the PIN is checked, and a wrong PIN's count is
    committed before the refusal is shown."""
    if current_user.is_authenticated:
        return redirect(_next())
    form = KioskLoginForm()
    if form.validate_on_submit():
        check = partial(pins.log_in_with_pin, kiosk, form.username.data, form.pin.data)
        return _log_in(kiosk, community, form, check, username=form.username.data)
    return _login_page(community, form), form_status(form)


@bp.post("/card")
@kiosk_required
def card(kiosk, community):
    """Log in with a printed sign-in card (its QR code's one-time code)."""
    if current_user.is_authenticated:
        return redirect(_next())
    form = KioskCardForm()
    if form.validate_on_submit():
        return _log_in(kiosk, community, form, partial(cards.log_in_with_card, kiosk, form.code.data))
    return _login_page(community, card_form=form), form_status(form)


def _next() -> str:
    return safe_next(request.values.get("next"), url_for("kiosk.home"))


def _login_page(community, form=None, card_form=None):
    return render_template(
        "kiosk/login.html",
        form=form or KioskLoginForm(formdata=None),
        card_form=card_form or KioskCardForm(formdata=None),
        next=_next(),
        community=community,
    )


def _log_in(kiosk, community, form, check, username: str | None = None):
    """Count the attempt, check the PIN or card, log in through accounts.auth; a refusal's count stays."""
    taken = limits.attempt(*_attempt_rules(kiosk, username))
    try:
        user = check()
    except DomainError as error:
        db.session.commit()  # a wrong PIN's count and lock stay (nothing else was written)
        form_error(form, error)
        if "pin" in form:
            form.pin.data = ""
        pages = {"form": form} if isinstance(form, KioskLoginForm) else {"card_form": form}
        return _login_page(community, **pages), error.status
    limits.give_back(taken)
    row = auth.log_in(user)
    session[mode.SESSION_KEY] = kiosk.id
    sessions.expire_at(row, _idle_end())
    db.session.commit()
    return redirect(_next())


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
