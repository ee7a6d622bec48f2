"""Resident requests (接诉即办): the request, its timeline, photos, categories and the street's targets."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.extensions import Model

DESCRIPTION_MAX = 1000
PLACE_MAX = 100
NOTE_MAX = 500
REASON_MAX = 300
CONTACT_MAX = 120
KEY_HOLDER_MAX = 100
CATEGORY_NAME_MAX = 30
#: photos a resident may send with a request (and a worker with its resolution)
PHOTOS_MAX = 3


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class RequestStatus(enum.StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    CLOSED = "closed"
    MERGED = "merged"
    OUT_OF_SCOPE = "out_of_scope"


#: states in which someone still has to act on the request
OPEN_STATES = (RequestStatus.SUBMITTED, RequestStatus.ACCEPTED, RequestStatus.IN_PROGRESS)
#: states that end it
END_STATES = (RequestStatus.CLOSED, RequestStatus.MERGED, RequestStatus.OUT_OF_SCOPE)


class Channel(enum.StrEnum):
    WEB = "web"
    PHONE = "phone"
    VISIT = "visit"
    KIOSK = "kiosk"
    HOTLINE = "hotline"  # transferred from the 12345 hotline
    OPEN311 = "open311"


class Holder(enum.StrEnum):
    """Who holds the request now: the committee (or one of its workers), the street, a department."""

    COMMUNITY = "community"
    STREET = "street"
    DEPARTMENT = "department"


#: The default list a community starts with (its committee may rename, add or retire them).
DEFAULT_CATEGORIES = (
    ("property", "物业服务"),
    ("sanitation", "环境卫生"),
    ("parking", "停车管理"),
    ("noise", "噪音扰民"),
    ("repairs", "设施维修"),
    ("safety", "安全隐患"),
    ("neighbours", "邻里纠纷"),
    ("policy", "政策咨询"),
    ("other", "其他"),
)


class RequestCategory(Model):
    """A category of requests in one community, with an optional resolution target of its own."""

    __tablename__ = "request_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    key: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.String(CATEGORY_NAME_MAX))
    #: overrides the street's resolution target for this category
    resolution_days: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("community_id", "key"),
        sa.CheckConstraint("resolution_days IS NULL OR resolution_days BETWEEN 1 AND 90", name="resolution_days"),
    )


class RequestSettings(Model):
    """A street's targets for its communities' requests (a street without a row uses the defaults)."""

    __tablename__ = "request_settings"

    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), primary_key=True)
    response_minutes: Mapped[int] = mapped_column(default=120)
    service_start_minute: Mapped[int] = mapped_column(default=8 * 60)
    service_end_minute: Mapped[int] = mapped_column(default=20 * 60)
    next_morning_minute: Mapped[int] = mapped_column(default=10 * 60)
    resolution_days: Mapped[int] = mapped_column(default=7)
    #: a department's own targets once the street hands a request to it
    department_response_minutes: Mapped[int] = mapped_column(default=240)
    department_resolution_days: Mapped[int] = mapped_column(default=7)
    updated_at: Mapped[datetime] = mapped_column(default=now, onupdate=now)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (
        sa.CheckConstraint("response_minutes BETWEEN 15 AND 1440", name="response_minutes"),
        sa.CheckConstraint(
            "service_start_minute >= 0 AND service_end_minute <= 1440 AND service_start_minute < service_end_minute",
            name="service_hours",
        ),
        sa.CheckConstraint("next_morning_minute BETWEEN service_start_minute AND service_end_minute", name="next_morning"),
        sa.CheckConstraint("resolution_days BETWEEN 1 AND 90", name="resolution_days"),
        sa.CheckConstraint("department_response_minutes BETWEEN 15 AND 10080", name="department_response_minutes"),
        sa.CheckConstraint("department_resolution_days BETWEEN 1 AND 90", name="department_resolution_days"),
    )


class Open311Key(Model):
    """A key for Open311 POST: issued by a site administrator to one holder for one street's
    communities; only its SHA-256 is stored (the key is shown once, at issue)."""

    __tablename__ = "open311_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    holder: Mapped[str] = mapped_column(sa.String(KEY_HOLDER_MAX))
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    street = relationship("Street", lazy="raise_on_sql")

    __table_args__ = (sa.CheckConstraint("(revoked_at IS NULL) = (revoked_by_id IS NULL)", name="revoked_by"),)


class Request(Model):
    """A resident's request: a problem or question the committee must answer and solve in time."""

    __tablename__ = "requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("request_categories.id"))
    #: None only for a request sent through Open311 (no resident account; docs/requests.md)
    reporter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    #: set when a worker recorded it for a resident who phoned or came in
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    channel: Mapped[str] = mapped_column(sa.String(12), default=Channel.WEB)
    description: Mapped[str] = mapped_column(sa.String(DESCRIPTION_MAX))
    #: building and unit are public (without the room); ``place`` is free text for staff and the reporter
    building: Mapped[str | None] = mapped_column(sa.String(30))
    unit: Mapped[str | None] = mapped_column(sa.String(30))
    place: Mapped[str | None] = mapped_column(sa.String(PLACE_MAX))
    may_call: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(16), default=RequestStatus.SUBMITTED)
    created_at: Mapped[datetime] = mapped_column(default=now)

    # Who holds it now (and since when: the timeline keeps every hand-over).
    holder: Mapped[str] = mapped_column(sa.String(12), default=Holder.COMMUNITY)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    held_since: Mapped[datetime] = mapped_column(default=now)
    #: the department of the street that holds it (holder "department"), else None
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"), index=True)
    #: when the department took it up (its response; ``accepted_at`` stays the committee's first)
    department_accepted_at: Mapped[datetime | None]

    # The clocks: current due times and the first ones, which never move.
    response_due_at: Mapped[datetime]
    original_response_due_at: Mapped[datetime]
    resolution_due_at: Mapped[datetime]
    original_resolution_due_at: Mapped[datetime]
    response_reminded_at: Mapped[datetime | None]
    resolution_reminded_at: Mapped[datetime | None]

    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    resolution_note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))
    confirmed_at: Mapped[datetime | None]
    #: None: the resident answered themselves; else the worker who made the call-back (回访)
    called_back_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    satisfaction: Mapped[str | None] = mapped_column(sa.String(12))
    #: the resident's answer at confirmation: solved or not (a second "not solved" ends it unsolved)
    solved: Mapped[bool | None]
    reopened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("requests.id"))
    #: Open311: the key it came with, the caller's contact (shown only as RequestPolicy.sees_contact says) and
    #: the standard's token (random; tokens/<token>.json finds the request by it)
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("open311_keys.id"))
    contact_name: Mapped[str | None] = mapped_column(sa.String(CONTACT_MAX))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(30))
    contact_email: Mapped[str | None] = mapped_column(sa.String(CONTACT_MAX))
    token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    #: out of scope: why, and where to go instead
    out_of_scope_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    go_instead: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))

    reporter = relationship("User", foreign_keys=[reporter_id], lazy="raise_on_sql")
    assignee = relationship("User", foreign_keys=[assignee_id], lazy="raise_on_sql")
    category: Mapped[RequestCategory] = relationship(lazy="raise_on_sql")
    community = relationship("Community", lazy="raise_on_sql")

    @property
    def due_at(self) -> datetime:
        """The due time that matters now: the answer until it is accepted, then the solution."""
        waiting = self.status == RequestStatus.SUBMITTED or (
            self.holder == Holder.DEPARTMENT and self.department_accepted_at is None and self.status in OPEN_STATES
        )
        return self.response_due_at if waiting else self.resolution_due_at

    @property
    def overdue(self) -> bool:
        """Someone still has to act and the due time has passed."""
        return self.status in OPEN_STATES and self.due_at < now()

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in RequestStatus]), name="status"),
        sa.CheckConstraint(_in("channel", [c.value for c in Channel]), name="channel"),
        sa.CheckConstraint(_in("holder", [h.value for h in Holder]), name="holder"),
        sa.CheckConstraint(_in("satisfaction", ("satisfied", "basically", "unsatisfied")), name="satisfaction"),
        sa.CheckConstraint("original_response_due_at <= response_due_at", name="response_due_kept"),
        sa.CheckConstraint("original_resolution_due_at <= resolution_due_at", name="resolution_due_kept"),
        sa.CheckConstraint(
            "(status IN ('submitted', 'merged', 'out_of_scope')) OR (accepted_at IS NOT NULL)", name="accepted_has_time"
        ),
        sa.CheckConstraint(
            "(status NOT IN ('resolved', 'confirmed', 'closed')) OR (resolved_at IS NOT NULL OR status = 'closed')",
            name="resolved_has_time",
        ),
        sa.CheckConstraint("(status != 'merged') OR (merged_into_id IS NOT NULL)", name="merged_has_target"),
        sa.CheckConstraint("(status != 'out_of_scope') OR (out_of_scope_reason IS NOT NULL)", name="out_of_scope_has_reason"),
        sa.CheckConstraint("merged_into_id IS NULL OR merged_into_id != id", name="not_merged_into_itself"),
        sa.CheckConstraint("(holder = 'department') = (department_id IS NOT NULL)", name="department_holds"),
        sa.CheckConstraint("reporter_id IS NOT NULL OR channel = 'open311'", name="reporter_or_open311"),
        sa.Index("ix_requests_community_status", "community_id", "status"),
        sa.Index("ix_requests_community_created", "community_id", "created_at"),
        sa.Index("ix_requests_response_due", "status", "response_due_at"),
        sa.Index("ix_requests_resolution_due", "status", "resolution_due_at"),
        # the street's lists by holder; the month's 三率 (consult/requests/sources.py)
        sa.Index("ix_requests_holder_status", "holder", "status"),
        sa.Index("ix_requests_community_resolution_due", "community_id", "original_resolution_due_at"),
        sa.Index("ix_requests_community_confirmed", "community_id", "confirmed_at"),
    )


class RequestEvent(Model):
    """One step in a request's timeline: who did what, and who held it from then on."""

    __tablename__ = "request_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the transition (an action name of the policy), or "reminded"/"due_moved"
    kind: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str] = mapped_column(sa.String(16))
    holder: Mapped[str] = mapped_column(sa.String(12))
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: the department that held it from then on (holder "department")
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("departments.id"))
    note: Mapped[str | None] = mapped_column(sa.String(NOTE_MAX))

    __table_args__ = (sa.Index("ix_request_events_request_at", "request_id", "at"),)


class RequestPhoto(Model):
    """A photo of a request (sent with the report, or with its resolution), stored by random key."""

    __tablename__ = "request_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(sa.ForeignKey("requests.id"), index=True)
    stage: Mapped[str] = mapped_column(sa.String(10))  # "report" or "resolution"
    key: Mapped[str] = mapped_column(sa.String(40), unique=True)
    mime: Mapped[str] = mapped_column(sa.String(20))
    width: Mapped[int]
    height: Mapped[int]
    uploaded_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.CheckConstraint("stage IN ('report', 'resolution')", name="stage"),)
