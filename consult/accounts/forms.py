"""Account forms: they check the shape of input; rules live in services. The field builders
(username, name, phone, new password) are shared with the places forms that register people."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from consult.accounts.models import DISPLAY_NAME_MAX, PHONE_MAX, USERNAME_INPUT_MAX, USERNAME_MAX
from consult.accounts.services import PASSWORD_MAX, PASSWORD_MIN
from consult.core.forms import Form, no_control_chars, single_line, strip

USERNAME_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
PHONE_RE = r"^\+?[0-9][0-9 -]{4,18}$"


def username_field():
    return StringField(
        _l("Username"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a username.")),
            Length(min=3, max=USERNAME_MAX, message=_l("Use 3 to %(max)d characters.", max=USERNAME_MAX)),
            Regexp(USERNAME_RE, message=_l("Use letters, digits, dots, hyphens or underscores.")),
        ],
        description=_l("Letters and digits, used to log in."),
    )


def display_name_field():
    return StringField(
        _l("Name shown to others"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter a name.")),
            Length(max=DISPLAY_NAME_MAX, message=_l("Use at most %(max)d characters.", max=DISPLAY_NAME_MAX)),
            no_control_chars,
            single_line,
        ],
    )


def phone_field():
    return StringField(
        _l("Phone (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=PHONE_MAX, message=_l("Use at most %(max)d characters.", max=PHONE_MAX)),
            Regexp(PHONE_RE, message=_l("Enter digits only, such as 13800138000.")),
        ],
        description=_l("Only you and your committee see it in full."),
    )


def new_password_fields():
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(_l("Please choose a password.")),
            Length(
                min=PASSWORD_MIN,
                max=PASSWORD_MAX,
                message=_l("Use %(min)d to %(max)d characters.", min=PASSWORD_MIN, max=PASSWORD_MAX),
            ),
        ],
    )
    confirm = PasswordField(
        _l("Password again"),
        validators=[
            DataRequired(_l("Please type the password again.")),
            EqualTo("password", message=_l("The two passwords are not the same.")),
        ],
    )
    return password, confirm


class LoginForm(Form):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter your username.")), Length(max=USERNAME_INPUT_MAX)],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Please enter your password.")), Length(max=PASSWORD_MAX)]
    )
    remember = BooleanField(_l("Keep me logged in on this device"))


class ResetForm(Form):
    username = StringField(
        _l("Username"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter your username.")), Length(max=USERNAME_INPUT_MAX)],
    )
    code = StringField(
        _l("Reset code from your committee"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter the code.")), Length(max=20, message=_l("That code is too long."))],
    )
    password, confirm = new_password_fields()


class ProfileForm(Form):
    display_name = display_name_field()
    phone = phone_field()
    language = RadioField(
        _l("Language"),
        choices=[
            SelectChoice("zh_CN", "中文", render_kw={"lang": "zh-CN"}),
            SelectChoice("en", "English", render_kw={"lang": "en"}),
        ],
        default="zh_CN",
    )
    large_text = BooleanField(_l("Large text and high contrast"))


class PasswordForm(Form):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Please enter your current password.")), Length(max=PASSWORD_MAX)]
    )
    password, confirm = new_password_fields()


class CloseAccountForm(Form):
    password = PasswordField(
        _l("Your password"), validators=[DataRequired(_l("Please enter your password.")), Length(max=PASSWORD_MAX)]
    )
    understand = BooleanField(
        _l("I understand my name will be removed from everything I wrote, and I cannot log in again."),
        validators=[DataRequired(_l("Please tick the box to confirm."))],
    )
