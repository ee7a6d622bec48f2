"""The input guard at the edge: hostile values are refused before any view or query sees them.

PostgreSQL refuses NUL characters in text, its ``integer`` columns stop at 2**31 - 1 (SQLite's
at 2**63 - 1), and a file part where a text field is expected reaches a form as an object that
is not a string. Rather than each view defending itself, the request is checked once here:

- a NUL anywhere in the path gives 404, in a query-string or form name or value 400;
- a file part gives 400, except in the fields a view names with ``@accepts_files("photos")``
  (a request's photos: consult/core/photos.py checks and re-encodes them);
- the ``int`` URL converter only matches ids a database column can hold (else 404);
- ``request.args.get(name, type=int)`` treats an out-of-range number like any other bad value
  (it returns the default), and so does :func:`consult.core.pagination.parse_id`.
"""

from __future__ import annotations

from flask import Flask, Request, abort, current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict
from werkzeug.routing import IntegerConverter
from werkzeug.utils import cached_property

from consult.core.errors import RuleViolation

#: The largest id or whole number any form or URL may carry (PostgreSQL's ``integer``).
MAX_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """The ``int`` URL converter, limited to what an ``integer`` column can hold."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_INT, signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=MAX_INT if max is None else max, signed=signed)


class _BoundedGet:
    """``get(..., type=int)`` never returns an absurd number: out of range is a bad value like "abc"."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        value = super().get(key, default=default, type=type)
        if type is int and isinstance(value, int) and value is not default and not -MAX_INT <= value <= MAX_INT:
            return default
        return value


# werkzeug's own stubs disagree among its dict bases (mypy "misc"); the mixin only narrows get().
class BoundedMultiDict(_BoundedGet, ImmutableMultiDict):  # type: ignore[misc]
    """Query-string and form values."""


class BoundedCombinedMultiDict(_BoundedGet, CombinedMultiDict):  # type: ignore[misc]
    """``request.values``: the query string and the form together."""


class GuardedRequest(Request):
    parameter_storage_class = BoundedMultiDict

    @cached_property
    def values(self) -> BoundedCombinedMultiDict:
        return BoundedCombinedMultiDict(super().values.dicts)


def accepts_files(*names: str):
    """Let the decorated view's form take files in the fields ``names`` (every other file part is refused)."""

    def decorator(view):
        view.file_fields = frozenset(names)
        return view

    return decorator


def _file_fields() -> frozenset[str]:
    view = current_app.view_functions.get(request.endpoint or "")
    return getattr(view, "file_fields", frozenset())


def _has_nul(values) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in values.items(multi=True))


def refuse_hostile_input():
    """Refuse NUL characters and file parts before CSRF checks, views and queries run."""
    if "\x00" in request.path:
        abort(404)
    if _has_nul(request.args):
        raise RuleViolation(_("The address contains characters that cannot be used."))
    if request.method in {"POST", "PUT", "PATCH", "DELETE"}:
        if request.files and not set(request.files) <= _file_fields():
            raise RuleViolation(_("This form does not take files."))
        if _has_nul(request.form):
            raise RuleViolation(_("The form contains characters that cannot be stored. Please retype what you entered."))


def register(app: Flask) -> None:
    """Install the guard: the request class, the bounded ``int`` converter, the check of every request.

    Called before the blueprints are registered, so their ``<int:...>`` rules use the bounded
    converter, and before the extensions, so the check runs before the CSRF check reads the form.
    """
    app.request_class = GuardedRequest
    app.url_map.converters["int"] = BoundedIntConverter
    app.before_request(refuse_hostile_input)
