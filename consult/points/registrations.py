"""What points adds: its listeners (points for confirmed minutes and micro-wishes), to-do items, personal data, labels."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy.orm import joinedload

from consult.activities.signals import activity_defaults, attendance_confirmed, wish_confirmed
from consult.core.audit import describe_actions
from consult.core.registries import STAFF_ACTION, TodoItem, add_labels, not_personal, personal, todo
from consult.extensions import db
from consult.points import closing, ledger, policy, queries  # noqa: F401  (closing registers its closing-account step, policy the points policies)
from consult.points.models import Balance, LedgerEntry, Redemption

attendance_confirmed.connect(ledger.post_attendance, weak=False)
wish_confirmed.connect(ledger.post_wish, weak=False)
activity_defaults.connect(
    lambda community: {"points_per_hour": queries.settings_for(community.id).default_points_per_hour}, weak=False
)

add_labels(
    {
        "points.attendance": _l("service hours"),
        "points.wish": _l("micro-wish"),
        "points.bonus": _l("bonus"),
        "points.redemption": _l("reward redeemed"),
        "points.reversal": _l("reversal"),
        "points.post": _l("points posted"),
        "points.reverse": _l("points reversed"),
        "points.correct": _l("points corrected"),
        "points.settings": _l("points rules changed"),
        "reward.create": _l("reward added"),
        "reward.update": _l("reward updated"),
        "reward.hand_over": _l("reward handed over"),
        "reward.redeem": _l("reward redeemed"),
        "reward.cancel": _l("redemption cancelled"),
        "handed_over": _l("handed over"),
        "redemption.pending": _l("waiting to be handed over"),
        "redemption.handed_over": _l("handed over"),
        "redemption.cancelled": _l("cancelled"),
        "document.issue_volunteer_certificate": _l("volunteer certificate issued"),
    }
)


@todo("points")
def redemption_items(community):
    """Rewards redeemed and waiting to be handed over."""
    return [
        TodoItem(
            kind=_("Reward to hand over"),
            title=f"{r.reward.name} · {r.user.display_name}",
            since=r.created_at,
            link=url_for("points_manage.index", community=community.slug) + "#redemptions",
            target=timedelta(days=7),
        )
        for r in queries.pending_redemptions(community.id)
    ]


@personal(
    "points",
    covers={"ledger_entries.user_id": "entries", "redemptions.user_id": "redemptions", "point_balances.user_id": "balances"},
)
def my_points(user):
    """My ledger entries, balances and redemptions."""
    return {
        "entries": [
            {
                "community_id": e.community_id,
                "delta": e.delta,
                "reason": e.reason,
                "note": e.note,
                "created_at": e.created_at.isoformat(),
            }
            for e in db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == user.id).order_by(LedgerEntry.id))
        ],
        "redemptions": [
            {"reward": r.reward.name, "price": r.price, "status": r.status, "created_at": r.created_at.isoformat()}
            for r in db.session.scalars(
                sa.select(Redemption)
                .where(Redemption.user_id == user.id)
                .options(joinedload(Redemption.reward))
                .order_by(Redemption.id)
            )
        ],
        "balances": [
            {"community_id": b.community_id, "balance": b.balance}
            for b in db.session.scalars(sa.select(Balance).where(Balance.user_id == user.id))
        ],
    }


not_personal(
    {
        "ledger_entries.created_by_id": STAFF_ACTION,
        "redemptions.handed_over_by_id": STAFF_ACTION,
        "redemptions.cancelled_by_id": STAFF_ACTION,
    }
)


# How the audit log tells these actions (consult/core/audit.py).
describe_actions(
    {
        "points.post": (_l("Posted %(delta)s points to %(user_id)s."), ("reason",)),
        "points.bonus": _l("Awarded %(delta)s bonus points to %(user_id)s."),
        "points.reverse": _l("Reversed the ledger entry %(entry_id)s."),
        "points.correct": _l("Corrected the ledger entry %(entry_id)s."),
        "points.settings": _l("Changed the points rules."),
        "reward.create": _l("Added the reward “%(name)s”."),
        "reward.update": _l("Updated a reward."),
        "reward.hand_over": _l("Handed a reward over to %(user_id)s."),
        "reward.cancel": _l("Cancelled a redemption of %(user_id)s."),
        "document.issue_volunteer_certificate": _l("Issued the volunteer certificate %(number)s of %(subject_id)s."),
    }
)
