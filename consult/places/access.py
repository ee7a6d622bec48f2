"""Access decorators: they load the object named in the URL and check the person against it."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from consult.places import queries


def community_staff_required(view):
    """The view gets the Community for ``<community>``; only its committee (and street admins) pass."""

    @wraps(view)
    @login_required
    def wrapped(community: str, **kwargs):
        obj = queries.community_by_slug(community)
        if not queries.can_manage_community(current_user, obj):
            abort(403)
        return view(obj, **kwargs)

    return wrapped


def street_admin_required(view):
    """The view gets the Street for ``<street>``; only its admins pass."""

    @wraps(view)
    @login_required
    def wrapped(street: str, **kwargs):
        obj = queries.street_by_slug(street)
        if not queries.can_manage_street(current_user, obj):
            abort(403)
        return view(obj, **kwargs)

    return wrapped


def site_admin_required(view):
    """Only site admins pass."""

    @wraps(view)
    @login_required
    def wrapped(**kwargs):
        if not queries.is_site_admin(current_user):
            abort(403)
        return view(**kwargs)

    return wrapped
