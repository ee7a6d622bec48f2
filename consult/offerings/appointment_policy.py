"""Who may do what with slots and appointments (docs/offerings.md, "Appointments", has the same table).

| subject     | action   | when                                             | who                                        |
|-------------|----------|--------------------------------------------------|--------------------------------------------|
| service     | keep     | listed or hidden, takes appointments             | the committee; the provider's staff        |
| slot        | book     | listed, before the cut-off, a place free         | a confirmed resident of the community      |
| slot        | book_for | listed, before the cut-off, a place free         | the committee (for a confirmed resident)   |
| appointment | view     | any                                              | the resident; the committee; the staff     |
| appointment | cancel   | booked, before the cut-off                       | the resident; the committee                |
| appointment | mark     | booked, the slot has ended                       | the committee; the provider's staff        |
| appointment | rate     | attended, not rated, within RATING_DAYS of it    | the resident                               |

"The committee" is a worker of the service's community or an admin of its street; "the staff" and
"the provider's staff" are the people appointed to the service's provider. The cut-off is ``CUTOFF``
before the slot starts. A full slot (409), a second booking of the same slot (409), the cut-off
passed (400).
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.policy import Policy, policy_for
from consult.extensions import db
from consult.offerings.appointment_models import ACTIVE_APPOINTMENT, Appointment, AppointmentStatus, Slot
from consult.offerings.models import Service
from consult.offerings.policy import _committee, _staff, service_state
from consult.places import queries as places
from consult.places.models import Community

#: a resident rates an attended appointment within this many days of its end
RATING_DAYS = 30


def keeper(user, service: Service) -> bool:
    """The committee of the service's community or the staff of its provider."""
    return _committee(user, service.community_id) or _staff(user, service.provider_id)


def is_member(user, service: Service) -> bool:
    return places.is_confirmed_member(user, db.session.get_one(Community, service.community_id))


def require_keeper(user, service: Service) -> None:
    """The slot board and its actions: the committee or the provider's staff, while the service is kept."""
    if not keeper(user, service):
        raise PermissionDenied(_("Only the committee or this provider's staff may do this."))
    if service_state(service) in ("withdrawn", "ended"):
        raise Conflict(_("This service is no longer on the list."))
    if not service.takes_appointments:
        raise Conflict(_("This service does not take appointments."))


def _active_booking(user, slot: Slot) -> int | None:
    return db.session.scalar(
        sa.select(Appointment.id).where(
            Appointment.slot_id == slot.id, Appointment.user_id == user.id, sa.text(ACTIVE_APPOINTMENT)
        )
    )


@policy_for(Slot)
class SlotPolicy(Policy[Slot]):
    actions = ("book", "book_for")

    @property
    def state(self) -> str:
        slot = self.subject
        if service_state(slot.service) != "listed" or not slot.service.takes_appointments:
            return "unavailable"
        if self.moment >= slot.ends_at:
            return "over"
        if self.moment >= slot.cutoff_at:
            return "closed"
        return "full" if slot.free <= 0 else "open"

    def _bookable(self) -> None:
        state = self.state
        if state == "unavailable":
            self.refuse(_("This service does not take appointments now."), Conflict)
        if state in ("closed", "over"):
            self.refuse(_("Booking has closed: it closes two hours before the slot starts."), RuleViolation)
        if state == "full":
            self.refuse(_("This slot is full."), Conflict)

    def check_book(self, user) -> None:
        if not getattr(user, "is_authenticated", False) or not is_member(user, self.subject.service):
            self.refuse(_("Only confirmed residents of this community can book."), PermissionDenied)
        self._bookable()
        if self.context.get("check_duplicate", True) and _active_booking(user, self.subject) is not None:
            self.refuse(_("You have already booked this slot."), Conflict)

    def check_book_for(self, user) -> None:
        if not _committee(user, self.subject.service.community_id):
            self.refuse(_("Only the committee of this community may book for a resident."), PermissionDenied)
        self._bookable()


@policy_for(Appointment)
class AppointmentPolicy(Policy[Appointment]):
    actions = ("view", "cancel", "mark", "rate")

    def _own(self, user) -> bool:
        return getattr(user, "is_authenticated", False) and user.id == self.subject.user_id

    def check_view(self, user) -> None:
        if not (self._own(user) or keeper(user, self.subject.slot.service)):
            self.refuse(_("No such appointment."), NotFound)

    def check_cancel(self, user) -> None:
        if not (self._own(user) or _committee(user, self.subject.slot.service.community_id)):
            self.refuse(_("Only the resident or the committee may cancel this appointment."), PermissionDenied)
        if self.subject.status != AppointmentStatus.BOOKED:
            self.refuse(_("This appointment is not booked any more."), Conflict)
        if self.moment >= self.subject.slot.cutoff_at:
            self.refuse(_("It is too late to cancel: cancelling closes two hours before the slot starts."), RuleViolation)

    def check_mark(self, user) -> None:
        if not keeper(user, self.subject.slot.service):
            self.refuse(_("Only the committee or this provider's staff may do this."), PermissionDenied)
        if self.subject.status != AppointmentStatus.BOOKED:
            self.refuse(_("This appointment has already been recorded."), Conflict)
        if self.moment < self.subject.slot.ends_at:
            self.refuse(_("Record attendance once the slot has ended."), RuleViolation)

    def check_rate(self, user) -> None:
        if not self._own(user):
            self.refuse(_("Only the resident who attended can rate it."), PermissionDenied)
        if self.subject.rating is not None:
            self.refuse(_("You have already rated this appointment."), Conflict)
        if self.subject.status != AppointmentStatus.ATTENDED:
            self.refuse(_("Only an appointment you attended can be rated."), RuleViolation)
        if self.moment > self.subject.slot.ends_at + timedelta(days=RATING_DAYS):
            self.refuse(_("Ratings close %(days)d days after the appointment.", days=RATING_DAYS), RuleViolation)
