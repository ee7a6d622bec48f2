"""What the API reads from the service list: a community's list with the 15-minute circle."""

from __future__ import annotations

from collections.abc import Sequence

from flask import url_for

from consult.core.clock import local_now
from consult.core.exports import Listing
from consult.offerings import hours as hours_rules
from consult.offerings.queries import circle_stmt, neighbour_links
from consult.offerings.services import intervals_of
from consult.places.models import Community

COLUMNS = [
    "id",
    "title",
    "kind",
    "provider",
    "provider_kind",
    "community",
    "minutes",
    "place",
    "hours",
    "closed_days",
    "hours_note",
    "open_now",
    "phone",
    "price",
    "price_yuan",
    "takes_appointments",
    "url",
]


def _renderer(community: Community):
    links = neighbour_links(community.id)
    walk = {link.neighbour_id: link.walk_minutes for link, _c in links}
    slugs = {community.id: community.slug} | {c.id: c.slug for _link, c in links}
    moment = local_now().replace(tzinfo=None)

    def render(services: Sequence) -> list[dict]:
        items = []
        for s in services:
            intervals = intervals_of(s)
            closed = [d.day for d in s.closed_days]
            items.append(
                {
                    "id": s.id,
                    "title": s.title,
                    "kind": s.kind,
                    "provider": s.provider.name,
                    "provider_kind": s.provider.kind,
                    "community": slugs.get(s.community_id, ""),
                    "minutes": s.walk_minutes + walk.get(s.community_id, 0),
                    "place": s.place,
                    "hours": [
                        {
                            "weekday": i.weekday,
                            "opens": hours_rules.clock_text(i.opens),
                            "closes": hours_rules.clock_text(i.closes),
                            "overnight": i.overnight,
                        }
                        for i in intervals
                    ],
                    "closed_days": [d.isoformat() for d in closed if d >= moment.date()],
                    "hours_note": s.hours_note,
                    "open_now": hours_rules.is_open(intervals, closed, moment),
                    "phone": s.phone,
                    "price": s.price_kind,
                    "price_yuan": None if s.price_fen is None else f"{s.price_fen / 100:.2f}",
                    "takes_appointments": s.takes_appointments,
                    "url": url_for("offerings.detail", service_id=s.id, _external=True),
                }
            )
        return items

    return render


def services_listing(community: Community) -> Listing:
    """A community's service list: its own listed services and its neighbours' within 15 walking minutes."""
    return Listing(circle_stmt(community.id), _renderer(community), COLUMNS, f"services-{community.slug}")
