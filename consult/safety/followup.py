"""Following a notice up: a resident acknowledges it (已知晓), a grid worker records a door-to-door
visit, a first responder answers whether they are available.

Acknowledging is idempotent: one row per notice and person, held by a unique constraint, so a
second tap, a double submit or two devices at once write nothing more. A visit that reached the
person ("reached", "needs help") acknowledges for them; "not at home" does not (docs/safety.md).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.safety.notice_models import (
    COUNTS_AS_ACK,
    OUTCOMES,
    VISIT_NOTE_MAX,
    Notice,
    NoticeAcknowledgement,
    NoticeResponder,
    NoticeVisit,
)
from consult.safety.notice_policy import NoticePolicy, recipient_of

log = logging.getLogger(__name__)


def _acknowledged(notice_id: int, user_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(NoticeAcknowledgement.id).where(
                NoticeAcknowledgement.notice_id == notice_id, NoticeAcknowledgement.user_id == user_id
            )
        )
        is not None
    )


def _write_ack(notice_id: int, user_id: int, via: str) -> bool:
    """Insert the acknowledgement unless there is one; False when there was (here or concurrently)."""
    if _acknowledged(notice_id, user_id):
        return False
    try:
        with db.session.begin_nested():
            db.session.add(NoticeAcknowledgement(notice_id=notice_id, user_id=user_id, via=via, at=now()))
    except sa.exc.IntegrityError:
        return False  # another request of the same person got there first
    return True


def acknowledge(user: User, notice: Notice) -> bool:
    """已知晓: the recipient has read the notice. True when this call wrote it, False if it was already."""
    NoticePolicy(notice).require("acknowledge", user)
    return _write_ack(notice.id, user.id, "self")


def record_visit(worker: User, notice: Notice, user_id: int | None, outcome: str | None, note: str | None) -> NoticeVisit:
    """A grid worker (or a worker of the community) records a door-to-door visit to a recipient."""
    recipient = recipient_of(notice, user_id)
    NoticePolicy(notice, recipient=recipient).require("record_visit", worker)
    assert recipient is not None  # noqa: S101  (the policy refused a missing one)
    if outcome not in OUTCOMES:
        raise RuleViolation(_("Choose what the visit found."), field="outcome")
    note = (note or "").strip() or None
    if note is not None and len(note) > VISIT_NOTE_MAX:
        raise RuleViolation(_("Use at most %(max)d characters.", max=VISIT_NOTE_MAX), field="note")
    visit = NoticeVisit(notice_id=notice.id, user_id=recipient.user_id, worker_id=worker.id, outcome=outcome, note=note, at=now())
    db.session.add(visit)
    db.session.flush()
    if outcome in COUNTS_AS_ACK:
        _write_ack(notice.id, recipient.user_id, "visit")
    # The note stays in the visit, not in the audit log (it may say things about the person's health).
    audit.record(
        worker,
        "notice.visit",
        visit,
        community_id=recipient.community_id,
        after={"user_id": recipient.user_id, "outcome": outcome},
    )
    log.info("visit to user %s for notice %s by user %s: %s", recipient.user_id, notice.id, worker.id, outcome)
    return visit


def answer(user: User, notice: Notice, available: bool) -> NoticeResponder:
    """A called first responder says whether they are available (they may change their answer)."""
    NoticePolicy(notice).require("answer", user)
    row = db.session.scalar(
        sa.select(NoticeResponder).where(NoticeResponder.notice_id == notice.id, NoticeResponder.user_id == user.id)
    )
    assert row is not None  # noqa: S101  (the policy refused one not called)
    row.available, row.answered_at = available, now()
    db.session.flush()
    return row
