"""Committee pages: micro-wishes to review, post for a resident or release; documents issued here."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.activities import queries, wishes as services
from consult.activities.blueprints import manage_bp as bp
from consult.activities.forms import ReasonForm, RecordWishForm
from consult.activities.models import WishStatus
from consult.core import documents
from consult.core.errors import NotFound
from consult.core.forms import form_status, submit
from consult.core.pagination import paginate
from consult.extensions import db
from consult.places.access import community_staff_required


@bp.get("/wishes/")
@community_staff_required
def wishes(community):
    """Micro-wishes waiting for review, and the rest by status."""
    pending = list(db.session.scalars(queries.wishes(community.id, WishStatus.PENDING_REVIEW)))
    page = paginate(queries.wishes(community.id), per_page=50)
    return render_template(
        "activities/manage/wishes.html", community=community, pending=pending, page=page, reason_form=ReasonForm()
    )


def _record(form: RecordWishForm, community):
    person = accounts.user_by_username(form.username.data)
    if person is None:
        raise NotFound(_("No one has that username."), field="username")
    return services.record_wish(current_user, person, community, title=form.title.data, description=form.description.data)


@bp.route("/wishes/new", methods=["GET", "POST"])
@community_staff_required
def record_wish(community):
    """Post a micro-wish for a resident who asked in person (marked as recorded by the worker)."""
    form = RecordWishForm()
    if done := submit(form, lambda: _record(form, community)):
        author = db.session.get(User, done.value.author_id)
        flash(_("The micro-wish is posted for %(name)s.", name=author.display_name), "success")
        return redirect(url_for("activities.wish", wish_id=done.value.id))
    return render_template("activities/manage/record_wish.html", community=community, form=form), form_status(form)


def _reason() -> str:
    form = ReasonForm()
    return form.reason.data if form.validate() else ""


@bp.post("/wishes/<int:wish_id>/release")
@community_staff_required
def release_wish(community, wish_id: int):
    """Release a claim that is stuck (with a reason the party member sees); the wish is open again."""
    services.release_wish(current_user, queries.wish_in(community, wish_id), _reason())
    db.session.commit()
    flash(_("The claim is released; the micro-wish is open again."), "success")
    return redirect(url_for("activities.wish", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/approve")
@community_staff_required
def approve_wish(community, wish_id: int):
    """Approve a micro-wish: it waits for a party member."""
    services.approve_wish(current_user, queries.wish_in(community, wish_id))
    db.session.commit()
    flash(_("The micro-wish is approved."), "success")
    return redirect(url_for("activities_manage.wishes", community=community.slug))


@bp.post("/wishes/<int:wish_id>/reject")
@community_staff_required
def reject_wish(community, wish_id: int):
    """Reject a micro-wish with a reason the resident sees."""
    services.reject_wish(current_user, queries.wish_in(community, wish_id), _reason())
    db.session.commit()
    flash(_("The micro-wish is rejected; the resident has been told why."), "success")
    return redirect(url_for("activities_manage.wishes", community=community.slug))


def _people_of(items) -> dict[int, User]:
    """The people a page of documents names (subjects, issuers, revokers), by id, in one query."""
    ids = {d.subject_id for d in items} | {d.issued_by_id for d in items} | {d.revoked_by_id for d in items if d.revoked_by_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}


@bp.get("/documents/")
@community_staff_required
def documents_list(community):
    """Documents issued in this community (service records, certificates), newest first, each with a revoke form."""
    page = paginate(documents.for_community(community.id), per_page=50)
    return render_template(
        "activities/manage/documents.html",
        community=community,
        page=page,
        people=_people_of(page.items),
        check_code=documents.check_code,
    )


@bp.post("/documents/<number>/revoke")
@community_staff_required
def revoke_document(community, number: str):
    """Revoke an issued document with a reason (it stays verifiable, marked revoked); audited."""
    document = documents.find(number, request.form.get("c"))
    if document.community_id != community.id:
        raise NotFound(_("No document matches this number and check code."))
    documents.revoke(current_user, document, _reason())
    db.session.commit()
    flash(_("The document is revoked."), "success")
    return redirect(url_for("activities_manage.documents_list", community=community.slug))
