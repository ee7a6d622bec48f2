"""Forms of appointments: a slot (day, start, end, places), booking for a resident, a rating."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from consult.core.forms import Form, strip
from consult.core.scales import satisfaction_choices
from consult.offerings.appointment_models import SLOT_CAPACITY_MAX


class SlotForm(Form):
    day = DateField(_l("Day"), validators=[InputRequired(_l("Give the day."))])
    starts = TimeField(_l("Starts at"), validators=[InputRequired(_l("Give the time it starts."))])
    ends = TimeField(_l("Ends at"), validators=[InputRequired(_l("Give the time it ends."))])
    capacity = IntegerField(
        _l("Places"),
        default=1,
        validators=[
            InputRequired(_l("Give the number of places.")),
            NumberRange(min=1, max=SLOT_CAPACITY_MAX, message=_l("From 1 to %(max)d.", max=SLOT_CAPACITY_MAX)),
        ],
    )


class BookForForm(Form):
    slot = SelectField(_l("Slot"), coerce=int, validate_choice=False, validators=[InputRequired(_l("Choose a slot."))])
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )


class RateForm(Form):
    level = RadioField(
        _l("How satisfied are you?"), coerce=str, validate_choice=False, validators=[DataRequired(_l("Please choose one."))]
    )


def rate_form() -> RateForm:
    form = RateForm()
    form.level.choices = satisfaction_choices()
    return form
