"""User accounts and one-time password reset codes."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from consult.core.clock import now
from consult.extensions import db

USERNAME_MAX = 32
DISPLAY_NAME_MAX = 40
PHONE_MAX = 20


class User(UserMixin, db.Model):
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


class PasswordResetCode(db.Model):
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
