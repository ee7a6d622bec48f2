"""Micro-wishes (微心愿): posted by a resident, reviewed by the committee, claimed and fulfilled by a
party member, confirmed and rated by the resident (or by the clock seven days after fulfilment).

Who may make which move, from which state, is ``consult.activities.policy.WishPolicy``.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.activities import queries, signals
from consult.activities.common import optional_text, text
from consult.activities.models import (
    COMMENT_MAX,
    REASON_MAX,
    TITLE_MAX,
    WISH_DESCRIPTION_MAX,
    Wish,
    WishEvent,
    WishStatus,
)
from consult.activities.policy import WISH_MOVES
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.core.notifications import N_, notify
from consult.core.policy import policy_of
from consult.core.scales import is_satisfaction
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_committee, require_member

WISH_NOTICES: dict[str, str] = {
    WishStatus.OPEN: N_("Your micro-wish “%(title)s” was approved and is waiting for a party member."),
    WishStatus.REJECTED: N_("Your micro-wish “%(title)s” was not approved: %(reason)s"),
    WishStatus.CLAIMED: N_("A party member has taken on your micro-wish “%(title)s”."),
    WishStatus.FULFILLED: N_("Your micro-wish “%(title)s” is marked fulfilled. Please confirm and rate it."),
    WishStatus.CONFIRMED: N_("The micro-wish “%(title)s” is confirmed. Thank you!"),
}


def _lock(wish: Wish) -> Wish:
    """Lock the wish and make a due automatic confirmation permanent, so every action sees the state as of now."""
    wish = db.session.scalars(
        sa.select(Wish).where(Wish.id == wish.id).with_for_update().execution_options(populate_existing=True)
    ).one()
    if wish.status == WishStatus.FULFILLED and wish.state_at(now()) == WishStatus.CONFIRMED:
        _auto_confirm(wish)
    return wish


def _act(wish: Wish, action: str, actor) -> Wish:
    """Lock ``wish`` and check ``actor`` may do ``action`` now (the policy's refusal otherwise)."""
    wish = _lock(wish)
    policy_of(wish).require(action, actor)
    return wish


def _move(wish: Wish, to: str, actor, reason: str | None = None, notify_ids: tuple = ()) -> None:
    """Write the move (checked by the caller: the policy, or the closing of an account) to the history and tell people."""
    before = wish.status
    wish.status = to
    db.session.add(
        WishEvent(wish_id=wish.id, from_status=before, to_status=to, actor_id=actor.id if actor else None, reason=reason)
    )
    db.session.flush()
    message = WISH_NOTICES.get(to)
    if to == WishStatus.OPEN and before == WishStatus.CLAIMED:
        message = N_("The party member gave up your micro-wish “%(title)s”; it is open again.")
    if message:
        for user_id in {i for i in notify_ids if i and (actor is None or i != actor.id)}:
            notify(
                user_id,
                f"wish:{wish.id}:{to}:{queries.wish_event_count(wish.id)}",
                message,
                link=f"/wishes/{wish.id}",
                title=wish.title,
                reason=reason or "",
            )


def post_wish(user, community: Community, *, title: str, description: str) -> Wish:
    """A confirmed resident posts a small need; the committee reviews it."""
    require_member(user, community)
    wish = Wish(
        community_id=community.id,
        author_id=user.id,
        title=text(title, "title", TITLE_MAX, _("Give a title of 1 to 80 characters.")),
        description=text(description, "description", WISH_DESCRIPTION_MAX, _("Describe what you need in 1 to 2000 characters.")),
    )
    db.session.add(wish)
    db.session.flush()
    db.session.add(WishEvent(wish_id=wish.id, from_status=None, to_status=WishStatus.PENDING_REVIEW, actor_id=user.id))
    db.session.flush()
    return wish


def record_wish(worker, resident, community: Community, *, title: str, description: str) -> Wish:
    """A worker posts a micro-wish for a resident who asked in person (no phone).

    The worker has heard the need, so it is open for party members at once; marked "recorded by", audited.
    """
    require_committee(worker, community)
    if not places.is_confirmed_member(resident, community):
        raise RuleViolation(_("This person is not a confirmed resident of this community."), field="username")
    if resident.id == worker.id:
        raise RuleViolation(_("Post your own micro-wish yourself, on the micro-wishes page."), field="username")
    wish = post_wish(resident, community, title=title, description=description)
    wish.recorded_by_id = worker.id
    policy_of(wish).require("approve", worker)
    _move(wish, WishStatus.OPEN, worker, notify_ids=(wish.author_id,))
    wish.decided_at = now()
    db.session.flush()
    audit.record(worker, "wish.recorded", wish, community_id=community.id, after={"author_id": resident.id, "title": wish.title})
    return wish


def approve_wish(worker, wish: Wish) -> Wish:
    wish = _act(wish, "approve", worker)
    _move(wish, WISH_MOVES["approve"][1], worker, notify_ids=(wish.author_id,))
    wish.decided_at = now()
    audit.record(worker, "wish.approve", wish, community_id=wish.community_id, after={"status": wish.status})
    return wish


def reject_wish(worker, wish: Wish, reason: str) -> Wish:
    wish = _act(wish, "reject", worker)
    reason = text(reason, "reason", REASON_MAX, _("Give a reason the resident will see."))
    _move(wish, WISH_MOVES["reject"][1], worker, reason, notify_ids=(wish.author_id,))
    wish.decided_at, wish.reject_reason = now(), reason
    audit.record(worker, "wish.reject", wish, community_id=wish.community_id, after={"status": wish.status, "reason": reason})
    return wish


def claim_wish(member, wish: Wish) -> Wish:
    """A party member registered here takes on an open micro-wish."""
    wish = _act(wish, "claim", member)
    _move(wish, WISH_MOVES["claim"][1], member, notify_ids=(wish.author_id,))
    wish.claimer_id, wish.claimed_at = member.id, now()
    db.session.flush()
    return wish


def release_wish(actor, wish: Wish, reason: str | None = None) -> Wish:
    """The claimer gives the micro-wish up, or the committee releases a claim that is stuck (with a reason); it is open again."""
    wish = _lock(wish)
    by_staff = wish.claimer_id != actor.id
    policy_of(wish).require("release" if by_staff else "give_up", actor)
    if by_staff:
        reason = text(reason, "reason", REASON_MAX, _("Give a reason the party member will see."))
    claimer_id = wish.claimer_id
    _move(
        wish,
        WishStatus.OPEN,
        actor,
        reason if by_staff else None,
        notify_ids=(wish.author_id, claimer_id) if by_staff else (wish.author_id,),
    )
    wish.claimer_id, wish.claimed_at = None, None
    db.session.flush()
    if by_staff:
        audit.record(
            actor, "wish.release", wish, community_id=wish.community_id, after={"claimer_id": claimer_id, "reason": reason}
        )
    return wish


def fulfil_wish(member, wish: Wish) -> Wish:
    wish = _act(wish, "fulfil", member)
    _move(wish, WISH_MOVES["fulfil"][1], member, notify_ids=(wish.author_id,))
    wish.fulfilled_at = now()
    db.session.flush()
    return wish


def confirm_wish(author, wish: Wish, rating: str, comment: str | None = None) -> Wish:
    """The resident confirms the micro-wish was fulfilled and rates it."""
    wish = _act(wish, "confirm", author)
    if not is_satisfaction(rating):
        raise RuleViolation(_("Choose how satisfied you are."), field="rating")
    comment = optional_text(comment, "comment", COMMENT_MAX, _("Keep the comment to 500 characters."))
    _confirm(wish, author)
    wish.rating, wish.rating_comment = rating, comment
    db.session.flush()
    return wish


def _confirm(wish: Wish, actor, at: datetime | None = None) -> None:
    _move(wish, WishStatus.CONFIRMED, actor, notify_ids=(wish.claimer_id,))
    wish.confirmed_at = at or now()
    db.session.flush()
    signals.wish_confirmed.send(wish, actor=actor)


def withdraw_wish(author, wish: Wish) -> Wish:
    """The resident withdraws the micro-wish until someone has taken it on; the committee is told."""
    wish = _act(wish, "withdraw", author)
    _move(wish, WISH_MOVES["withdraw"][1], author)
    _tell_withdrawn(wish, author)
    return wish


def _tell_withdrawn(wish: Wish, author) -> None:
    told = {a.user_id for a in places.workers_of(wish.community_id)} | {wish.claimer_id}
    for user_id in sorted(i for i in told if i and i != author.id):
        notify(
            user_id,
            f"wish:{wish.id}:withdrawn",
            N_("The micro-wish “%(title)s” was withdrawn by the resident."),
            link=f"/wishes/{wish.id}",
            title=wish.title,
        )


def release_claims_of_closed_account(user) -> int:
    """Closing an account gives its claimed micro-wishes back (open again; the resident is told)."""
    ids = list(db.session.scalars(sa.select(Wish.id).where(Wish.claimer_id == user.id, Wish.status == WishStatus.CLAIMED)))
    for wish_id in ids:
        wish = _lock(db.session.get_one(Wish, wish_id))
        if wish.status == WishStatus.CLAIMED and wish.claimer_id == user.id:
            _move(wish, WishStatus.OPEN, user, notify_ids=(wish.author_id,))
            wish.claimer_id, wish.claimed_at = None, None
    db.session.flush()
    return len(ids)


def withdraw_wishes_of_closed_account(user) -> int:
    """Closing an account withdraws its own micro-wishes not yet fulfilled; a claimer and the committee are told."""
    ids = list(
        db.session.scalars(
            sa.select(Wish.id).where(
                Wish.author_id == user.id, Wish.status.in_([WishStatus.PENDING_REVIEW, WishStatus.OPEN, WishStatus.CLAIMED])
            )
        )
    )
    for wish_id in ids:
        wish = _lock(db.session.get_one(Wish, wish_id))
        if wish.status == WishStatus.CLAIMED and wish.claimer_id is not None:
            _move(wish, WishStatus.WITHDRAWN, user)
            notify(
                wish.claimer_id,
                f"wish:{wish.id}:withdrawn",
                N_("The resident of the micro-wish “%(title)s” closed their account; nothing more needs doing."),
                link=f"/wishes/{wish.id}",
                title=wish.title,
            )
        elif policy_of(wish).can("withdraw", user):
            withdraw_wish(user, wish)
    return len(ids)


def contact_for_claimer(viewer, wish: Wish, author) -> dict | None:
    """How the party member who took a wish on reaches the resident (docs/design.md: phones masked except to owner and committee).

    The claimer sees the building and unit (never the room) and the phone masked; the full
    phone stays with the committee, which the claimer calls to be put through.
    """
    if not policy_of(wish).can("see_contact", viewer):
        return None
    residence = places.active_residence(author)
    if residence is not None and residence.community_id != wish.community_id:
        residence = None
    return {
        "building": residence.building if residence else None,
        "unit": residence.unit if residence else None,
        "phone": places.phone_for(viewer, author),
        "committee": queries.community_of(wish.community_id).name,
    }


def _auto_confirm(wish: Wish) -> None:
    """Confirm for the resident seven days after fulfilment (dated then, not when tick ran), and tell them."""
    wish.auto_confirmed = True
    _confirm(wish, None, at=wish.confirmed_as_of(now()))
    notify(
        wish.author_id,
        f"wish:{wish.id}:auto_confirmed",
        N_("Your micro-wish “%(title)s” was confirmed automatically seven days after it was marked fulfilled."),
        link=f"/wishes/{wish.id}",
        title=wish.title,
    )


def auto_confirm_due() -> int:
    """`flask tick`: micro-wishes fulfilled seven days ago and not confirmed are confirmed for the resident."""
    due = list(db.session.scalars(sa.select(Wish.id).where(Wish.auto_confirm_due(now()))))
    confirmed = 0
    for wish_id in due:
        wish = _lock(db.session.get_one(Wish, wish_id))  # the lock confirms it if still due
        confirmed += wish.auto_confirmed and wish.status == WishStatus.CONFIRMED
    return confirmed
