"""报到 registrations, activities, sign-ups, attendances, micro-wishes and their history."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import Model

# Field limits, shared by the models, the forms and the services.
UNIT_MAX = 60
TITLE_MAX = 80
PLACE_MAX = 80
ACTIVITY_DESCRIPTION_MAX = 5000
WISH_DESCRIPTION_MAX = 2000
REASON_MAX = 300
COMMENT_MAX = 500
CAPACITY_MAX = 10000
POINTS_PER_HOUR_MAX = 1000
CHECKIN_BEFORE_MAX = 240
#: A fulfilled micro-wish the resident has not confirmed counts as confirmed this long after.
AUTO_CONFIRM_AFTER = timedelta(days=7)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class RegistrationStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    ENDED = "ended"


ACTIVE_REGISTRATION = "status IN ('pending', 'confirmed')"


class PartyRegistration(Model):
    """An in-service party member's 报到 at the community they live in."""

    __tablename__ = "party_registrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    work_unit: Mapped[str] = mapped_column(sa.String(UNIT_MAX))
    party_branch: Mapped[str] = mapped_column(sa.String(UNIT_MAX))
    status: Mapped[str] = mapped_column(sa.String(12), default=RegistrationStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    ended_at: Mapped[datetime | None]

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in RegistrationStatus]), name="status"),
        sa.Index(
            "uq_party_registrations_active_user",
            "user_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_REGISTRATION),
            postgresql_where=sa.text(ACTIVE_REGISTRATION),
        ),
        sa.Index("ix_party_registrations_community_status", "community_id", "status"),
    )


class ActivityKind(enum.StrEnum):
    VOLUNTEER = "volunteer"
    PARTY = "party"
    MEETING = "meeting"
    #: An emergency drill (演练): earns points like any activity (docs/safety.md).
    DRILL = "drill"


class Activity(Model):
    """A service activity: when and where, how many places, points per hour, check-in window."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(10))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX))
    capacity: Mapped[int]
    points_per_hour: Mapped[int] = mapped_column(default=10)
    #: Check-in opens this many minutes before the start and closes at the end.
    checkin_minutes_before: Mapped[int] = mapped_column(default=30)
    #: Until when a cancelled place goes to the next person on the waitlist.
    waitlist_cutoff_at: Mapped[datetime]
    organiser_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    party_only: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    #: Confirmed sign-ups and the waitlist, kept with each sign-up and cancellation.
    signup_count: Mapped[int] = mapped_column(default=0)
    waitlist_count: Mapped[int] = mapped_column(default=0)
    #: Set when the committee called the activity off; sign-ups were cancelled and told why.
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))

    organiser = relationship("User", foreign_keys=[organiser_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint(_in("kind", [k.value for k in ActivityKind]), name="kind"),
        sa.CheckConstraint("ends_at > starts_at", name="window"),
        sa.CheckConstraint("capacity >= 1", name="capacity"),
        sa.CheckConstraint(f"points_per_hour >= 0 AND points_per_hour <= {POINTS_PER_HOUR_MAX}", name="points"),
        sa.CheckConstraint(f"checkin_minutes_before BETWEEN 0 AND {CHECKIN_BEFORE_MAX}", name="checkin"),
        sa.CheckConstraint("signup_count >= 0 AND signup_count <= capacity AND waitlist_count >= 0", name="counts"),
        sa.Index("ix_activities_community_starts", "community_id", "starts_at"),
    )


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


ACTIVE_SIGNUP = "status IN ('confirmed', 'waitlisted')"


class Signup(Model):
    """A person's place (or place on the waitlist) at an activity."""

    __tablename__ = "activity_signups"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    created_at: Mapped[datetime] = mapped_column(default=now)
    promoted_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    #: Set when a worker signed the person up (no phone).
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Set when someone other than the person cancelled it (a worker, or the activity was called off).
    cancelled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    @property
    def has_place(self) -> bool:
        """A confirmed place (not the waitlist, not cancelled)."""
        return self.status == SignupStatus.CONFIRMED

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in SignupStatus]), name="status"),
        sa.Index(
            "uq_activity_signups_active",
            "activity_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text(ACTIVE_SIGNUP),
            postgresql_where=sa.text(ACTIVE_SIGNUP),
        ),
        sa.Index("ix_activity_signups_activity_status_created", "activity_id", "status", "created_at"),
    )


class Attendance(Model):
    """That a person was at an activity: check-in and check-out, and the minutes the organiser confirmed.

    ``minutes`` is set once, on confirmation; the points ledger turns it into points exactly once.
    """

    __tablename__ = "activity_attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    checked_in_at: Mapped[datetime | None]
    checked_out_at: Mapped[datetime | None]
    #: Marked by hand by the organiser (audited) rather than checked in with a code.
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    minutes: Mapped[int | None]
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "user_id"),
        sa.CheckConstraint("minutes IS NULL OR minutes >= 0", name="minutes"),
        sa.CheckConstraint("(minutes IS NULL) = (confirmed_at IS NULL)", name="confirmed"),
    )


class WishStatus(enum.StrEnum):
    PENDING_REVIEW = "pending_review"
    REJECTED = "rejected"
    OPEN = "open"
    CLAIMED = "claimed"
    FULFILLED = "fulfilled"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"


class Wish(Model):
    """A micro-wish (微心愿): a resident's small need that a party member fulfils."""

    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(16), default=WishStatus.PENDING_REVIEW)
    created_at: Mapped[datetime] = mapped_column(default=now)
    decided_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    claimer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None]
    fulfilled_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    #: True when the clock confirmed it seven days after fulfilment (the author did not).
    auto_confirmed: Mapped[bool] = mapped_column(default=False)
    rating: Mapped[str | None] = mapped_column(sa.String(12))
    rating_comment: Mapped[str | None] = mapped_column(sa.String(COMMENT_MAX))
    #: Set when a worker posted it for a resident who asked in person (no phone).
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")
    claimer = relationship("User", foreign_keys=[claimer_id], lazy="raise_on_sql")

    def state_at(self, moment: datetime) -> str:
        """The status as of ``moment``: fulfilled seven days ago counts as confirmed before `flask tick` runs.

        ``state_sql`` is the same rule for queries and the tick job (a test holds them together).
        """
        if (
            self.status == WishStatus.FULFILLED
            and self.fulfilled_at is not None
            and self.fulfilled_at <= moment - AUTO_CONFIRM_AFTER
        ):
            return WishStatus.CONFIRMED
        return self.status

    @classmethod
    def auto_confirm_due(cls, moment: datetime):
        """SQL: stored as fulfilled, but confirmed as of ``moment`` (what `flask tick` makes permanent)."""
        return sa.and_(cls.status == WishStatus.FULFILLED, cls.fulfilled_at <= moment - AUTO_CONFIRM_AFTER)

    @classmethod
    def state_sql(cls, moment: datetime):
        """SQL: ``state_at(moment)`` as an expression, for filtering by the state as of a moment."""
        return sa.case((cls.auto_confirm_due(moment), sa.literal(WishStatus.CONFIRMED.value)), else_=cls.status)

    def confirmed_as_of(self, moment: datetime) -> datetime | None:
        """When it was (or counts as) confirmed, as of ``moment``."""
        if self.confirmed_at is not None:
            return self.confirmed_at
        if self.state_at(moment) == WishStatus.CONFIRMED and self.fulfilled_at is not None:
            return self.fulfilled_at + AUTO_CONFIRM_AFTER
        return None

    @classmethod
    def confirmed_between(cls, start: datetime, end: datetime, moment: datetime):
        """SQL: confirmed in [start, end) as of ``moment``, counting automatic confirmations tick has not made yet."""
        due = moment - AUTO_CONFIRM_AFTER
        return sa.or_(
            sa.and_(cls.status == WishStatus.CONFIRMED, cls.confirmed_at >= start, cls.confirmed_at < end),
            sa.and_(
                cls.status == WishStatus.FULFILLED,
                cls.fulfilled_at <= due,
                cls.fulfilled_at >= start - AUTO_CONFIRM_AFTER,
                cls.fulfilled_at < end - AUTO_CONFIRM_AFTER,
            ),
        )

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in WishStatus]), name="status"),
        sa.CheckConstraint("rating IS NULL OR " + _in("rating", SATISFACTION_LEVELS), name="rating"),
        sa.Index("ix_wishes_community_status_created", "community_id", "status", "created_at"),
    )


class WishEvent(Model):
    """A micro-wish's status history."""

    __tablename__ = "wish_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(16))
    to_status: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    actor = relationship("User", lazy="raise_on_sql")


class ActivityRating(Model):
    """A participant's rating of an activity, within 7 days of its end; anonymous to the committee."""

    __tablename__ = "activity_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    level: Mapped[str] = mapped_column(sa.String(12))
    comment: Mapped[str | None] = mapped_column(sa.String(COMMENT_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        sa.UniqueConstraint("activity_id", "user_id"),
        sa.CheckConstraint(_in("level", SATISFACTION_LEVELS), name="level"),
        sa.Index("ix_activity_ratings_created", "created_at"),
    )
