"""Committee, street and site forms."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.places.models import NAME_MAX


class ReasonForm(Form):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=200, message=_l("Use at most %(max)d characters.", max=200)),
            no_control_chars,
        ],
    )


class OptionalReasonForm(Form):
    reason = StringField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=200, message=_l("Use at most %(max)d characters.", max=200)), no_control_chars],
    )


class ConfirmForm(Form):
    """A bare form: only the CSRF token."""


class AppointForm(Form):
    username = StringField(
        _l("Username of the person"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    community = SelectField(_l("Community"), coerce=str, validate_choice=False)


class StreetAdminForm(Form):
    username = StringField(
        _l("Username of the person"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    street = SelectField(_l("Street"), coerce=str, validate_choice=False)


class PlaceForm(Form):
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a name.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.", max=NAME_MAX)),
            no_control_chars,
            single_line,
        ],
    )
    slug = StringField(
        _l("Short name in addresses"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a short name.")),
            Length(max=40, message=_l("Use at most %(max)d characters.", max=40)),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. hongqiao-east. It never changes, because it is printed in QR codes."
        ),
    )
    street = SelectField(_l("Street"), coerce=str, validate_choice=False)
