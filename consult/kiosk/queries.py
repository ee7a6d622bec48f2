"""Reads of kiosk mode: a community's kiosks, its residents' locked PINs."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from consult.accounts.models import User
from consult.core.errors import NotFound
from consult.extensions import db
from consult.kiosk.models import Kiosk, KioskPin
from consult.places.models import Residence, ResidenceStatus


def kiosks_of(community_id: int) -> list[tuple[Kiosk, User, User | None]]:
    """A community's kiosks, newest first, with who registered and who revoked each (one statement)."""
    creator, revoker = aliased(User), aliased(User)
    rows = db.session.execute(
        sa.select(Kiosk, creator, revoker)
        .join(creator, creator.id == Kiosk.created_by_id)
        .outerjoin(revoker, revoker.id == Kiosk.revoked_by_id)
        .where(Kiosk.community_id == community_id)
        .order_by(Kiosk.revoked_at.is_not(None), Kiosk.created_at.desc(), Kiosk.id.desc())
    )
    return [(kiosk, made_by, revoked_by) for kiosk, made_by, revoked_by in rows]


def kiosk_or_404(kiosk_id: int, community_id: int) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None or kiosk.community_id != community_id:
        raise NotFound(_("No such kiosk."))
    return kiosk


def locked_pins(community_id: int) -> list[tuple[KioskPin, User, Residence]]:
    """Locked kiosk PINs of the community's confirmed residents, oldest lock first (one statement)."""
    rows = db.session.execute(
        sa.select(KioskPin, User, Residence)
        .join(User, User.id == KioskPin.user_id)
        .join(Residence, Residence.user_id == User.id)
        .where(
            Residence.community_id == community_id,
            Residence.status == ResidenceStatus.CONFIRMED,
            KioskPin.locked_at.is_not(None),
        )
        .order_by(KioskPin.locked_at, KioskPin.id)
    )
    return [(pin, user, residence) for pin, user, residence in rows]


def user_with_pin(user_id: int) -> User:
    """The holder of a kiosk PIN (404 when there is none)."""
    user = db.session.scalar(sa.select(User).join(KioskPin, KioskPin.user_id == User.id).where(User.id == user_id))
    if user is None:
        raise NotFound(_("This person has no kiosk PIN."))
    return user
