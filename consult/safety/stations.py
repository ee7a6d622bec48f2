"""Emergency points (应急服务站): the committee lists where they are, when they open, who keeps them
(name and work phone) and what they hold; the community's safety page shows them to everyone."""

from __future__ import annotations

import re

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.safety.hazard_models import (
    COUNT_MAX,
    EQUIPMENT,
    KEEPER_MAX,
    OPENING_MAX,
    PLACE_MAX,
    POINT_NAME_MAX,
    EmergencyPoint,
    EmergencyPointItem,
)
from consult.safety.hazard_policy import EmergencyPointPolicy
from consult.safety.hazards import text

_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{2,19}$")


def _counts(counts: dict[str, int | None]) -> dict[str, int]:
    out = {}
    for item, count in counts.items():
        if item not in EQUIPMENT:
            raise RuleViolation(_("No such equipment."))
        if count is None or count == 0:
            continue
        if not 0 < count <= COUNT_MAX:
            raise RuleViolation(_("Give a count between 0 and %(max)d.", max=COUNT_MAX), field=item)
        out[item] = count
    return out


def add_point(
    actor: User,
    community: Community,
    *,
    name: str | None,
    place: str | None,
    opening: str | None,
    open_at_night: bool,
    keeper_name: str | None,
    keeper_phone: str | None,
    counts: dict[str, int | None],
) -> EmergencyPoint:
    """The committee lists an emergency point with what it holds (a name unique in the community)."""
    require_committee(actor, community)
    phone = (keeper_phone or "").strip()
    if not _PHONE.match(phone):
        raise RuleViolation(_("Give the keeper's work phone: digits, spaces, hyphens or brackets."), field="keeper_phone")
    point = EmergencyPoint(
        community_id=community.id,
        name=text(name, POINT_NAME_MAX, "name"),
        place=text(place, PLACE_MAX, "place"),
        opening=text(opening, OPENING_MAX, "opening"),
        open_at_night=bool(open_at_night),
        keeper_name=text(keeper_name, KEEPER_MAX, "keeper_name"),
        keeper_phone=phone,
    )
    held = _counts(counts)
    add_unique(point, _("This community already has an emergency point of that name."), "name")
    db.session.add_all(EmergencyPointItem(point_id=point.id, item=item, count=count) for item, count in held.items())
    db.session.flush()
    audit.record(
        actor,
        "emergency_point.add",
        point,
        community_id=community.id,
        street_id=community.street_id,
        after={"name": point.name, **held},
    )
    return point


def remove_point(actor: User, point: EmergencyPoint) -> None:
    """The committee takes an emergency point off the list (the audit log keeps that it was there)."""
    EmergencyPointPolicy(point).require("manage", actor)
    community = db.session.get_one(Community, point.community_id)
    db.session.query(EmergencyPointItem).filter(EmergencyPointItem.point_id == point.id).delete()
    db.session.delete(point)
    db.session.flush()
    audit.record(
        actor,
        "emergency_point.remove",
        point,
        community_id=community.id,
        street_id=community.street_id,
        before={"name": point.name},
    )
