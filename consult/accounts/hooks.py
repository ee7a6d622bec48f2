"""What other domains plug into accounts.

Accounts is the bottom domain: it imports none of the others. Where an account rule needs to
know something another domain holds (is this person staff somewhere?) or a page of accounts
shows something of theirs (the residence on "My page"), that domain registers a function here
from its ``registrations.py`` (the ``consult.core.registries`` idiom). ``grep -rn "accounts.hooks"``
finds every one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: name -> function(user) -> bool: does this person hold a staff role? (places registers one)
staff_checks: dict[str, Callable[[Any], bool]] = {}

#: name -> function(user) -> (template, context) or None: a section of "My page" (/me/)
me_sections: dict[str, Callable[[Any], tuple[str, dict[str, Any]] | None]] = {}


def staff_check(name: str):
    """Register ``fn(user) -> bool``: True when ``user`` holds a staff role in that domain."""

    def decorator(fn: Callable[[Any], bool]) -> Callable[[Any], bool]:
        staff_checks[name] = fn
        return fn

    return decorator


def me_section(name: str):
    """Register ``fn(user) -> (template, context) | None``: a section of "My page", in name order."""

    def decorator(fn):
        me_sections[name] = fn
        return fn

    return decorator


def is_staff(user) -> bool:
    """Whether any domain says ``user`` is staff (their account is reset by a site administrator)."""
    return any(check(user) for check in staff_checks.values())


def sections_of_me(user) -> list[tuple[str, dict[str, Any]]]:
    """The sections other domains add to ``user``'s own page, in name order."""
    sections = (section(user) for _name, section in sorted(me_sections.items()))
    return [section for section in sections if section is not None]
