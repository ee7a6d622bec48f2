"""Urgent notices (紧急通知/预警), who they reached and who acknowledged them, the visits of grid
workers, and first responders (第一响应人) with their answers (docs/safety.md, "Urgent notices").

The recipients of a notice are resolved once, when it is published (``NoticeRecipient``: the
person, their community, grid and address at that moment), so the follow-up board counts what was
sent, not who moved in since.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import Model
from consult.places.addresses import ADDRESS_PART_MAX

TITLE_MAX = 80
BODY_MAX = 2000
VISIT_NOTE_MAX = 200
SKILL_NOTE_MAX = 100
#: the levels, mildest first: information, then the four warning colours (蓝/黄/橙/红)
LEVELS = ("info", "blue", "yellow", "orange", "red")
#: levels that call the first responders of the targeted grids
CALLS_RESPONDERS = ("orange", "red")
#: what a visit found; "not_home" does not count as acknowledged (docs/safety.md)
OUTCOMES = ("reached", "not_home", "needs_help")
COUNTS_AS_ACK = ("reached", "needs_help")
SKILLS = ("first_aid", "electrician", "can_carry", "other_skill")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Notice(Model):
    """A notice published by a committee (``community_id`` set) or a street (``community_id`` None)."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("streets.id"), index=True)
    #: the publishing committee's community; None for a street's notice
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(8))
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    what_to_do: Mapped[str] = mapped_column(sa.String(BODY_MAX))
    published_at: Mapped[datetime] = mapped_column(default=now)
    ends_at: Mapped[datetime]
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    recipients: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        sa.CheckConstraint(_in("level", LEVELS), name="notice_level"),
        sa.CheckConstraint("ends_at > published_at", name="notice_ends_after_published"),
    )

    @property
    def calls_responders(self) -> bool:
        return self.level in CALLS_RESPONDERS


class NoticeTarget(Model):
    """A place a notice is aimed at: a whole community, one of its grids, or one of its buildings."""

    __tablename__ = "notice_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int | None]
    building: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))

    __table_args__ = (
        sa.ForeignKeyConstraint(["grid_id", "community_id"], ["grids.id", "grids.community_id"]),
        sa.CheckConstraint("grid_id IS NULL OR building IS NULL", name="target_grid_or_building"),
    )


class NoticeRecipient(Model):
    """A confirmed resident of a targeted place when the notice was published, where they lived then."""

    __tablename__ = "notice_recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("grids.id"))
    building: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    unit: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))
    room: Mapped[str | None] = mapped_column(sa.String(ADDRESS_PART_MAX))

    user = sa.orm.relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (sa.UniqueConstraint("notice_id", "user_id"),)


class NoticeAcknowledgement(Model):
    """已知晓: one per recipient and notice (the unique constraint makes a second tap a no-op),
    by the person themselves or through a grid worker's visit that reached them."""

    __tablename__ = "notice_acknowledgements"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=now)
    #: "self" or "visit"
    via: Mapped[str] = mapped_column(sa.String(8))

    __table_args__ = (
        sa.UniqueConstraint("notice_id", "user_id"),
        # Only a recipient acknowledges.
        sa.ForeignKeyConstraint(
            ["notice_id", "user_id"], ["notice_recipients.notice_id", "notice_recipients.user_id"], name="fk_ack_recipient"
        ),
        sa.CheckConstraint("via IN ('self', 'visit')", name="ack_via"),
    )


class NoticeVisit(Model):
    """A door-to-door visit recorded by a grid worker or a committee worker (every visit is kept)."""

    __tablename__ = "notice_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    outcome: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str | None] = mapped_column(sa.String(VISIT_NOTE_MAX))
    at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (
        sa.ForeignKeyConstraint(
            ["notice_id", "user_id"], ["notice_recipients.notice_id", "notice_recipients.user_id"], name="fk_visit_recipient"
        ),
        sa.CheckConstraint(_in("outcome", OUTCOMES), name="visit_outcome"),
    )


class Responder(Model):
    """A confirmed resident who opted in as a first responder (第一响应人), with their skills."""

    __tablename__ = "responders"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    first_aid: Mapped[bool] = mapped_column(default=False)
    electrician: Mapped[bool] = mapped_column(default=False)
    can_carry: Mapped[bool] = mapped_column(default=False)
    other_skill: Mapped[str | None] = mapped_column(sa.String(SKILL_NOTE_MAX))
    updated_at: Mapped[datetime] = mapped_column(default=now)

    user = sa.orm.relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    @property
    def skills(self) -> list[str]:
        return [s for s in SKILLS if getattr(self, s)]


class ResponderGrid(Model):
    """A grid a responder can reach."""

    __tablename__ = "responder_grids"

    id: Mapped[int] = mapped_column(primary_key=True)
    responder_id: Mapped[int] = mapped_column(sa.ForeignKey("responders.id", ondelete="CASCADE"))
    grid_id: Mapped[int] = mapped_column(sa.ForeignKey("grids.id"), index=True)

    __table_args__ = (sa.UniqueConstraint("responder_id", "grid_id"),)


class NoticeResponder(Model):
    """A responder called by an orange or red notice, and their answer (None until they give one)."""

    __tablename__ = "notice_responders"

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(sa.ForeignKey("notices.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    available: Mapped[bool | None]
    answered_at: Mapped[datetime | None]

    user = sa.orm.relationship("User", foreign_keys=[user_id], lazy="raise_on_sql")

    __table_args__ = (sa.UniqueConstraint("notice_id", "user_id"),)
