"""Forms of kiosk mode: the committee's (register a kiosk, set a PIN) and the kiosk's (log in, report).

Only the shape is checked here; the PIN's rules (six digits, not trivial) are the service's
(consult/kiosk/pins.py), so a worker's form and the kiosk give the same message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from consult.accounts.models import USERNAME_INPUT_MAX
from consult.core.forms import Form, no_control_chars, single_line, strip
from consult.kiosk.models import NAME_MAX, PIN_LENGTH
from consult.requests.forms import ReportForm

#: a PIN field: digits on a phone's or kiosk's keypad, never remembered by the browser
PIN_INPUT = {
    "inputmode": "numeric",
    "pattern": f"[0-9]{{{PIN_LENGTH}}}",
    "maxlength": PIN_LENGTH,
    "autocomplete": "off",
    "autocorrect": "off",
    "spellcheck": "false",
}
USERNAME_INPUT = {"autocomplete": "off", "autocapitalize": "none", "autocorrect": "off", "spellcheck": "false"}


def _max(n: int) -> Length:
    return Length(max=n, message=_l("Use at most %(max)d characters.", max=n))


class RegisterKioskForm(Form):
    name = StringField(
        _l("Name of this terminal"),
        description=_l("For example: service hall, by the door."),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the kiosk a name, such as where it stands.")),
            _max(NAME_MAX),
            no_control_chars,
            single_line,
        ],
    )


def _username(label, message, **kwargs) -> StringField:
    return StringField(
        label,
        **kwargs,
        filters=[strip],
        validators=[DataRequired(message), _max(USERNAME_INPUT_MAX), no_control_chars, single_line],
        render_kw=USERNAME_INPUT,
    )


def _pin(label, message, description=None) -> PasswordField:
    return PasswordField(
        label, description=description, filters=[strip], validators=[InputRequired(message)], render_kw=PIN_INPUT
    )


class SetPinForm(Form):
    username = _username(_l("The resident's username"), _l("Give the resident's username."))
    pin = _pin(
        _l("New kiosk PIN (6 digits)"),
        _l("Give the PIN."),
        _l("The resident chooses it and types it in. Not 000000, 123456 or the like."),
    )


class KioskLoginForm(Form):
    username = _username(_l("Your username"), _l("Give your username."))
    pin = _pin(_l("Your 6-digit kiosk PIN"), _l("Give your PIN."))


class CardForm(Form):
    """The committee prints a sign-in card for a resident."""

    #: its own id: the PIN form on the same page has a username field too
    username = _username(_l("The resident's username"), _l("Give the resident's username."), id="card-username")


class KioskCardForm(Form):
    """At the kiosk: the card's code, typed by the kiosk's QR scanner (or by hand)."""

    code = StringField(
        _l("Code on your sign-in card"),
        description=_l("Hold the card's QR code to the scanner, or type the code printed under it."),
        filters=[strip],
        validators=[DataRequired(_l("Scan your card or type its code.")), _max(40), no_control_chars, single_line],
        render_kw=USERNAME_INPUT,
    )


class KioskReportForm(ReportForm):
    """The requests domain's report form without photos (a kiosk has no camera roll)."""

    photos = None
