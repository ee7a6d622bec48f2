"""Forms of the grid pages and of a resident's own marks (shape only; the services hold the rules)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from consult.accounts.models import USERNAME_INPUT_MAX
from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.places.addresses import ADDRESS_PART_MAX
from consult.places.models import WORK_PHONE_MAX
from consult.safety.models import CONSENT_MAX, GRID_NAME_MAX, NOTE_MAX


def _text(label, limit, required=True, description=None):
    first = DataRequired(_l("Please fill this in.")) if required else Optional()
    return StringField(
        label,
        filters=[strip],
        validators=[
            first,
            Length(max=limit, message=_l("Use at most %(max)d characters.", max=limit)),
            no_control_chars,
            single_line,
        ],
        description=description,
    )


def _username():
    return StringField(
        _l("Username of the person"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter a username.")), Length(max=USERNAME_INPUT_MAX)],
    )


class GridForm(Form):
    name = _text(_l("Name of the grid"), GRID_NAME_MAX)


class BuildingForm(Form):
    building = _text(
        _l("Building (楼栋)"), ADDRESS_PART_MAX, description=_l("As residents give it: 5, 5号楼 and 5栋 are one building.")
    )
    grid = SelectField(_l("Grid"), coerce=int, validate_choice=False)


class GridWorkerForm(Form):
    username = _username()
    grid = SelectField(_l("Grid"), coerce=int, validate_choice=False)
    work_phone = _text(
        _l("Work phone"), WORK_PHONE_MAX, description=_l("Shown to the grid's residents. Never a personal number.")
    )


class VolunteerForm(Form):
    username = _username()
    building = _text(_l("Building (楼栋)"), ADDRESS_PART_MAX)


class NeedForm(Form):
    lives_alone_over_70 = BooleanField(_l("Lives alone and is over 70"))
    limited_mobility = BooleanField(_l("Limited mobility (cannot use the stairs alone)"))
    no_phone = BooleanField(_l("Has no phone"))
    other = BooleanField(_l("Other (say what in the note)"))
    note = _text(_l("Note (optional)"), NOTE_MAX, required=False)

    def marks(self) -> dict:
        return {name: getattr(self, name).data for name in ("lives_alone_over_70", "limited_mobility", "no_phone", "other")}


class RecordNeedForm(NeedForm):
    username = _username()
    consent_by = _text(
        _l("Consent given by"), CONSENT_MAX, description=_l("The resident, or who spoke for them (e.g. their daughter).")
    )
    consent_how = _text(
        _l("How consent was given"), CONSENT_MAX, description=_l("In person at home, by phone, at the service hall…")
    )


class ConfirmForm(Form):
    """A bare form: only the CSRF token."""
