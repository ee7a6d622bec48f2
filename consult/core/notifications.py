"""Notifications for every domain: one row per recipient and event, shown at /me/notifications.

The text is kept as an English message id with parameters and translated when shown, so a
person who switches language reads their notifications in it.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import db


class Notification(db.Model):
    """Something a person should know about, once per event."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: Names the event, e.g. ``residence.confirmed:12``; a second notice of it is dropped.
    event_key: Mapped[str] = mapped_column(sa.String(120))
    #: English message id (marked with N_), translated when shown.
    text: Mapped[str] = mapped_column(sa.String(300))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    link: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=now)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        sa.UniqueConstraint("recipient_id", "event_key"),
        sa.Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
    )

    @property
    def message(self) -> str:
        """The text in the current language."""
        return gettext(self.text, **(self.params or {}))


def notify(recipient_id: int, event_key: str, text: str, *, link: str | None = None, **params) -> bool:
    """Notify a person of an event once; returns False if they already were."""
    exists = db.session.scalar(
        sa.select(Notification.id).where(
            Notification.recipient_id == recipient_id, Notification.event_key == event_key
        )
    )
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                Notification(
                    recipient_id=recipient_id, event_key=event_key, text=text, params=params, link=link
                )
            )
    except sa.exc.IntegrityError:
        # The same event reached this person from a concurrent request.
        return False
    return True


def unread_count(user_id: int) -> int:
    """How many notifications the person has not read."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
    )


def for_user(user_id: int):
    """A select of a person's notifications, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of a person read; returns how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
    return result.rowcount


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return message
