"""Rules of the points ledger. Every entry goes through ``_post``, which writes the entry with
the balance it leaves and changes the balance row (locked) in the same transaction, so a balance
can be checked against the sum of its entries at any time (`flask points verify`).

A reversal or a correction is always recorded, even when the points were already spent: the
balance then goes below zero (owed). Only a redemption can never overdraw, here and in the
database (a CHECK on ``balance_after``). Nobody acts on their own points (``require_not_self``)."""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.points.models import (
    Balance,
    LedgerEntry,
    PointsSettings,
    Reason,
    Redemption,
    RedemptionStatus,
    Reward,
)

log = logging.getLogger(__name__)
BONUS_MAX = 1000


def _community(community_id: int) -> Community:
    return db.session.get(Community, community_id)


def points_for(minutes: int, rate: int) -> int:
    """minutes × rate ÷ 60, rounded half up."""
    return int((Decimal(minutes) * Decimal(rate) / Decimal(60)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _balance_row(user_id: int, community_id: int) -> Balance:
    """The balance row, locked; created (at zero) if the person has none yet."""
    stmt = sa.select(Balance).where(Balance.user_id == user_id, Balance.community_id == community_id)
    row = db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Balance(user_id=user_id, community_id=community_id, balance=0))
        except sa.exc.IntegrityError:
            pass  # created by a concurrent request; lock it below
        row = db.session.scalar(stmt.with_for_update().execution_options(populate_existing=True))
    return row


def _post(
    user_id: int,
    community_id: int,
    delta: int,
    reason: str,
    *,
    actor=None,
    source: tuple | None = None,
    reverses: LedgerEntry | None = None,
    replaces: LedgerEntry | None = None,
    note: str | None = None,
    duplicate: str | None = None,
    request_key: str | None = None,
) -> LedgerEntry:
    balance = _balance_row(user_id, community_id)
    after = balance.balance + delta
    if reason == Reason.REDEMPTION and after < 0:
        raise Conflict(_("Not enough points: the balance is %(balance)d.", balance=balance.balance))
    entry = LedgerEntry(
        user_id=user_id,
        community_id=community_id,
        delta=delta,
        reason=reason,
        balance_after=after,
        source_type=source[0] if source else None,
        source_id=source[1] if source else None,
        reverses_id=reverses.id if reverses else None,
        replaces_id=replaces.id if replaces else None,
        note=note,
        created_by_id=actor.id if actor else None,
        request_key=_key(request_key),
    )
    add_unique(entry, duplicate or _("This has already been posted."))
    balance.balance = after
    balance.updated_at = now()
    db.session.flush()
    return entry


def _key(request_key: str | None) -> str | None:
    """A form's one-time key (32 hex characters), or None if it is missing or malformed."""
    key = (request_key or "").strip().lower()
    return key if len(key) == 32 and all(ch in "0123456789abcdef" for ch in key) else None


def settings_for(community_id: int) -> PointsSettings:
    return db.session.get(PointsSettings, community_id) or PointsSettings(
        community_id=community_id, default_points_per_hour=10, wish_points=5
    )


def update_settings(actor, community: Community, *, default_points_per_hour: int, wish_points: int) -> PointsSettings:
    require_committee(actor, community)
    for value, field in ((default_points_per_hour, "default_points_per_hour"), (wish_points, "wish_points")):
        if value is None or not 0 <= value <= 1000:
            raise RuleViolation(_("Points must be between 0 and 1000."), field=field)
    settings = db.session.get(PointsSettings, community.id)
    if settings is None:
        settings = PointsSettings(community_id=community.id)
        db.session.add(settings)
    settings.default_points_per_hour, settings.wish_points = default_points_per_hour, wish_points
    db.session.flush()
    audit.record(
        actor,
        "points.settings",
        community,
        community_id=community.id,
        after={"default_points_per_hour": default_points_per_hour, "wish_points": wish_points},
    )
    return settings


# --- earning ---------------------------------------------------------------------------------


def post_attendance(attendance, *, actor, activity) -> LedgerEntry | None:
    """Confirmed minutes become points once: minutes × the activity's rate ÷ 60, rounded half up."""
    points = points_for(attendance.minutes, activity.points_per_hour)
    if points == 0:
        return None
    entry = _post(
        attendance.user_id,
        activity.community_id,
        points,
        Reason.ATTENDANCE,
        actor=actor,
        source=("attendance", attendance.id),
        note=activity.title[:300],
        duplicate=_("Points for this attendance were already posted."),
    )
    audit.record(
        actor,
        "points.post",
        entry,
        community_id=activity.community_id,
        after={"user_id": attendance.user_id, "delta": points, "reason": "attendance", "attendance_id": attendance.id},
    )
    notify(
        attendance.user_id,
        f"points:{entry.id}",
        N_("You earned %(points)d points for “%(title)s”."),
        link="/me/points",
        points=points,
        title=activity.title,
    )
    return entry


def post_wish(wish, *, actor) -> LedgerEntry | None:
    """A confirmed micro-wish earns its claimer the community's micro-wish points, once."""
    points = settings_for(wish.community_id).wish_points
    if not points or wish.claimer_id is None:
        return None
    entry = _post(
        wish.claimer_id,
        wish.community_id,
        points,
        Reason.WISH,
        actor=actor,
        source=("wish", wish.id),
        note=wish.title[:300],
        duplicate=_("Points for this micro-wish were already posted."),
    )
    audit.record(
        actor,
        "points.post",
        entry,
        community_id=wish.community_id,
        after={"user_id": wish.claimer_id, "delta": points, "reason": "wish", "wish_id": wish.id},
    )
    notify(
        wish.claimer_id,
        f"points:{entry.id}",
        N_("You earned %(points)d points for “%(title)s”."),
        link="/me/points",
        points=points,
        title=wish.title,
    )
    return entry


def bonus(worker, person, community: Community, points: int, reason: str, request_key: str | None = None) -> LedgerEntry:
    """The committee awards a bonus to a resident, with a reason."""
    require_committee(worker, community)
    require_not_self(worker, person, _("Another staff member must award you a bonus."), field="username")
    if not isinstance(points, int) or not 1 <= points <= BONUS_MAX:
        raise RuleViolation(_("A bonus is between 1 and %(max)d points.", max=BONUS_MAX), field="points")
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise RuleViolation(_("Give the reason for the bonus (at most 300 characters)."), field="reason")
    if not places.is_confirmed_member(person, community):
        raise RuleViolation(_("Bonuses go to confirmed residents of this community."), field="username")
    entry = _post(
        person.id,
        community.id,
        points,
        Reason.BONUS,
        actor=worker,
        note=reason,
        request_key=request_key,
        duplicate=_("This was already done: the form was sent twice."),
    )
    audit.record(
        worker, "points.bonus", entry, community_id=community.id, after={"user_id": person.id, "delta": points, "note": reason}
    )
    notify(
        person.id,
        f"points:{entry.id}",
        N_("You were awarded %(points)d points: %(reason)s"),
        link="/me/points",
        points=points,
        reason=reason,
    )
    return entry


# --- mistakes --------------------------------------------------------------------------------


def entry_in(community: Community, entry_id: int) -> LedgerEntry:
    entry = db.session.get(LedgerEntry, entry_id)
    if entry is None or entry.community_id != community.id:
        raise NotFound(_("No such ledger entry in this community."))
    return entry


def reverse(worker, entry: LedgerEntry, reason: str) -> LedgerEntry:
    """Undo an entry with a reason: a new entry of the opposite amount naming it (once per entry).

    Recorded even when the points were already spent: the balance is then owed."""
    return _reverse(worker, entry, reason, tell_member=True)


def _reverse(worker, entry: LedgerEntry, reason: str, *, tell_member: bool) -> LedgerEntry:
    require_committee(worker, _community(entry.community_id))
    require_not_self(worker, entry.user_id, _("Another staff member must change your own points."))
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise RuleViolation(_("Give the reason for the reversal (at most 300 characters)."), field="reason")
    if entry.reason == Reason.REVERSAL:
        raise Conflict(_("A reversal cannot itself be reversed."))
    if entry.reason == Reason.REDEMPTION:
        raise Conflict(_("Cancel the redemption instead: that returns the points and the stock."))
    reversal = _post(
        entry.user_id,
        entry.community_id,
        -entry.delta,
        Reason.REVERSAL,
        actor=worker,
        reverses=entry,
        note=reason,
        duplicate=_("This entry has already been reversed."),
    )
    audit.record(
        worker,
        "points.reverse",
        reversal,
        community_id=entry.community_id,
        before={"entry_id": entry.id, "delta": entry.delta},
        after={"delta": reversal.delta, "reason": reason, "balance_after": reversal.balance_after},
    )
    if tell_member:
        notify(
            entry.user_id,
            f"points:{reversal.id}",
            N_("%(points)d points were taken back: %(reason)s"),
            link="/me/points",
            points=entry.delta,
            reason=reason,
        )
    return reversal


def correct(worker, entry: LedgerEntry, points: int, reason: str) -> LedgerEntry:
    """A correction: the entry is reversed and a new one of ``points`` names the one it replaces."""
    if entry.reason not in (Reason.ATTENDANCE, Reason.WISH, Reason.BONUS):
        raise Conflict(_("Only earned points and bonuses can be corrected."))
    if not isinstance(points, int) or not 1 <= points <= BONUS_MAX:
        raise RuleViolation(_("The corrected amount is between 1 and %(max)d points.", max=BONUS_MAX), field="points")
    _reverse(worker, entry, reason, tell_member=False)
    corrected = _post(
        entry.user_id,
        entry.community_id,
        points,
        entry.reason,
        actor=worker,
        source=(entry.source_type, entry.source_id) if entry.source_type else None,
        replaces=entry,
        note=(reason or "").strip(),
        duplicate=_("This entry has already been corrected."),
    )
    audit.record(
        worker,
        "points.correct",
        corrected,
        community_id=entry.community_id,
        before={"entry_id": entry.id, "delta": entry.delta},
        after={"delta": points, "balance_after": corrected.balance_after},
    )
    notify(
        entry.user_id,
        f"points:{corrected.id}",
        N_("Your %(before)d points were corrected to %(points)d: %(reason)s"),
        link="/me/points",
        before=entry.delta,
        points=points,
        reason=corrected.note or "",
    )
    return corrected


# --- rewards and redemption ------------------------------------------------------------------


def create_reward(worker, community: Community, *, name: str, price: int, stock: int) -> Reward:
    require_committee(worker, community)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise RuleViolation(_("Name the reward (at most 60 characters)."), field="name")
    if not isinstance(price, int) or not 1 <= price <= 100000:
        raise RuleViolation(_("The price is between 1 and 100000 points."), field="price")
    if not isinstance(stock, int) or not 0 <= stock <= 100000:
        raise RuleViolation(_("The stock is between 0 and 100000."), field="stock")
    reward = Reward(community_id=community.id, name=name, price=price, stock=stock)
    db.session.add(reward)
    db.session.flush()
    audit.record(worker, "reward.create", reward, community_id=community.id, after={"name": name, "price": price, "stock": stock})
    return reward


def update_reward(worker, reward: Reward, *, stock: int, active: bool) -> Reward:
    require_committee(worker, _community(reward.community_id))
    if not isinstance(stock, int) or not 0 <= stock <= 100000:
        raise RuleViolation(_("The stock is between 0 and 100000."), field="stock")
    before = {"stock": reward.stock, "active": reward.active}
    reward.stock, reward.active = stock, active
    db.session.flush()
    audit.record(
        worker, "reward.update", reward, community_id=reward.community_id, before=before, after={"stock": stock, "active": active}
    )
    return reward


def redeem(user, reward: Reward, request_key: str | None = None) -> Redemption:
    """Redeem a reward: the balance row and the reward are locked, so neither goes below zero."""
    community = _community(reward.community_id)
    if not places.is_confirmed_member(user, community):
        raise PermissionDenied(_("Only confirmed residents of this community can redeem its rewards."))
    balance = _balance_row(user.id, community.id)  # locked first: one redemption per person at a time
    reward = db.session.scalar(
        sa.select(Reward).where(Reward.id == reward.id).with_for_update().execution_options(populate_existing=True)
    )
    if not reward.active:
        raise Conflict(_("This reward is not offered at the moment."))
    if reward.stock < 1:
        raise Conflict(_("This reward is out of stock."))
    if balance.balance < 0:
        raise Conflict(
            _("You owe %(owed)d points: rewards can be redeemed again once your balance is above zero.", owed=-balance.balance)
        )
    if balance.balance < reward.price:
        raise Conflict(
            _(
                "Not enough points: this reward costs %(price)d and your balance is %(balance)d.",
                price=reward.price,
                balance=balance.balance,
            )
        )
    redemption = Redemption(user_id=user.id, community_id=community.id, reward_id=reward.id, price=reward.price)
    db.session.add(redemption)
    db.session.flush()
    entry = _post(
        user.id,
        community.id,
        -reward.price,
        Reason.REDEMPTION,
        actor=user,
        source=("redemption", redemption.id),
        note=reward.name,
        request_key=request_key,
        duplicate=_("This was already done: the form was sent twice."),
    )
    redemption.entry_id = entry.id
    reward.stock -= 1
    db.session.flush()
    audit.record(
        user,
        "reward.redeem",
        redemption,
        community_id=community.id,
        after={"reward_id": reward.id, "price": reward.price, "entry_id": entry.id, "balance_after": entry.balance_after},
    )
    log.info("user %s redeemed reward %s for %s points", user.id, reward.id, reward.price)
    return redemption


def hand_over(worker, redemption: Redemption) -> Redemption:
    """The committee marks a redeemed reward as handed over; never to oneself."""
    require_committee(worker, _community(redemption.community_id))
    require_not_self(worker, redemption.user_id, _("Another staff member must hand your own reward over to you."))
    redemption = _lock_redemption(redemption)
    if redemption.status != RedemptionStatus.PENDING:
        raise Conflict(_("This redemption is already handed over or cancelled."))
    redemption.status, redemption.handed_over_at, redemption.handed_over_by_id = RedemptionStatus.HANDED_OVER, now(), worker.id
    db.session.flush()
    audit.record(
        worker, "reward.hand_over", redemption, community_id=redemption.community_id, after={"user_id": redemption.user_id}
    )
    notify(
        redemption.user_id, f"redemption:{redemption.id}:handed_over", N_("Your reward has been handed over."), link="/me/points"
    )
    return redemption


def cancel_redemption(actor, redemption: Redemption) -> Redemption:
    """Cancel a redemption not yet handed over: the points come back (a reversal) and so does the stock."""
    if actor.id != redemption.user_id:
        require_committee(actor, _community(redemption.community_id))
    redemption = _lock_redemption(redemption)
    if redemption.status != RedemptionStatus.PENDING:
        raise Conflict(_("Only a redemption not yet handed over can be cancelled."))
    entry = db.session.get(LedgerEntry, redemption.entry_id)
    reversal = _post(
        entry.user_id,
        entry.community_id,
        -entry.delta,
        Reason.REVERSAL,
        actor=actor,
        reverses=entry,
        note=_("Redemption cancelled"),
        duplicate=_("This redemption is already cancelled."),
    )
    db.session.execute(sa.update(Reward).where(Reward.id == redemption.reward_id).values(stock=Reward.stock + 1))
    redemption.status, redemption.cancelled_at, redemption.cancelled_by_id = RedemptionStatus.CANCELLED, now(), actor.id
    db.session.flush()
    audit.record(
        actor,
        "reward.cancel",
        redemption,
        community_id=redemption.community_id,
        after={"user_id": redemption.user_id, "reversal_id": reversal.id},
    )
    if actor.id != redemption.user_id:
        notify(
            redemption.user_id,
            f"redemption:{redemption.id}:cancelled",
            N_("Your redemption of “%(reward)s” was cancelled by the committee; %(points)d points are back."),
            link="/me/points",
            reward=entry.note or "",
            points=reversal.delta,
        )
    return redemption


def _lock_redemption(redemption: Redemption) -> Redemption:
    return db.session.scalar(
        sa.select(Redemption).where(Redemption.id == redemption.id).with_for_update().execution_options(populate_existing=True)
    )


def redemption_in(community: Community, redemption_id: int) -> Redemption:
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.community_id != community.id:
        raise NotFound(_("No such redemption in this community."))
    return redemption


def reward_in(community: Community, reward_id: int) -> Reward:
    reward = db.session.get(Reward, reward_id)
    if reward is None or reward.community_id != community.id:
        raise NotFound(_("No such reward in this community."))
    return reward


# --- checking --------------------------------------------------------------------------------


def verify_balances() -> list[dict]:
    """Every balance that differs from the sum of its ledger entries, and every entry whose
    ``balance_after`` differs from the running sum up to it (none, if all is well)."""
    sums = (
        sa.select(LedgerEntry.user_id, LedgerEntry.community_id, sa.func.sum(LedgerEntry.delta).label("total"))
        .group_by(LedgerEntry.user_id, LedgerEntry.community_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(Balance.user_id, Balance.community_id, Balance.balance, sums.c.total)
        .outerjoin(sums, sa.and_(sums.c.user_id == Balance.user_id, sums.c.community_id == Balance.community_id))
        .where(Balance.balance != sa.func.coalesce(sums.c.total, 0))
    ).all()
    missing = db.session.execute(
        sa.select(sums.c.user_id, sums.c.community_id, sums.c.total)
        .outerjoin(Balance, sa.and_(sums.c.user_id == Balance.user_id, sums.c.community_id == Balance.community_id))
        .where(Balance.user_id.is_(None), sums.c.total != 0)
    ).all()
    running = sa.select(
        LedgerEntry.id,
        LedgerEntry.user_id,
        LedgerEntry.community_id,
        LedgerEntry.balance_after,
        sa.func.sum(LedgerEntry.delta)
        .over(partition_by=(LedgerEntry.user_id, LedgerEntry.community_id), order_by=LedgerEntry.id)
        .label("running"),
    ).subquery()
    chain = db.session.execute(
        sa.select(running).where(running.c.balance_after != running.c.running).order_by(running.c.id)
    ).all()
    problems = [
        {"user_id": r.user_id, "community_id": r.community_id, "balance": r.balance, "ledger": r.total or 0} for r in rows
    ]
    problems += [{"user_id": r.user_id, "community_id": r.community_id, "balance": None, "ledger": r.total} for r in missing]
    problems += [
        {"user_id": r.user_id, "community_id": r.community_id, "entry_id": r.id, "balance": r.balance_after, "ledger": r.running}
        for r in chain
    ]
    return problems
