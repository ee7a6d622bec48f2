"""What the hazard ledger, inspections and emergency points add to the shared registries: overdue
hazards on the committee's to-do page, a panel on the community's home page, the street page's
overdue list, labels, audit sentences, and the columns "download my data" leaves out."""

from datetime import datetime, time, timedelta

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from consult.core.audit import describe_actions
from consult.core.clock import site_zone
from consult.core.registries import STAFF_ACTION, TodoItem, add_labels, community_panel, not_personal, template_global, todo
from consult.core.templating import listed
from consult.safety import hazard_queries as queries
from consult.safety.hazard_labels import EQUIPMENT_LABELS, ITEM_LABELS, KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS, STEP_LABELS
from consult.safety.hazard_models import HazardStatus
from consult.safety.hazard_policy import committee
from consult.safety.policy import is_grid_worker


@todo("hazards")
def overdue_hazards(community):
    """Hazards past their due date and not fixed yet: waiting since the end of their due date (overdue at once)."""
    zone = site_zone()
    return [
        TodoItem(
            kind=_("Overdue hazard"),
            title=f"#{h.id} {KIND_LABELS[h.kind]} · {h.owner_name}",
            since=datetime.combine(h.due_on + timedelta(days=1), time(0), tzinfo=zone),
            link=url_for("hazards.detail", hazard_id=h.id),
            target=timedelta(0),
        )
        for h in queries.overdue(community.id)
    ]


@community_panel("safety/hazards")
def community_safety(community, user):
    """The link to the community's safety page (emergency points, hazard counts)."""
    return {}


@template_global
def hazard_from_request(community_id: int, request_id: int) -> str | None:
    """On a request's page: the link that turns it into a hazard, for the committee only."""
    if not committee(current_user, community_id):
        return None
    community = queries.community(community_id)
    return url_for("hazards.ledger", community=community.slug, request_id=request_id, _anchor="new-hazard-h")


@template_global
def street_overdue_hazards(street):
    """Overdue hazards of a street's communities (the street admin's page)."""
    return queries.street_overdue(street.id)


@template_global
def hazard_label(kind: str, code: str) -> str:
    """A code of the hazard ledger as people read it: ``hazard_label('kind', h.kind)``."""
    table = {
        "kind": KIND_LABELS,
        "severity": SEVERITY_LABELS,
        "status": STATUS_LABELS,
        "step": STEP_LABELS,
        "item": ITEM_LABELS,
        "equipment": EQUIPMENT_LABELS,
    }[kind]
    return str(table[code])


@template_global
def hazard_overdue(hazard, today) -> bool:
    """Past its due date and not fixed yet."""
    return hazard.status in (HazardStatus.OPEN, HazardStatus.FIXING) and hazard.due_on < today


@template_global
def held_equipment(held) -> str:
    """What an emergency point holds, as people read it: "AED × 1, stretcher × 2"."""
    return listed(f"{EQUIPMENT_LABELS[row.item]} × {row.count}" for row in held)


@template_global
def my_grid_rounds(user, grid_id: int) -> bool:
    """Whether the grid page offers its worker the inspections link."""
    return is_grid_worker(user, grid_id)


not_personal(
    {
        "inspections.inspector_id": STAFF_ACTION,
        "hazards.found_by_id": STAFF_ACTION,
        "hazards.fixed_by_id": STAFF_ACTION,
        "hazards.checked_by_id": STAFF_ACTION,
        "hazards.owner_user_id": "the owner the committee named for a hazard of its ledger: a duty given by the committee, "
        "kept in its ledger and its audit log",
    }
)

add_labels(
    {
        "hazard.record": _l("hazard recorded"),
        "hazard.plan": _l("hazard's owner, measures or due date changed"),
        "hazard.start": _l("hazard: fixing started"),
        "hazard.fix": _l("hazard marked fixed"),
        "hazard.check": _l("hazard checked"),
        "hazard.reopen": _l("hazard sent back to being fixed"),
        "inspection.record": _l("inspection recorded"),
        "emergency_point.add": _l("emergency point listed"),
        "emergency_point.remove": _l("emergency point removed"),
    }
)

describe_actions(
    {
        "hazard.record": _l("Recorded a hazard, owner %(owner)s, due %(due_on)s."),
        "hazard.plan": _l("Changed a hazard's plan: owner %(owner_name)s, due %(due_on)s."),
        "hazard.start": _l("Started fixing a hazard."),
        "hazard.fix": _l("Marked a hazard fixed."),
        "hazard.check": _l("Checked that a hazard is gone."),
        "hazard.reopen": _l("Found a hazard not fixed and sent it back."),
        "inspection.record": _l("Inspected the grid %(grid)s: %(failed)s items failed."),
        "emergency_point.add": _l("Listed the emergency point %(name)s."),
        "emergency_point.remove": _l("Removed the emergency point %(name)s."),
    }
)
