"""My points and rewards; my volunteer certificate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.activities import records as certificate
from consult.core import documents
from consult.core.clock import local_now
from consult.core.errors import DomainError
from consult.core.pagination import paginate
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.points import queries, services
from consult.points.models import Redemption, Reward

bp = Blueprint("points", __name__)


def _mine(status: int = 200, refusal: str | None = None):
    """My points page; a refused redemption or cancellation is shown on it, not on an error page."""
    residence = places.active_residence(current_user)
    community_id = residence.community_id if residence and residence.status == "confirmed" else None
    rewards = queries.rewards(community_id, active_only=True) if community_id else []
    return render_template(
        "points/mine.html",
        balances=queries.balances_of(current_user.id),
        page=paginate(queries.entries_of(current_user.id), per_page=30),
        months=queries.monthly_totals(current_user.id),
        rewards=rewards,
        balance_here=queries.balance_in(current_user.id, community_id) if community_id else 0,
        redemptions=queries.redemptions_of(current_user.id),
        refusal=refusal,
    ), status


@bp.get("/me/points")
@login_required
def mine():
    """My balances (owed when negative), my entries (paginated), monthly totals, the rewards and
    what I can afford, my redemptions."""
    return _mine()


@bp.post("/me/points/rewards/<int:reward_id>/redeem")
@login_required
def redeem(reward_id: int):
    """Redeem a reward for points."""
    reward = db.get_or_404(Reward, reward_id)
    try:
        services.redeem(current_user, reward, request.form.get("request_key"))
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _mine(error.status, error.message)
    flash(_("Redeemed. The committee will hand you “%(name)s”.", name=reward.name), "success")
    return redirect(url_for("points.mine"))


@bp.post("/me/points/redemptions/<int:redemption_id>/cancel")
@login_required
def cancel(redemption_id: int):
    """Cancel my redemption before it is handed over: points and stock come back."""
    redemption = db.get_or_404(Redemption, redemption_id)
    if redemption.user_id != current_user.id:
        abort(403)
    try:
        services.cancel_redemption(current_user, redemption)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _mine(error.status, error.message)
    flash(_("Cancelled; your points are back."), "success")
    return redirect(url_for("points.mine"))


def certificate_page(subject, community, endpoint: str, endpoint_args: dict):
    """The certificate preview for a year, and issuing it as a verifiable document."""
    from consult.activities.services import can_see_record

    if not can_see_record(current_user, subject.id, community):
        abort(403)
    year = request.values.get("year", type=int) or local_now().year
    if request.method == "POST":
        document = certificate.issue_certificate(current_user, subject, community, year)
        db.session.commit()
        return redirect(url_for("documents.show", number=document.number, c=documents.check_code(document.number)))
    from consult.activities.services import period_bounds

    period_bounds(year, None)  # refuses an absurd year with a clear message
    return render_template(
        "points/certificate.html",
        content=certificate.certificate_content(subject, community, year),
        year=year,
        endpoint=endpoint,
        endpoint_args=endpoint_args,
    )


@bp.route("/me/certificate", methods=["GET", "POST"])
@login_required
def my_certificate():
    """My volunteer record certificate (志愿服务记录证明)."""
    residence = places.active_residence(current_user)
    if residence is None:
        return render_template("activities/record_none.html")
    return certificate_page(current_user, db.session.get(Community, residence.community_id), "points.my_certificate", {})
