"""Policies: the rules of one stateful aggregate, in one place.

A policy wraps one record (a topic, a wish, a sign-up, …) at one moment and answers three
questions the rest of the code used to answer for itself:

- ``state`` — the state as of the moment, whether or not ``flask tick`` has made it permanent
  (the same rule as a SQL expression lives beside it, for queries and ``settle_due``);
- ``can(action, user)`` — may this person do this now (templates ask ``obj|can('withdraw')``);
- ``require(action, user)`` — the same question for services: raises the refusal (a
  ``DomainError`` with the message the person sees) instead of answering False.

A policy subclass writes one method per action, ``check_<action>(user)``, which raises the
refusal or returns. ``can`` and ``require`` both go through it, so the button a template offers
and the rule a service enforces cannot drift apart. Each domain registers its policies with
``@policy_for(Model)`` (``consult.core.registries`` idiom: the core never imports a domain).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from flask_login import current_user

from consult.core.clock import now
from consult.core.errors import DomainError, RuleViolation
from consult.core.registries import template_filter

T = TypeVar("T")

#: model class -> policy class
policies: dict[type, type[Policy]] = {}


def policy_for(model: type) -> Callable[[type[Policy]], type[Policy]]:
    """Register ``cls`` as the policy of ``model`` (used by ``policy_of`` and the ``can`` filter)."""

    def decorator(cls: type[Policy]) -> type[Policy]:
        policies[model] = cls
        cls.model = model
        return cls

    return decorator


class Policy(Generic[T]):
    """The rules of one record at one moment. Subclasses define ``actions`` and ``check_<action>``."""

    model: ClassVar[type]
    #: every action the policy answers for; ``can`` refuses an unknown action loudly
    actions: ClassVar[tuple[str, ...]] = ()

    def __init__(self, subject: T, moment: datetime | None = None, **context: Any):
        self.subject = subject
        self.moment = moment or now()
        self.context = context

    @property
    def state(self) -> str:
        """The state as of ``self.moment`` (by default the stored status)."""
        return str(self.subject.status)  # type: ignore[attr-defined]

    def refusal(self, action: str, user) -> DomainError | None:
        """Why ``user`` may not do ``action`` now, or None when they may."""
        if action not in self.actions:
            raise KeyError(f"{type(self).__name__} has no action {action!r}")
        try:
            getattr(self, f"check_{action}")(user)
        except DomainError as error:
            return error
        return None

    def can(self, action: str, user) -> bool:
        return self.refusal(action, user) is None

    def require(self, action: str, user) -> None:
        """Raise the refusal when ``user`` may not do ``action`` now."""
        error = self.refusal(action, user)
        if error is not None:
            raise error

    def allowed(self, user) -> set[str]:
        """Every action ``user`` may do now (for pages listing several buttons)."""
        return {action for action in self.actions if self.can(action, user)}

    @staticmethod
    def refuse(message: str, error: type[DomainError] = RuleViolation, **kwargs: Any) -> None:
        raise error(message, **kwargs)


def policy_of(subject: Any, moment: datetime | None = None, **context: Any) -> Policy:
    """The registered policy of ``subject``'s model, at ``moment`` (now by default)."""
    for cls in type(subject).__mro__:
        if cls in policies:
            return policies[cls](subject, moment, **context)
    raise LookupError(f"no policy registered for {type(subject).__name__}")


@template_filter("can")
def can(subject: Any, action: str, **context: Any) -> bool:
    """Template filter: ``{% if topic|can('withdraw') %}`` asks the policy for the logged-in person."""
    if subject is None:
        return False
    return policy_of(subject, **context).can(action, current_user)
