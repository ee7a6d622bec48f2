"""Public pages: activities (sign-up, kiosk, check-in), micro-wishes, my 报到 and my service record."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.accounts.models import User
from consult.activities import queries, services
from consult.activities.forms import CodeForm, ConfirmWishForm, PartyForm, PeriodForm, ReasonForm, WishForm
from consult.activities.models import Activity, Wish
from consult.core import documents
from consult.core.clock import local_now, now
from consult.core.errors import DomainError, RuleViolation
from consult.core.exports import csv_response
from consult.core.forms import form_error, form_status, refuse
from consult.core.pagination import paginate
from consult.core.qr import qr_svg
from consult.extensions import db, limiter
from consult.places import queries as places
from consult.places.models import Community

bp = Blueprint("activities", __name__)
SESSION_KEY = "checkin_codes"


def _activity_or_404(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        abort(404)
    return activity


# --- activities ------------------------------------------------------------------------------


@bp.get("/c/<community>/activities/")
def index(community: str):
    """Upcoming and past activities of a community."""
    community = places.community_by_slug(community)
    coming = list(db.session.scalars(queries.upcoming(community.id, limit=100)))
    page = paginate(queries.past(community.id), per_page=20)
    mine = queries.my_signups(current_user.id, [a.id for a in coming]) if current_user.is_authenticated else {}
    return render_template(
        "activities/index.html",
        community=community,
        coming=coming,
        page=page,
        mine=mine,
        can_manage=places.can_manage_community(current_user, community),
    )


@bp.get("/activities/<int:activity_id>")
def detail(activity_id: int):
    """One activity: when, where, places left, my sign-up and check-in."""
    activity = _activity_or_404(activity_id)
    community = db.session.get(Community, activity.community_id)
    return render_template(
        "activities/detail.html",
        activity=activity,
        community=community,
        signup=services.active_signup(current_user, activity),
        attendance=services.attendance_of(current_user, activity),
        member=places.is_confirmed_member(current_user, community),
        party_member=services.is_party_member(current_user, community),
        can_run=services.can_run(current_user, activity),
        window=services.checkin_window(activity),
        now=now(),
        can_rate=services.can_rate_activity(current_user, activity),
        my_rating=services.activity_rating_of(current_user, activity),
        rating_form=_rating_form(),
        ratings=queries.rating_summary(activity.id),
        organiser=db.session.get(User, activity.organiser_id),
    )


def _rating_form() -> ConfirmWishForm:
    from consult.activities.labels import rating_choices

    form = ConfirmWishForm()
    form.rating.choices = rating_choices()
    return form


@bp.post("/activities/<int:activity_id>/rate")
@login_required
def rate(activity_id: int):
    """Rate the activity (people who took part, within seven days)."""
    activity = _activity_or_404(activity_id)
    form = _rating_form()
    if not form.validate():
        refuse(form)
    services.rate_activity(current_user, activity, form.rating.data, form.comment.data)
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/signup")
@login_required
def signup(activity_id: int):
    """Take a place (or a place on the waitlist)."""
    activity = _activity_or_404(activity_id)
    result = services.sign_up(current_user, activity)
    db.session.commit()
    flash(
        _("You are signed up.") if result.status == "confirmed" else _("The activity is full: you are on the waitlist."),
        "success",
    )
    return redirect(url_for("activities.detail", activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/cancel")
@login_required
def cancel(activity_id: int):
    services.cancel_signup(current_user, _activity_or_404(activity_id))
    db.session.commit()
    flash(_("Your sign-up is cancelled."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


def _kiosk_state(activity: Activity) -> dict:
    code = services.checkin_code(activity)
    address = url_for("activities.checkin", activity_id=activity.id, code=code, _external=True)
    return {"code": code, "url": address, "svg": qr_svg(address, _("Check-in code")), "refresh": services.seconds_to_next_code()}


@bp.get("/activities/<int:activity_id>/kiosk")
@login_required
def kiosk(activity_id: int):
    """The organiser's screen: a short code and its QR code, new every minute."""
    activity = _activity_or_404(activity_id)
    if not services.can_run(current_user, activity):
        abort(403)
    return render_template("activities/kiosk.html", activity=activity, **_kiosk_state(activity))


@bp.get("/activities/<int:activity_id>/kiosk.json")
@login_required
def kiosk_json(activity_id: int):
    """The kiosk's code and QR code as JSON, for refreshing without a reload."""
    activity = _activity_or_404(activity_id)
    if not services.can_run(current_user, activity):
        abort(403)
    return jsonify(_kiosk_state(activity))


def _code_from_link(value: str | None) -> str:
    """The digits of a code in a link, as typed (never checked here)."""
    return "".join(ch for ch in (value or "") if ch.isascii() and ch.isdigit())[:6]


def _remember_code(activity: Activity, code: str) -> None:
    """Keep the code from the QR link and when it was opened, unchecked, for the POST after logging in."""
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


def _checkin_person_key() -> str:
    return f"checkin-user:{current_user.get_id() or request.remote_addr}"


def _checkin_address_key() -> str:
    return f"checkin-address:{request.remote_addr}"


def _not_a_guess() -> bool:
    """Opening the page without a code tries nothing; every code sent (link or form) counts."""
    return request.method == "GET" and not request.args.get("code")


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
    """Check in: opening the link only shows the code in a confirm form, saying nothing of whether it is right."""
    activity = _activity_or_404(activity_id)
    form = CodeForm()
    if request.method == "GET" and request.args.get("code"):
        code = _code_from_link(request.args.get("code"))
        if code:
            _remember_code(activity, code)
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login", next=url_for("activities.checkin", activity_id=activity_id)))
    attendance = services.attendance_of(current_user, activity)
    remembered, presented_at = _remembered(activity)
    status = 200
    if form.validate_on_submit():
        code = form.code.data or remembered
        try:
            services.check_in(current_user, activity, code, presented_at=presented_at if code == remembered else None)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
            status = error.status
        else:
            session.get(SESSION_KEY, {}).pop(str(activity.id), None)
            session.modified = True
            flash(_("You are checked in. Thank you for serving!"), "success")
            return redirect(url_for("activities.detail", activity_id=activity_id))
    elif request.method == "POST":
        status = 400
    form.code.data = form.code.data or remembered
    return render_template(
        "activities/checkin.html",
        activity=activity,
        form=form,
        attendance=attendance,
        from_link=bool(remembered),
        window=services.checkin_window(activity),
    ), status


@bp.post("/activities/<int:activity_id>/checkout")
@login_required
def checkout(activity_id: int):
    services.check_out(current_user, _activity_or_404(activity_id))
    db.session.commit()
    flash(_("You are checked out."), "success")
    return redirect(url_for("activities.detail", activity_id=activity_id))


@bp.get("/activities/<int:activity_id>/print")
def print_notice(activity_id: int):
    """A printable A4 notice of the activity with a QR code of its page."""
    activity = _activity_or_404(activity_id)
    address = url_for("activities.detail", activity_id=activity.id, _external=True)
    return render_template(
        "activities/print.html",
        activity=activity,
        community=db.session.get(Community, activity.community_id),
        qr_svg=qr_svg(address, activity.title),
        address=address,
    )


# --- micro-wishes ----------------------------------------------------------------------------


@bp.route("/c/<community>/wishes/", methods=["GET", "POST"])
def wishes(community: str):
    """Micro-wishes of a community; confirmed residents post new ones here."""
    community = places.community_by_slug(community)
    form = WishForm()
    member = places.is_confirmed_member(current_user, community)
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.path))
        if form.validate_on_submit():
            try:
                wish = services.post_wish(current_user, community, title=form.title.data, description=form.description.data)
                db.session.commit()
            except DomainError as error:
                db.session.rollback()
                form_error(form, error)
            else:
                flash(_("Your micro-wish was sent to the committee."), "success")
                return redirect(url_for("activities.wish", wish_id=wish.id))
        status = form_status(form)
    page = paginate(queries.wishes(community.id), per_page=30)
    mine = queries.my_wishes(current_user.id, community.id) if current_user.is_authenticated else []
    return render_template(
        "activities/wishes.html",
        community=community,
        page=page,
        form=form,
        member=member,
        mine=mine,
        party_member=services.is_party_member(current_user, community),
    ), status


def _wish_or_404(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        abort(404)
    public = wish.status in queries.PUBLIC_WISHES
    mine = current_user.is_authenticated and current_user.id in (wish.author_id, wish.claimer_id)
    committee = places.can_manage_community(current_user, db.session.get(Community, wish.community_id))
    if not (public or mine or committee):
        abort(404)
    return wish


@bp.get("/wishes/<int:wish_id>")
def wish(wish_id: int):
    """One micro-wish with its history and the actions open to the person looking."""
    item = _wish_or_404(wish_id)
    community = db.session.get(Community, item.community_id)
    form = ConfirmWishForm()
    from consult.activities.labels import rating_choices

    form.rating.choices = rating_choices()
    author = db.session.get(User, item.author_id)
    party_member = services.is_party_member(current_user, community)
    can_manage = places.can_manage_community(current_user, community)
    return render_template(
        "activities/wish.html",
        wish=item,
        community=community,
        history=queries.wish_history(item.id),
        state=services.wish_state(item),
        actions=services.wish_actions(current_user, item, party_member=party_member, can_manage=can_manage),
        confirm_form=form,
        reason_form=ReasonForm(),
        author=author,
        claimer=db.session.get(User, item.claimer_id) if item.claimer_id else None,
        contact=services.contact_for_claimer(current_user, item, author),
        recorder=db.session.get(User, item.recorded_by_id) if item.recorded_by_id else None,
    )


def _wish_act(wish_id: int, action, message: str):
    item = _wish_or_404(wish_id)
    action(item)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("activities.wish", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/claim")
@login_required
def claim_wish(wish_id: int):
    return _wish_act(wish_id, lambda w: services.claim_wish(current_user, w), _("You have taken on this micro-wish."))


@bp.post("/wishes/<int:wish_id>/release")
@login_required
def release_wish(wish_id: int):
    return _wish_act(wish_id, lambda w: services.release_wish(current_user, w), _("You gave up this micro-wish."))


@bp.post("/wishes/<int:wish_id>/fulfil")
@login_required
def fulfil_wish(wish_id: int):
    return _wish_act(
        wish_id, lambda w: services.fulfil_wish(current_user, w), _("Marked as fulfilled. The resident will confirm it.")
    )


@bp.post("/wishes/<int:wish_id>/confirm")
@login_required
def confirm_wish(wish_id: int):
    form = ConfirmWishForm()
    from consult.activities.labels import rating_choices

    form.rating.choices = rating_choices()
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
    return _wish_act(wish_id, lambda w: services.withdraw_wish(current_user, w), _("Your micro-wish is withdrawn."))


# --- 报到 and the service record ---------------------------------------------------------------


@bp.route("/me/party", methods=["GET", "POST"])
@login_required
def party():
    """Register (报到) as an in-service party member at the community I live in."""
    residence = places.active_residence(current_user)
    form = PartyForm()
    if form.validate_on_submit():
        try:
            if residence is None or residence.status != "confirmed":
                raise RuleViolation(_("Only confirmed residents can register here."))
            services.register_party_member(
                current_user, residence.community, work_unit=form.work_unit.data, party_branch=form.party_branch.data
            )
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("Your 报到 was sent to the committee."), "success")
            return redirect(url_for("activities.party"))
    return render_template(
        "activities/party.html",
        form=form,
        residence=residence,
        active=services.active_registration(current_user),
        history=queries.registrations_of(current_user.id),
    ), form_status(form)


@bp.post("/me/party/end")
@login_required
def end_party():
    """End my 报到 (I no longer serve here); its history stays."""
    registration = services.active_registration(current_user)
    if registration is None:
        raise RuleViolation(_("You have no 报到 to end."))
    services.end_registration(current_user, registration)
    db.session.commit()
    flash(_("Your 报到 has ended."), "success")
    return redirect(url_for("activities.party"))


def _period_args():
    form = PeriodForm(request.args)
    form.quarter.choices = [SelectChoice("", _("Whole year"))] + [
        SelectChoice(str(q), _("Quarter %(q)d", q=q)) for q in range(1, 5)
    ]
    year = request.args.get("year", type=int) or local_now().year
    quarter = request.args.get("quarter", type=int)
    if not 2000 <= year <= 2100 or (quarter is not None and quarter not in (1, 2, 3, 4)):
        raise RuleViolation(_("Choose a year and, if you like, a quarter."))
    form.year.data, form.quarter.data = year, str(quarter or "")
    return form, year, quarter


def record_page(subject, community, endpoint: str, endpoint_args: dict | None = None):
    """The service record page (mine, or a member's for the committee), its CSV and its document."""
    endpoint_args = endpoint_args or {}
    if not services.can_see_record(current_user, subject.id, community):
        abort(403)
    form, year, quarter = _period_args()
    record = services.service_record(subject, community, year, quarter)
    if request.args.get("format") == "csv":
        rows = [(a["date"], a["title"], a["kind"], a["minutes"]) for a in record["activities"]]
        rows += [(w["date"], w["title"], "wish", w["rating"] or "") for w in record["wishes"]]
        return csv_response(
            f"service-record-{subject.id}-{record['period']}.csv",
            [_("Date"), _("Activity or micro-wish"), _("Kind"), _("Minutes or rating")],
            rows,
        )
    return render_template(
        "activities/record.html",
        record=record,
        form=form,
        subject=subject,
        community=community,
        endpoint=endpoint,
        endpoint_args=endpoint_args,
        year=year,
        quarter=quarter,
    )


@bp.route("/me/record", methods=["GET", "POST"])
@login_required
def my_record():
    """My service record for a year or quarter; printable, as CSV, and issued as a verifiable document."""
    registration = services.active_registration(current_user) or next(iter(queries.registrations_of(current_user.id)), None)
    residence = places.active_residence(current_user)
    community_id = registration.community_id if registration else (residence.community_id if residence else None)
    if community_id is None:
        return render_template("activities/record_none.html")
    community = db.session.get(Community, community_id)
    if request.method == "POST":
        return _issue(current_user, community)
    return record_page(current_user, community, "activities.my_record")


def _issue(subject, community):
    year = request.form.get("year", type=int) or local_now().year
    quarter = request.form.get("quarter", type=int)
    document = services.issue_service_record(current_user, subject, community, year, quarter)
    db.session.commit()
    return redirect(url_for("documents.show", number=document.number, c=documents.check_code(document.number)))
