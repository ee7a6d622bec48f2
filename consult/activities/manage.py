"""Committee pages: 报到 registrations and party members, activities and attendance. Micro-wishes and
documents are in ``manage_wishes`` (imported here so the blueprint has all its pages)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.activities import (
    checkin as checkins,
    manage_wishes,  # noqa: F401  (its pages are on manage_bp)
    party as parties,
    planning,
    queries,
    records,
    signals,
    signups,
)
from consult.activities.blueprints import manage_bp as bp
from consult.activities.forms import ActivityForm, MinutesForm, ReasonForm, UsernameForm
from consult.activities.models import Activity, Attendance
from consult.activities.record_views import record_page
from consult.core.clock import local_now, now, site_zone
from consult.core.errors import NotFound
from consult.core.exports import csv_response
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import paginate
from consult.extensions import db
from consult.places import queries as places
from consult.places.access import community_staff_required

__all__ = ["bp"]

# --- 报到 and party members --------------------------------------------------------------------


def _members_csv(community, rows, year: int):
    places.remember_home_communities([r.user_id for r, *_counts in rows])
    return csv_response(
        f"party-members-{community.slug}-{year}.csv",
        [
            _("Name"),
            _("Phone"),
            _("Work unit"),
            _("Party branch"),
            _("Confirmed on"),
            _("Activities"),
            _("Minutes"),
            _("Micro-wishes"),
        ],
        [
            (
                r.user.display_name,
                places.phone_for(current_user, r.user),
                r.work_unit,
                r.party_branch,
                r.decided_at.astimezone(site_zone()).date().isoformat() if r.decided_at else "",
                n,
                minutes,
                wishes,
            )
            for r, n, minutes, wishes in rows
        ],
    )


@bp.get("/party/")
@community_staff_required
def party(community):
    """报到 waiting for a decision, and confirmed members with this year's service; CSV export."""
    work_unit = (request.args.get("unit") or "").strip()[:60] or None
    year = local_now().year
    rows = queries.members(community.id, work_unit, *records.period_bounds(year, None))
    if request.args.get("format") == "csv":
        return _members_csv(community, rows, year)
    return render_template(
        "activities/manage/party.html",
        community=community,
        pending=queries.pending_registrations(community.id),
        rows=rows,
        units=queries.work_units(community.id),
        unit=work_unit,
        year=year,
        reason_form=ReasonForm(),
    )


def _to_party(community, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("activities_manage.party", community=community.slug))


@bp.post("/party/<int:registration_id>/confirm")
@community_staff_required
def confirm_party(community, registration_id: int):
    """Confirm a 报到."""
    parties.confirm_registration(current_user, queries.registration_in(community, registration_id))
    return _to_party(community, _("报到 confirmed."))


@bp.post("/party/<int:registration_id>/reject")
@community_staff_required
def reject_party(community, registration_id: int):
    """Reject a 报到 with a reason the person sees."""
    form = ReasonForm()
    registration = queries.registration_in(community, registration_id)
    parties.reject_registration(current_user, registration, form.reason.data if form.validate() else "")
    return _to_party(community, _("报到 rejected; the person has been told why."))


@bp.route("/party/<int:user_id>/record", methods=["GET", "POST"])
@community_staff_required
def member_record(community, user_id: int):
    """A member's service record, for the committee (and to issue it as a document)."""
    subject = db.get_or_404(User, user_id)
    return record_page(subject, community, "activities_manage.member_record", {"community": community.slug, "user_id": user_id})


# --- activities ----------------------------------------------------------------------------------


@bp.get("/activities/")
@community_staff_required
def activities(community):
    """The community's activities for the committee, and what waits for confirmed minutes."""
    page = paginate(queries.upcoming(community.id), per_page=50)
    return render_template(
        "activities/manage/index.html", community=community, page=page, to_confirm=queries.minutes_to_confirm(community.id)
    )


def _aware(value):
    return value.replace(tzinfo=site_zone()) if value is not None else None


def _local_naive(value):
    return value.astimezone(site_zone()).replace(tzinfo=None) if value is not None else None


def _organiser(form):
    if not form.organiser.data:
        return None
    organiser = accounts.user_by_username(form.organiser.data)
    if organiser is None:
        raise NotFound(_("No one has that username."), field="organiser")
    return organiser


def _activity_fields(form) -> dict:
    return dict(
        title=form.title.data,
        description=form.description.data,
        kind=form.kind.data,
        starts_at=_aware(form.starts_at.data),
        ends_at=_aware(form.ends_at.data),
        place=form.place.data,
        capacity=form.capacity.data,
        points_per_hour=form.points_per_hour.data,
        checkin_minutes_before=form.checkin_minutes_before.data,
        waitlist_cutoff_at=_aware(form.waitlist_cutoff_at.data),
        organiser=_organiser(form),
        party_only=form.party_only.data,
    )


def _activity_form(community) -> ActivityForm:
    """A new activity's form, with the starting values other domains propose (points: points per hour)."""
    form = ActivityForm()
    if request.method == "GET":
        for _listener, defaults in signals.activity_defaults.send(community):
            for name, value in (defaults or {}).items():
                form[name].data = value
    return form


def _edit_form(activity: Activity) -> ActivityForm:
    """The form of an existing activity, filled with its values in local time."""
    form = ActivityForm()
    if request.method == "GET":
        form.process(
            data={
                **{name: getattr(activity, name) for name in ("title", "description", "kind", "place", "capacity")},
                **{name: getattr(activity, name) for name in ("points_per_hour", "checkin_minutes_before", "party_only")},
                **{name: _local_naive(getattr(activity, name)) for name in ("starts_at", "ends_at", "waitlist_cutoff_at")},
                "organiser": db.session.get_one(User, activity.organiser_id).username,
            }
        )
    return form


def _to_attendance(community, activity_id: int, message: str | None = None):
    db.session.commit()
    if message:
        flash(message, "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


@bp.route("/activities/new", methods=["GET", "POST"])
@community_staff_required
def new_activity(community):
    """Create an activity (points per hour start from what the points rules propose)."""
    form = _activity_form(community)
    if done := submit(form, lambda: planning.create_activity(current_user, community, **_activity_fields(form))):
        return _to_attendance(community, done.value.id, _("The activity is created."))
    return render_template("activities/manage/new.html", community=community, form=form), form_status(form)


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@community_staff_required
def edit_activity(community, activity_id: int):
    """Change an activity before it starts; people signed up are told of a new time or place."""
    activity = queries.activity_in(community, activity_id)
    form = _edit_form(activity)
    if submit(form, lambda: planning.update_activity(current_user, activity, **_activity_fields(form))):
        return _to_attendance(community, activity.id, _("The activity is changed."))
    return render_template(
        "activities/manage/edit.html", community=community, activity=activity, form=form, cancel_form=ReasonForm()
    ), form_status(form)


@bp.post("/activities/<int:activity_id>/cancel")
@community_staff_required
def cancel_activity(community, activity_id: int):
    """Call an activity off with a reason; everyone signed up is told."""
    activity = queries.activity_in(community, activity_id)
    form = ReasonForm()
    planning.cancel_activity(current_user, activity, form.reason.data if form.validate() else "")
    return _to_attendance(community, activity_id, _("The activity is called off; the people signed up have been told."))


@bp.get("/activities/<int:activity_id>/")
@community_staff_required
def attendance(community, activity_id: int):
    """Sign-ups, waitlist and attendance; sign up a resident without a phone; mark and confirm minutes."""
    activity = queries.activity_in(community, activity_id)
    attendances = queries.attendances_of(activity.id)
    return render_template(
        "activities/manage/attendance.html",
        community=community,
        activity=activity,
        signups=queries.signups_of(activity.id),
        attendances=attendances,
        suggested={uid: checkins.suggested_minutes(activity, a) for uid, a in attendances.items()},
        signup_form=UsernameForm(),
        length=checkins.length_minutes(activity),
        ended=activity.ends_at <= now(),
    )


@bp.post("/activities/<int:activity_id>/signups")
@community_staff_required
def record_signup(community, activity_id: int):
    """Sign up a resident who has no phone (marked as recorded by the worker)."""
    activity = queries.activity_in(community, activity_id)
    form = UsernameForm()
    if not form.validate():
        refuse(form)
    person = accounts.user_by_username(form.username.data)
    if person is None:
        raise NotFound(_("No one has that username."))
    signups.sign_up(person, activity, recorded_by=current_user)
    return _to_attendance(community, activity_id, _("%(name)s is signed up.", name=person.display_name))


@bp.post("/activities/<int:activity_id>/signups/<int:user_id>/cancel")
@community_staff_required
def cancel_signup(community, activity_id: int, user_id: int):
    """Cancel a resident's sign-up for them (they asked in person); marked and audited."""
    person = db.get_or_404(User, user_id)
    signups.cancel_signup(current_user, queries.activity_in(community, activity_id), person)
    return _to_attendance(community, activity_id, _("The sign-up of %(name)s is cancelled.", name=person.display_name))


@bp.post("/activities/<int:activity_id>/attendance/<int:user_id>/mark")
@community_staff_required
def mark(community, activity_id: int, user_id: int):
    """Mark by hand that a signed-up person was there."""
    activity = queries.activity_in(community, activity_id)
    checkins.mark_attendance(current_user, activity, db.get_or_404(User, user_id))
    return _to_attendance(community, activity_id, _("Marked as present."))


@bp.post("/activities/<int:activity_id>/attendance/<int:attendance_id>/confirm")
@community_staff_required
def confirm_minutes(community, activity_id: int, attendance_id: int):
    """Confirm a person's minutes (once)."""
    activity = queries.activity_in(community, activity_id)
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None or attendance.activity_id != activity.id:
        abort(404)
    form = MinutesForm()
    if not form.validate():
        refuse(form)
    checkins.confirm_minutes(current_user, activity, attendance, form.minutes.data)
    return _to_attendance(community, activity_id, _("Minutes confirmed."))
