"""Topic forms: shapes only; the rules are in services."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.topics.models import (
    ACTIONS_MAX,
    BODY_MAX,
    CATEGORY_NAME_MAX,
    COMMENT_MAX,
    DECISION_MAX,
    NOTE_MAX,
    PLACE_MAX,
    RATING_COMMENT_MAX,
    REASON_MAX,
    RESPONSIBLE_MAX,
    TITLE_MAX,
)


def _max(n):
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class TopicForm(Form):
    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a title.")), _max(TITLE_MAX), no_control_chars, single_line],
    )
    body = TextAreaField(
        _l("What is it about?"),
        filters=[strip],
        validators=[DataRequired(_l("Please describe the topic.")), _max(BODY_MAX), no_control_chars],
        description=_l("Say what the problem is and what you propose. Simple formatting: **bold**, lists with -, links."),
    )
    category = SelectField(
        _l("Category"), coerce=str, validate_choice=False, validators=[DataRequired(_l("Please choose a category."))]
    )
    place = StringField(
        _l("Place (optional)"),
        filters=[strip],
        validators=[Optional(), _max(PLACE_MAX), no_control_chars, single_line],
        description=_l("For example: Building 3, north gate."),
    )


class ReasonForm(Form):
    reason = StringField(
        _l("Reason"), filters=[strip], validators=[DataRequired(_l("Please give a reason.")), _max(REASON_MAX), no_control_chars]
    )


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        filters=[strip],
        validators=[DataRequired(_l("Please write something.")), _max(COMMENT_MAX), no_control_chars],
    )
    parent_id = HiddenField()


class VoteSetupForm(Form):
    kind = RadioField(
        _l("Ballot"),
        choices=[SelectChoice("yes_no", _l("For / against / abstain")), SelectChoice("choices", _l("The topic's own choices"))],
        default="yes_no",
    )
    options = TextAreaField(
        _l("Choices, one per line"),
        filters=[strip],
        validators=[Optional(), _max(700), no_control_chars],
        description=_l("Only for a ballot with the topic's own choices: 2 to 10 lines."),
    )
    max_choices = IntegerField(
        _l("How many choices a voter may mark"), default=1, validators=[InputRequired(), NumberRange(min=1, max=10)]
    )
    scope = RadioField(
        _l("Who votes"),
        choices=[
            SelectChoice("resident", _l("Each confirmed resident")),
            SelectChoice("household", _l("Each household (one ballot per flat)")),
        ],
        default="resident",
    )
    opens_at = DateTimeLocalField(
        _l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Please give a date and time."))]
    )
    closes_at = DateTimeLocalField(
        _l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[InputRequired(_l("Please give a date and time."))]
    )
    quorum_percent = IntegerField(
        _l("Quorum: share of voters that must take part, in % (optional)"), validators=[Optional(), NumberRange(min=1, max=100)]
    )
    live_results = BooleanField(_l("Show results while voting is open"))


class BallotForm(Form):
    options = SelectMultipleField(_l("Your choice"), coerce=str, validate_choice=False)


class PaperBallotForm(Form):
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    options = SelectMultipleField(_l("Their choice"), coerce=str, validate_choice=False)


class OutcomeForm(Form):
    decision = TextAreaField(
        _l("Decision"),
        filters=[strip],
        validators=[DataRequired(_l("Please write the decision.")), _max(DECISION_MAX), no_control_chars],
    )
    responsible = StringField(
        _l("Responsible party"),
        filters=[strip],
        validators=[DataRequired(_l("Please name who is responsible.")), _max(RESPONSIBLE_MAX), no_control_chars, single_line],
    )
    actions = TextAreaField(
        _l("Planned actions"),
        filters=[strip],
        validators=[DataRequired(_l("Please list the planned actions.")), _max(ACTIONS_MAX), no_control_chars],
    )
    due_date = DateField(_l("Due date"), validators=[InputRequired(_l("Please give a date."))])


class ProgressForm(Form):
    status = SelectField(_l("Status"), coerce=str, validate_choice=False)
    note = TextAreaField(
        _l("What happened"),
        filters=[strip],
        validators=[DataRequired(_l("Please say what happened.")), _max(NOTE_MAX), no_control_chars],
        description=_l("If it is not feasible, say why."),
    )
    due_date = DateField(_l("New due date (optional)"), validators=[Optional()])


class RatingForm(Form):
    level = RadioField(
        _l("How satisfied are you with the result?"),
        coerce=str,
        validate_choice=False,
        validators=[DataRequired(_l("Please choose one."))],
    )
    comment = TextAreaField(
        _l("Comment (optional)"),
        filters=[strip],
        validators=[Optional(), _max(RATING_COMMENT_MAX), no_control_chars],
        description=_l("The committee sees your rating and comment, never your name."),
    )


class SettingsForm(Form):
    threshold_kind = RadioField(
        _l("Support needed"),
        choices=[
            SelectChoice("count", _l("A number of residents")),
            SelectChoice("share", _l("A share of confirmed residents, in %")),
        ],
        default="count",
    )
    threshold_value = IntegerField(_l("Number or percentage"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    support_days = IntegerField(_l("Days to collect support"), validators=[InputRequired(), NumberRange(min=1, max=365)])


class CategoryForm(Form):
    name = StringField(
        _l("New category"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter a name.")), _max(CATEGORY_NAME_MAX), no_control_chars, single_line],
    )


class FilterForm(Form):
    """The list's GET filters (no CSRF: they change nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=[strip], validators=[Optional(), Length(max=40)])
    status = SelectField(_l("Status"), coerce=str, validate_choice=False)
    category = SelectField(_l("Category"), coerce=str, validate_choice=False)
    sort = SelectField(_l("Sort by"), coerce=str, validate_choice=False)
