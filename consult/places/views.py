"""Public pages of places: home (find your community), a street, a community."""

from flask import Blueprint, render_template, request
from flask_login import current_user

from consult.core.registries import community_panels
from consult.places import queries

bp = Blueprint("places", __name__)


@bp.get("/")
def home():
    """Find your street and community; once logged in, yours comes first."""
    q = (request.args.get("q") or "").strip()[:40]
    results = queries.search_communities(q) if q else None
    return render_template(
        "places/home.html",
        q=q,
        results=results,
        streets=queries.all_streets(),
        mine=queries.active_residence(current_user),
    )


@bp.get("/streets/<street>/")
def street(street: str):
    """A street and its communities."""
    obj = queries.street_by_slug(street)
    return render_template("places/street.html", street=obj, communities=queries.communities_of_street(obj.id))


@bp.get("/c/<community>/")
def community(community: str):
    """A community's home: its street, committee and member count."""
    obj = queries.community_by_slug(community)
    panels = []
    for name, panel in community_panels.items():
        context = panel(obj, current_user)
        if context is not None:
            panels.append((f"{name}/_community_panel.html", context))
    return render_template(
        "places/community.html",
        panels=panels,
        community=obj,
        committee=queries.workers_of(obj.id),
        is_member=queries.is_confirmed_member(current_user, obj),
        residence=queries.active_residence(current_user),
        can_manage=queries.can_manage_community(current_user, obj),
    )
