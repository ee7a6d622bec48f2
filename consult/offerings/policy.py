"""Who may do what with providers and services (docs/offerings.md has the same table).

| subject  | action        | when                           | who                                        |
|----------|---------------|--------------------------------|--------------------------------------------|
| provider | confirm       | pending                        | the committee                              |
| provider | end           | pending, confirmed             | the committee                              |
| provider | appoint_staff | confirmed                      | the committee                              |
| provider | add_service   | pending, confirmed             | the committee; its staff once confirmed    |
| service  | view          | listed                         | everyone                                   |
| service  | view          | hidden, withdrawn, ended       | the committee, the provider's staff        |
| service  | edit          | listed, hidden                 | the committee; the provider's staff        |
| service  | withdraw      | listed, hidden                 | the committee; the provider's staff        |

"The committee" is a worker of the provider's community or an admin of its street; "the
provider's staff" are the people the committee appointed to that provider (never to another).
A service is *listed* when its provider is confirmed and neither is ended or withdrawn; *hidden*
while its provider waits for confirmation.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.errors import Conflict, NotFound, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.offerings.models import Provider, Service
from consult.places import queries as places
from consult.places.models import Community


def _committee(user, community_id: int) -> bool:
    return getattr(user, "is_authenticated", False) and places.can_manage_community(
        user, db.session.get_one(Community, community_id)
    )


def _staff(user, provider_id: int) -> bool:
    return getattr(user, "is_authenticated", False) and provider_id in places.roles_of(user).provider_of


def provider_state(provider: Provider) -> str:
    if provider.ended_at is not None:
        return "ended"
    return "confirmed" if provider.confirmed_at is not None else "pending"


@policy_for(Provider)
class ProviderPolicy(Policy[Provider]):
    actions = ("confirm", "end", "appoint_staff", "add_service")

    @property
    def state(self) -> str:
        return provider_state(self.subject)

    def _require_committee(self, user) -> None:
        if not _committee(user, self.subject.community_id):
            self.refuse(_("Only the committee of this community may do this."), PermissionDenied)

    def check_confirm(self, user) -> None:
        self._require_committee(user)
        if self.state != "pending":
            self.refuse(_("Only a provider waiting for confirmation can be confirmed."), Conflict)

    def check_end(self, user) -> None:
        self._require_committee(user)
        if self.state == "ended":
            self.refuse(_("This provider has already ended."), Conflict)

    def check_appoint_staff(self, user) -> None:
        self._require_committee(user)
        if self.state != "confirmed":
            self.refuse(_("Confirm the provider before appointing its staff."), Conflict)

    def check_add_service(self, user) -> None:
        if self.state == "ended":
            self.refuse(_("This provider has ended; it offers no services."), Conflict)
        if _committee(user, self.subject.community_id):
            return
        if self.state == "confirmed" and _staff(user, self.subject.id):
            return
        self.refuse(_("Only the committee or this provider's staff may do this."), PermissionDenied)


def service_state(service: Service) -> str:
    provider = provider_state(service.provider)
    if provider == "ended":
        return "ended"
    if service.withdrawn_at is not None:
        return "withdrawn"
    return "listed" if provider == "confirmed" else "hidden"


@policy_for(Service)
class ServicePolicy(Policy[Service]):
    actions = ("view", "edit", "withdraw")

    @property
    def state(self) -> str:
        return service_state(self.subject)

    def _keeper(self, user) -> bool:
        return _committee(user, self.subject.community_id) or _staff(user, self.subject.provider_id)

    def check_view(self, user) -> None:
        if self.state != "listed" and not self._keeper(user):
            self.refuse(_("No such service."), NotFound)

    def _require_keeper(self, user) -> None:
        if not self._keeper(user):
            self.refuse(_("Only the committee or this provider's staff may do this."), PermissionDenied)
        if self.state in ("withdrawn", "ended"):
            self.refuse(_("This service is no longer on the list."), Conflict)

    def check_edit(self, user) -> None:
        self._require_keeper(user)

    def check_withdraw(self, user) -> None:
        self._require_keeper(user)


def listed_sql():
    """The same rule as ``service_state(...) == "listed"``, as SQL for the public lists (joins Provider)."""
    return sa.and_(Provider.confirmed_at.is_not(None), Provider.ended_at.is_(None), Service.withdrawn_at.is_(None))
