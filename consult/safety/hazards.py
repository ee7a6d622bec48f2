"""The hazard ledger (风险隐患台账): recording a hazard, its plan and its steps open → being fixed →
fixed → checked (the state table is ``hazard_policy.TRANSITIONS``; every step is audited).

Every function takes the acting person, asks the policy, flushes and leaves the commit to the
caller. Everything is checked (the photo re-encoded) before anything is written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit, photos
from consult.core.clock import local_now, now
from consult.core.database import add_unique
from consult.core.errors import NotFound, RuleViolation
from consult.core.forms import has_control_chars
from consult.core.registries import linked_records
from consult.extensions import db
from consult.places.addresses import normalise
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.safety import queries
from consult.safety.hazard_models import (
    DESCRIPTION_MAX,
    KINDS,
    MEASURES_MAX,
    OWNER_MAX,
    PLACE_MAX,
    SEVERITIES,
    Hazard,
)
from consult.safety.hazard_policy import TRANSITIONS, HazardPolicy

log = logging.getLogger(__name__)


@dataclass
class HazardInput:
    """What a person writes about a hazard (the form's fields, unchecked)."""

    kind: str
    severity: str
    place: str | None
    description: str | None
    owner_name: str | None
    due_on: date | None
    building: str | None = None
    measures: str | None = None
    owner_user: User | None = None
    photo: bytes | None = None
    request_id: int | None = None


def text(value: str | None, limit: int, field: str, *, required: bool = True) -> str | None:
    """Stripped text within ``limit`` characters, without control characters (None when empty)."""
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Please fill this in."), field=field)
    if len(value) > limit or has_control_chars(value.replace("\n", "")):
        raise RuleViolation(_("Use at most %(max)d characters.", max=limit), field=field)
    return value or None


def _due(due_on: date | None, found_on: date) -> date:
    if due_on is None:
        raise RuleViolation(_("Give the date it must be fixed by."), field="due_on")
    if due_on < found_on:
        raise RuleViolation(_("The due date cannot be before the day the hazard was found."), field="due_on")
    return due_on


def _request(community: Community, request_id: int | None) -> int | None:
    if request_id is None:
        return None
    lookup = linked_records.get("request")
    record = lookup(request_id) if lookup else None
    if record is None or record["community_id"] != community.id:
        raise NotFound(_("No request of this community has that number."), field="request_id")
    return request_id


def _checked(community: Community, data: HazardInput, found_on: date) -> dict:
    if data.kind not in KINDS:
        raise RuleViolation(_("Choose the kind of hazard."), field="kind")
    if data.severity not in SEVERITIES:
        raise RuleViolation(_("Choose how serious it is."), field="severity")
    return {
        "kind": data.kind,
        "severity": data.severity,
        "place": text(data.place, PLACE_MAX, "place"),
        "description": text(data.description, DESCRIPTION_MAX, "description"),
        "owner_name": text(data.owner_name, OWNER_MAX, "owner_name"),
        "measures": text(data.measures, MEASURES_MAX, "measures", required=False),
        "due_on": _due(data.due_on, found_on),
        "request_id": _request(community, data.request_id),
        "owner_user_id": data.owner_user.id if data.owner_user is not None else None,
    }


def record(actor: User, community: Community, data: HazardInput, *, inspection=None) -> Hazard:
    """Add a hazard to the community's ledger. The committee records any; a grid worker records one
    through a failed item of their inspection (``inspections.open_hazard``, which passes ``inspection``)."""
    if inspection is None:
        require_committee(actor, community)
    found_on = local_now().date()
    fields = _checked(community, data, found_on)
    building = normalise(data.building, "building")
    if inspection is not None:
        grid_id = inspection.grid_id
        building = building or inspection.building
        if building and building not in {row.building for row in queries.buildings_of([grid_id])[grid_id]}:
            raise RuleViolation(_("That building is not in this grid."), field="building")
    else:
        placed = queries.placed_building(community.id, building) if building else None
        grid_id = placed.grid_id if placed is not None else None
    cleaned = photos.clean(data.photo) if data.photo else None
    hazard = Hazard(
        community_id=community.id,
        grid_id=grid_id,
        building=building,
        found_on=found_on,
        found_by_id=actor.id,
        inspection_id=inspection.id if inspection is not None else None,
        **fields,
    )
    add_unique(hazard, _("That request has already been turned into a hazard."), "request_id")
    if cleaned is not None:
        hazard.photo_key, hazard.photo_mime = cleaned.new_key(), cleaned.mime
        photos.store().put(hazard.photo_key, cleaned.data, cleaned.mime)
        db.session.flush()
    after = {"kind": hazard.kind, "severity": hazard.severity, "due_on": hazard.due_on.isoformat(), "owner": hazard.owner_name}
    if hazard.request_id is not None:
        after["request_id"] = hazard.request_id
    audit.record(actor, "hazard.record", hazard, community_id=community.id, street_id=community.street_id, after=after)
    log.info("hazard %s recorded in community %s by user %s", hazard.id, community.id, actor.id)
    return hazard


def _lock(hazard: Hazard) -> Hazard:
    """The hazard's row, locked and fresh: two people pressing one step at once cannot both pass."""
    return db.session.scalars(
        sa.select(Hazard).where(Hazard.id == hazard.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def step(actor: User, hazard: Hazard, action: str) -> Hazard:
    """Move a hazard one step along its state table (``start``, ``fix``, ``check``, ``reopen``)."""
    if action not in TRANSITIONS:
        raise NotFound(_("No such step."))
    hazard = _lock(hazard)
    HazardPolicy(hazard).require(action, actor)
    before = hazard.status
    hazard.status = TRANSITIONS[action][1]
    moment = now()
    if action == "fix":
        hazard.fixed_by_id, hazard.fixed_at = actor.id, moment
    elif action == "check":
        hazard.checked_by_id, hazard.checked_at = actor.id, moment
    elif action == "reopen":
        hazard.fixed_by_id = hazard.fixed_at = None
    hazard.updated_at = moment
    db.session.flush()
    community = db.session.get_one(Community, hazard.community_id)
    audit.record(
        actor,
        f"hazard.{action}",
        hazard,
        community_id=community.id,
        street_id=community.street_id,
        before={"status": before},
        after={"status": hazard.status},
    )
    return hazard


def plan(
    actor: User,
    hazard: Hazard,
    owner_name: str | None,
    owner_user: User | None,
    measures: str | None,
    due_on: date | None,
) -> Hazard:
    """The committee sets who owns a hazard, what will be done and by when (the old values stay in the audit log)."""
    hazard = _lock(hazard)
    HazardPolicy(hazard).require("plan", actor)
    new = {
        "owner_name": text(owner_name, OWNER_MAX, "owner_name"),
        "owner_user_id": owner_user.id if owner_user is not None else None,
        "measures": text(measures, MEASURES_MAX, "measures", required=False),
        "due_on": _due(due_on, hazard.found_on),
    }
    old = {name: getattr(hazard, name) for name in new}
    if old == new:
        return hazard
    for name, value in new.items():
        setattr(hazard, name, value)
    hazard.updated_at = now()
    db.session.flush()
    community = db.session.get_one(Community, hazard.community_id)
    before, after = ({**values, "due_on": values["due_on"].isoformat()} for values in (old, new))
    audit.record(
        actor, "hazard.plan", hazard, community_id=community.id, street_id=community.street_id, before=before, after=after
    )
    return hazard
