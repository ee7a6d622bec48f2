"""The points policies over state × action × role (DESIGN "Points ledger", docs/points.md), the
refusals they give, and the services and pages that ask them.

Each table below is the rule as DESIGN and docs/points.md state it; the tests check the policy
against every cell, for every kind of person of ``World.roles``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import gettext as _, ngettext

from consult.core.errors import Conflict, PermissionDenied
from consult.core.policy import policy_of
from consult.points import ledger, rewards
from consult.points.models import LedgerEntry, Redemption, Reward
from consult.points.policy import LedgerEntryPolicy, NotEnoughPoints, OutOfStock, OwnRecord, RedemptionPolicy, RewardPolicy

ROLES = ("visitor", "pending", "resident", "party", "other_worker", "worker", "other_street_admin", "street_admin", "site_admin")
#: who runs community a's committee pages
COMMITTEE = {"worker", "street_admin"}

# --- redemptions: pending → handed over | cancelled ----------------------------------------------

#: (state, action) -> who may, for a redemption of the resident
REDEMPTION = {
    ("pending", "hand_over"): COMMITTEE,
    ("pending", "cancel"): COMMITTEE | {"resident"},
    ("handed_over", "hand_over"): set(),
    ("handed_over", "cancel"): set(),
    ("cancelled", "hand_over"): set(),
    ("cancelled", "cancel"): set(),
}


def _redemption(world, status: str, owner=None) -> Redemption:
    owner = owner or world.resident
    return Redemption(id=0, user_id=owner.id, community_id=world.a.id, reward_id=0, price=10, status=status)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("state", "action"), list(REDEMPTION))
def test_redemption_policy(db, world, state, action, role):
    user = world.roles()[role]
    assert policy_of(_redemption(world, state)).can(action, user) == (role in REDEMPTION[state, action])


@pytest.mark.parametrize(
    ("state", "action", "role", "error", "message"),
    [
        ("pending", "hand_over", "resident", PermissionDenied, "Only the committee of this community may do this."),
        ("pending", "hand_over", "other_worker", PermissionDenied, "Only the committee of this community may do this."),
        ("pending", "cancel", "party", PermissionDenied, "Only the committee of this community may do this."),
        ("handed_over", "hand_over", "worker", Conflict, "This redemption is already handed over or cancelled."),
        ("cancelled", "hand_over", "worker", Conflict, "This redemption is already handed over or cancelled."),
        ("handed_over", "cancel", "resident", Conflict, "Only a redemption not yet handed over can be cancelled."),
        ("cancelled", "cancel", "worker", Conflict, "Only a redemption not yet handed over can be cancelled."),
    ],
)
def test_redemption_refusals(db, world, state, action, role, error, message):
    refusal = RedemptionPolicy(_redemption(world, state)).refusal(action, world.roles()[role])
    assert type(refusal) is error and refusal.message == _(message)


def test_nobody_hands_their_own_reward_over(db, world):
    own = _redemption(world, "pending", owner=world.worker)
    refusal = RedemptionPolicy(own).refusal("hand_over", world.worker)
    assert isinstance(refusal, OwnRecord) and refusal.status == 403
    assert refusal.message == _("Another staff member must hand your own reward over to you.")
    assert RedemptionPolicy(own).can("hand_over", world.street_admin)
    assert RedemptionPolicy(own).can("cancel", world.worker)  # one's own redemption, cancelled as its member


# --- rewards: redeem (offered, in stock, covered) and edit ------------------------------------------

#: (offered, stock, balance) -> the refusal a confirmed resident gets (None: may redeem); price 20
REDEEM = {
    (True, 3, 20): None,
    (True, 3, 50): None,
    (True, 3, 19): (NotEnoughPoints, 1),
    (True, 3, 0): (NotEnoughPoints, 20),
    (True, 3, -5): (NotEnoughPoints, 25),  # owed: no redemption until the balance is back up
    (True, 0, 50): (OutOfStock, None),
    (True, 0, 0): (OutOfStock, None),  # out of stock is said first
    (False, 3, 50): (Conflict, None),
    (False, 0, 0): (Conflict, None),  # not offered is said first
}
#: who may redeem an offered reward in stock with enough points / edit a reward of community a
MAY_REDEEM = {"resident", "party"}
MAY_EDIT = COMMITTEE


def _reward(world, active: bool = True, stock: int = 3) -> Reward:
    return Reward(id=0, community_id=world.a.id, name="毛巾", price=20, stock=stock, active=active)


@pytest.mark.parametrize(("active", "stock", "balance"), list(REDEEM))
def test_reward_redeem_policy(db, world, active, stock, balance):
    refusal = RewardPolicy(_reward(world, active, stock), balance=balance).refusal("redeem", world.resident)
    expected = REDEEM[active, stock, balance]
    if expected is None:
        assert refusal is None
        return
    error, missing = expected
    assert type(refusal) is error and refusal.status == 409
    if missing is not None:
        assert refusal.missing == missing
        assert refusal.short == ngettext("You need %(num)d more point", "You need %(num)d more points", missing)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ["redeem", "edit"])
def test_reward_policy_by_role(db, world, action, role):
    allowed = MAY_REDEEM if action == "redeem" else MAY_EDIT
    assert RewardPolicy(_reward(world), balance=100).can(action, world.roles()[role]) == (role in allowed)


@pytest.mark.parametrize(
    ("active", "stock", "balance", "message"),
    [
        (False, 3, 50, "This reward is not offered at the moment."),
        (True, 0, 50, "This reward is out of stock."),
        (True, 3, -5, "You owe %(owed)d points: rewards can be redeemed again once your balance is above zero."),
        (True, 3, 5, "Not enough points: this reward costs %(price)d and your balance is %(balance)d."),
    ],
)
def test_reward_refusal_messages(db, world, active, stock, balance, message):
    refusal = RewardPolicy(_reward(world, active, stock), balance=balance).refusal("redeem", world.resident)
    assert refusal.message == _(message, owed=-balance, price=20, balance=balance)


def test_only_confirmed_residents_redeem(db, world):
    refusal = RewardPolicy(_reward(world), balance=100).refusal("redeem", world.pending)
    assert type(refusal) is PermissionDenied
    assert refusal.message == _("Only confirmed residents of this community can redeem its rewards.")


# --- ledger entries: reverse and correct -------------------------------------------------------------

KINDS = ("attendance", "wish", "bonus", "redemption", "reversal")
#: (kind, already reversed, action) -> may the committee do it (to someone else's entry)
ENTRY = {
    (kind, done, action): kind in ("attendance", "wish", "bonus") and not done
    for kind in KINDS
    for done in (False, True)
    for action in ("reverse", "correct")
}


def _entry(world, reason: str, owner=None) -> LedgerEntry:
    owner = owner or world.resident
    return LedgerEntry(id=0, user_id=owner.id, community_id=world.a.id, delta=5, reason=reason, balance_after=5)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("kind", "done", "action"), list(ENTRY))
def test_ledger_entry_policy(db, world, kind, done, action, role):
    policy = LedgerEntryPolicy(_entry(world, kind), reversed={0} if done else set())
    assert policy.can(action, world.roles()[role]) == (ENTRY[kind, done, action] and role in COMMITTEE)


@pytest.mark.parametrize(
    ("kind", "done", "action", "role", "error", "message"),
    [
        ("bonus", False, "reverse", "other_worker", PermissionDenied, "Only the committee of this community may do this."),
        ("bonus", False, "correct", "resident", PermissionDenied, "Only the committee of this community may do this."),
        ("reversal", False, "reverse", "worker", Conflict, "A reversal cannot itself be reversed."),
        (
            "redemption",
            False,
            "reverse",
            "worker",
            Conflict,
            "Cancel the redemption instead: that returns the points and the stock.",
        ),
        ("redemption", False, "correct", "worker", Conflict, "Only earned points and bonuses can be corrected."),
        ("reversal", False, "correct", "worker", Conflict, "Only earned points and bonuses can be corrected."),
        ("wish", True, "reverse", "worker", Conflict, "This entry has already been reversed."),
        ("attendance", True, "correct", "street_admin", Conflict, "This entry has already been reversed."),
    ],
)
def test_ledger_entry_refusals(db, world, kind, done, action, role, error, message):
    refusal = LedgerEntryPolicy(_entry(world, kind), reversed={0} if done else set()).refusal(action, world.roles()[role])
    assert type(refusal) is error and refusal.message == _(message)


@pytest.mark.parametrize("action", ["reverse", "correct"])
def test_nobody_changes_their_own_points(db, world, action):
    own = _entry(world, "bonus", owner=world.worker)
    refusal = LedgerEntryPolicy(own, reversed=set()).refusal(action, world.worker)
    assert isinstance(refusal, OwnRecord) and refusal.message == _("Another staff member must change your own points.")
    assert LedgerEntryPolicy(own, reversed=set()).can(action, world.street_admin)


def test_an_entry_reversed_in_the_database_counts_without_context(db, world):
    entry = ledger.bonus(world.worker, world.resident, world.a, 5, "清雪")
    assert policy_of(entry).can("reverse", world.worker)
    ledger.reverse(world.worker, entry, "误发")
    assert not policy_of(entry).can("reverse", world.worker) and not policy_of(entry).can("correct", world.worker)


# --- the services refuse what the policy refuses, with the same error -----------------------------


def _pending(world):
    ledger.bonus(world.worker, world.resident, world.a, 30, "清雪")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=5)
    return rewards.redeem(world.resident, reward), reward


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda w, r, reward, e: rewards.hand_over(w.resident, r), PermissionDenied),
        (lambda w, r, reward, e: rewards.hand_over(w.other_worker, r), PermissionDenied),
        (lambda w, r, reward, e: rewards.cancel_redemption(w.party, r), PermissionDenied),
        (lambda w, r, reward, e: (rewards.hand_over(w.worker, r), rewards.hand_over(w.worker, r)), Conflict),
        (lambda w, r, reward, e: (rewards.hand_over(w.worker, r), rewards.cancel_redemption(w.resident, r)), Conflict),
        (lambda w, r, reward, e: (rewards.cancel_redemption(w.resident, r), rewards.hand_over(w.worker, r)), Conflict),
        (lambda w, r, reward, e: (rewards.cancel_redemption(w.resident, r), rewards.cancel_redemption(w.worker, r)), Conflict),
        (lambda w, r, reward, e: rewards.update_reward(w.other_worker, reward, stock=1, active=True), PermissionDenied),
        (lambda w, r, reward, e: rewards.redeem(w.pending, reward), PermissionDenied),
        (lambda w, r, reward, e: rewards.redeem(w.resident, reward), NotEnoughPoints),  # 20 left, then 10, then short
        (lambda w, r, reward, e: ledger.reverse(w.worker, e, "x"), Conflict),  # a redemption is cancelled instead
        (lambda w, r, reward, e: ledger.correct(w.worker, e, 5, "x"), Conflict),
    ],
)
def test_services_refuse_as_the_policy_says(db, world, call, error):
    redemption, reward = _pending(world)
    rewards.redeem(world.resident, reward)
    rewards.redeem(world.resident, reward)  # the balance is now 0
    with pytest.raises(error):
        call(world, redemption, reward, db.session.get(LedgerEntry, redemption.entry_id))


def test_redeeming_a_retired_or_sold_out_reward_is_refused_before_anything_is_written(db, world):
    ledger.bonus(world.worker, world.resident, world.a, 30, "清雪")
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=10, stock=0)
    with pytest.raises(OutOfStock):
        rewards.redeem(world.resident, reward)
    rewards.update_reward(world.worker, reward, stock=1, active=False)
    with pytest.raises(Conflict, match=_("This reward is not offered at the moment.")):
        rewards.redeem(world.resident, reward)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 0


# --- pages ask the policies; no template tests a status -------------------------------------------

TEMPLATES = Path(__file__).parents[2] / "templates" / "points"
STATUS_TEST = re.compile(
    r"(status|reason)\s*(==|!=|\bin\b|\bnot in\b)"
    r"""|['"](pending|handed_over|cancelled|attendance|wish|bonus|redemption|reversal)['"]"""
)


@pytest.mark.parametrize("template", sorted(TEMPLATES.glob("*.html")), ids=lambda p: p.name)
def test_no_points_template_tests_a_status(template):
    assert not STATUS_TEST.findall(template.read_text(encoding="utf-8"))


def test_my_points_page_shows_the_policys_refusal_in_place_of_redeem(login_as, world, db):
    ledger.bonus(world.worker, world.resident, world.a, 15, "清雪")
    dear = rewards.create_reward(world.worker, world.a, name="体检套餐", price=200, stock=5)
    redemption = rewards.redeem(world.resident, rewards.create_reward(world.worker, world.a, name="袋子", price=1, stock=1))
    page = login_as(world.resident).get("/me/points").get_data(as_text=True)
    short = RewardPolicy(dear, balance=14).refusal("redeem", world.resident).short
    assert "还差 186 积分" in page and short in page
    assert f"/me/points/redemptions/{redemption.id}/cancel" in page
    rewards.hand_over(world.worker, redemption)
    page = login_as(world.resident).get("/me/points").get_data(as_text=True)
    assert f"/me/points/redemptions/{redemption.id}/cancel" not in page
