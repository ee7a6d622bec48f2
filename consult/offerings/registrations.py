"""What the service list adds to the registries: its policies, audit labels, template helpers, the
community page's panel, and which user columns are the staff's actions (not personal data)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l

from consult.core.audit import describe_actions
from consult.core.registries import (
    STAFF_ACTION,
    TodoItem,
    add_labels,
    community_panel,
    not_personal,
    template_filter,
    template_global,
    todo,
)
from consult.offerings import (  # noqa: F401  (policy registers ProviderPolicy and ServicePolicy)
    appointment_registrations,  # noqa: F401  (appointments: tick, personal data, evaluation)
    labels,
    policy,
    queries,
)

add_labels(
    {
        "provider.create": _l("provider added"),
        "provider.confirm": _l("provider confirmed"),
        "provider.end": _l("provider ended"),
        "staff.appoint_provider": _l("provider staff appointed"),
        "staff.end_provider": _l("provider staff appointment ended"),
        "service.add": _l("service added"),
        "service.edit": _l("service changed"),
        "service.withdraw": _l("service withdrawn"),
        "neighbour.link": _l("neighbour linked"),
        "neighbour.unlink": _l("neighbour unlinked"),
    }
)

describe_actions(
    {
        "provider.create": _l("Added the provider %(name)s."),
        "staff.appoint_provider": _l("Appointed %(user_id)s to keep a provider's services."),
        "staff.end_provider": _l("Ended the appointment of %(user_id)s as a provider's staff."),
        "service.add": _l("Added the service %(title)s."),
        "service.edit": _l("Changed the service %(title)s."),
        "neighbour.link": _l("Linked the neighbour %(neighbour)s, %(walk_minutes)s minutes away."),
    }
)

not_personal(
    {
        "providers.created_by_id": STAFF_ACTION,
        "providers.confirmed_by_id": STAFF_ACTION,
        "services.updated_by_id": STAFF_ACTION,
        "community_neighbours.created_by_id": STAFF_ACTION,
    }
)


@template_global
def service_kind_label(kind: str) -> str:
    return str(labels.SERVICE_KINDS.get(kind, kind))


@template_global
def price_label(price_kind: str, price_fen: int | None) -> str:
    return labels.price_label(price_kind, price_fen)


@template_global
def weekday_name(weekday: int) -> str:
    return labels.weekday_name(weekday)


@todo("providers")
def providers_to_confirm(community):
    """Providers waiting for the committee's confirmation (their services are not listed until then)."""
    link = url_for("offerings_manage.index", community=community.slug)
    return [
        TodoItem(kind=_("Provider to confirm"), title=p.name, since=p.created_at, link=link)
        for p in queries.providers_of(community.id)
        if policy.provider_state(p) == "pending"
    ]


@community_panel("offerings")
def community_services(community, user):
    """The service list's link on the community's home page."""
    return {}


@template_filter("interval_text_of")
def interval_text(interval) -> str:
    """An opening as the reader writes it: "08:30–12:00", overnight "22:00–02:00 (next day)"."""
    return labels.interval_text(interval)
