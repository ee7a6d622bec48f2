"""Services on the list: added and edited by the committee or the provider's staff, withdrawn.

Every function takes the acting person, asks the policy, checks every field, flushes, and leaves
the commit to the caller. Opening hours are checked by consult/offerings/hours.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.core.forms import has_control_chars
from consult.extensions import db
from consult.offerings import hours as hours_rules
from consult.offerings.labels import WEEKDAYS, hours_message
from consult.offerings.models import (
    BRING_MAX,
    CLOSED_DAYS_MAX,
    DESCRIPTION_MAX,
    NOTE_MAX,
    PLACE_MAX,
    PRICE_MAX_FEN,
    TITLE_MAX,
    WALK_MAX,
    PriceKind,
    Provider,
    Service,
    ServiceClosedDay,
    ServiceHours,
    ServiceKind,
)
from consult.offerings.policy import ProviderPolicy, ServicePolicy
from consult.offerings.providers import check_phone

log = logging.getLogger(__name__)


@dataclass
class ServiceFields:
    """What a service form says (the service checks every field again)."""

    kind: str
    title: str
    place: str
    description: str = ""
    bring: str = ""
    walk_minutes: int = 0
    hours: list[hours_rules.Interval] = field(default_factory=list)
    closed_days: list[date] = field(default_factory=list)
    hours_note: str = ""
    phone: str = ""
    price_kind: str = PriceKind.FREE
    price_fen: int | None = None
    takes_appointments: bool = False


def _text(value: str | None, limit: int, field_name: str, *, required: bool = False, lines: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RuleViolation(_("Please fill this in."), field=field_name)
    if len(value) > limit:
        raise RuleViolation(_("Use at most %(max)d characters.", max=limit), field=field_name)
    if has_control_chars(value) or (not lines and ("\n" in value or "\r" in value)):
        raise RuleViolation(_("Please remove invisible control characters and line breaks."), field=field_name)
    return value


def checked_hours(intervals: list[hours_rules.Interval]) -> list[hours_rules.Interval]:
    """The weekly pattern, or a RuleViolation on the weekday's field that says what is wrong."""
    try:
        return hours_rules.check(intervals)
    except hours_rules.HoursError as error:
        weekday = error.params.get("weekday")
        field_name = f"hours_{WEEKDAYS[weekday][0]}" if isinstance(weekday, int) and 0 <= weekday <= 6 else "hours_mon"
        raise RuleViolation(hours_message(error), field=field_name) from None


def _check(values: ServiceFields) -> ServiceFields:
    if values.kind not in set(ServiceKind):
        raise RuleViolation(_("Choose the kind of service."), field="kind")
    values.title = _text(values.title, TITLE_MAX, "title", required=True)
    values.place = _text(values.place, PLACE_MAX, "place", required=True)
    values.description = _text(values.description, DESCRIPTION_MAX, "description", lines=True)
    values.bring = _text(values.bring, BRING_MAX, "bring", lines=True)
    values.hours_note = _text(values.hours_note, NOTE_MAX, "hours_note")
    values.phone = check_phone(values.phone)
    if not isinstance(values.walk_minutes, int) or not 0 <= values.walk_minutes <= WALK_MAX:
        raise RuleViolation(
            _("Give the walking minutes as a whole number from 0 to %(max)d.", max=WALK_MAX), field="walk_minutes"
        )
    if values.price_kind not in set(PriceKind):
        raise RuleViolation(_("Choose how the price is given."), field="price_kind")
    if values.price_kind == PriceKind.FIXED:
        if values.price_fen is None or not 1 <= values.price_fen <= PRICE_MAX_FEN:
            raise RuleViolation(
                _("Give the price in yuan, more than 0 and at most %(max)d.", max=PRICE_MAX_FEN // 100), field="price"
            )
    else:
        values.price_fen = None
    if len(set(values.closed_days)) > CLOSED_DAYS_MAX:
        raise RuleViolation(_("Give at most %(max)d closed days.", max=CLOSED_DAYS_MAX), field="closed_days")
    values.hours = checked_hours(values.hours)
    return values


def add_service(actor: User, provider: Provider, values: ServiceFields) -> Service:
    """The committee or the provider's staff adds a service to the provider's list."""
    ProviderPolicy(provider).require("add_service", actor)
    values = _check(values)
    service = Service(provider_id=provider.id, community_id=provider.community_id, provider=provider)
    service.hours = []
    service.closed_days = []
    _apply(service, values, actor)
    db.session.add(service)
    db.session.flush()
    audit.record(actor, "service.add", service, community_id=provider.community_id, after=_summary(service, values))
    log.info("user %s added service %s for provider %s", actor.id, service.id, provider.id)
    return service


def edit_service(actor: User, service: Service, values: ServiceFields) -> Service:
    """The committee or the provider's staff changes a service; the weekly pattern and closed days are replaced."""
    ServicePolicy(service).require("edit", actor)
    values = _check(values)
    before = {"title": service.title, "hours": [i.label() for i in intervals_of(service)]}
    _apply(service, values, actor)
    db.session.flush()
    audit.record(
        actor, "service.edit", service, community_id=service.community_id, before=before, after=_summary(service, values)
    )
    return service


def withdraw_service(actor: User, service: Service) -> Service:
    """Take a service off the list (kept, with its history, for the audit log)."""
    ServicePolicy(service).require("withdraw", actor)
    service.withdrawn_at = now()
    service.updated_by_id = actor.id
    db.session.flush()
    audit.record(actor, "service.withdraw", service, community_id=service.community_id)
    return service


def intervals_of(service: Service) -> list[hours_rules.Interval]:
    return [hours_rules.Interval(h.weekday, h.opens, h.closes, h.overnight) for h in service.hours]


def _apply(service: Service, values: ServiceFields, actor: User) -> None:
    for name in (
        "kind",
        "title",
        "place",
        "description",
        "bring",
        "walk_minutes",
        "hours_note",
        "phone",
        "price_kind",
        "price_fen",
    ):
        setattr(service, name, getattr(values, name))
    service.takes_appointments = bool(values.takes_appointments)
    service.updated_at = now()
    service.updated_by_id = actor.id
    service.hours.clear()
    service.closed_days.clear()
    db.session.flush()  # the old rows go before the new ones (unique closed days)
    service.hours.extend(
        ServiceHours(weekday=i.weekday, opens=i.opens, closes=i.closes, overnight=i.overnight) for i in values.hours
    )
    service.closed_days.extend(ServiceClosedDay(day=d) for d in sorted(set(values.closed_days)))


def _summary(service: Service, values: ServiceFields) -> dict:
    return {"title": service.title, "kind": service.kind, "hours": [i.label() for i in values.hours]}
