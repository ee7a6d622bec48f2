"""Notifications for every domain: one row per recipient and event, shown at /me/notifications.

The text is kept as an English message id with parameters and translated when shown, so a
person who switches language reads their notifications in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.core.errors import NotFound
from consult.extensions import Model, db


class Notification(Model):
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
        sa.select(Notification.id).where(Notification.recipient_id == recipient_id, Notification.event_key == event_key)
    )
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(Notification(recipient_id=recipient_id, event_key=event_key, text=text, params=params, link=link))
    except sa.exc.IntegrityError:
        # The same event reached this person from a concurrent request.
        return False
    return True


#: Notifications with the same link within this time of the newest are shown as one line.
GROUP_WINDOW = timedelta(hours=24)


def unread_count(user_id: int) -> int:
    """How many things the person has not looked at: unread notifications, those with the same
    link counted once (opening the link reads them all)."""
    return db.session.scalar(unread_count_query(user_id))  # type: ignore[return-value]  # a count is never NULL


def unread_count_query(user_id):
    """``unread_count`` as a select: ``user_id`` may be a column (the session check reads it along)."""
    target = sa.func.coalesce(Notification.link, sa.literal("#") + sa.cast(Notification.id, sa.String))
    return sa.select(sa.func.count(sa.distinct(target))).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)
    )


def for_user(user_id: int):
    """A select of a person's notifications, newest first."""
    return (
        sa.select(Notification)
        .where(Notification.recipient_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )


@dataclass
class Line:
    """One line of the notification list: the newest notification of a group and the others."""

    newest: Notification
    older: list[Notification] = field(default_factory=list)

    @property
    def count(self) -> int:
        return 1 + len(self.older)

    @property
    def unread(self) -> bool:
        return self.newest.read_at is None or any(n.read_at is None for n in self.older)


def group(notifications: list[Notification]) -> list[Line]:
    """Group a newest-first list: notifications with the same link within GROUP_WINDOW of the
    group's newest one become one line (a busy topic gives "3 new updates", not three lines)."""
    lines: list[Line] = []
    open_groups: dict[str, Line] = {}
    for notification in notifications:
        line = open_groups.get(notification.link) if notification.link else None
        if line is not None and line.newest.created_at - notification.created_at <= GROUP_WINDOW:
            line.older.append(notification)
            continue
        line = Line(notification)
        lines.append(line)
        if notification.link:
            open_groups[notification.link] = line
    return lines


def open_notification(user_id: int, notification_id: int) -> str | None:
    """Mark a person's notification read, with the other unread ones of the same link, and
    return its link. Someone else's notification is NotFound, like one that does not exist."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user_id:
        raise NotFound(gettext("No such notification."))
    moment = now()
    same = Notification.id == notification.id
    if notification.link:
        same = sa.or_(same, Notification.link == notification.link)
    db.session.execute(
        sa.update(Notification)
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None), same)
        .values(read_at=moment)
        .execution_options(synchronize_session=False)
    )
    return notification.link


def mark_read_without_link(user_id: int, ids: list[int]) -> None:
    """Notifications with nowhere to open are read once shown in the list."""
    if ids:
        db.session.execute(
            sa.update(Notification)
            .where(
                Notification.recipient_id == user_id,
                Notification.id.in_(ids),
                Notification.link.is_(None),
                Notification.read_at.is_(None),
            )
            .values(read_at=now())
            .execution_options(synchronize_session=False)
        )


def mark_all_read(user_id: int) -> int:
    """Mark every unread notification of a person read; returns how many."""
    result = db.session.execute(
        sa.update(Notification).where(Notification.recipient_id == user_id, Notification.read_at.is_(None)).values(read_at=now())
    )
    return result.rowcount  # type: ignore[attr-defined]  # an UPDATE gives a CursorResult


def N_(message: str) -> str:
    """Mark a message id for extraction without translating it now."""
    return message
