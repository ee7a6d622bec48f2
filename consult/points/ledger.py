"""The points ledger: every entry goes through ``post``, which writes the entry with the balance it
leaves and changes the balance row (locked) in the same transaction, so a balance can be checked
against the sum of its entries at any time (`flask points verify`).

Earning (attendance, micro-wish: listeners of the activities signals, connected in
``registrations.py``), bonuses, reversals and corrections. A reversal or a correction is always
recorded, even when the points were already spent: the balance then goes below zero (owed). Only a
redemption (``rewards.py``) can never overdraw, here and in the database (a CHECK on
``balance_after``). Who may reverse or correct what is ``LedgerEntryPolicy`` (``policy.py``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.points import queries
from consult.points.models import BONUS_MAX, NOTE_MAX, Balance, LedgerEntry, Reason
from consult.points.policy import LedgerEntryPolicy

if TYPE_CHECKING:
    from consult.accounts.models import User


def points_for(minutes: int, rate: int) -> int:
    """minutes × rate ÷ 60, rounded half up."""
    return int((Decimal(minutes) * Decimal(rate) / Decimal(60)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def locked_balance(user_id: int, community_id: int) -> Balance:
    """The balance row, locked; created (at zero) if the person has none yet."""
    stmt = sa.select(Balance).where(Balance.user_id == user_id, Balance.community_id == community_id)
    row = db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Balance(user_id=user_id, community_id=community_id, balance=0))
        except sa.exc.IntegrityError:
            pass  # created by a concurrent request; lock it below
        row = db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    assert row is not None  # nosec B101
    return row


def post(
    user_id: int,
    community_id: int,
    delta: int,
    reason: str,
    *,
    actor: User | None = None,
    source: tuple | None = None,
    reverses: LedgerEntry | None = None,
    replaces: LedgerEntry | None = None,
    note: str | None = None,
    duplicate: str | None = None,
    request_key: str | None = None,
) -> LedgerEntry:
    """Write one entry and move the (locked) balance by its delta; the only way an entry is written."""
    balance = locked_balance(user_id, community_id)
    after = balance.balance + delta
    if reason == Reason.REDEMPTION and after < 0:
        raise Conflict(_("Not enough points: the balance is %(balance)d.", balance=balance.balance))
    entry = LedgerEntry(
        user_id=user_id,
        community_id=community_id,
        delta=delta,
        reason=reason,
        balance_after=after,
        source_type=source[0] if source else None,
        source_id=source[1] if source else None,
        reverses_id=reverses.id if reverses else None,
        replaces_id=replaces.id if replaces else None,
        note=note,
        created_by_id=actor.id if actor else None,
        request_key=_key(request_key),
    )
    add_unique(entry, duplicate or _("This has already been posted."))
    balance.balance = after
    balance.updated_at = now()
    db.session.flush()
    return entry


def _key(request_key: str | None) -> str | None:
    """A form's one-time key (32 hex characters), or None if it is missing or malformed."""
    key = (request_key or "").strip().lower()
    return key if len(key) == 32 and all(ch in "0123456789abcdef" for ch in key) else None


def _reason(reason: str | None, message: str) -> str:
    """A reason typed by the committee: required, at most ``NOTE_MAX`` characters."""
    reason = (reason or "").strip()
    if not reason or len(reason) > NOTE_MAX:
        raise RuleViolation(message, field="reason")
    return reason


def _amount(points: object, message: str) -> int:
    if not isinstance(points, int) or not 1 <= points <= BONUS_MAX:
        raise RuleViolation(message, field="points")
    return points


# --- earning ---------------------------------------------------------------------------------


def post_attendance(attendance, *, actor: User | None, activity) -> LedgerEntry | None:
    """Confirmed minutes become points once: minutes × the activity's rate ÷ 60, rounded half up."""
    points = points_for(attendance.minutes, activity.points_per_hour)
    if points == 0:
        return None
    duplicate = _("Points for this attendance were already posted.")
    return _earn(
        actor, attendance.user_id, activity.community_id, points, Reason.ATTENDANCE, attendance.id, activity.title, duplicate
    )


def post_wish(wish, *, actor: User | None) -> LedgerEntry | None:
    """A confirmed micro-wish earns its claimer the community's micro-wish points, once."""
    points = queries.settings_for(wish.community_id).wish_points
    if not points or wish.claimer_id is None:
        return None
    duplicate = _("Points for this micro-wish were already posted.")
    return _earn(actor, wish.claimer_id, wish.community_id, points, Reason.WISH, wish.id, wish.title, duplicate)


def _earn(
    actor: User | None, user_id: int, community_id: int, points: int, reason: Reason, source_id: int, title: str, duplicate: str
) -> LedgerEntry:
    """Points earned for an attendance or a micro-wish (``reason`` is also the source's type): posted, audited, told."""
    source = str(reason)
    entry = post(
        user_id,
        community_id,
        points,
        reason,
        actor=actor,
        source=(source, source_id),
        note=title[:NOTE_MAX],
        duplicate=duplicate,
    )
    audit.record(
        actor,
        "points.post",
        entry,
        community_id=community_id,
        after={"user_id": user_id, "delta": points, "reason": source, f"{source}_id": source_id},
    )
    notify(
        user_id,
        f"points:{entry.id}",
        N_("You earned %(points)d points for “%(title)s”."),
        link="/me/points",
        points=points,
        title=title,
    )
    return entry


def bonus(
    worker: User, person: User, community: Community, points: int, reason: str, request_key: str | None = None
) -> LedgerEntry:
    """The committee awards a bonus to a resident, with a reason."""
    require_committee(worker, community)
    require_not_self(worker, person, _("Another staff member must award you a bonus."), field="username")
    _amount(points, _("A bonus is between 1 and %(max)d points.", max=BONUS_MAX))
    reason = _reason(reason, _("Give the reason for the bonus (at most 300 characters)."))
    if not places.is_confirmed_member(person, community):
        raise RuleViolation(_("Bonuses go to confirmed residents of this community."), field="username")
    entry = post(
        person.id,
        community.id,
        points,
        Reason.BONUS,
        actor=worker,
        note=reason,
        request_key=request_key,
        duplicate=_("This was already done: the form was sent twice."),
    )
    audit.record(
        worker, "points.bonus", entry, community_id=community.id, after={"user_id": person.id, "delta": points, "note": reason}
    )
    notify(
        person.id,
        f"points:{entry.id}",
        N_("You were awarded %(points)d points: %(reason)s"),
        link="/me/points",
        points=points,
        reason=reason,
    )
    return entry


# --- mistakes --------------------------------------------------------------------------------


def reverse(worker: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo an entry with a reason: a new entry of the opposite amount naming it (once per entry).

    Recorded even when the points were already spent: the balance is then owed."""
    LedgerEntryPolicy(entry).require("reverse", worker)
    reversal = _reverse(worker, entry, _reason(reason, _("Give the reason for the reversal (at most 300 characters).")))
    notify(
        entry.user_id,
        f"points:{reversal.id}",
        N_("%(points)d points were taken back: %(reason)s"),
        link="/me/points",
        points=entry.delta,
        reason=reversal.note or "",
    )
    return reversal


def _reverse(worker: User, entry: LedgerEntry, reason: str) -> LedgerEntry:
    reversal = post(
        entry.user_id,
        entry.community_id,
        -entry.delta,
        Reason.REVERSAL,
        actor=worker,
        reverses=entry,
        note=reason,
        duplicate=_("This entry has already been reversed."),
    )
    audit.record(
        worker,
        "points.reverse",
        reversal,
        community_id=entry.community_id,
        before={"entry_id": entry.id, "delta": entry.delta},
        after={"delta": reversal.delta, "reason": reason, "balance_after": reversal.balance_after},
    )
    return reversal


def correct(worker: User, entry: LedgerEntry, points: int, reason: str) -> LedgerEntry:
    """A correction: the entry is reversed and a new one of ``points`` names the one it replaces."""
    LedgerEntryPolicy(entry).require("correct", worker)
    _amount(points, _("The corrected amount is between 1 and %(max)d points.", max=BONUS_MAX))
    reason = _reason(reason, _("Give the reason for the reversal (at most 300 characters)."))
    _reverse(worker, entry, reason)
    corrected = post(
        entry.user_id,
        entry.community_id,
        points,
        entry.reason,
        actor=worker,
        source=(entry.source_type, entry.source_id) if entry.source_type else None,
        replaces=entry,
        note=reason,
        duplicate=_("This entry has already been corrected."),
    )
    audit.record(
        worker,
        "points.correct",
        corrected,
        community_id=entry.community_id,
        before={"entry_id": entry.id, "delta": entry.delta},
        after={"delta": points, "balance_after": corrected.balance_after},
    )
    notify(
        entry.user_id,
        f"points:{corrected.id}",
        N_("Your %(before)d points were corrected to %(points)d: %(reason)s"),
        link="/me/points",
        before=entry.delta,
        points=points,
        reason=corrected.note or "",
    )
    return corrected
