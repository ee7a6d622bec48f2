"""What kiosk mode adds to the registries: its policies, audit sentences, "download my data", what
closing an account removes, the committee's to-do, and the template helper ``kiosk_mode``."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l

from consult.core.audit import describe_actions
from consult.core.registries import STAFF_ACTION, TodoItem, add_labels, closing, not_personal, personal, template_global, todo
from consult.kiosk import cards, mode, pins, policy, queries  # noqa: F401  (policy registers KioskPolicy and PinPolicy)

add_labels(
    {
        "kiosk.register": _l("kiosk registered"),
        "kiosk.revoke": _l("kiosk revoked"),
        "kiosk_pin.set": _l("kiosk PIN set"),
        "kiosk_pin.reset": _l("kiosk PIN reset"),
        "kiosk_pin.unlock": _l("kiosk PIN unlocked"),
        "kiosk_card.issue": _l("kiosk sign-in card printed"),
    }
)

describe_actions(
    {
        "kiosk.register": _l("Registered the kiosk %(name)s."),
        "kiosk.revoke": _l("Revoked the kiosk %(name)s."),
        "kiosk_pin.set": _l("Set the kiosk PIN of %(user_id)s."),
        "kiosk_pin.reset": _l("Reset the kiosk PIN of %(user_id)s."),
        "kiosk_pin.unlock": _l("Unlocked the kiosk PIN of %(user_id)s."),
        "kiosk_card.issue": _l("Printed a kiosk sign-in card for %(user_id)s."),
    }
)

not_personal(
    {
        "kiosks.created_by_id": STAFF_ACTION,
        "kiosks.revoked_by_id": STAFF_ACTION,
        "kiosk_pins.set_by_id": STAFF_ACTION,
        "kiosk_cards.issued_by_id": STAFF_ACTION,
    }
)


@personal("kiosk_pin", covers={"kiosk_pins.user_id": ""})
def my_kiosk_pin(user) -> list[dict]:
    """Whether I have a kiosk PIN, since when, and whether it is locked (never the PIN or its hash)."""
    row = pins.pin_of(user.id)
    if row is None:
        return []
    return [{"set_at": row.set_at.isoformat(), "wrong_tries": row.failed_count, "locked": row.locked}]


@personal("kiosk_cards", covers={"kiosk_cards.user_id": ""})
def my_kiosk_cards(user) -> list[dict]:
    """The sign-in cards printed for me: when, until when, when used (never the code)."""
    return cards.export_cards(user)


@closing("kiosk_pin")
def remove_kiosk_pin(user) -> None:
    """A closed account logs in nowhere: its kiosk PIN goes and its unused cards stop working."""
    pins.remove_pin(user)
    cards.retire_cards(user)


@todo("kiosk_pins")
def locked_kiosk_pins(community):
    """Residents whose kiosk PIN is locked after wrong tries, waiting for a worker to unlock it."""
    link = url_for("kiosk_manage.index", community=community.slug)
    return [
        TodoItem(kind=_("Kiosk PIN to unlock"), title=user.display_name, since=pin.locked_at, link=link)
        for pin, user, _residence in queries.locked_pins(community.id)
    ]


@template_global
def kiosk_mode():
    """The kiosk this page is shown on (registered, not revoked), or None."""
    return mode.current_kiosk()


@template_global
def kiosk_idle_seconds() -> int:
    """Seconds without use before a kiosk logs its person out (the countdown starts here)."""
    return mode.idle_seconds()
