"""The 15-minute circle: a committee links neighbouring communities with the walk between centres."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.offerings.models import CIRCLE_MINUTES, NeighbourLink
from consult.places.models import Community
from consult.places.rules import require_committee


def link_neighbour(actor: User, community: Community, neighbour: Community, walk_minutes: int | None) -> NeighbourLink:
    """The committee says ``neighbour``'s centre is ``walk_minutes`` away (1–15); linking again changes the minutes."""
    require_committee(actor, community)
    if neighbour.id == community.id:
        raise RuleViolation(_("A community is not its own neighbour."), field="neighbour")
    if not isinstance(walk_minutes, int) or not 1 <= walk_minutes <= CIRCLE_MINUTES:
        raise RuleViolation(
            _(
                "Give the walk as a whole number of minutes from 1 to %(max)d: farther communities are outside the circle.",
                max=CIRCLE_MINUTES,
            ),
            field="walk_minutes",
        )
    link = db.session.scalar(
        sa.select(NeighbourLink).where(NeighbourLink.community_id == community.id, NeighbourLink.neighbour_id == neighbour.id)
    )
    before = {"walk_minutes": link.walk_minutes} if link else None
    if link is None:
        link = NeighbourLink(community_id=community.id, neighbour_id=neighbour.id, created_by_id=actor.id)
        db.session.add(link)
    link.walk_minutes = walk_minutes
    db.session.flush()
    audit.record(
        actor,
        "neighbour.link",
        link,
        community_id=community.id,
        before=before,
        after={"neighbour": neighbour.slug, "walk_minutes": walk_minutes},
    )
    return link


def unlink_neighbour(actor: User, community: Community, link_id: int) -> None:
    """The committee removes a neighbour from its circle."""
    require_committee(actor, community)
    link = db.session.get(NeighbourLink, link_id)
    if link is None or link.community_id != community.id:
        raise RuleViolation(_("That community is not linked as a neighbour."))
    audit.record(actor, "neighbour.unlink", link, community_id=community.id, before={"neighbour_id": link.neighbour_id})
    db.session.delete(link)
    db.session.flush()
