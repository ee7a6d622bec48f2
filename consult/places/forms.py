"""Committee, street and site forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from consult.accounts.forms import display_name_field, new_password_fields, phone_field, username_field
from consult.accounts.models import USERNAME_INPUT_MAX
from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.places.addresses import ADDRESS_PART_MAX
from consult.places.models import NAME_MAX, REASON_MAX, SLUG_MAX


def _address_field(label):
    return StringField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            Length(max=ADDRESS_PART_MAX, message=_l("Use at most %(max)d characters.", max=ADDRESS_PART_MAX)),
            no_control_chars,
            single_line,
        ],
    )


class AddressMixin:
    building = _address_field(_l("Building (楼栋)"))
    unit = _address_field(_l("Unit (单元)"))
    room = _address_field(_l("Room (室)"))


class RegisterForm(AddressMixin, FlaskForm):
    community = HiddenField(validators=[DataRequired()])
    username = username_field()
    display_name = display_name_field()
    phone = phone_field()
    password, confirm = new_password_fields()


class ApplyForm(AddressMixin, FlaskForm):
    community = HiddenField(validators=[DataRequired()])


class RecordResidentForm(AddressMixin, FlaskForm):
    username = username_field()
    display_name = display_name_field()
    phone = phone_field()


class ReasonForm(Form):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=REASON_MAX, message=_l("Use at most %(max)d characters.", max=REASON_MAX)),
            no_control_chars,
        ],
    )


class OptionalReasonForm(Form):
    reason = StringField(
        _l("Note (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=REASON_MAX, message=_l("Use at most %(max)d characters.", max=REASON_MAX)),
            no_control_chars,
        ],
    )


class ConfirmForm(Form):
    """A bare form: only the CSRF token."""


class _AppointeeForm(Form):
    """The person to appoint, by username (the staff pages' appointment forms add where)."""

    username = StringField(
        _l("Username of the person"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter a username.")), Length(max=USERNAME_INPUT_MAX)],
    )


class AppointForm(_AppointeeForm):
    community = SelectField(_l("Community"), coerce=str, validate_choice=False)


class StreetAdminForm(_AppointeeForm):
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
            Length(max=SLUG_MAX, message=_l("Use at most %(max)d characters.", max=SLUG_MAX)),
        ],
        description=_l(
            "Lower-case letters, digits and hyphens, e.g. hongqiao-east. It never changes, because it is printed in QR codes."
        ),
    )
    street = SelectField(_l("Street"), coerce=str, validate_choice=False)


class DepartmentForm(Form):
    name = StringField(
        _l("Name of the department"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please fill this in.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.", max=NAME_MAX)),
            no_control_chars,
            single_line,
        ],
    )


class DepartmentMemberForm(_AppointeeForm):
    department = SelectField(_l("Department"), coerce=int, validate_choice=False)
