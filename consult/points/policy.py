"""The rules of the points aggregates, in one place (DESIGN "Points ledger", docs/points.md).

- ``RedemptionPolicy``: pending → handed over (the committee, never for oneself) or cancelled
  (the member who redeemed, or the committee); nothing leaves handed over or cancelled.
- ``RewardPolicy``: a confirmed resident redeems an offered reward in stock that their balance
  covers (not while they owe points); the committee edits (stock, offered or not) its rewards.
- ``LedgerEntryPolicy``: the committee reverses or corrects an entry once, never their own;
  a reversal is never reversed, a redemption is undone by cancelling it, only earned points and
  bonuses are corrected.

Services call ``policy_of(x).require(action, user)``; pages ask ``x|can(action)`` or show the
refusal's ``short`` text ("out of stock", "you need N more points"), so what a page offers and what
a service accepts come from the same check. The order of the checks is the order of the refusals.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _, ngettext

from consult.core.errors import Conflict, PermissionDenied
from consult.core.policy import Policy, policy_for
from consult.core.rules import acts_on_self
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee, require_member
from consult.points import queries
from consult.points.models import CORRECTABLE, LedgerEntry, Reason, Redemption, RedemptionStatus, Reward


class OwnRecord(PermissionDenied):
    """Nobody acts on their own record: another staff member must (the page says so instead of a button)."""


class OutOfStock(Conflict):
    """The reward has no stock left."""

    def __init__(self) -> None:
        super().__init__(_("This reward is out of stock."))

    @property
    def short(self) -> str:
        return _("Out of stock")


class NotEnoughPoints(Conflict):
    """The balance does not cover the price (or is owed); ``missing`` is how many points are lacking."""

    def __init__(self, message: str, missing: int) -> None:
        super().__init__(message)
        self.missing = missing

    @property
    def short(self) -> str:
        return ngettext("You need %(num)d more point", "You need %(num)d more points", self.missing)


def _community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    assert community is not None  # nosec B101
    return community


def _not_self(user, subject_id: int, message: str) -> None:
    if acts_on_self(subject_id, user):
        raise OwnRecord(message)


@policy_for(Redemption)
class RedemptionPolicy(Policy[Redemption]):
    """pending → handed_over (committee, not one's own) | cancelled (the member, or the committee)."""

    actions = ("hand_over", "cancel")

    def check_hand_over(self, user) -> None:
        require_committee(user, _community(self.subject.community_id))
        _not_self(user, self.subject.user_id, _("Another staff member must hand your own reward over to you."))
        if self.state != RedemptionStatus.PENDING:
            self.refuse(_("This redemption is already handed over or cancelled."), Conflict)

    def check_cancel(self, user) -> None:
        if getattr(user, "id", None) != self.subject.user_id:
            require_committee(user, _community(self.subject.community_id))
        if self.state != RedemptionStatus.PENDING:
            self.refuse(_("Only a redemption not yet handed over can be cancelled."), Conflict)


@policy_for(Reward)
class RewardPolicy(Policy[Reward]):
    """Redeem: a confirmed resident, an offered reward in stock, a balance that covers the price.
    Edit (stock, offered or not): the committee. Context ``balance``: the redeemer's balance here
    (read when not given; the service passes the locked one)."""

    actions = ("redeem", "edit")

    @property
    def state(self) -> str:
        return "offered" if self.subject.active else "retired"

    def balance(self, user) -> int:
        if "balance" in self.context:
            return int(self.context["balance"])
        return queries.balance_in(user.id, self.subject.community_id)

    def check_redeem(self, user) -> None:
        reward = self.subject
        require_member(
            user, _community(reward.community_id), _("Only confirmed residents of this community can redeem its rewards.")
        )
        if not reward.active:
            self.refuse(_("This reward is not offered at the moment."), Conflict)
        if reward.stock < 1:
            raise OutOfStock()
        balance = self.balance(user)
        if balance < 0:
            message = _("You owe %(owed)d points: rewards can be redeemed again once your balance is above zero.", owed=-balance)
            raise NotEnoughPoints(message, reward.price - balance)
        if balance < reward.price:
            message = _(
                "Not enough points: this reward costs %(price)d and your balance is %(balance)d.",
                price=reward.price,
                balance=balance,
            )
            raise NotEnoughPoints(message, reward.price - balance)

    def check_edit(self, user) -> None:
        require_committee(user, _community(self.subject.community_id))


@policy_for(LedgerEntry)
class LedgerEntryPolicy(Policy[LedgerEntry]):
    """Reverse or correct an entry: the committee, once, never one's own points. Context
    ``reversed``: the ids of entries already reversed (a page passes those it shows; read when not given)."""

    actions = ("reverse", "correct")

    @property
    def state(self) -> str:
        return "reversed" if self.is_reversed else str(self.subject.reason)

    @property
    def is_reversed(self) -> bool:
        known = self.context.get("reversed")
        if known is not None:
            return self.subject.id in known
        return self.subject.id in queries.reversed_ids([self.subject.id])

    def check_reverse(self, user) -> None:
        entry = self.subject
        require_committee(user, _community(entry.community_id))
        if entry.reason == Reason.REVERSAL:
            self.refuse(_("A reversal cannot itself be reversed."), Conflict)
        if entry.reason == Reason.REDEMPTION:
            self.refuse(_("Cancel the redemption instead: that returns the points and the stock."), Conflict)
        if self.is_reversed:
            self.refuse(_("This entry has already been reversed."), Conflict)
        _not_self(user, entry.user_id, _("Another staff member must change your own points."))

    def check_correct(self, user) -> None:
        entry = self.subject
        require_committee(user, _community(entry.community_id))
        if entry.reason not in CORRECTABLE:
            self.refuse(_("Only earned points and bonuses can be corrected."), Conflict)
        if self.is_reversed:
            self.refuse(_("This entry has already been reversed."), Conflict)
        _not_self(user, entry.user_id, _("Another staff member must change your own points."))


def short(error: Any) -> str:
    """What a page shows in place of a button the policy refused: the refusal's ``short`` text, else its message."""
    return str(getattr(error, "short", None) or error.message)
