"""Form helpers shared by every domain: input clean-up and validators."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def strip(value):
    """Filter: trim surrounding space and normalise to NFC (None stays None)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def no_control_chars(form, field):
    """Refuse invisible control characters (they hide text and break exports)."""
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(_l("Please remove invisible control characters."))


def single_line(form, field):
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_l("Please keep this on one line."))
