"""Shared scales: one definition of each answer scale the domains ask residents for."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from consult.core.registries import template_global


class Satisfaction(enum.StrEnum):
    """How satisfied a person is with a result (topics' outcomes, activities, and later requests)."""

    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"


#: every level, best first (the order of radio buttons, charts and CSV columns)
SATISFACTION_LEVELS: tuple[str, ...] = tuple(level.value for level in Satisfaction)
#: the levels counted as satisfied in the 满意率 (satisfied + basically satisfied)
SATISFIED_LEVELS: tuple[str, ...] = (Satisfaction.SATISFIED.value, Satisfaction.BASICALLY.value)
SATISFACTION_LABELS = {
    Satisfaction.SATISFIED.value: _l("satisfied"),
    Satisfaction.BASICALLY.value: _l("basically satisfied"),
    Satisfaction.UNSATISFIED.value: _l("not satisfied"),
}


@template_global
def satisfaction_choices() -> list[tuple[str, str]]:
    """(value, label) pairs for a radio field, best first."""
    return [(level, str(SATISFACTION_LABELS[level])) for level in SATISFACTION_LEVELS]


def is_satisfaction(level: object) -> bool:
    return level in SATISFACTION_LEVELS
