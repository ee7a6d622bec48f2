"""Kiosk PINs: a worker sets or unlocks a resident's 6-digit PIN; the resident logs in with it at a kiosk.

A PIN is stored hashed like a password (werkzeug's scrypt). Five wrong PINs in a row lock it
(``failed_count`` and ``locked_at``, counted by one atomic UPDATE so parallel guesses cannot
slip past the lock); a worker unlocks it. Setting, resetting and unlocking are audited, never
the PIN itself.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _, ngettext
from werkzeug.security import check_password_hash, generate_password_hash

from consult.accounts import services as accounts
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import DomainError, RuleViolation
from consult.extensions import db
from consult.kiosk.models import PIN_LENGTH, PIN_TRIES, Kiosk, KioskPin
from consult.kiosk.policy import PinLocked, PinPolicy
from consult.places.models import Community

log = logging.getLogger(__name__)
_DUMMY_HASH = generate_password_hash("000000")


class WrongPin(DomainError):
    """A wrong PIN (or a username without a usable PIN here): 401, with the tries left."""

    status = 401


def trivial(pin: str) -> bool:
    """A PIN anyone would guess first: one digit six times, a run up or down (123456, 654321,
    890123), or two or three digits repeated (121212, 123123)."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return len(set(pin)) == 1 or steps in ({1}, {9}) or pin == pin[:2] * 3 or pin == pin[:3] * 2


def checked_pin(pin: str | None) -> str:
    """The PIN when it is exactly six digits, else a clear refusal (field ``pin``)."""
    pin = (pin or "").strip()
    if len(pin) != PIN_LENGTH or not (pin.isascii() and pin.isdigit()):
        raise RuleViolation(_("A kiosk PIN is exactly %(n)d digits (0–9).", n=PIN_LENGTH), field="pin")
    return pin


def pin_of(user_id: int) -> KioskPin | None:
    return db.session.scalar(sa.select(KioskPin).where(KioskPin.user_id == user_id))


def _policy(pin: KioskPin | None, community: Community, holder) -> PinPolicy:
    subject = pin if pin is not None else KioskPin(user_id=holder.id, failed_count=0)  # transient: never added
    return PinPolicy(subject, community=community, holder=holder)


def set_pin(actor, community: Community, holder, pin: str) -> KioskPin:
    """A worker sets (or resets) ``holder``'s kiosk PIN with them at the desk; an old lock is lifted."""
    row = pin_of(holder.id)
    _policy(row, community, holder).require("set", actor)
    pin = checked_pin(pin)
    if trivial(pin):
        raise RuleViolation(_("That PIN is too easy to guess (such as 000000 or 123456). Choose another."), field="pin")
    action = "kiosk_pin.reset" if row is not None else "kiosk_pin.set"
    if row is None:
        row = KioskPin(user_id=holder.id)
        db.session.add(row)
    row.pin_hash = generate_password_hash(pin)
    row.set_at = now()
    row.set_by_id = actor.id
    row.failed_count = 0
    row.locked_at = None
    db.session.flush()
    audit.record(actor, action, row, community_id=community.id, after={"user_id": holder.id})
    return row


def unlock_pin(actor, community: Community, holder) -> KioskPin:
    """A worker unlocks a PIN locked by wrong tries (the resident keeps their PIN)."""
    row = pin_of(holder.id)
    if row is None:
        raise RuleViolation(_("This person has no kiosk PIN yet."), field="username")
    _policy(row, community, holder).require("unlock", actor)
    row.failed_count = 0
    row.locked_at = None
    db.session.flush()
    audit.record(actor, "kiosk_pin.unlock", row, community_id=community.id, after={"user_id": holder.id})
    return row


def log_in_with_pin(kiosk: Kiosk, username: str, pin: str):
    """The person behind ``username`` when ``pin`` is theirs and they may use this kiosk.

    Refusals: a PIN that is not six digits (400, nothing written); no usable PIN for this
    username here (401); a locked PIN (423, whether or not this PIN is right); a wrong PIN (401
    with the tries left; the count is flushed: the caller commits it before showing the refusal).
    """
    pin = checked_pin(pin)
    community = db.session.get_one(Community, kiosk.community_id)
    holder = accounts.user_by_username(username)
    row = pin_of(holder.id) if holder is not None and holder.active else None
    if row is None or holder is None:
        check_password_hash(_DUMMY_HASH, pin)  # the same cost either way
        raise WrongPin(_("No kiosk PIN is set for this username. A worker at the service desk can set one."), field="username")
    _policy(row, community, holder).require("log_in", holder)
    if check_password_hash(row.pin_hash, pin):
        if row.failed_count:
            row.failed_count = 0
            db.session.flush()
        return holder
    left = _count_wrong(row)
    log.info("wrong kiosk PIN for user %s at kiosk %s (%s tries left)", holder.id, kiosk.id, left)
    if left == 0:
        raise PinLocked(
            _("That PIN is not right. The PIN is now locked; a worker at the service desk can unlock it."), field="pin"
        )
    raise WrongPin(
        ngettext("That PIN is not right. %(num)d try left.", "That PIN is not right. %(num)d tries left.", left), field="pin"
    )


def _count_wrong(row: KioskPin) -> int:
    """Count one wrong try in one UPDATE (parallel tries each count) and lock at the limit; the tries left."""
    db.session.execute(
        sa.update(KioskPin)
        .where(KioskPin.id == row.id, KioskPin.locked_at.is_(None))
        .values(
            failed_count=KioskPin.failed_count + 1,
            locked_at=sa.case((KioskPin.failed_count + 1 >= PIN_TRIES, now()), else_=None),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(row)
    return row.tries_left


def remove_pin(user) -> None:
    """Delete a person's kiosk PIN (their account is closing). Flushed."""
    row = pin_of(user.id)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
