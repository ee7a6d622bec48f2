"""The CSV of a notice's follow-up and of a community's notices (header and rows; the views send them)."""

from __future__ import annotations

from consult.core.exports import iso
from consult.safety import notice_queries as nq
from consult.safety.notice_models import Notice
from consult.safety.notice_policy import Scope

NOTICE_COLUMNS = ["notice", "level", "title", "published_at", "ends_at"]
PLACE_COLUMNS = ["community", "grid", "building", "recipients", "acknowledged"]
PERSON_COLUMNS = [
    "building",
    "unit",
    "room",
    "name",
    "needs_help",
    "acknowledged_at",
    "acknowledged_via",
    "last_visit",
    "visited_at",
    "visit_note",
]


def _head(notice: Notice) -> list:
    return [notice.id, notice.level, notice.title, iso(notice.published_at), iso(notice.ends_at)]


def follow_up(notice: Notice, scope: Scope) -> tuple[list[str], list[list]]:
    """One line per recipient the scope sees; totals per place for a scope that sees no people (the street)."""
    head = _head(notice)
    if not scope.sees_people:
        rows = [
            [*head, r.community, r.grid or "", r.building or "", r.recipients, r.acknowledged]
            for r in nq.place_rows(notice, scope)
        ]
        return [*NOTICE_COLUMNS, *PLACE_COLUMNS], rows
    rows = []
    for p in nq.people(notice, scope):
        ack, visit, home = p.ack, p.visit, p.recipient
        rows.append(
            [
                *head,
                home.building or "",
                home.unit or "",
                home.room or "",
                p.user.display_name,
                "yes" if p.need else "",
                iso(ack.at) if ack else "",
                ack.via if ack else "",
                visit.outcome if visit else "",
                iso(visit.at) if visit else "",
                (visit.note or "") if visit else "",
            ]
        )
    return [*NOTICE_COLUMNS, *PERSON_COLUMNS], rows


def listing(listed: list[nq.Listed]) -> tuple[list[str], list[list]]:
    """A community's notices with their counts."""
    return [*NOTICE_COLUMNS, "recipients", "acknowledged"], [[*_head(x.notice), x.recipients, x.acknowledged] for x in listed]
