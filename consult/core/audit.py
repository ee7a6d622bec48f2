"""The audit log: who did what to which record, with before and after, and when.

Written by every moderation, confirmation, appointment, points and outcome change. Never
holds a ballot choice (DESIGN "Secrecy").
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.extensions import db

log = logging.getLogger(__name__)


class AuditEntry(db.Model):
    """One audited action."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: A dotted action key, e.g. ``residence.confirm``; shown translated.
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    #: The community (or street) whose workers (or admins) may read this entry.
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)

    actor = relationship("User", lazy="raise_on_sql")

    __table_args__ = (
        sa.Index("ix_audit_entries_community_created", "community_id", "created_at"),
        sa.Index("ix_audit_entries_street_created", "street_id", "created_at"),
        sa.Index("ix_audit_entries_target", "target_type", "target_id"),
    )


def record(
    actor,
    action: str,
    target: Any,
    *,
    community_id: int | None = None,
    street_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry for ``actor`` doing ``action`` to ``target`` (flushed, not committed)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__ if hasattr(target, "__tablename__") else str(target),
        target_id=getattr(target, "id", None),
        community_id=community_id,
        street_id=street_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(entry)
    db.session.flush()
    log.info("audit %s on %s:%s by user %s", action, entry.target_type, entry.target_id, entry.actor_id)
    return entry


def _jsonable(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def for_community(community_id: int):
    """A select of the audit entries a community's workers may read, newest first."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.community_id == community_id)
        .options(sa.orm.joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def for_street(street_id: int):
    """A select of the audit entries of a street's own work (appointments), newest first."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.street_id == street_id)
        .options(sa.orm.joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )
