"""Points forms. Their limits are the models' (``NOTE_MAX``, ``BONUS_MAX``, …), shared with the services."""

from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.points.models import BONUS_MAX, NOTE_MAX, PRICE_MAX, REWARD_NAME_MAX, SETTING_MAX, STOCK_MAX


class BonusForm(Form):
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    points = IntegerField(
        _l("Points"),
        validators=[
            InputRequired(_l("Please give the points.")),
            NumberRange(min=1, max=BONUS_MAX, message=_l("A bonus is between 1 and %(max)d points.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a reason.")), Length(max=NOTE_MAX), no_control_chars, single_line],
    )


class ReverseForm(Form):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the reason for the reversal (at most 300 characters).")),
            Length(max=NOTE_MAX, message=_l("Give the reason for the reversal (at most 300 characters).")),
            no_control_chars,
        ],
    )


class CorrectForm(Form):
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a reason.")), Length(max=NOTE_MAX), no_control_chars],
    )
    points = IntegerField(
        _l("Correct amount"), validators=[InputRequired(_l("Please give the points.")), NumberRange(min=1, max=BONUS_MAX)]
    )


class RewardForm(Form):
    name = StringField(
        _l("Reward"),
        filters=[strip],
        validators=[DataRequired(_l("Please name the reward.")), Length(max=REWARD_NAME_MAX), no_control_chars, single_line],
    )
    price = IntegerField(_l("Price in points"), validators=[InputRequired(), NumberRange(min=1, max=PRICE_MAX)])
    stock = IntegerField(_l("In stock"), validators=[InputRequired(), NumberRange(min=0, max=STOCK_MAX)])


class StockForm(Form):
    stock = IntegerField(_l("In stock"), validators=[InputRequired(), NumberRange(min=0, max=STOCK_MAX)])
    active = BooleanField(_l("Offered"))


class SettingsForm(Form):
    default_points_per_hour = IntegerField(
        _l("Default points per hour of service"), validators=[InputRequired(), NumberRange(min=0, max=SETTING_MAX)]
    )
    wish_points = IntegerField(
        _l("Points for a fulfilled micro-wish"), validators=[InputRequired(), NumberRange(min=0, max=SETTING_MAX)]
    )


def refusal(form: FlaskForm, *, drawn: bool = False) -> str | None:
    """The message on top of a points page after ``core.forms.submit`` returned None: the
    service's refusal; or, for a small form the page does not draw with its errors (``drawn``
    False: reverse, correct, stock, a button), what was wrong with what was sent."""
    if drawn and not hasattr(form, "domain_status"):
        return None  # the page shows the form with its errors
    messages = [str(message) for errors in form.errors.values() for message in errors]
    return " ".join(messages) or _("Please check what you entered.")
