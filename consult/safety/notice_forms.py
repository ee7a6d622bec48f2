"""Forms of urgent notices, visits and first responders (shape only; the services hold the rules)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.safety.notice_models import BODY_MAX, SKILL_NOTE_MAX, TITLE_MAX, VISIT_NOTE_MAX

LEVEL_LABELS = {
    "info": _l("Information"),
    "blue": _l("Blue warning"),
    "yellow": _l("Yellow warning"),
    "orange": _l("Orange warning"),
    "red": _l("Red warning"),
}
OUTCOME_LABELS = {
    "reached": _l("Reached: told in person"),
    "not_home": _l("Not at home"),
    "needs_help": _l("Reached, needs help"),
}
SKILL_LABELS = {
    "first_aid": _l("First aid certificate"),
    "electrician": _l("Electrician"),
    "can_carry": _l("Can carry people"),
    "other_skill": _l("Other"),
}


def _checkboxes(label):
    return SelectMultipleField(
        label, coerce=int, validate_choice=False, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


class NoticeForm(Form):
    level = SelectField(_l("Level"), choices=list(LEVEL_LABELS.items()), default="yellow")
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), Length(max=TITLE_MAX), no_control_chars, single_line],
    )
    what_to_do = TextAreaField(
        _l("What to do"), filters=[strip], validators=[DataRequired(_l("Please fill this in.")), Length(max=BODY_MAX)]
    )
    ends_at = DateTimeLocalField(
        _l("Ends at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Please give a date and time."))]
    )


class CommunityNoticeForm(NoticeForm):
    grids = _checkboxes(_l("Only these grids (none ticked: the whole community)"))
    buildings = StringField(
        _l("Or only these buildings"),
        filters=[strip],
        validators=[Optional(), Length(max=200), no_control_chars, single_line],
        description=_l("Separated by commas, e.g. 3, 5号楼. Empty: the whole community or the grids ticked."),
    )


class StreetNoticeForm(NoticeForm):
    communities = _checkboxes(_l("Communities"))


class VisitForm(Form):
    user_id = HiddenField(validators=[DataRequired()])
    outcome = RadioField(
        _l("What the visit found"),
        choices=list(OUTCOME_LABELS.items()),
        validators=[InputRequired(_l("Choose what the visit found."))],
    )
    note = StringField(
        _l("Note (optional)"), filters=[strip], validators=[Optional(), Length(max=VISIT_NOTE_MAX), no_control_chars, single_line]
    )


class AnswerForm(Form):
    available = RadioField(
        _l("Are you available?"),
        choices=[("yes", _l("Available")), ("no", _l("Not available"))],
        validators=[InputRequired(_l("Say whether you are available."))],
    )


class ResponderForm(Form):
    first_aid = BooleanField(SKILL_LABELS["first_aid"])
    electrician = BooleanField(SKILL_LABELS["electrician"])
    can_carry = BooleanField(SKILL_LABELS["can_carry"])
    other_skill = StringField(
        _l("Another skill (optional)"),
        filters=[strip],
        validators=[Optional(), Length(max=SKILL_NOTE_MAX), no_control_chars, single_line],
    )
    grids = _checkboxes(_l("Grids I can reach"))

    def skills(self) -> dict:
        return {name: getattr(self, name).data for name in ("first_aid", "electrician", "can_carry")}
