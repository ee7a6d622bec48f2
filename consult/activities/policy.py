"""Who may do what to a 报到, an activity, a sign-up, an attendance or a micro-wish, and when.

One policy per aggregate (``consult.core.policy``): services call ``policy_of(x).require(action,
actor)`` before they write, templates ask ``x|can('action')``, so the button offered and the rule
enforced are the same code. The state tables are in docs/design.md ("State tables of activities")
and tests/activities/test_policy.py walks them over state × action × role.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _

from consult.activities import queries
from consult.activities.common import local_text
from consult.activities.models import (
    Activity,
    Attendance,
    PartyRegistration,
    RegistrationStatus,
    Signup,
    SignupStatus,
    Wish,
    WishStatus,
)
from consult.core import cache
from consult.core.errors import Conflict, NotFound, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.core.rules import require_not_self
from consult.core.templating import label
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee, require_member

#: People who took part may rate an activity from its end until this long after.
RATING_DAYS = timedelta(days=7)
#: Check-out stays open this long after the end.
CHECKOUT_GRACE = timedelta(minutes=30)


def user_id(user) -> int | None:
    """The signed-in person's id, None for a visitor."""
    return getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None


# --- 报到 ------------------------------------------------------------------------------------


@policy_for(PartyRegistration)
class RegistrationPolicy(Policy[PartyRegistration]):
    """pending → confirmed | rejected (a worker, not on their own); pending | confirmed → ended (the member or a worker)."""

    actions = ("confirm", "reject", "end")

    @property
    def community(self) -> Community:
        return queries.community_of(self.subject.community_id)

    def _decide(self, user) -> None:
        require_committee(user, self.community)
        require_not_self(user, self.subject.user_id, _("Another staff member must decide your own 报到."))
        if self.state != RegistrationStatus.PENDING:
            self.refuse(_("This registration has already been decided."), Conflict)

    def check_confirm(self, user) -> None:
        self._decide(user)

    def check_reject(self, user) -> None:
        self._decide(user)

    def check_end(self, user) -> None:
        if user_id(user) != self.subject.user_id:
            require_committee(user, self.community)
        if self.state not in queries.ACTIVE_REGISTRATIONS:
            self.refuse(_("This registration has already ended."), Conflict)


# --- activities ----------------------------------------------------------------------------


def checkin_window(activity: Activity):
    """From ``checkin_minutes_before`` the start until the end."""
    return activity.starts_at - timedelta(minutes=activity.checkin_minutes_before), activity.ends_at


@policy_for(Activity)
class ActivityPolicy(Policy[Activity]):
    """An activity is upcoming, running or ended by the clock, or cancelled (called off) by the committee."""

    actions = ("sign_up", "check_in", "rate", "run", "change")

    # Context: ``signup=`` and ``attendance=`` of the person asking, when the page read them already.
    def _signup(self, user):
        if "signup" in self.context:
            return self.context["signup"]
        return queries.active_signup(user, self.subject)

    def _attendance(self, user):
        if "attendance" in self.context:
            return self.context["attendance"]
        return queries.attendance_of(user, self.subject)

    @property
    def state(self) -> str:
        activity = self.subject
        if activity.cancelled_at is not None:
            return "cancelled"
        # The page changes by the clock when check-in opens, the activity starts and it ends.
        cache.valid_until(min((t for t in (*checkin_window(activity), activity.starts_at) if t > self.moment), default=None))
        if self.moment < activity.starts_at:
            return "upcoming"
        return "running" if self.moment < activity.ends_at else "ended"

    @property
    def community(self) -> Community:
        return queries.community_of(self.subject.community_id)

    def _not_called_off(self) -> None:
        if self.state == "cancelled":
            self.refuse(_("This activity was called off."), Conflict)

    def check_sign_up(self, user) -> None:
        """Confirmed residents (party members only, if it says so) until it starts."""
        require_member(user, self.community)
        if self.subject.party_only and not queries.is_party_member(user, self.community):
            self.refuse(_("This activity is for party members registered here."), PermissionDenied)
        self._not_called_off()
        if self.state != "upcoming":
            self.refuse(_("Sign-up has closed: the activity has started."))
        if self._signup(user) is not None:
            self.refuse(_("You have already signed up for this activity."), Conflict)

    def check_check_in(self, user) -> None:
        """People with a place, within the check-in window, once (the code is checked by the service)."""
        self._not_called_off()
        opens, closes = checkin_window(self.subject)
        if not (opens <= self.moment <= closes):
            self.refuse(
                _("Check-in is open from %(opens)s to %(closes)s.", opens=local_text(opens), closes=local_text(closes)),
            )
        signup = self._signup(user)
        if signup is None or not signup.has_place:
            self.refuse(_("Only people signed up for this activity can check in."), PermissionDenied)
        if self._attendance(user) is not None:
            self.refuse(_("You have already checked in."), Conflict)

    def check_rate(self, user) -> None:
        """People who were there, from the end until seven days later."""
        if self._attendance(user) is None:
            self.refuse(_("Only people who took part can rate this activity."), PermissionDenied)
        if self.moment < self.subject.ends_at:
            self.refuse(_("You can rate the activity once it has ended."))
        if self.moment > self.subject.ends_at + RATING_DAYS:
            self.refuse(_("Ratings close seven days after the activity."))

    def check_run(self, user) -> None:
        """The organiser and the community's committee run the kiosk and the attendance."""
        if user_id(user) is None or (
            user.id != self.subject.organiser_id and not places.can_manage_community(user, self.community)
        ):
            self.refuse(_("Only the organiser or the committee may do this."), PermissionDenied)

    def check_change(self, user) -> None:
        """The committee changes or calls it off until it starts."""
        require_committee(user, self.community)
        self._not_called_off()
        if self.state != "upcoming":
            self.refuse(_("The activity has started; it can no longer be changed or called off."))


@policy_for(Signup)
class SignupPolicy(Policy[Signup]):
    """confirmed | waitlisted → cancelled (the person or the committee, until the start and check-in)."""

    actions = ("cancel", "mark")

    @property
    def activity(self) -> Activity:
        return db.session.get_one(Activity, self.subject.activity_id)

    def check_cancel(self, user) -> None:
        by_staff = user_id(user) != self.subject.user_id
        activity = self.activity
        if by_staff:
            require_committee(user, queries.community_of(activity.community_id))
        if self.state not in queries.ACTIVE_SIGNUPS:
            self.refuse(
                _("This person is not signed up for this activity.")
                if by_staff
                else _("You are not signed up for this activity."),
                Conflict,
            )
        if self.moment >= activity.starts_at:
            self.refuse(_("The activity has started; it can no longer be cancelled."))
        if queries.attendance_by(self.subject.user_id, activity.id) is not None:
            self.refuse(_("You have already checked in; ask the organiser instead of cancelling."), Conflict)

    def check_mark(self, user) -> None:
        """The organiser or the committee marks by hand that someone with a place was there, once check-in opens."""
        activity = self.activity
        ActivityPolicy(activity, self.moment).require("run", user)
        require_not_self(user, self.subject.user_id, _("Someone else must mark your own attendance."))
        if self.moment < checkin_window(activity)[0]:
            self.refuse(_("Attendance can be marked once check-in opens."))
        if self.state != SignupStatus.CONFIRMED:
            self.refuse(_("This person is not signed up for the activity."))
        if queries.attendance_by(self.subject.user_id, activity.id) is not None:
            self.refuse(_("This person is already marked as present."), Conflict)


@policy_for(Attendance)
class AttendancePolicy(Policy[Attendance]):
    """checked in → checked out (the person, until 30 minutes after the end);
    → minutes confirmed (the organiser or the committee, once, after the end)."""

    actions = ("check_out", "confirm_minutes")

    @property
    def state(self) -> str:
        attendance = self.subject
        if attendance.confirmed_at is not None:
            return "confirmed"
        if attendance.checked_out_at is not None:
            return "checked_out"
        return "checked_in" if attendance.checked_in_at is not None else "marked"

    @property
    def activity(self) -> Activity:
        return db.session.get_one(Activity, self.subject.activity_id)

    def check_check_out(self, user) -> None:
        if user_id(user) != self.subject.user_id or self.subject.checked_in_at is None:
            self.refuse(_("You have not checked in."), Conflict)
        if self.subject.checked_out_at is not None:
            self.refuse(_("You have already checked out."), Conflict)
        if self.moment > self.activity.ends_at + CHECKOUT_GRACE:
            self.refuse(_("Check-out closed 30 minutes after the end. The organiser will confirm your time."))

    def check_confirm_minutes(self, user) -> None:
        activity = self.activity
        ActivityPolicy(activity, self.moment).require("run", user)
        require_not_self(user, self.subject.user_id, _("Someone else must confirm your own minutes."))
        if self.moment < activity.ends_at:
            self.refuse(_("Minutes are confirmed after the activity ends."))
        if self.state == "confirmed":
            self.refuse(_("These minutes are already confirmed."), Conflict)


# --- micro-wishes ----------------------------------------------------------------------------

#: action -> (the states it may start from, the state it leads to)
WISH_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({WishStatus.PENDING_REVIEW}), WishStatus.OPEN),
    "reject": (frozenset({WishStatus.PENDING_REVIEW}), WishStatus.REJECTED),
    "claim": (frozenset({WishStatus.OPEN}), WishStatus.CLAIMED),
    "give_up": (frozenset({WishStatus.CLAIMED}), WishStatus.OPEN),
    "release": (frozenset({WishStatus.CLAIMED}), WishStatus.OPEN),
    "fulfil": (frozenset({WishStatus.CLAIMED}), WishStatus.FULFILLED),
    "confirm": (frozenset({WishStatus.FULFILLED}), WishStatus.CONFIRMED),
    "withdraw": (frozenset({WishStatus.PENDING_REVIEW, WishStatus.OPEN}), WishStatus.WITHDRAWN),
}


@policy_for(Wish)
class WishPolicy(Policy[Wish]):
    """The micro-wish transitions (``WISH_MOVES``) and who may make each; the state is ``Wish.state_at``."""

    actions = (*WISH_MOVES, "see", "see_contact")

    @property
    def state(self) -> str:
        return str(self.subject.state_at(self.moment))

    @property
    def community(self) -> Community:
        return queries.community_of(self.subject.community_id)

    @property
    def confirmed_automatically(self) -> bool:
        """Confirmed by the clock seven days after fulfilment (made permanent by tick, or not yet)."""
        return self.state == WishStatus.CONFIRMED and (self.subject.auto_confirmed or self.subject.status == WishStatus.FULFILLED)

    def _from(self, action: str) -> None:
        if self.state not in WISH_MOVES[action][0]:
            self.refuse(
                _("This cannot be done while the micro-wish is “%(status)s”.", status=label(f"wish.{self.state}")), Conflict
            )

    def check_approve(self, user) -> None:
        require_committee(user, self.community)
        self._from("approve")

    def check_reject(self, user) -> None:
        require_committee(user, self.community)
        self._from("reject")

    def check_claim(self, user) -> None:
        """A party member registered here, not on their own wish."""
        if not queries.is_party_member(user, self.community):
            self.refuse(_("Only party members registered at this community can take on micro-wishes."), PermissionDenied)
        if user_id(user) == self.subject.author_id:
            self.refuse(_("You cannot take on your own micro-wish."))
        if self.state == WishStatus.CLAIMED:
            self.refuse(_("Someone has already taken on this micro-wish."), Conflict)
        self._from("claim")

    def check_give_up(self, user) -> None:
        """The claimer gives it up."""
        if user_id(user) is None or user_id(user) != self.subject.claimer_id:
            self.refuse(_("Only the party member who took it on can give it up."), PermissionDenied)
        self._from("give_up")

    def check_release(self, user) -> None:
        """The committee releases someone else's claim that is stuck (with a reason)."""
        if user_id(user) == self.subject.claimer_id or not places.can_manage_community(user, self.community):
            self.refuse(_("Only the party member who took it on can give it up."), PermissionDenied)
        self._from("release")

    def check_fulfil(self, user) -> None:
        if user_id(user) is None or user_id(user) != self.subject.claimer_id:
            self.refuse(_("Only the party member who took it on can mark it fulfilled."), PermissionDenied)
        self._from("fulfil")

    def check_confirm(self, user) -> None:
        if user_id(user) != self.subject.author_id:
            self.refuse(_("Only the resident who posted it can confirm it."), PermissionDenied)
        self._from("confirm")

    def check_withdraw(self, user) -> None:
        """The author, until a party member has taken it on."""
        if user_id(user) != self.subject.author_id:
            self.refuse(_("Only the resident who posted it can withdraw it."), PermissionDenied)
        if self.state == WishStatus.CLAIMED:
            self.refuse(_("A party member has already taken it on; ask them to give it up first."), Conflict)
        self._from("withdraw")

    def check_see(self, user) -> None:
        """Public from approval on; otherwise its author, its claimer and the committee (others: 404)."""
        if self.subject.status in queries.PUBLIC_WISHES:
            return
        if user_id(user) is not None and user_id(user) in (self.subject.author_id, self.subject.claimer_id):
            return
        if not places.can_manage_community(user, self.community):
            self.refuse(_("No such micro-wish in this community."), NotFound)

    def check_see_contact(self, user) -> None:
        """The claimer sees how to reach the resident while the wish is taken on or fulfilled."""
        if user_id(user) is None or user_id(user) != self.subject.claimer_id:
            self.refuse(_("Only the party member who took it on can give it up."), PermissionDenied)
        if self.state not in (WishStatus.CLAIMED, WishStatus.FULFILLED):
            self.refuse(
                _("This cannot be done while the micro-wish is “%(status)s”.", status=label(f"wish.{self.state}")), Conflict
            )
