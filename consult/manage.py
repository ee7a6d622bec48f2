"""/manage/: sends each person to their own committee, street or site pages."""

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from consult.extensions import db
from consult.places import queries
from consult.places.models import Community, Street

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _own_page(roles) -> str | None:
    """A department member's department queue, a grid worker's (first) grid (its page links the
    others), or a provider's staff member's services."""
    if roles.department_of:
        return url_for("requests_manage.department_queue", department_id=min(roles.department_of))
    if roles.grid_of:
        return url_for("safety_manage.grid_page", grid_id=min(roles.grid_of))
    if roles.provider_of:
        return url_for("offerings_manage.provider_home", provider_id=min(roles.provider_of))
    return None


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
    if places == 0 and (own := _own_page(roles)):
        return redirect(own)
    if places == 1:
        if communities:
            return redirect(url_for("places_manage.todo", community=communities[0].slug))
        if streets:
            return redirect(url_for("places_manage.street", street=streets[0].slug))
        return redirect(url_for("places_manage.site"))
    return render_template("manage/index.html", communities=communities, streets=streets, site_admin=roles.site_admin)
