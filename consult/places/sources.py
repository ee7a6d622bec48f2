"""What places lends the core and the read-only domains above it: the header's roles, the
permission to manage a community (core checks it to revoke a document), and the API's list of
communities. Registered when ``create_app`` imports this module."""

from __future__ import annotations

import sqlalchemy as sa

from consult.core.exports import Listing
from consult.core.registries import header_value, permission
from consult.extensions import db
from consult.places.models import Community, Street
from consult.places.queries import can_manage_community, roles_of


@header_value("roles")
def roles(user):
    """The signed-in person's roles (the header shows "Manage" to staff)."""
    return roles_of(user)


@permission("manage_community")
def manage_community(user, community_id: int) -> bool:
    community = db.session.get(Community, community_id)
    return community is not None and can_manage_community(user, community)


def communities_listing() -> Listing:
    """Every community with its street and number of confirmed residents (the open-data API)."""
    return Listing(
        sa.select(Community).join(Street, Street.id == Community.street_id).order_by(Street.slug, Community.slug),
        lambda batch: [
            {
                "slug": c.slug,
                "name": c.name,
                "street": c.street.slug,
                "street_name": c.street.name,
                "member_count": c.member_count,
            }
            for c in batch
        ],
        ["slug", "name", "street", "street_name", "member_count"],
        "communities",
    )
