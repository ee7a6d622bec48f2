"""Form helpers shared by every domain: input clean-up and validators."""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import g, request
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto, _FlaskFormCSRF
from wtforms.validators import ValidationError

from consult.core import cache
from consult.core.errors import DomainError, RuleViolation
from consult.extensions import db

T = TypeVar("T")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def strip(value):
    """Filter: trim surrounding space and normalise to NFC (None stays None)."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value.strip())
    return value


def has_control_chars(value: str) -> bool:
    """Whether ``value`` holds invisible control characters (line breaks and tabs aside)."""
    return bool(_CONTROL.search(value))


def no_control_chars(form, field):
    """Refuse invisible control characters (they hide text and break exports)."""
    if isinstance(field.data, str) and has_control_chars(field.data):
        raise ValidationError(_l("Please remove invisible control characters."))


def single_line(form, field):
    if isinstance(field.data, str) and ("\n" in field.data or "\r" in field.data):
        raise ValidationError(_l("Please keep this on one line."))


def form_error(form, error) -> None:
    """Show a service's refusal (a DomainError) next to its field, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)
    form.domain_status = error.status


def form_status(form) -> int:
    """The status of a form page: 200 to show it, else the refusal's (400 for bad input)."""
    if request.method != "POST":
        return 200
    return getattr(form, "domain_status", 400)


def refuse(form) -> None:
    """A small form on a list page failed: raise its messages as one RuleViolation (status 400)."""
    messages = [str(m) for errors in form.errors.values() for m in errors]
    raise RuleViolation(" ".join(messages) or gettext("Please check what you entered."))


class _CSRF(_FlaskFormCSRF):
    """A page rendered for the page cache carries a marker, filled in with each visitor's token (consult.core.cache)."""

    def generate_csrf_token(self, csrf_token_field):
        return cache.CSRF_MARK if cache.rendering() else super().generate_csrf_token(csrf_token_field)


class Form(FlaskForm):
    """The base of every form: when a refusal re-renders the page a form was sent from
    (``consult.core.handlers``), the form whose fields match what was sent shows it again."""

    class Meta(FlaskForm.Meta):
        csrf_class = _CSRF

        def wrap_formdata(self, form, formdata):
            kept = g.get("kept_form")
            if kept is not None and formdata is _Auto:
                names = {key for key in kept if key != "csrf_token"}
                if names and names <= set(form._fields):
                    return kept
            return super().wrap_formdata(form, formdata)


@dataclass(frozen=True)
class Done(Generic[T]):
    """A form was sent, the service accepted it and the change is committed; ``value`` is what it returned."""

    value: T


def submit(form: FlaskForm, action: Callable[[], T]) -> Done[T] | None:
    """Send a posted form to a service: the one try/commit/except block every form view shares.

    Returns None when the form was not sent or not valid (the page shows it again), or when the
    service refused (rolled back; the refusal is shown on its field or above the form and
    ``form_status`` gives its status). Otherwise commits and returns ``Done(value)``::

        if done := submit(form, lambda: services.propose(current_user, community, ...)):
            flash(...)
            return redirect(url_for("topics.detail", topic_id=done.value.id))
        return render_template(...), form_status(form)
    """
    if not form.validate_on_submit():
        return None
    try:
        value = action()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        form_error(form, error)
        return None
    return Done(value)
