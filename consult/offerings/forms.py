"""Forms of the service list: a provider, its staff, a neighbour link, a service with its opening hours."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _, lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.core.errors import RuleViolation
from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.offerings import hours as hours_rules
from consult.offerings.labels import PROVIDER_KINDS, SERVICE_KINDS, WEEKDAYS, hours_message
from consult.offerings.models import (
    BRING_MAX,
    CIRCLE_MINUTES,
    DESCRIPTION_MAX,
    NAME_MAX,
    NOTE_MAX,
    PHONE_MAX,
    PLACE_MAX,
    PRICE_MAX_FEN,
    TITLE_MAX,
    WALK_MAX,
    Service,
)
from consult.offerings.services import ServiceFields, intervals_of


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


def _line(n: int) -> list:
    return [Optional(), _max(n), no_control_chars, single_line]


class ProviderForm(Form):
    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice(k, v) for k, v in PROVIDER_KINDS.items()],
        validators=[InputRequired(_l("Choose what kind of provider this is."))],
    )
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), _max(NAME_MAX), no_control_chars, single_line],
    )
    phone = StringField(_l("Work phone (optional)"), filters=[strip], validators=_line(PHONE_MAX))


class StaffForm(Form):
    username = StringField(
        _l("Username of the person"),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), _max(40), single_line],
    )


class NeighbourForm(Form):
    neighbour = SelectField(_l("Neighbouring community"), validators=[InputRequired(_l("Choose a community."))])
    walk_minutes = IntegerField(
        _l("Walking minutes between the two centres"),
        validators=[
            InputRequired(_l("Give the walking minutes.")),
            NumberRange(1, CIRCLE_MINUTES, _l("From 1 to %(max)d minutes.", max=CIRCLE_MINUTES)),
        ],
    )


HOURS_HINT = _l("Openings like 08:30-12:00, 14:00-17:30; one that closes after midnight: 22:00-02:00+1. Empty: closed.")


class ServiceForm(Form):
    kind = SelectField(
        _l("Kind of service"),
        choices=[SelectChoice(k, v) for k, v in SERVICE_KINDS.items()],
        validators=[InputRequired(_l("Choose the kind of service."))],
    )
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), _max(TITLE_MAX), no_control_chars, single_line],
    )
    description = TextAreaField(
        _l("About the service"),
        description=_l("Markdown: **bold**, lists, links."),
        filters=[strip],
        validators=[Optional(), _max(DESCRIPTION_MAX), no_control_chars],
    )
    bring = TextAreaField(_l("What to bring"), filters=[strip], validators=[Optional(), _max(BRING_MAX), no_control_chars])
    place = StringField(
        _l("Place"),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), _max(PLACE_MAX), no_control_chars, single_line],
    )
    walk_minutes = IntegerField(
        _l("Walking minutes from the community centre"),
        default=0,
        validators=[
            InputRequired(_l("Give the walking minutes.")),
            NumberRange(0, WALK_MAX, _l("From 0 to %(max)d minutes.", max=WALK_MAX)),
        ],
    )
    hours_mon = StringField(WEEKDAYS[0][1], filters=[strip], description=HOURS_HINT, validators=_line(120))
    hours_tue = StringField(WEEKDAYS[1][1], filters=[strip], validators=_line(120))
    hours_wed = StringField(WEEKDAYS[2][1], filters=[strip], validators=_line(120))
    hours_thu = StringField(WEEKDAYS[3][1], filters=[strip], validators=_line(120))
    hours_fri = StringField(WEEKDAYS[4][1], filters=[strip], validators=_line(120))
    hours_sat = StringField(WEEKDAYS[5][1], filters=[strip], validators=_line(120))
    hours_sun = StringField(WEEKDAYS[6][1], filters=[strip], validators=_line(120))
    closed_days = TextAreaField(
        _l("Closed days"),
        description=_l("Dates like 2027-01-01, one per line or separated by commas."),
        filters=[strip],
        validators=[Optional(), _max(2000)],
    )
    hours_note = StringField(_l("Note on the hours (optional)"), filters=[strip], validators=_line(NOTE_MAX))
    phone = StringField(_l("Contact: work phone (optional)"), filters=[strip], validators=_line(PHONE_MAX))
    price_kind = RadioField(
        _l("Price"),
        choices=[
            SelectChoice("free", _l("Free")),
            SelectChoice("fixed", _l("A fixed amount")),
            SelectChoice("ask", _l("Ask for the price")),
        ],
        default="free",
        validators=[InputRequired(_l("Choose how the price is given."))],
    )
    price = StringField(_l("Amount in yuan (for a fixed amount)"), filters=[strip], validators=_line(12))
    takes_appointments = BooleanField(_l("Takes appointments"))

    def hours_fields(self) -> list:
        return [getattr(self, f"hours_{key}") for key, _name in WEEKDAYS]

    def fill(self, service: Service) -> None:
        """Show a service's stored values (a GET of the edit page)."""
        for name in (
            "kind",
            "title",
            "description",
            "bring",
            "place",
            "walk_minutes",
            "hours_note",
            "phone",
            "price_kind",
            "takes_appointments",
        ):
            getattr(self, name).data = getattr(service, name)
        self.price.data = f"{service.price_fen / 100:.2f}" if service.price_fen else ""
        intervals = intervals_of(service)
        for weekday, f in enumerate(self.hours_fields()):
            f.data = hours_rules.day_text(intervals, weekday)
        self.closed_days.data = "\n".join(d.day.isoformat() for d in service.closed_days)

    def values(self) -> ServiceFields:
        """The form as the service's fields; unreadable hours, dates or price are a RuleViolation on their field."""
        intervals = []
        for weekday, f in enumerate(self.hours_fields()):
            try:
                intervals += hours_rules.parse_day(weekday, f.data)
            except hours_rules.HoursError as error:
                raise RuleViolation(hours_message(error), field=f.name) from None
        return ServiceFields(
            kind=self.kind.data,
            title=self.title.data or "",
            place=self.place.data or "",
            description=self.description.data or "",
            bring=self.bring.data or "",
            walk_minutes=self.walk_minutes.data,
            hours=intervals,
            closed_days=_dates(self.closed_days.data),
            hours_note=self.hours_note.data or "",
            phone=self.phone.data or "",
            price_kind=self.price_kind.data,
            price_fen=_fen(self.price.data) if self.price_kind.data == "fixed" else None,
            takes_appointments=bool(self.takes_appointments.data),
        )


def _dates(text: str | None) -> list[date]:
    days = []
    for part in re.split(r"[\s,，;；、]+", text or ""):
        if not part:
            continue
        try:
            days.append(date.fromisoformat(part))
        except ValueError:
            raise RuleViolation(
                _("%(text)s is not a date: write it like 2027-01-01.", text=part[:20]), field="closed_days"
            ) from None
    return days


def _fen(text: str | None) -> int | None:
    try:
        amount = Decimal((text or "").replace("¥", "").replace("元", "").strip())
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount <= 0 or amount > PRICE_MAX_FEN // 100 or amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation(
            _("Give the price in yuan, like 15 or 12.50, at most %(max)d.", max=PRICE_MAX_FEN // 100), field="price"
        )
    return int(amount * 100)
