"""My points and rewards; my volunteer certificate."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.activities import records as certificate
from consult.activities.records import can_see_record, period_bounds
from consult.core import documents
from consult.core.clock import local_now
from consult.core.forms import Form, form_status, submit
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.points import pages, rewards
from consult.points.forms import refusal
from consult.points.models import Redemption, Reward

bp = Blueprint("points", __name__)


def _mine(form: Form | None = None):
    """My points page; a refused redemption or cancellation is shown on it, not on an error page."""
    shown = vars(pages.my_points(current_user))
    if form is None:
        return render_template("points/mine.html", **shown, refusal=None)
    return render_template("points/mine.html", **shown, refusal=refusal(form)), form_status(form)


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
    reward, form = db.get_or_404(Reward, reward_id), Form()
    if submit(form, lambda: rewards.redeem(current_user, reward, request.form.get("request_key"))):
        flash(_("Redeemed. The committee will hand you “%(name)s”.", name=reward.name), "success")
        return redirect(url_for("points.mine"))
    return _mine(form)


@bp.post("/me/points/redemptions/<int:redemption_id>/cancel")
@login_required
def cancel(redemption_id: int):
    """Cancel my redemption before it is handed over: points and stock come back."""
    redemption, form = db.get_or_404(Redemption, redemption_id), Form()
    if redemption.user_id != current_user.id:
        abort(403)  # this page is for one's own redemptions; the committee cancels on its own page
    if submit(form, lambda: rewards.cancel_redemption(current_user, redemption)):
        flash(_("Cancelled; your points are back."), "success")
        return redirect(url_for("points.mine"))
    return _mine(form)


def certificate_page(subject, community, endpoint: str, endpoint_args: dict):
    """The certificate preview for a year, and issuing it as a verifiable document."""
    if not can_see_record(current_user, subject.id, community):
        abort(403)
    year = request.values.get("year", type=int) or local_now().year
    if request.method == "POST":
        document = certificate.issue_certificate(current_user, subject, community, year)
        db.session.commit()
        return redirect(url_for("documents.show", number=document.number, c=documents.check_code(document.number)))
    period_bounds(year, None)  # refuses an absurd year with a clear message
    content = certificate.certificate_content(subject, community, year)
    return render_template("points/certificate.html", content=content, year=year, endpoint=endpoint, endpoint_args=endpoint_args)


@bp.route("/me/certificate", methods=["GET", "POST"])
@login_required
def my_certificate():
    """My volunteer record certificate (志愿服务记录证明)."""
    residence = places.active_residence(current_user)
    if residence is None:
        return render_template("activities/record_none.html")
    return certificate_page(current_user, db.session.get(Community, residence.community_id), "points.my_certificate", {})
