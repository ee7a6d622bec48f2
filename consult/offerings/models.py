"""The community service list: providers, their services with opening hours, and neighbour links."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.extensions import Model

NAME_MAX = 60
TITLE_MAX = 80
DESCRIPTION_MAX = 4000
BRING_MAX = 500
PLACE_MAX = 120
NOTE_MAX = 200
PHONE_MAX = 30
#: walking minutes from the community centre to a service, and between two communities' centres
WALK_MAX = 120
#: the 15-minute circle: a neighbour's service shows when link + its own walk is at most this
CIRCLE_MINUTES = 15
#: a fixed price, in fen (分): at most ¥100,000
PRICE_MAX_FEN = 10_000_000
#: closed days kept on one service (a year of holidays and more)
CLOSED_DAYS_MAX = 120


class ProviderKind(enum.StrEnum):
    COMMITTEE = "committee"  # the neighbourhood committee itself
    ORGANISATION = "organisation"  # 社区社会组织
    UNIT = "unit"  # 驻区单位: schools, firms, clinics


class ServiceKind(enum.StrEnum):
    GOVERNMENT = "government"  # 政务服务
    CONVENIENCE = "convenience"  # 便民服务
    WELFARE = "welfare"  # 为民服务
    SAFETY = "safety"  # 安民服务


class PriceKind(enum.StrEnum):
    FREE = "free"
    FIXED = "fixed"
    ASK = "ask"


class Provider(Model):
    """Who offers services in a community: the committee, a social organisation or a unit in the area.

    The committee creates it (pending) and confirms it; only a confirmed provider's services are
    listed. An ended provider's services leave the list, its staff appointments end."""

    __tablename__ = "providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(NAME_MAX))
    phone: Mapped[str | None] = mapped_column(sa.String(PHONE_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        sa.CheckConstraint("kind IN ('committee', 'organisation', 'unit')", name="kind"),
        sa.CheckConstraint("(confirmed_at IS NULL) = (confirmed_by_id IS NULL)", name="confirmed_by"),
    )


class Service(Model):
    """One service on a community's list (社区服务清单)."""

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("providers.id"), index=True)
    #: the provider's community, kept here so a community's list is one indexed read
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    kind: Mapped[str] = mapped_column(sa.String(16))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    #: Markdown, shown through consult.core.markdown
    description: Mapped[str] = mapped_column(sa.Text, default="")
    bring: Mapped[str] = mapped_column(sa.String(BRING_MAX), default="")
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX))
    walk_minutes: Mapped[int] = mapped_column(default=0)
    hours_note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    phone: Mapped[str] = mapped_column(sa.String(PHONE_MAX), default="")
    price_kind: Mapped[str] = mapped_column(sa.String(8), default=PriceKind.FREE)
    #: the price in fen when price_kind is fixed
    price_fen: Mapped[int | None]
    takes_appointments: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]

    provider: Mapped[Provider] = relationship(lazy="joined")
    hours: Mapped[list[ServiceHours]] = relationship(
        order_by="(ServiceHours.weekday, ServiceHours.opens)",
        cascade="all, delete-orphan",
        lazy="raise_on_sql",
    )
    closed_days: Mapped[list[ServiceClosedDay]] = relationship(
        order_by="ServiceClosedDay.day", cascade="all, delete-orphan", lazy="raise_on_sql"
    )

    __table_args__ = (
        sa.CheckConstraint("kind IN ('government', 'convenience', 'welfare', 'safety')", name="kind"),
        sa.CheckConstraint("price_kind IN ('free', 'fixed', 'ask')", name="price_kind"),
        sa.CheckConstraint(
            "(price_kind = 'fixed') = (price_fen IS NOT NULL)"
            f" AND (price_fen IS NULL OR price_fen BETWEEN 1 AND {PRICE_MAX_FEN})",
            name="price",
        ),
        sa.CheckConstraint(f"walk_minutes BETWEEN 0 AND {WALK_MAX}", name="walk_minutes"),
        sa.Index("ix_services_community_kind", "community_id", "kind"),
    )


class ServiceHours(Model):
    """One opening of the weekly pattern, in minutes from midnight (consult/offerings/hours.py)."""

    __tablename__ = "service_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    opens: Mapped[int]
    closes: Mapped[int]
    #: closes the next day (22:00–02:00)
    overnight: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
        sa.CheckConstraint("opens BETWEEN 0 AND 1439 AND closes BETWEEN 0 AND 1440", name="minutes"),
        sa.CheckConstraint("(overnight AND closes < opens) OR (NOT overnight AND opens < closes)", name="order"),
    )


class ServiceClosedDay(Model):
    """A date the service is closed (a holiday): openings that start on it do not happen."""

    __tablename__ = "service_closed_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(sa.ForeignKey("services.id", ondelete="CASCADE"))
    day: Mapped[date]

    __table_args__ = (sa.UniqueConstraint("service_id", "day"),)


class NeighbourLink(Model):
    """A community's committee says a neighbouring community's centre is ``walk_minutes`` away.

    One direction: the list of ``community_id`` shows the neighbour's nearby services; the
    neighbour's committee decides for its own list."""

    __tablename__ = "community_neighbours"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    neighbour_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    walk_minutes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.UniqueConstraint("community_id", "neighbour_id"),
        sa.CheckConstraint("community_id != neighbour_id", name="not_itself"),
        sa.CheckConstraint(f"walk_minutes BETWEEN 1 AND {CIRCLE_MINUTES}", name="walk_minutes"),
    )
