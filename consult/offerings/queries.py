"""Reads of the service list: a community's list with the 15-minute circle, one service, the committee's view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.clock import local_now, site_zone
from consult.core.errors import NotFound
from consult.extensions import db
from consult.offerings import hours as hours_rules
from consult.offerings.models import CIRCLE_MINUTES, NeighbourLink, Provider, Service, ServiceKind
from consult.offerings.policy import listed_sql
from consult.offerings.services import intervals_of
from consult.places.models import Community

#: the list's groups by walking minutes from the community centre (None: farther than the circle)
BANDS = (5, 10, CIRCLE_MINUTES, None)


@dataclass
class Row:
    """A service as the list shows it: total walking minutes, its hours today, open now or when next."""

    service: Service
    community: Community
    minutes: int
    neighbour: bool
    today: list[hours_rules.Interval]
    open_now: bool
    next_opening: datetime | None
    #: the weekly pattern, Monday first: (weekday, intervals)
    week: list[tuple[int, list[hours_rules.Interval]]] = field(default_factory=list)


@dataclass
class ServiceList:
    community: Community
    kind: str | None
    open_now: bool
    groups: list[tuple[int | None, list[Row]]] = field(default_factory=list)
    moment: datetime | None = None

    @property
    def count(self) -> int:
        return sum(len(rows) for _band, rows in self.groups)


def _with_hours(stmt):
    return stmt.options(sa.orm.selectinload(Service.hours), sa.orm.selectinload(Service.closed_days))


def service_or_404(service_id: int) -> Service:
    """A service with its hours and closed days (whether the person may see it is the policy's to say)."""
    service = db.session.scalar(_with_hours(sa.select(Service).where(Service.id == service_id)))
    if service is None:
        raise NotFound(_("No such service."))
    return service


def provider_or_404(provider_id: int, community_id: int | None = None) -> Provider:
    provider = db.session.get(Provider, provider_id)
    if provider is None or (community_id is not None and provider.community_id != community_id):
        raise NotFound(_("No such provider."))
    return provider


def providers_of(community_id: int) -> list[Provider]:
    return list(
        db.session.scalars(
            sa.select(Provider)
            .where(Provider.community_id == community_id)
            .order_by(Provider.ended_at.is_not(None), Provider.name)
        )
    )


def services_of_provider(provider_id: int) -> list[Service]:
    return list(
        db.session.scalars(_with_hours(sa.select(Service).where(Service.provider_id == provider_id).order_by(Service.title)))
    )


def services_of_community(community_id: int) -> list[Service]:
    """Every service of the community's providers, in any state (the committee's page)."""
    return list(
        db.session.scalars(_with_hours(sa.select(Service).where(Service.community_id == community_id).order_by(Service.title)))
    )


def neighbour_links(community_id: int) -> list[tuple[NeighbourLink, Community]]:
    rows = db.session.execute(
        sa.select(NeighbourLink, Community)
        .join(Community, Community.id == NeighbourLink.neighbour_id)
        .where(NeighbourLink.community_id == community_id)
        .order_by(NeighbourLink.walk_minutes, Community.name)
    ).all()
    return [(link, community) for link, community in rows]


def circle_stmt(community_id: int, kind: str | None = None):
    """The community's listed services and its neighbours' whose walk (link + the service's own) is at
    most CIRCLE_MINUTES, nearest first: the page, the print, the API and its CSV read this one select."""
    link = sa.orm.aliased(NeighbourLink)
    minutes = Service.walk_minutes + sa.func.coalesce(link.walk_minutes, 0)
    stmt = (
        sa.select(Service)
        .join(Provider, Provider.id == Service.provider_id)
        .outerjoin(link, sa.and_(link.community_id == community_id, link.neighbour_id == Service.community_id))
        .where(
            listed_sql(),
            sa.or_(Service.community_id == community_id, sa.and_(link.id.is_not(None), minutes <= CIRCLE_MINUTES)),
        )
    )
    if kind is not None:
        stmt = stmt.where(Service.kind == kind)
    return _with_hours(stmt).order_by(minutes, Service.community_id != community_id, Service.title, Service.id)


def _band(minutes: int) -> int | None:
    return next((band for band in BANDS if band is not None and minutes <= band), None)


def _aware(moment: datetime | None) -> datetime | None:
    """A site wall-clock time as an aware datetime (the |when filter shows it in the reader's zone)."""
    return moment.replace(tzinfo=site_zone()) if moment is not None else None


def row_of(service: Service, community: Community, minutes: int, neighbour: bool, moment: datetime) -> Row:
    intervals = intervals_of(service)
    closed = [d.day for d in service.closed_days]
    return Row(
        service=service,
        community=community,
        minutes=minutes,
        neighbour=neighbour,
        today=hours_rules.on_day(intervals, closed, moment.date()),
        open_now=hours_rules.is_open(intervals, closed, moment),
        next_opening=_aware(hours_rules.next_opening(intervals, closed, moment)),
        week=[(day, [i for i in intervals if i.weekday == day]) for day in range(7)],
    )


def service_list(community: Community, kind: str | None = None, open_now: bool = False) -> ServiceList:
    """The community's own listed services and its neighbours' within the 15-minute circle, grouped by minutes."""
    kind = kind if kind in set(ServiceKind) else None
    moment = local_now().replace(tzinfo=None)
    links = neighbour_links(community.id)
    walk = {link.neighbour_id: link.walk_minutes for link, _c in links}
    communities = {community.id: community} | {c.id: c for _link, c in links}
    rows = []
    for service in db.session.scalars(circle_stmt(community.id, kind)):
        neighbour = service.community_id != community.id
        minutes = service.walk_minutes + walk.get(service.community_id, 0)
        row = row_of(service, communities[service.community_id], minutes, neighbour, moment)
        if open_now and not row.open_now:
            continue
        rows.append(row)
    groups = [(band, [r for r in rows if _band(r.minutes) == band]) for band in BANDS]
    return ServiceList(community, kind, open_now, [(band, rs) for band, rs in groups if rs], moment)


def service_page(service: Service) -> tuple[Row, list[tuple[int, list[hours_rules.Interval]]]]:
    """One service: its row (open now, next opening) and the week's pattern, Monday first."""
    moment = local_now().replace(tzinfo=None)
    community = db.session.get_one(Community, service.community_id)
    row = row_of(service, community, service.walk_minutes, False, moment)
    return row, row.week


def upcoming_closed_days(service: Service, moment: datetime) -> list:
    return [d.day for d in service.closed_days if d.day >= moment.date()]


def local_moment() -> datetime:
    """Now on the site's wall clock (naive), as the hours rules take it."""
    return local_now().replace(tzinfo=None)


def community_of(community_id: int) -> Community:
    return db.session.get_one(Community, community_id)
