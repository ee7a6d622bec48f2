"""What the points pages show, gathered in one call each (the views stay a few lines).

What a page offers next to a reward, an entry or a redemption comes from the policies
(``policy.py``): a button when the policy allows it, otherwise the refusal's short text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination

from consult.core.clock import local, local_now, month_bounds
from consult.core.pagination import paginate
from consult.core.templating import label
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.points import queries
from consult.points.models import BONUS_MAX, NOTE_MAX, LedgerEntry, PointsSettings, Redemption, Reward
from consult.points.policy import LedgerEntryPolicy, OwnRecord, RewardPolicy, short


@dataclass(frozen=True)
class Offer:
    """A reward on my points page: ``refusal`` is shown instead of the Redeem button (out of stock,
    you need N more points), None when I may redeem it."""

    reward: Reward
    refusal: str | None


@dataclass(frozen=True)
class MyPoints:
    balances: list[Any]
    page: Pagination
    months: list[tuple[str, int, int]]
    offers: list[Offer]
    redemptions: list[Redemption]


def my_points(user) -> MyPoints:
    """My balances, entries, monthly totals, the rewards of my community with what I may redeem, my redemptions."""
    residence = places.active_residence(user)
    balances = queries.balances_of(user.id)
    offers = []
    if residence is not None and places.is_confirmed_member(user, residence.community):
        # The balance here is among the person's balances, read once.
        balance = next((b.balance for b, _ in balances if b.community_id == residence.community_id), 0)
        for reward in queries.rewards(residence.community_id, active_only=True):
            refusal = RewardPolicy(reward, balance=balance).refusal("redeem", user)
            offers.append(Offer(reward, short(refusal) if refusal else None))
    return MyPoints(
        balances=balances,
        page=paginate(queries.entries_of(user.id), per_page=30),
        months=queries.monthly_totals(user.id),
        offers=offers,
        redemptions=queries.redemptions_of(user.id),
    )


@dataclass(frozen=True)
class EntryRow:
    """A ledger entry on the committee's page: ``changeable`` when the viewer may reverse and
    correct it; ``own`` when only because it is their own; ``reversed`` once it is."""

    entry: LedgerEntry
    changeable: bool
    own: bool
    reversed: bool


@dataclass(frozen=True)
class LedgerPage:
    community: Community
    entries: Pagination
    rows: list[EntryRow]
    balances: Pagination
    rewards: list[Reward]
    pending: list[Redemption]
    settings: PointsSettings
    month: str
    note_max: int = NOTE_MAX
    points_max: int = BONUS_MAX


def ledger_page(community: Community, viewer) -> LedgerPage:
    """The committee's points page: the ledger with what the viewer may do to each entry, balances, rewards, redemptions."""
    entries = paginate(queries.community_entries(community.id), per_page=50)
    reversed_ids = queries.reversed_ids([e.id for e in entries.items])
    rows = []
    for entry in entries.items:
        refusal = LedgerEntryPolicy(entry, reversed=reversed_ids).refusal("reverse", viewer)
        rows.append(EntryRow(entry, refusal is None, isinstance(refusal, OwnRecord), entry.id in reversed_ids))
    return LedgerPage(
        community=community,
        entries=entries,
        rows=rows,
        balances=paginate(queries.community_balances(community.id), per_page=50, arg="bpage"),
        rewards=queries.rewards(community.id),
        pending=queries.pending_redemptions(community.id),
        settings=queries.settings_for(community.id),
        month=local_now().strftime("%Y-%m"),
    )


def ledger_header(*before: str) -> list[str]:
    """The headings of ``ledger_row``'s cells."""
    return [
        _("Entry"),
        _("Time"),
        *before,
        _("Resident"),
        _("Points"),
        _("Reason"),
        _("Source"),
        _("Reverses"),
        _("Replaces"),
        _("Note"),
    ]


def ledger_row(e, person: str, *before) -> tuple:
    """One ledger entry as a CSV row (``before``: cells between its time and the person)."""
    return (
        e.id,
        local(e.created_at).strftime("%Y-%m-%d %H:%M"),
        *before,
        person,
        e.delta,
        label(f"points.{e.reason}"),
        f"{e.source_type}:{e.source_id}" if e.source_type else "",
        e.reverses_id or "",
        e.replaces_id or "",
        e.note or "",
    )


def ledger_export(community: Community, month: str) -> tuple[str, list[str], list[tuple]]:
    """The file name, header and rows of the community's ledger for ``month`` (YYYY-MM), oldest first."""
    start, end = month_bounds(month)
    entries = db.session.scalars(queries.community_entries(community.id, start, end).order_by(None).order_by("created_at", "id"))
    rows = [ledger_row(e, e.user.display_name) for e in entries]
    header = ledger_header()
    return f"ledger-{community.slug}-{month}.csv", header, rows
