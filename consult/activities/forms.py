"""Forms of 报到, activities and micro-wishes."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.activities.models import (
    ACTIVITY_DESCRIPTION_MAX,
    CAPACITY_MAX,
    CHECKIN_BEFORE_MAX,
    COMMENT_MAX,
    PLACE_MAX,
    POINTS_PER_HOUR_MAX,
    REASON_MAX,
    TITLE_MAX,
    UNIT_MAX,
    WISH_DESCRIPTION_MAX,
)
from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.core.scales import satisfaction_choices


def _max(n):
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class PartyForm(Form):
    work_unit = StringField(
        _l("Work unit (工作单位)"),
        filters=[strip],
        validators=[DataRequired(_l("Please give your work unit.")), _max(UNIT_MAX), no_control_chars, single_line],
    )
    party_branch = StringField(
        _l("Party branch (党支部)"),
        filters=[strip],
        validators=[DataRequired(_l("Please give your party branch.")), _max(UNIT_MAX), no_control_chars, single_line],
    )


class ActivityForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a title.")), _max(TITLE_MAX), no_control_chars, single_line],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[strip],
        validators=[DataRequired(_l("Please describe the activity.")), _max(ACTIVITY_DESCRIPTION_MAX), no_control_chars],
    )
    kind = RadioField(
        _l("Kind"),
        choices=[
            SelectChoice("volunteer", _l("Volunteer service")),
            SelectChoice("party", _l("Party-member service")),
            SelectChoice("meeting", _l("Consultation meeting")),
            SelectChoice("drill", _l("Emergency drill")),
        ],
        default="volunteer",
    )
    starts_at = DateTimeLocalField(
        _l("Starts at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Please give a date and time."))]
    )
    ends_at = DateTimeLocalField(
        _l("Ends at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Please give a date and time."))]
    )
    place = StringField(
        _l("Place"),
        filters=[strip],
        validators=[DataRequired(_l("Please say where.")), _max(PLACE_MAX), no_control_chars, single_line],
    )
    capacity = IntegerField(_l("Places"), default=20, validators=[InputRequired(), NumberRange(min=1, max=CAPACITY_MAX)])
    points_per_hour = IntegerField(
        _l("Points per hour"), default=10, validators=[InputRequired(), NumberRange(min=0, max=POINTS_PER_HOUR_MAX)]
    )
    checkin_minutes_before = IntegerField(
        _l("Check-in opens this many minutes before the start"),
        default=30,
        validators=[InputRequired(), NumberRange(min=0, max=CHECKIN_BEFORE_MAX)],
    )
    waitlist_cutoff_at = DateTimeLocalField(
        _l("Waitlist moves up until (optional, default: the start)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    organiser = StringField(
        _l("Organiser's username (optional, default: you)"), filters=[strip], validators=[Optional(), Length(max=64)]
    )
    party_only = BooleanField(_l("Only for party members registered here"))


class CodeForm(Form):
    code = StringField(_l("Check-in code"), filters=[strip], validators=[Optional(), Length(max=12)])


class UsernameForm(Form):
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )


class MinutesForm(Form):
    minutes = IntegerField(
        _l("Minutes"), validators=[InputRequired(_l("Please give the minutes.")), NumberRange(min=0, max=100000)]
    )


class WishForm(Form):
    title = StringField(
        _l("What do you need?"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a title.")), _max(TITLE_MAX), no_control_chars, single_line],
        description=_l("For example: help to change a light bulb."),
    )
    description = TextAreaField(
        _l("Details"),
        filters=[strip],
        validators=[DataRequired(_l("Please add some details.")), _max(WISH_DESCRIPTION_MAX), no_control_chars],
    )


class ConfirmWishForm(Form):
    rating = RadioField(
        _l("How satisfied are you?"), coerce=str, validate_choice=False, validators=[DataRequired(_l("Please choose one."))]
    )
    comment = TextAreaField(
        _l("Comment (optional)"), filters=[strip], validators=[Optional(), _max(COMMENT_MAX), no_control_chars]
    )


class ReasonForm(Form):
    reason = StringField(
        _l("Reason"), filters=[strip], validators=[DataRequired(_l("Please give a reason.")), _max(REASON_MAX), no_control_chars]
    )


class PeriodForm(Form):
    class Meta:
        csrf = False

    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    quarter = SelectField(_l("Quarter"), coerce=str, validate_choice=False)


class RecordWishForm(WishForm):
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )


def rating_form() -> ConfirmWishForm:
    """The satisfaction form (confirming a micro-wish, rating an activity), on the one shared scale."""
    form = ConfirmWishForm()
    form.rating.choices = satisfaction_choices()
    return form
