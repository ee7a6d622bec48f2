"""Public pages: activities (sign-up, kiosk, check-in). Micro-wishes are in ``wish_views``, 报到 and the
service record in ``record_views`` (imported here so the blueprint has all its pages)."""

from __future__ import annotations

from datetime import datetime

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.activities import (
    checkin as checkins,
    queries,
    record_views,  # noqa: F401  (its pages are on bp)
    signups,
    wish_views,  # noqa: F401  (its pages are on bp)
)
from consult.activities.blueprints import bp
from consult.activities.forms import CodeForm, rating_form
from consult.activities.models import Activity
from consult.core import cache
from consult.core.clock import now
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import paginate
from consult.core.policy import policy_of
from consult.core.qr import qr_svg
from consult.extensions import db, limiter
from consult.places import queries as places

__all__ = ["bp", "qr_svg"]
SESSION_KEY = "checkin_codes"


def _activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    return activity


def _to_detail(activity_id: int, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


@bp.get("/c/<community>/activities/")
@cache.page("community:{community}")
def index(community: str):
    """Upcoming and past activities of a community."""
    community = places.community_by_slug(community)
    coming = list(db.session.scalars(queries.upcoming(community.id, limit=100)))
    page = paginate(queries.past(community.id), per_page=20)
    mine = queries.my_signups(current_user.id, [a.id for a in coming]) if current_user.is_authenticated else {}
    can_manage = places.can_manage_community(current_user, community)
    return render_template(
        "activities/index.html", community=community, coming=coming, page=page, mine=mine, can_manage=can_manage
    )


@bp.get("/activities/<int:activity_id>")
@cache.page("activity:{activity_id}")
def detail(activity_id: int):
    """One activity: when, where, places left, my sign-up and check-in; what I may do asks its policy."""
    activity = _activity_or_404(activity_id)
    return render_template(
        "activities/detail.html",
        **queries.detail_reads(activity, current_user),
        window=checkins.checkin_window(activity),
        now=now(),
        rating_form=rating_form(),
    )


@bp.post("/activities/<int:activity_id>/rate")
@login_required
def rate(activity_id: int):
    """Rate the activity (people who took part, within seven days)."""
    activity = _activity_or_404(activity_id)
    form = rating_form()
    if not form.validate():
        refuse(form)
    checkins.rate_activity(current_user, activity, form.rating.data, form.comment.data)
    return _to_detail(activity_id, _("Thank you for your rating."))


@bp.post("/activities/<int:activity_id>/signup")
@login_required
def signup(activity_id: int):
    """Take a place (or a place on the waitlist)."""
    result = signups.sign_up(current_user, _activity_or_404(activity_id))
    return _to_detail(
        activity_id,
        _("You are signed up.") if result.has_place else _("The activity is full: you are on the waitlist."),
    )


@bp.post("/activities/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    """Give up my place."""
    signups.cancel_signup(current_user, _activity_or_404(activity_id))
    return _to_detail(activity_id, _("Your sign-up is cancelled."))


def _kiosk_state(activity: Activity) -> dict:
    policy_of(activity).require("run", current_user)
    code = checkins.checkin_code(activity)
    address = url_for("activities.checkin", activity_id=activity.id, code=code, _external=True)
    return {"code": code, "url": address, "svg": qr_svg(address, _("Check-in code")), "refresh": checkins.seconds_to_next_code()}


@bp.get("/activities/<int:activity_id>/kiosk")
@login_required
def kiosk(activity_id: int):
    """The organiser's screen: a short code and its QR code, new every minute."""
    activity = _activity_or_404(activity_id)
    return render_template("activities/kiosk.html", activity=activity, **_kiosk_state(activity))


@bp.get("/activities/<int:activity_id>/kiosk.json")
@login_required
def kiosk_json(activity_id: int):
    """The kiosk's code and QR code as JSON, for refreshing without a reload."""
    return jsonify(_kiosk_state(_activity_or_404(activity_id)))


def _code_from_link(value: str | None) -> str:
    """The digits of a code in a link, as typed (never checked here)."""
    return "".join(ch for ch in (value or "") if ch.isascii() and ch.isdigit())[:6]


def _remember_code(activity: Activity) -> None:
    """Keep the code from the QR link and when it was opened, unchecked, for the POST after logging in."""
    code = _code_from_link(request.args.get("code")) if request.method == "GET" else ""
    if code:
        codes = dict(session.get(SESSION_KEY, {}))
        codes[str(activity.id)] = {"code": code, "at": now().isoformat()}
        session[SESSION_KEY] = codes


def _remembered(activity: Activity) -> tuple[str, datetime | None]:
    value = (session.get(SESSION_KEY) or {}).get(str(activity.id))
    if not isinstance(value, dict):
        return "", None
    try:
        return str(value.get("code", "")), datetime.fromisoformat(value["at"])
    except (KeyError, TypeError, ValueError):
        return "", None


def _forget_code(activity: Activity) -> None:
    session.get(SESSION_KEY, {}).pop(str(activity.id), None)
    session.modified = True


def _checkin_person_key() -> str:
    return f"checkin-user:{current_user.get_id() or request.remote_addr}"


def _checkin_address_key() -> str:
    return f"checkin-address:{request.remote_addr}"


def _not_a_guess() -> bool:
    """Opening the page without a code tries nothing; every code sent (link or form) counts."""
    return request.method == "GET" and not request.args.get("code")


def _check_in(form: CodeForm, activity: Activity):
    """Send the typed (or remembered) code to the service; the link's time counts only for the link's code."""
    remembered, presented_at = _remembered(activity)
    code = form.code.data or remembered
    return submit(
        form,
        lambda: checkins.check_in(current_user, activity, code, presented_at=presented_at if code == remembered else None),
    )


@bp.route("/activities/<int:activity_id>/checkin", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config.get("CHECKIN_LIMIT", "10 per minute"),
    key_func=_checkin_person_key,
    scope="checkin",
    exempt_when=_not_a_guess,
)
@limiter.limit(
    lambda: current_app.config.get("CHECKIN_ADDRESS_LIMIT", "60 per minute"),
    key_func=_checkin_address_key,
    scope="checkin-address",
    exempt_when=_not_a_guess,
)
def checkin(activity_id: int):
    """Check in: opening the link only shows the code in a confirm form, saying nothing of whether it is right.

    Longer: the code from a QR link is kept through logging in, then confirmed.
    """
    activity = _activity_or_404(activity_id)
    _remember_code(activity)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for("activities.checkin", activity_id=activity_id)))
    form = CodeForm()
    if _check_in(form, activity):
        _forget_code(activity)
        flash(_("You are checked in. Thank you for serving!"), "success")
        return redirect(url_for("activities.detail", activity_id=activity_id))
    form.code.data = form.code.data or _remembered(activity)[0]
    return render_template(
        "activities/checkin.html",
        activity=activity,
        form=form,
        attendance=queries.attendance_of(current_user, activity),
        from_link=bool(_remembered(activity)[0]),
        window=checkins.checkin_window(activity),
    ), form_status(form)


@bp.post("/activities/<int:activity_id>/checkout")
@login_required
def checkout(activity_id: int):
    """Check out (until 30 minutes after the end)."""
    checkins.check_out(current_user, _activity_or_404(activity_id))
    return _to_detail(activity_id, _("You are checked out."))


@bp.get("/activities/<int:activity_id>/print")
def print_notice(activity_id: int):
    """A printable A4 notice of the activity with a QR code of its page."""
    activity = _activity_or_404(activity_id)
    address = url_for("activities.detail", activity_id=activity.id, _external=True)
    return render_template(
        "activities/print.html",
        activity=activity,
        community=queries.community_of(activity.community_id),
        qr_svg=qr_svg(address, activity.title),
        address=address,
    )
