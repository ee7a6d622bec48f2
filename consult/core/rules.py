"""Nobody acts on their own record: confirming one's own residence, 报到, minutes, bonus,
redemption hand-over or reset code needs another staff member (see docs/points.md).

Services call ``require_not_self`` before anything else is checked or written; templates ask
``acts_on_self(subject)`` so the button is not offered on one's own record.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_login import current_user

from consult.core.errors import PermissionDenied
from consult.core.registries import template_global


def _user_id(subject) -> int | None:
    return subject if isinstance(subject, int) or subject is None else getattr(subject, "id", None)


@template_global
def acts_on_self(subject, actor=None) -> bool:
    """True when ``subject`` (a user or a user id) is the acting person (the logged-in one by default)."""
    if actor is None:
        actor = current_user
    actor_id = getattr(actor, "id", None) if getattr(actor, "is_authenticated", True) else None
    return actor_id is not None and actor_id == _user_id(subject)


def require_not_self(actor, subject, message: str | None = None, *, field: str | None = None) -> None:
    """Refuse (403) when the actor would act on their own record; another staff member must."""
    if acts_on_self(subject, actor):
        raise PermissionDenied(message or _("Another staff member must do this: nobody acts on their own record."), field=field)
