"""A street's request targets and a community's categories, changed by their staff (audited)."""

from __future__ import annotations

from flask_babel import gettext as _

from consult.core import audit
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places.models import Community, Street
from consult.places.rules import require_committee, require_street_admin
from consult.requests import common
from consult.requests.models import CATEGORY_NAME_MAX, RequestCategory, RequestSettings
from consult.requests.targets import categories_of, ensure_categories

#: field -> (lowest, highest) a street may set
TARGET_RANGES = {
    "response_minutes": (15, 1440),
    "service_start_minute": (0, 1439),
    "service_end_minute": (1, 1440),
    "next_morning_minute": (0, 1440),
    "resolution_days": (1, 90),
    "department_response_minutes": (15, 10080),
    "department_resolution_days": (1, 90),
}


def save_targets(actor, street: Street, **values: int) -> RequestSettings:
    """The street admin sets the targets of its communities' requests (new requests use them)."""
    require_street_admin(actor, street)
    for name, value in values.items():
        low, high = TARGET_RANGES[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise RuleViolation(_("Use a number from %(low)d to %(high)d.", low=low, high=high), field=name)
    if not values["service_start_minute"] < values["service_end_minute"]:
        raise RuleViolation(_("Service hours must end after they start."), field="service_end_minute")
    if not values["service_start_minute"] <= values["next_morning_minute"] <= values["service_end_minute"]:
        raise RuleViolation(_("The next-morning answer time must be within service hours."), field="next_morning_minute")
    row = db.session.get(RequestSettings, street.id) or RequestSettings(street_id=street.id)
    before = {name: getattr(row, name) for name in values}
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by_id = actor.id
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "request.targets", street, street_id=street.id, before=before, after=values)
    return row


def save_category(
    actor, community: Community, category_id: int | None, *, name: str, resolution_days: int | None, active: bool = True
) -> RequestCategory:
    """Rename a category, give it its own resolution target, retire it; or add one (``category_id`` None)."""
    require_committee(actor, community)
    name = common.required(name, CATEGORY_NAME_MAX, "name")
    if resolution_days is not None and not 1 <= resolution_days <= 90:
        raise RuleViolation(_("Use a number from %(low)d to %(high)d.", low=1, high=90), field="resolution_days")
    rows = {c.id: c for c in ensure_categories(community.id) + _retired(community.id)}
    if category_id is not None and category_id not in rows:
        raise RuleViolation(_("Choose a category of this community."), field="category")
    if any(c.name == name and c.id != category_id for c in rows.values()):
        raise RuleViolation(_("This community already has a category of that name."), field="name")
    row = rows[category_id] if category_id is not None else None
    if row is None:
        row = RequestCategory(community_id=community.id, key=f"c{len(rows) + 1}", position=len(rows))
        db.session.add(row)
    row.name, row.resolution_days, row.active = name, resolution_days, active
    db.session.flush()
    audit.record(
        actor, "request.category", row, community_id=community.id, after={"name": name, "days": resolution_days, "active": active}
    )
    return row


def _retired(community_id: int) -> list[RequestCategory]:
    return [c for c in categories_of(community_id, active_only=False) if not c.active]
