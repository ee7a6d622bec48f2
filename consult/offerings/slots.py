"""Slots: the times a service takes appointments, offered by the provider's staff or the committee.

One function, ``add_slot``: asks the policy, checks the times (an end after the start, not in the
past, within 90 days, inside one opening of the service's hours) and the capacity, locks the
service row and refuses a slot overlapping another of the same service. The database refuses a
second slot starting at the same time, an end before the start and a capacity out of range (and,
on PostgreSQL, overlapping slots of one service: an exclusion constraint).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import local, now
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.offerings import hours as hours_rules
from consult.offerings.appointment_models import SLOT_CAPACITY_MAX, SLOT_DAYS_AHEAD, SLOT_MINUTES_MAX, Slot
from consult.offerings.appointment_policy import require_keeper
from consult.offerings.models import Service, ServiceClosedDay, ServiceHours

log = logging.getLogger(__name__)


def lock_service(service: Service) -> Service:
    """The service row, locked: two slots added at once cannot both pass the overlap check."""
    return db.session.scalars(
        sa.select(Service).where(Service.id == service.id).with_for_update(of=Service).execution_options(populate_existing=True)
    ).one()


def check_times(service: Service, starts_at: datetime, ends_at: datetime, capacity: int) -> None:
    """Every rule of a slot's times and capacity that needs no lock; a RuleViolation names the field."""
    if starts_at is None or ends_at is None:
        raise RuleViolation(_("Give the start and the end of the slot."), field="starts_at")
    if ends_at <= starts_at:
        raise RuleViolation(_("The slot must end after it starts."), field="ends_at")
    if starts_at <= now():
        raise RuleViolation(_("This time has passed: a slot must start in the future."), field="starts_at")
    if starts_at > now() + timedelta(days=SLOT_DAYS_AHEAD):
        raise RuleViolation(_("Offer slots at most %(days)d days ahead.", days=SLOT_DAYS_AHEAD), field="starts_at")
    if ends_at - starts_at > timedelta(minutes=SLOT_MINUTES_MAX):
        raise RuleViolation(_("A slot lasts at most a day."), field="ends_at")
    if not isinstance(capacity, int) or not 1 <= capacity <= SLOT_CAPACITY_MAX:
        raise RuleViolation(_("Give the places as a whole number from 1 to %(max)d.", max=SLOT_CAPACITY_MAX), field="capacity")
    start, end = local(starts_at).replace(tzinfo=None), local(ends_at).replace(tzinfo=None)
    opening = hours_rules.open_interval(*_hours(service), start)
    if opening is None or end > opening[1]:
        raise RuleViolation(
            _("The slot must lie within one of the service's openings (and not on a closed day)."), field="starts_at"
        )


def _hours(service: Service) -> tuple[list[hours_rules.Interval], list]:
    """The service's weekly pattern and closed days, read here (the relationships do not load lazily)."""
    rows = db.session.scalars(sa.select(ServiceHours).where(ServiceHours.service_id == service.id))
    closed = db.session.scalars(sa.select(ServiceClosedDay.day).where(ServiceClosedDay.service_id == service.id))
    return [hours_rules.Interval(h.weekday, h.opens, h.closes, h.overnight) for h in rows], list(closed)


def add_slot(actor, service: Service, starts_at: datetime, ends_at: datetime, capacity: int) -> Slot:
    """The provider's staff or the committee offer a slot; overlapping another slot of the service is refused."""
    require_keeper(actor, service)
    check_times(service, starts_at, ends_at, capacity)
    lock_service(service)
    overlapping = db.session.scalar(
        sa.select(Slot.id).where(Slot.service_id == service.id, Slot.starts_at < ends_at, Slot.ends_at > starts_at).limit(1)
    )
    if overlapping is not None:
        raise RuleViolation(_("This slot overlaps another slot of the service."), field="starts_at")
    slot = Slot(service_id=service.id, starts_at=starts_at, ends_at=ends_at, capacity=capacity, created_by_id=actor.id)
    add_unique(slot, _("This slot overlaps another slot of the service."), "starts_at")
    audit.record(
        actor,
        "slot.add",
        slot,
        community_id=service.community_id,
        after={"service": service.title, "starts_at": starts_at.isoformat(), "capacity": capacity},
    )
    log.info("user %s added slot %s to service %s", actor.id, slot.id, service.id)
    return slot
