"""Urgent notices for the committee, the street and grid workers: publish, follow up (the board,
the door-to-door list to print, visits) and export (CSV)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from consult.core.clock import site_zone
from consult.core.exports import csv_response
from consult.core.forms import form_status, submit
from consult.places import queries as places
from consult.places.access import community_staff_required, street_admin_required
from consult.safety import followup, notice_export, notice_queries as nq, notices, queries
from consult.safety.notice_forms import LEVEL_LABELS, OUTCOME_LABELS, CommunityNoticeForm, StreetNoticeForm, VisitForm
from consult.safety.notice_policy import NoticePolicy, scope_of

bp = Blueprint("safety_notices", __name__, url_prefix="/manage")


def _aware(value):
    return value.replace(tzinfo=site_zone()) if value is not None else None


def _draft(form, **places_chosen) -> notices.Draft:
    return notices.Draft(
        level=form.level.data,
        title=form.title.data,
        what_to_do=form.what_to_do.data,
        ends_at=_aware(form.ends_at.data),
        **places_chosen,
    )


def _community_page(community, form=None, status: int = 200):
    form = form or CommunityNoticeForm()
    form.grids.choices = [SelectChoice(g.id, g.name) for g in queries.grids_of(community.id)]
    listed = nq.notices_of_community(community)
    return render_template("safety/notices/community.html", community=community, listed=listed, form=form), status


@bp.get("/c/<community>/notices/")
@community_staff_required
def community_notices(community):
    """The notices that reached the community, and the form to publish one."""
    return _community_page(community)


@bp.post("/c/<community>/notices/")
@community_staff_required
def publish(community):
    """Publish a notice for the community, or for some of its grids or buildings."""
    form = CommunityNoticeForm()
    form.grids.choices = []
    draft = lambda: _draft(form, grid_ids=form.grids.data or [], buildings=notices.split_buildings(form.buildings.data))  # noqa: E731
    if done := submit(form, lambda: notices.publish(current_user, community, draft())):
        flash(_("The notice is published to %(count)d residents.", count=done.value.recipients), "success")
        return redirect(url_for("safety_notices.board", notice_id=done.value.id))
    return _community_page(community, form, form_status(form))


def _street_page(street, form=None, status: int = 200):
    form = form or StreetNoticeForm()
    form.communities.choices = [SelectChoice(c.id, c.name) for c in places.communities_of_street(street.id)]
    listed = nq.notices_of_street(street.id)
    return render_template("safety/notices/street.html", street=street, listed=listed, form=form), status


@bp.get("/streets/<street>/notices/")
@street_admin_required
def street_notices(street):
    """The street's notices (its own and its communities'), and the form to publish one."""
    return _street_page(street)


@bp.post("/streets/<street>/notices/")
@street_admin_required
def publish_for_street(street):
    """Publish a notice for several communities of the street."""
    form = StreetNoticeForm()
    form.communities.choices = []
    if done := submit(
        form, lambda: notices.publish_for_street(current_user, street, _draft(form, community_ids=form.communities.data or []))
    ):
        flash(_("The notice is published to %(count)d residents.", count=done.value.recipients), "success")
        return redirect(url_for("safety_notices.board", notice_id=done.value.id))
    return _street_page(street, form, form_status(form))


def _followed(notice_id: int):
    notice = nq.notice_by_id(notice_id)
    NoticePolicy(notice).require("follow", current_user)
    return notice, scope_of(notice, current_user)


def _board(notice, scope, visit_form=None, status: int = 200):
    return render_template(
        "safety/notices/board.html",
        notice=notice,
        scope=scope,
        communities=nq.place_rows(notice, scope, by_building=False),
        places=nq.place_rows(notice, scope),
        people=nq.people(notice, scope),
        roster=nq.roster(notice) if scope.sees_people or scope.everything else [],
        visits=nq.visits(notice, scope),
        visit_form=visit_form or VisitForm(),
        levels=LEVEL_LABELS,
        outcomes=OUTCOME_LABELS,
    ), status


@bp.get("/notices/<int:notice_id>/")
@login_required
def board(notice_id: int):
    """The follow-up board: acknowledged or not per place, people needing help first, visits, responders."""
    return _board(*_followed(notice_id))


@bp.post("/notices/<int:notice_id>/visits")
@login_required
def record_visit(notice_id: int):
    """Record a door-to-door visit to a recipient of one's grid."""
    notice, scope = _followed(notice_id)
    form = VisitForm()
    user_id = int(form.user_id.data) if (form.user_id.data or "").isdigit() else None
    if submit(form, lambda: followup.record_visit(current_user, notice, user_id, form.outcome.data, form.note.data)):
        flash(_("The visit is recorded."), "success")
        return redirect(url_for("safety_notices.board", notice_id=notice.id) + "#people")
    return _board(notice, scope, form, form_status(form))


@bp.get("/notices/<int:notice_id>/print")
@login_required
def print_list(notice_id: int):
    """The door-to-door list (A4): those who have not acknowledged, people needing help first."""
    notice, scope = _followed(notice_id)
    return render_template(
        "safety/notices/print.html", notice=notice, people=nq.people(notice, scope, pending_only=True), levels=LEVEL_LABELS
    )


@bp.get("/notices/<int:notice_id>/export.csv")
@login_required
def export(notice_id: int):
    """The notice and its follow-up, one line per recipient the viewer sees (totals per place for the street)."""
    notice = nq.notice_by_id(notice_id)
    NoticePolicy(notice).require("export", current_user)
    return csv_response(f"notice-{notice.id}.csv", *notice_export.follow_up(notice, scope_of(notice, current_user)))


@bp.get("/c/<community>/notices/export.csv")
@community_staff_required
def community_export(community):
    """The community's notices with their counts (CSV)."""
    listed = nq.notices_of_community(community, limit=10_000)
    return csv_response(f"notices-{community.slug}.csv", *notice_export.listing(listed))
