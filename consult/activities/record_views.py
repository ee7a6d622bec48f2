"""My 报到, and the service record (mine, or a member's for the committee: ``manage`` reuses ``record_page``)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.activities import party as services, queries, records
from consult.activities.blueprints import bp
from consult.activities.forms import PartyForm, PeriodForm
from consult.core import documents
from consult.core.clock import local_now
from consult.core.errors import RuleViolation
from consult.core.exports import csv_response
from consult.core.forms import form_status, submit
from consult.extensions import db
from consult.places import queries as places


def _register(form: PartyForm, residence):
    """报到 at the community I live in (a confirmed resident only)."""
    if residence is None or not places.is_confirmed_member(current_user, residence.community):
        raise RuleViolation(_("Only confirmed residents can register here."))
    return services.register_party_member(
        current_user, residence.community, work_unit=form.work_unit.data, party_branch=form.party_branch.data
    )


@bp.route("/me/party", methods=["GET", "POST"])
@login_required
def party():
    """Register (报到) as an in-service party member at the community I live in."""
    residence = places.active_residence(current_user)
    form = PartyForm()
    if submit(form, lambda: _register(form, residence)):
        flash(_("Your 报到 was sent to the committee."), "success")
        return redirect(url_for("activities.party"))
    return render_template(
        "activities/party.html",
        form=form,
        residence=residence,
        may_register=residence is not None and places.is_confirmed_member(current_user, residence.community),
        active=queries.active_registration(current_user),
        history=queries.registrations_of(current_user.id),
    ), form_status(form)


@bp.post("/me/party/end")
@login_required
def end_party():
    """End my 报到 (I no longer serve here); its history stays."""
    registration = queries.active_registration(current_user)
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
    records.period_bounds(year, quarter)  # refuses a year or quarter out of range
    form.year.data, form.quarter.data = year, str(quarter or "")
    return form, year, quarter


def _record_csv(subject, record: dict):
    rows = [(a["date"], a["title"], a["kind"], a["minutes"]) for a in record["activities"]]
    rows += [(w["date"], w["title"], "wish", w["rating"] or "") for w in record["wishes"]]
    return csv_response(
        f"service-record-{subject.id}-{record['period']}.csv",
        [_("Date"), _("Activity or micro-wish"), _("Kind"), _("Minutes or rating")],
        rows,
    )


def record_page(subject, community, endpoint: str, endpoint_args: dict | None = None):
    """The service record page (mine, or a member's for the committee), its CSV and its document."""
    if not records.can_see_record(current_user, subject.id, community):
        abort(403)
    if request.method == "POST":
        return issue(subject, community)
    form, year, quarter = _period_args()
    record = records.service_record(subject, community, year, quarter)
    if request.args.get("format") == "csv":
        return _record_csv(subject, record)
    return render_template(
        "activities/record.html",
        record=record,
        form=form,
        subject=subject,
        community=community,
        endpoint=endpoint,
        endpoint_args=endpoint_args or {},
        year=year,
        quarter=quarter,
    )


def _record_community(user):
    """Where my record is kept: my 报到's community (the latest), else where I live."""
    registration = queries.active_registration(user) or next(iter(queries.registrations_of(user.id)), None)
    residence = places.active_residence(user)
    community_id = registration.community_id if registration else (residence.community_id if residence else None)
    return queries.community_of(community_id) if community_id is not None else None


@bp.route("/me/record", methods=["GET", "POST"])
@login_required
def my_record():
    """My service record for a year or quarter; printable, as CSV, and issued as a verifiable document."""
    community = _record_community(current_user)
    if community is None:
        return render_template("activities/record_none.html")
    return record_page(current_user, community, "activities.my_record")


def issue(subject, community):
    """Issue the record for the year (and quarter) sent, and show the document."""
    year = request.form.get("year", type=int) or local_now().year
    quarter = request.form.get("quarter", type=int)
    document = records.issue_service_record(current_user, subject, community, year, quarter)
    db.session.commit()
    return redirect(url_for("documents.show", number=document.number, c=documents.check_code(document.number)))
