"""Committee pages: 报到 registrations and party members, activities and attendance, micro-wishes, documents."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.activities import queries, services
from consult.activities.forms import ActivityForm, MinutesForm, ReasonForm, RecordWishForm, UsernameForm
from consult.activities.models import Attendance, PartyRegistration, WishStatus
from consult.core import documents
from consult.core.clock import local_now, now, site_zone
from consult.core.errors import DomainError, NotFound
from consult.core.exports import csv_response
from consult.core.forms import form_error, form_status, refuse
from consult.core.pagination import paginate
from consult.extensions import db
from consult.places import queries as places
from consult.places.access import community_staff_required

bp = Blueprint("activities_manage", __name__, url_prefix="/manage/c/<community>")


# --- 报到 and party members --------------------------------------------------------------------


@bp.get("/party/")
@community_staff_required
def party(community):
    """报到 waiting for a decision, and confirmed members with this year's service; CSV export."""
    work_unit = (request.args.get("unit") or "").strip()[:60] or None
    year = local_now().year
    start, end = services.period_bounds(year, None)
    rows = queries.members(community.id, work_unit, start, end)
    if request.args.get("format") == "csv":
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


def _registration(community, registration_id: int) -> PartyRegistration:
    registration = db.session.get(PartyRegistration, registration_id)
    if registration is None or registration.community_id != community.id:
        raise NotFound(_("No such registration in this community."))
    return registration


@bp.post("/party/<int:registration_id>/confirm")
@community_staff_required
def confirm_party(community, registration_id: int):
    services.confirm_registration(current_user, _registration(community, registration_id))
    db.session.commit()
    flash(_("报到 confirmed."), "success")
    return redirect(url_for("activities_manage.party", community=community.slug))


@bp.post("/party/<int:registration_id>/reject")
@community_staff_required
def reject_party(community, registration_id: int):
    form = ReasonForm()
    services.reject_registration(
        current_user, _registration(community, registration_id), form.reason.data if form.validate() else ""
    )
    db.session.commit()
    flash(_("报到 rejected; the person has been told why."), "success")
    return redirect(url_for("activities_manage.party", community=community.slug))


@bp.route("/party/<int:user_id>/record", methods=["GET", "POST"])
@community_staff_required
def member_record(community, user_id: int):
    """A member's service record, for the committee (and to issue it as a document)."""
    from consult.activities.views import _issue, record_page

    subject = db.get_or_404(User, user_id)
    if request.method == "POST":
        return _issue(subject, community)
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


@bp.route("/activities/new", methods=["GET", "POST"])
@community_staff_required
def new_activity(community):
    """Create an activity (points per hour start from the community's points rules)."""
    form = ActivityForm()
    if request.method == "GET":
        from consult.points.queries import settings_for

        form.points_per_hour.data = settings_for(community.id).default_points_per_hour
    if form.validate_on_submit():
        try:
            activity = services.create_activity(current_user, community, **_activity_fields(form))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The activity is created."), "success")
            return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity.id))
    return render_template("activities/manage/new.html", community=community, form=form), form_status(form)


def _local_naive(value):
    return value.astimezone(site_zone()).replace(tzinfo=None) if value is not None else None


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@community_staff_required
def edit_activity(community, activity_id: int):
    """Change an activity before it starts; people signed up are told of a new time or place."""
    activity = services.activity_in(community, activity_id)
    form = ActivityForm()
    if request.method == "GET":
        form.process(
            data={
                "title": activity.title,
                "description": activity.description,
                "kind": activity.kind,
                "starts_at": _local_naive(activity.starts_at),
                "ends_at": _local_naive(activity.ends_at),
                "place": activity.place,
                "capacity": activity.capacity,
                "points_per_hour": activity.points_per_hour,
                "checkin_minutes_before": activity.checkin_minutes_before,
                "waitlist_cutoff_at": _local_naive(activity.waitlist_cutoff_at),
                "organiser": db.session.get(User, activity.organiser_id).username,
                "party_only": activity.party_only,
            }
        )
    if form.validate_on_submit():
        try:
            services.update_activity(current_user, activity, **_activity_fields(form))
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The activity is changed."), "success")
            return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity.id))
    return render_template(
        "activities/manage/edit.html", community=community, activity=activity, form=form, cancel_form=ReasonForm()
    ), form_status(form)


@bp.post("/activities/<int:activity_id>/cancel")
@community_staff_required
def cancel_activity(community, activity_id: int):
    """Call an activity off with a reason; everyone signed up is told."""
    activity = services.activity_in(community, activity_id)
    form = ReasonForm()
    services.cancel_activity(current_user, activity, form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The activity is called off; the people signed up have been told."), "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


@bp.get("/activities/<int:activity_id>/")
@community_staff_required
def attendance(community, activity_id: int):
    """Sign-ups, waitlist and attendance; sign up a resident without a phone; mark and confirm minutes."""
    activity = services.activity_in(community, activity_id)
    signups = queries.signups_of(activity.id)
    attendances = queries.attendances_of(activity.id)
    suggested = {uid: services.suggested_minutes(activity, a) for uid, a in attendances.items()}
    return render_template(
        "activities/manage/attendance.html",
        community=community,
        activity=activity,
        signups=signups,
        attendances=attendances,
        suggested=suggested,
        signup_form=UsernameForm(),
        length=services.length_minutes(activity),
        ended=activity.ends_at <= now(),
        started=activity.starts_at <= now(),
    )


@bp.post("/activities/<int:activity_id>/signups")
@community_staff_required
def record_signup(community, activity_id: int):
    """Sign up a resident who has no phone (marked as recorded by the worker)."""
    activity = services.activity_in(community, activity_id)
    form = UsernameForm()
    if not form.validate():
        refuse(form)
    person = accounts.user_by_username(form.username.data)
    if person is None:
        raise NotFound(_("No one has that username."))
    services.sign_up(person, activity, recorded_by=current_user)
    db.session.commit()
    flash(_("%(name)s is signed up.", name=person.display_name), "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/signups/<int:user_id>/cancel")
@community_staff_required
def cancel_signup(community, activity_id: int, user_id: int):
    """Cancel a resident's sign-up for them (they asked in person); marked and audited."""
    activity = services.activity_in(community, activity_id)
    person = db.get_or_404(User, user_id)
    services.cancel_signup(current_user, activity, person)
    db.session.commit()
    flash(_("The sign-up of %(name)s is cancelled.", name=person.display_name), "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/attendance/<int:user_id>/mark")
@community_staff_required
def mark(community, activity_id: int, user_id: int):
    """Mark by hand that a signed-up person was there."""
    activity = services.activity_in(community, activity_id)
    services.mark_attendance(current_user, activity, db.get_or_404(User, user_id))
    db.session.commit()
    flash(_("Marked as present."), "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/attendance/<int:attendance_id>/confirm")
@community_staff_required
def confirm_minutes(community, activity_id: int, attendance_id: int):
    """Confirm a person's minutes (once)."""
    activity = services.activity_in(community, activity_id)
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None or attendance.activity_id != activity.id:
        abort(404)
    form = MinutesForm()
    if not form.validate():
        refuse(form)
    services.confirm_minutes(current_user, activity, attendance, form.minutes.data)
    db.session.commit()
    flash(_("Minutes confirmed."), "success")
    return redirect(url_for("activities_manage.attendance", community=community.slug, activity_id=activity_id))


# --- micro-wishes -------------------------------------------------------------------------------


@bp.get("/wishes/")
@community_staff_required
def wishes(community):
    """Micro-wishes waiting for review, and the rest by status."""
    pending = list(db.session.scalars(queries.wishes(community.id, WishStatus.PENDING_REVIEW)))
    page = paginate(queries.wishes(community.id), per_page=50)
    return render_template(
        "activities/manage/wishes.html", community=community, pending=pending, page=page, reason_form=ReasonForm()
    )


@bp.route("/wishes/new", methods=["GET", "POST"])
@community_staff_required
def record_wish(community):
    """Post a micro-wish for a resident who asked in person (marked as recorded by the worker)."""
    form = RecordWishForm()
    if form.validate_on_submit():
        try:
            person = accounts.user_by_username(form.username.data)
            if person is None:
                raise NotFound(_("No one has that username."), field="username")
            wish = services.record_wish(current_user, person, community, title=form.title.data, description=form.description.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form_error(form, error)
        else:
            flash(_("The micro-wish is posted for %(name)s.", name=person.display_name), "success")
            return redirect(url_for("activities.wish", wish_id=wish.id))
    return render_template("activities/manage/record_wish.html", community=community, form=form), form_status(form)


@bp.post("/wishes/<int:wish_id>/release")
@community_staff_required
def release_wish(community, wish_id: int):
    """Release a claim that is stuck (with a reason the party member sees); the wish is open again."""
    form = ReasonForm()
    services.release_wish(current_user, services.wish_in(community, wish_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The claim is released; the micro-wish is open again."), "success")
    return redirect(url_for("activities.wish", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/approve")
@community_staff_required
def approve_wish(community, wish_id: int):
    services.approve_wish(current_user, services.wish_in(community, wish_id))
    db.session.commit()
    flash(_("The micro-wish is approved."), "success")
    return redirect(url_for("activities_manage.wishes", community=community.slug))


@bp.post("/wishes/<int:wish_id>/reject")
@community_staff_required
def reject_wish(community, wish_id: int):
    form = ReasonForm()
    services.reject_wish(current_user, services.wish_in(community, wish_id), form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The micro-wish is rejected; the resident has been told why."), "success")
    return redirect(url_for("activities_manage.wishes", community=community.slug))


@bp.get("/documents/")
@community_staff_required
def documents_list(community):
    """Documents issued in this community (service records, certificates), newest first, each with a revoke form."""
    page = paginate(documents.for_community(community.id), per_page=50)
    people = (
        {
            u.id: u
            for u in db.session.scalars(
                sa.select(User).where(
                    User.id.in_(
                        {d.subject_id for d in page.items}
                        | {d.issued_by_id for d in page.items}
                        | {d.revoked_by_id for d in page.items if d.revoked_by_id}
                    )
                )
            )
        }
        if page.items
        else {}
    )
    return render_template(
        "activities/manage/documents.html", community=community, page=page, people=people, check_code=documents.check_code
    )


@bp.post("/documents/<number>/revoke")
@community_staff_required
def revoke_document(community, number: str):
    """Revoke an issued document with a reason (it stays verifiable, marked revoked); audited."""
    document = documents.find(number, request.form.get("c"))
    if document.community_id != community.id:
        raise NotFound(_("No document matches this number and check code."))
    form = ReasonForm()
    documents.revoke(current_user, document, form.reason.data if form.validate() else "")
    db.session.commit()
    flash(_("The document is revoked."), "success")
    return redirect(url_for("activities_manage.documents_list", community=community.slug))
