"""/manage/: sends each person to their own committee, street or site pages."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from consult.extensions import db
from consult.places import queries
from consult.places.models import Community, Street

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.get("/")
@login_required
def index():
    """Go straight to the one place a person manages, or list them if there are several."""
    roles = queries.roles_of(current_user)
    if not roles.is_staff:
        abort(403)
    communities = [db.session.get(Community, cid) for cid in sorted(roles.worker_of)]
    streets = [db.session.get(Street, sid) for sid in sorted(roles.admin_of_streets)]
    places = len(communities) + len(streets) + (1 if roles.site_admin else 0)
    if places == 0:  # a department member or a provider's staff
        return redirect(_own_pages(roles))
    if places == 1:
        if communities:
            return redirect(url_for("places_manage.todo", community=communities[0].slug))
        if streets:
            return redirect(url_for("places_manage.street", street=streets[0].slug))
        return redirect(url_for("places_manage.site"))
    return render_template("manage/index.html", communities=communities, streets=streets, site_admin=roles.site_admin)


def _own_pages(roles) -> str:
    """A department member's requests, or a provider's staff member's services."""
    if roles.department_of:
        return url_for("requests_manage.department_queue", department_id=min(roles.department_of))
    return url_for("offerings_manage.provider_home", provider_id=min(roles.provider_of))
