"""Forms of resident requests: report one, answer whether it is solved."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.core.scales import satisfaction_choices
from consult.places import queries as places
from consult.requests.models import (
    CATEGORY_NAME_MAX,
    DESCRIPTION_MAX,
    KEY_HOLDER_MAX,
    NOTE_MAX,
    PHOTOS_MAX,
    PLACE_MAX,
    REASON_MAX,
)


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class ReportForm(Form):
    category = SelectField(_l("What is it about?"), validators=[InputRequired(_l("Choose a category."))])
    description = TextAreaField(
        _l("What is the problem?"),
        description=_l("Only you and the staff who handle it read this. Please do not write other people's names."),
        filters=[strip],
        validators=[DataRequired(_l("Please describe the problem.")), _max(DESCRIPTION_MAX), no_control_chars],
    )
    building = StringField(_l("Building"), filters=[strip], validators=[Optional(), _max(30), no_control_chars, single_line])
    unit = StringField(_l("Unit"), filters=[strip], validators=[Optional(), _max(30), no_control_chars, single_line])
    place = StringField(
        _l("Where exactly (optional)"),
        description=_l(
            "For example: the east gate, the bicycle shed, my room. The public list shows the building and unit only."
        ),
        filters=[strip],
        validators=[Optional(), _max(PLACE_MAX), no_control_chars, single_line],
    )
    photos = MultipleFileField(
        _l("Photos (optional)"),
        description=_l("Up to %(count)d photos, JPEG, PNG or WebP, 5 MB each. Location data is removed.", count=PHOTOS_MAX),
        render_kw={"accept": "image/jpeg,image/png,image/webp"},
    )
    may_call = BooleanField(_l("The committee may call me about it"))

    def photo_bytes(self) -> list[bytes]:
        return [f.read() for f in (self.photos.data or []) if getattr(f, "filename", "")]


class AnswerForm(Form):
    solved = RadioField(
        _l("Is the problem solved?"),
        choices=[SelectChoice("yes", _l("Yes, it is solved")), SelectChoice("no", _l("No, it is not solved"))],
        validators=[InputRequired(_l("Please say whether it is solved."))],
    )
    level = RadioField(
        _l("How satisfied are you?"),
        choices=lambda: [SelectChoice(value, label) for value, label in satisfaction_choices()],
        validators=[Optional()],
    )


class RecordForm(ReportForm):
    """A worker records a request for a resident (who phoned, came in, or was passed on by 12345)."""

    username = StringField(
        _l("The resident's username"),
        filters=[strip],
        validators=[DataRequired(_l("Give the resident's username.")), _max(40), no_control_chars, single_line],
    )
    channel = RadioField(
        _l("How did it reach you?"),
        choices=[
            SelectChoice("phone", _l("by phone")),
            SelectChoice("visit", _l("in person")),
            SelectChoice("hotline", _l("from the 12345 hotline")),
        ],
        validators=[InputRequired(_l("Say how the resident reached you."))],
    )

    def fields(self) -> dict:
        names = ("category", "description", "building", "unit", "place", "may_call", "channel")
        return {name: getattr(self, name).data for name in names} | {"photos": self.photo_bytes()}


class StepForm(Form):
    """Every field a step of a request may need; the service says which one is missing."""

    note = TextAreaField(_l("Note"), filters=[strip], validators=[Optional(), _max(NOTE_MAX), no_control_chars])
    assignee = SelectField(_l("Worker"), coerce=int, validate_choice=False, validators=[Optional()])
    department = SelectField(_l("Department"), coerce=int, validate_choice=False, validators=[Optional()])
    solved = RadioField(
        _l("Is the problem solved?"),
        choices=[SelectChoice("yes", _l("Yes, it is solved")), SelectChoice("no", _l("No, it is not solved"))],
        validators=[Optional()],
    )
    level = RadioField(
        _l("How satisfied is the resident?"),
        choices=lambda: [SelectChoice(value, label) for value, label in satisfaction_choices()],
        validators=[Optional()],
    )
    into = IntegerField(_l("Request number it duplicates"), validators=[Optional(), NumberRange(min=1)])
    reason = StringField(_l("Reason"), filters=[strip], validators=[Optional(), _max(REASON_MAX), no_control_chars, single_line])
    go_instead = StringField(
        _l("Where to go instead"), filters=[strip], validators=[Optional(), _max(REASON_MAX), no_control_chars, single_line]
    )
    due = DateField(_l("New due date"), validators=[Optional()])
    photos = MultipleFileField(_l("Photos of the result (optional)"), render_kw={"accept": "image/jpeg,image/png,image/webp"})

    def photo_bytes(self) -> list[bytes]:
        return [f.read() for f in (self.photos.data or []) if getattr(f, "filename", "")]


class CategoryForm(Form):
    """Rename a category, set its own resolution target, retire it; or add one (no id)."""

    category_id = IntegerField(validators=[Optional()], widget=HiddenInput())
    name = StringField(
        _l("Name"),
        filters=[strip],
        validators=[DataRequired(_l("Give the category a name.")), _max(CATEGORY_NAME_MAX), no_control_chars, single_line],
    )
    resolution_days = IntegerField(
        _l("Days to solve (empty: the street's target)"), validators=[Optional(), NumberRange(min=1, max=90)]
    )
    active = BooleanField(_l("Offered to residents"), default=True)


class TargetsForm(Form):
    """A street's targets for its communities' requests."""

    response_minutes = IntegerField(_l("Minutes to answer in service hours"), validators=[InputRequired(), NumberRange(15, 1440)])
    service_start = TimeField(_l("Service hours begin"), validators=[InputRequired()])
    service_end = TimeField(_l("Service hours end"), validators=[InputRequired()])
    next_morning = TimeField(_l("Outside service hours, answer by (next morning)"), validators=[InputRequired()])
    resolution_days = IntegerField(_l("Days to solve"), validators=[InputRequired(), NumberRange(1, 90)])
    department_response_minutes = IntegerField(
        _l("A department's minutes to answer"), validators=[InputRequired(), NumberRange(15, 10080)]
    )
    department_resolution_days = IntegerField(
        _l("A department's days to solve"), validators=[InputRequired(), NumberRange(1, 90)]
    )

    def values(self) -> dict[str, int]:
        def minute(field) -> int:
            return field.data.hour * 60 + field.data.minute

        return {
            "response_minutes": self.response_minutes.data,
            "service_start_minute": minute(self.service_start),
            "service_end_minute": minute(self.service_end),
            "next_morning_minute": minute(self.next_morning),
            "resolution_days": self.resolution_days.data,
            "department_response_minutes": self.department_response_minutes.data,
            "department_resolution_days": self.department_resolution_days.data,
        }


class KeyForm(Form):
    """A site administrator issues an Open311 API key to a named holder for one street."""

    holder = StringField(
        _l("Who holds the key"),
        description=_l("For example: 12345 热线 integration. Shown in each request's history."),
        filters=[strip],
        validators=[DataRequired(_l("Please fill this in.")), _max(KEY_HOLDER_MAX), no_control_chars, single_line],
    )
    street = SelectField(
        _l("Street whose communities it may report to"),
        coerce=str,
        choices=lambda: [SelectChoice(s.slug, s.name) for s in places.all_streets()],
        validate_choice=False,
    )
