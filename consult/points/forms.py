"""Points forms."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from consult.core.forms import Form, no_control_chars, single_line, strip


class BonusForm(Form):
    username = StringField(
        _l("Username of the resident"), filters=[strip], validators=[DataRequired(_l("Please enter a username.")), Length(max=64)]
    )
    points = IntegerField(
        _l("Points"),
        validators=[
            InputRequired(_l("Please give the points.")),
            NumberRange(min=1, max=1000, message=_l("A bonus is between 1 and 1000 points.")),
        ],
    )
    reason = StringField(
        _l("Reason"),
        filters=[strip],
        validators=[DataRequired(_l("Please give a reason.")), Length(max=300), no_control_chars, single_line],
    )


class ReasonForm(Form):
    reason = StringField(
        _l("Reason"), filters=[strip], validators=[DataRequired(_l("Please give a reason.")), Length(max=300), no_control_chars]
    )


class CorrectForm(ReasonForm):
    points = IntegerField(
        _l("Correct amount"), validators=[InputRequired(_l("Please give the points.")), NumberRange(min=1, max=1000)]
    )


class RewardForm(Form):
    name = StringField(
        _l("Reward"),
        filters=[strip],
        validators=[DataRequired(_l("Please name the reward.")), Length(max=60), no_control_chars, single_line],
    )
    price = IntegerField(_l("Price in points"), validators=[InputRequired(), NumberRange(min=1, max=100000)])
    stock = IntegerField(_l("In stock"), validators=[InputRequired(), NumberRange(min=0, max=100000)])


class StockForm(Form):
    stock = IntegerField(_l("In stock"), validators=[InputRequired(), NumberRange(min=0, max=100000)])
    active = BooleanField(_l("Offered"))


class SettingsForm(Form):
    default_points_per_hour = IntegerField(
        _l("Default points per hour of service"), validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
    wish_points = IntegerField(
        _l("Points for a fulfilled micro-wish"), validators=[InputRequired(), NumberRange(min=0, max=1000)]
    )
