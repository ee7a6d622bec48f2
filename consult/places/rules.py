"""The role checks every domain's services start from, in one place."""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core.errors import PermissionDenied
from consult.places import queries
from consult.places.models import Community, Street


def require_committee(actor, community: Community, message: str | None = None) -> None:
    """Refuse (403) unless ``actor`` is on ``community``'s committee (or administers its street)."""
    if not queries.can_manage_community(actor, community):
        raise PermissionDenied(message or _("Only the committee of this community may do this."))


def require_member(actor, community: Community, message: str | None = None) -> None:
    """Refuse (403) unless ``actor`` is a confirmed resident of ``community``."""
    if not queries.is_confirmed_member(actor, community):
        raise PermissionDenied(message or _("Only confirmed residents of this community can do this."))


def require_street_admin(actor, street: Street, message: str | None = None) -> None:
    """Refuse (403) unless ``actor`` administers ``street``."""
    if not queries.can_manage_street(actor, street):
        raise PermissionDenied(message or _("Only an administrator of this street may do this."))


def require_site_admin(actor) -> None:
    """Refuse (403) unless ``actor`` is a site administrator."""
    if not queries.is_site_admin(actor):
        raise PermissionDenied(_("Only a site administrator may do this."))
