"""Verifiable documents: a number, an HMAC check code, a snapshot of the content, a revocation flag.

``/verify/<number>?c=<code>`` shows the snapshot and its status to anyone holding both; a
number alone (or a wrong code) reveals nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core import audit, registries
from consult.core.clock import local_now, now
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.extensions import Model, db

CODE_LENGTH = 12


class Document(Model):
    """An issued document: what it said when issued, and whether it still stands."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Printed on the document, e.g. SR-2026-000017.
    number: Mapped[str] = mapped_column(sa.String(24), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(24))
    subject_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    content: Mapped[dict] = mapped_column(sa.JSON)
    issued_at: Mapped[datetime] = mapped_column(default=now)
    issued_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(sa.String(300))

    #: who issued it (the accounts User, named by the mapper's registry: core imports no domain)
    issued_by = relationship("User", foreign_keys=[issued_by_id], viewonly=True)

    __table_args__ = (sa.Index("ix_documents_community_issued", "community_id", "issued_at"),)


PREFIXES = {"service_record": "SR", "volunteer_certificate": "VC"}


def check_code(number: str) -> str:
    """The check code of a document number: an HMAC of the server secret, never stored."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"document:{number}".encode(), hashlib.sha256).hexdigest()
    return digest[:CODE_LENGTH].upper()


def issue(kind: str, *, subject, community_id: int, content: dict, issued_by) -> Document:
    """Issue a document of ``kind`` about ``subject`` with a snapshot of ``content``."""
    prefix = PREFIXES[kind]
    year = local_now().year
    document = Document(
        number=f"tmp-{now().timestamp()}",
        kind=kind,
        subject_id=subject.id,
        community_id=community_id,
        content=content,
        issued_by_id=issued_by.id,
    )
    db.session.add(document)
    db.session.flush()
    document.number = f"{prefix}-{year}-{document.id:06d}"
    db.session.flush()
    audit.record(
        issued_by,
        f"document.issue_{kind}",
        document,
        community_id=community_id,
        after={"number": document.number, "subject_id": subject.id},
    )
    return document


def for_community(community_id: int):
    """A select of the documents issued in a community, newest first."""
    return (
        sa.select(Document).where(Document.community_id == community_id).order_by(Document.issued_at.desc(), Document.id.desc())
    )


def verify_url(document: Document, external: bool = True) -> str:
    return url_for("documents.verify", number=document.number, c=check_code(document.number), _external=external)


def find(number: str, code: str | None) -> Document:
    """The document with this number and check code; anything else is simply not found."""
    valid = re.fullmatch(r"[A-Z]{2}-[0-9]{4}-[0-9]{6}", number or "") is not None
    document = db.session.scalar(sa.select(Document).where(Document.number == number)) if valid else None
    expected = check_code(document.number) if document else check_code("none")
    if document is None or not hmac.compare_digest(expected.encode(), (code or "").strip().upper().encode()):
        raise NotFound(_("No document matches this number and check code."))
    return document


def revoke(actor, document: Document, reason: str) -> None:
    """The committee revokes a document (it stays verifiable, marked revoked with the reason)."""
    if not registries.allowed("manage_community", actor, document.community_id):
        raise PermissionDenied(_("Only the committee of this community may do this."))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for revoking."), field="reason")
    if document.revoked_at is not None:
        raise Conflict(_("This document is already revoked."))
    document.revoked_at, document.revoked_by_id, document.revoke_reason = now(), actor.id, reason
    db.session.flush()
    audit.record(
        actor,
        "document.revoke",
        document,
        community_id=document.community_id,
        after={"number": document.number, "reason": reason},
    )


def documents_about(user_id: int) -> list[Document]:
    """Every document issued about a person, revoked ones included (for "download my data")."""
    return list(db.session.scalars(sa.select(Document).where(Document.subject_id == user_id).order_by(Document.id)))
