"""Forms of resident requests: report one, answer whether it is solved."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.core.scales import satisfaction_choices
from consult.requests.models import DESCRIPTION_MAX, PHOTOS_MAX, PLACE_MAX


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
