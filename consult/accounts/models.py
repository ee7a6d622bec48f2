"""User accounts and one-time password reset codes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import Model

USERNAME_MAX = 32
DISPLAY_NAME_MAX = 40
PHONE_MAX = 20
#: What a form accepts where a username is typed to find someone (longer than any username: such a one
#: is simply not found, and a limit key never grows past it).
USERNAME_INPUT_MAX = 64


class User(UserMixin, Model):
    """A person who can log in (or, recorded by a worker, who may never have to)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; unique.
    username: Mapped[str] = mapped_column(sa.String(USERNAME_MAX), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(DISPLAY_NAME_MAX))
    #: Shown masked to everybody but the owner and the committee of their community.
    phone: Mapped[str | None] = mapped_column(sa.String(PHONE_MAX))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    language: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    large_text: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    closed_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint("language IN ('zh_CN', 'en')", name="language"),
        sa.CheckConstraint("username = lower(username)", name="username_lower"),
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username}>"


class PasswordResetCode(Model):
    """A one-time code a worker hands to a resident in person; only its hash is kept."""

    __tablename__ = "password_reset_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: The community whose worker issued it; None when a site administrator did.
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class UserSession(Model):
    """One signed-in device: a session cookie (and maybe a remember cookie) that can be ended.

    Only hashes of the tokens are kept, so a copy of the database opens no session. A row is
    checked on every request; ending it (``ended_at``) logs that device out at once.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: SHA-256 of the random token kept in the (signed) session cookie; changes when rotated.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: SHA-256 of the secret in the "keep me logged in" cookie; None when not remembered.
    remember_hash: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=now)
    last_seen_at: Mapped[datetime] = mapped_column(default=now)
    #: Without "keep me logged in": last seen plus the idle limit; with it: log-in plus 30 days.
    expires_at: Mapped[datetime]
    #: A short description of the browser, e.g. "Chrome on Android".
    user_agent: Mapped[str] = mapped_column(sa.String(80), default="")
    ended_at: Mapped[datetime | None]
    #: logout, password, reset, ended by the person, ended by a worker, account closed
    end_reason: Mapped[str | None] = mapped_column(sa.String(20))

    __table_args__ = (sa.Index("ix_user_sessions_user_active", "user_id", "ended_at"),)

    @property
    def remembered(self) -> bool:
        return self.remember_hash is not None
