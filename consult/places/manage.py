"""Committee pages (/manage/c/...), street pages (/manage/streets/...) and site pages (/manage/site/)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.core import audit
from consult.core.errors import NotFound
from consult.core.forms import form_status, refuse, submit
from consult.core.pagination import paginate
from consult.core.registries import todo_providers
from consult.extensions import db
from consult.places import queries, residents as people, services
from consult.places.access import community_staff_required, site_admin_required, street_admin_required
from consult.places.forms import (
    AppointForm,
    ConfirmForm,
    OptionalReasonForm,
    PlaceForm,
    ReasonForm,
    RecordResidentForm,
    StreetAdminForm,
)
from consult.places.models import StaffRole

bp = Blueprint("places_manage", __name__, url_prefix="/manage")


# --- a community's committee -------------------------------------------------------------


@bp.get("/c/<community>/")
@community_staff_required
def todo(community):
    """The worker's to-do page: every pending item of every domain, oldest first, with its age."""
    items = []
    for provider in todo_providers.values():
        items.extend(provider(community))
    items.sort(key=lambda item: item.since)
    return render_template("manage/todo.html", community=community, items=items)


@bp.get("/c/<community>/residents/")
@community_staff_required
def residents(community):
    """Applications to decide and confirmed residents, with their actions."""
    pending = list(db.session.scalars(queries.pending_residences(community.id)))
    confirmed = paginate(queries.confirmed_residences(community.id), per_page=50)
    queries.remember_home_communities([r.user_id for r in pending] + [r.user_id for r in confirmed.items])
    return render_template(
        "manage/residents.html",
        community=community,
        pending=pending,
        confirmed=confirmed,
        reason_form=ReasonForm(),
        end_form=OptionalReasonForm(),
        confirm_form=ConfirmForm(),
    )


@bp.post("/c/<community>/residences/<int:residence_id>/confirm")
@community_staff_required
def confirm(community, residence_id: int):
    """Confirm that a person lives here."""
    residence = queries.residence_in(community, residence_id)
    services.confirm_residence(current_user, residence)
    db.session.commit()
    flash(_("Residence confirmed."), "success")
    return redirect(url_for("places_manage.residents", community=community.slug))


@bp.post("/c/<community>/residences/<int:residence_id>/reject")
@community_staff_required
def reject(community, residence_id: int):
    """Reject an application with a reason the person sees."""
    residence = queries.residence_in(community, residence_id)
    form = ReasonForm()
    if not form.validate():
        refuse(form)
    services.reject_residence(current_user, residence, form.reason.data)
    db.session.commit()
    flash(_("Application rejected; the person has been told why."), "success")
    return redirect(url_for("places_manage.residents", community=community.slug))


@bp.post("/c/<community>/residences/<int:residence_id>/end")
@community_staff_required
def end(community, residence_id: int):
    """End a residence: the person moved out."""
    residence = queries.residence_in(community, residence_id)
    form = OptionalReasonForm()
    if not form.validate():
        refuse(form)
    services.end_residence(current_user, residence, form.reason.data)
    db.session.commit()
    flash(_("Residence ended."), "success")
    return redirect(url_for("places_manage.residents", community=community.slug))


@bp.post("/c/<community>/residences/<int:residence_id>/reset-code")
@community_staff_required
def reset_code(community, residence_id: int):
    """Issue a one-time password reset code, handed over in person; shown once."""
    residence = queries.residence_in(community, residence_id)
    user = db.session.get(User, residence.user_id)
    code = people.issue_reset_code(current_user, user, community)
    db.session.commit()
    return render_template("manage/reset_code.html", community=community, person=user, code=code)


@bp.post("/c/<community>/residences/<int:residence_id>/end-sessions")
@community_staff_required
def end_sessions(community, residence_id: int):
    """Log a resident out on every device (a lost phone); audited."""
    residence = queries.residence_in(community, residence_id)
    user = db.session.get(User, residence.user_id)
    count = people.end_all_by_worker(current_user, user, community)
    db.session.commit()
    flash(_("%(name)s is logged out on every device (%(num)d).", name=user.display_name, num=count), "success")
    return redirect(url_for("places_manage.residents", community=community.slug))


@bp.route("/c/<community>/residents/new", methods=["GET", "POST"])
@community_staff_required
def record_resident(community):
    """Register a resident who has no phone, on their behalf (marked "recorded by")."""
    form = RecordResidentForm()
    data = {name: form[name].data for name in ("username", "display_name", "phone", "building", "unit", "room")}
    if submit(form, lambda: people.record_resident(current_user, community, **data)):
        flash(_("%(name)s is registered as a resident.", name=form.display_name.data), "success")
        return redirect(url_for("places_manage.residents", community=community.slug))
    return render_template("manage/record_resident.html", community=community, form=form), form_status(form)


@bp.get("/c/<community>/audit")
@community_staff_required
def community_audit(community):
    """The community's audit log."""
    page = paginate(audit.for_community(community.id), per_page=50)
    return render_template("manage/audit.html", scope_name=community.name, community=community, page=page)


# --- a street ------------------------------------------------------------------------------


def _street_page(street, form=None, status=200):
    communities = queries.communities_of_street(street.id)
    form = form or AppointForm()
    form.community.choices = [SelectChoice(c.slug, c.name) for c in communities]
    return (
        render_template(
            "manage/street.html",
            street=street,
            communities=communities,
            workers=queries.street_workers(street.id),
            form=form,
            end_form=ConfirmForm(),
        ),
        status,
    )


@bp.get("/streets/<street>/")
@street_admin_required
def street(street):
    """A street admin's page: communities, their workers, appointing."""
    return _street_page(street)


@bp.post("/streets/<street>/workers")
@street_admin_required
def appoint_worker(street):
    """Appoint a committee worker of one of the street's communities."""
    form = AppointForm()
    form.community.choices = [SelectChoice(c.slug, c.name) for c in queries.communities_of_street(street.id)]
    if done := submit(form, lambda: _appoint_worker(street, form)):
        user, community = done.value
        flash(_("%(name)s now works for %(community)s.", name=user.display_name, community=community.name), "success")
        return redirect(url_for("places_manage.street", street=street.slug))
    return _street_page(street, form, form_status(form))


def _appoint_worker(street, form: AppointForm):
    user = accounts.active_user_named(form.username.data)
    community = queries.community_by_slug(form.community.data)
    if community.street_id != street.id:
        raise NotFound(_("That community is not in this street."), field="community")
    services.appoint_worker(current_user, user, community)
    return user, community


def _appoint_street_admin(form: StreetAdminForm):
    user = accounts.active_user_named(form.username.data)
    street = queries.street_by_slug(form.street.data or "")
    services.appoint_street_admin(current_user, user, street)
    return user, street


@bp.post("/streets/<street>/appointments/<int:appointment_id>/end")
@street_admin_required
def end_worker(street, appointment_id: int):
    """Remove a worker from a community of the street."""
    appointment = queries.appointment_by_id(appointment_id)
    if appointment.role != StaffRole.WORKER:
        abort(404)
    services.end_appointment(current_user, appointment)
    db.session.commit()
    flash(_("The appointment has ended."), "success")
    return redirect(url_for("places_manage.street", street=street.slug))


@bp.get("/streets/<street>/audit")
@street_admin_required
def street_audit(street):
    """The street's audit log: appointments and community changes."""
    page = paginate(audit.for_street(street.id), per_page=50)
    return render_template("manage/audit.html", scope_name=street.name, community=None, page=page)


# --- the site --------------------------------------------------------------------------------


def _site_page(street_form=None, community_form=None, admin_form=None, status=200):
    streets = queries.all_streets()
    choices = [SelectChoice(s.slug, s.name) for s in streets]
    street_form = street_form or PlaceForm(prefix="street")
    community_form = community_form or PlaceForm(prefix="community")
    admin_form = admin_form or StreetAdminForm(prefix="admin")
    community_form.street.choices = choices
    admin_form.street.choices = choices
    return (
        render_template(
            "manage/site.html",
            streets=streets,
            communities=queries.search_communities(None, limit=500),
            admins=queries.street_admins(),
            street_form=street_form,
            community_form=community_form,
            admin_form=admin_form,
            end_form=ConfirmForm(),
        ),
        status,
    )


@bp.get("/site/")
@site_admin_required
def site():
    """The site admin's page: streets, communities and street admins."""
    return _site_page()


@bp.post("/site/streets")
@site_admin_required
def create_street():
    form = PlaceForm(prefix="street")
    if done := submit(form, lambda: services.create_street(current_user, form.slug.data, form.name.data)):
        flash(_("Street %(name)s created.", name=done.value.name), "success")
        return redirect(url_for("places_manage.site"))
    return _site_page(street_form=form, status=form_status(form))


@bp.post("/site/communities")
@site_admin_required
def create_community():
    form = PlaceForm(prefix="community")
    create = lambda: services.create_community(  # noqa: E731
        current_user, queries.street_by_slug(form.street.data or ""), form.slug.data, form.name.data
    )
    if done := submit(form, create):
        flash(_("Community %(name)s created.", name=done.value.name), "success")
        return redirect(url_for("places_manage.site"))
    return _site_page(community_form=form, status=form_status(form))


@bp.post("/site/street-admins")
@site_admin_required
def appoint_street_admin():
    form = StreetAdminForm(prefix="admin")
    if done := submit(form, lambda: _appoint_street_admin(form)):
        user, street = done.value
        flash(_("%(name)s now administers %(street)s.", name=user.display_name, street=street.name), "success")
        return redirect(url_for("places_manage.site"))
    return _site_page(admin_form=form, status=form_status(form))


@bp.post("/site/reset-code")
@site_admin_required
def staff_reset_code():
    """Issue a one-time reset code for any account (staff accounts can only be reset here)."""
    user = accounts.user_by_username(request.form.get("reset-username", ""))
    if user is None:
        raise NotFound(_("No one has that username."))
    code = people.issue_staff_reset_code(current_user, user)
    db.session.commit()
    return render_template("manage/reset_code.html", community=None, person=user, code=code)


@bp.post("/site/end-sessions")
@site_admin_required
def staff_end_sessions():
    """Log anyone out on every device, staff included (audited)."""
    user = accounts.user_by_username(request.form.get("sessions-username", ""))
    if user is None:
        raise NotFound(_("No one has that username."))
    count = people.end_all_by_site_admin(current_user, user)
    db.session.commit()
    flash(_("%(name)s is logged out on every device (%(num)d).", name=user.display_name, num=count), "success")
    return redirect(url_for("places_manage.site"))


@bp.post("/site/appointments/<int:appointment_id>/end")
@site_admin_required
def end_street_admin(appointment_id: int):
    appointment = queries.appointment_by_id(appointment_id)
    if appointment.role == StaffRole.WORKER:
        abort(404)
    services.end_appointment(current_user, appointment)
    db.session.commit()
    flash(_("The appointment has ended."), "success")
    return redirect(url_for("places_manage.site"))


from consult.places import departments_manage, jobs_manage  # noqa: E402, F401  (their routes on this blueprint)
