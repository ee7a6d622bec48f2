"""Reads of urgent notices: the banner, the lists, the follow-up board (a fixed number of
statements whatever the number of residents), the door-to-door list and the CSV rows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core.clock import now
from consult.core.errors import NotFound
from consult.extensions import db
from consult.places.models import Community
from consult.safety.models import Grid, HelpNeed
from consult.safety.notice_models import (
    LEVELS,
    Notice,
    NoticeAcknowledgement,
    NoticeRecipient,
    NoticeResponder,
    NoticeTarget,
    NoticeVisit,
    Responder,
)
from consult.safety.notice_policy import Scope

#: most urgent first (red before orange … before information)
_SEVERITY = sa.case({level: rank for rank, level in enumerate(LEVELS)}, value=Notice.level)


def notice_by_id(notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        raise NotFound(_("No such notice."))
    return notice


def _pending(user_id):
    """The condition on (Notice, NoticeRecipient): sent to the person, running, not acknowledged."""
    acked = sa.select(NoticeAcknowledgement.id).where(
        NoticeAcknowledgement.notice_id == Notice.id, NoticeAcknowledgement.user_id == user_id
    )
    return sa.and_(NoticeRecipient.user_id == user_id, Notice.ends_at > now(), ~acked.exists())


def has_pending_query(user_id):
    """Whether the person has a banner to see, as a scalar subquery of their id (column or value):
    read with the session check, so a page without a banner costs no statement for it."""
    return (
        sa.select(Notice.id)
        .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
        .where(_pending(user_id))
        .limit(1)
        .correlate_except(Notice, NoticeRecipient, NoticeAcknowledgement)
        .scalar_subquery()
    )


def banner_for(user_id: int, limit: int = 3) -> list[Notice]:
    """The person's running notices not yet acknowledged, most urgent first: one small statement."""
    return list(
        db.session.scalars(
            sa.select(Notice)
            .join(NoticeRecipient, NoticeRecipient.notice_id == Notice.id)
            .where(_pending(user_id))
            .order_by(_SEVERITY.desc(), Notice.published_at.desc())
            .limit(limit)
        )
    )


def acknowledgement(notice_id: int, user_id: int) -> NoticeAcknowledgement | None:
    return db.session.scalar(
        sa.select(NoticeAcknowledgement).where(
            NoticeAcknowledgement.notice_id == notice_id, NoticeAcknowledgement.user_id == user_id
        )
    )


def roster_row(notice_id: int, user_id: int) -> NoticeResponder | None:
    return db.session.scalar(
        sa.select(NoticeResponder).where(NoticeResponder.notice_id == notice_id, NoticeResponder.user_id == user_id)
    )


@dataclass
class Listed:
    notice: Notice
    recipients: int
    acknowledged: int

    @property
    def percent(self) -> int:
        return percent(self.acknowledged, self.recipients)


def percent(part: int, whole: int) -> int:
    return int(100 * part / whole) if whole else 0


def _listed(notices: list[Notice], where) -> list[Listed]:
    ids = [n.id for n in notices]
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(NoticeRecipient.notice_id, sa.func.count(NoticeRecipient.id), sa.func.count(NoticeAcknowledgement.id))
        .outerjoin(
            NoticeAcknowledgement,
            sa.and_(
                NoticeAcknowledgement.notice_id == NoticeRecipient.notice_id,
                NoticeAcknowledgement.user_id == NoticeRecipient.user_id,
            ),
        )
        .where(NoticeRecipient.notice_id.in_(ids), where)
        .group_by(NoticeRecipient.notice_id)
    ).tuples()
    counts = {notice_id: (total, acked) for notice_id, total, acked in rows}
    return [Listed(n, *counts.get(n.id, (0, 0))) for n in notices]


def notices_of_community(community: Community, limit: int = 100) -> list[Listed]:
    """Notices that reached the community (its committee's and its street's), newest first, with its counts."""
    reached = sa.select(NoticeTarget.notice_id).where(NoticeTarget.community_id == community.id)
    notices = list(
        db.session.scalars(sa.select(Notice).where(Notice.id.in_(reached)).order_by(Notice.published_at.desc()).limit(limit))
    )
    return _listed(notices, NoticeRecipient.community_id == community.id)


def notices_of_street(street_id: int, limit: int = 100) -> list[Listed]:
    """Every notice of the street's communities and of the street itself, newest first."""
    notices = list(
        db.session.scalars(
            sa.select(Notice).where(Notice.street_id == street_id).order_by(Notice.published_at.desc()).limit(limit)
        )
    )
    return _listed(notices, sa.true())


def notices_of_grids(grid_ids, limit: int = 20) -> list[Notice]:
    """Running notices that reached residents of these grids (a grid worker's page)."""
    ids = list(grid_ids)
    if not ids:
        return []
    reached = sa.select(NoticeRecipient.notice_id).where(NoticeRecipient.grid_id.in_(ids))
    return list(
        db.session.scalars(
            sa.select(Notice)
            .where(Notice.id.in_(reached), Notice.ends_at > now())
            .order_by(Notice.published_at.desc())
            .limit(limit)
        )
    )


@dataclass
class PlaceRow:
    community: str
    grid: str | None
    building: str | None
    recipients: int
    acknowledged: int

    @property
    def percent(self) -> int:
        return percent(self.acknowledged, self.recipients)


@dataclass
class PersonRow:
    recipient: NoticeRecipient
    user: User
    ack: NoticeAcknowledgement | None
    need: HelpNeed | None
    visit: NoticeVisit | None


def place_rows(notice: Notice, scope: Scope, by_building: bool = True) -> list[PlaceRow]:
    """Recipients and acknowledgements per community, grid and building (or per community only)."""
    keys = [Community.name, Grid.name, NoticeRecipient.building] if by_building else [Community.name]
    rows = db.session.execute(
        sa.select(*keys, sa.func.count(NoticeRecipient.id), sa.func.count(NoticeAcknowledgement.id))
        .select_from(NoticeRecipient)
        .join(Community, Community.id == NoticeRecipient.community_id)
        .outerjoin(Grid, Grid.id == NoticeRecipient.grid_id)
        .outerjoin(
            NoticeAcknowledgement,
            sa.and_(
                NoticeAcknowledgement.notice_id == NoticeRecipient.notice_id,
                NoticeAcknowledgement.user_id == NoticeRecipient.user_id,
            ),
        )
        .where(NoticeRecipient.notice_id == notice.id, scope.where())
        .group_by(*keys)
        .order_by(*keys)
    ).all()
    if by_building:
        return [PlaceRow(str(c), g, b, total, acked) for c, g, b, total, acked in rows]
    return [PlaceRow(str(c), None, None, total, acked) for c, total, acked in rows]


def people(notice: Notice, scope: Scope, *, pending_only: bool = False) -> list[PersonRow]:
    """The recipients this scope sees, people needing help first, then by address: one statement."""
    if not scope.sees_people:
        return []
    earlier = sa.orm.aliased(NoticeVisit)
    last_visit = (
        sa.select(sa.func.max(earlier.id))
        .where(earlier.notice_id == NoticeRecipient.notice_id, earlier.user_id == NoticeRecipient.user_id)
        .correlate(NoticeRecipient)
        .scalar_subquery()
    )
    query = (
        sa.select(NoticeRecipient, User, NoticeAcknowledgement, HelpNeed, NoticeVisit)
        .join(User, User.id == NoticeRecipient.user_id)
        .outerjoin(
            NoticeAcknowledgement,
            sa.and_(
                NoticeAcknowledgement.notice_id == NoticeRecipient.notice_id,
                NoticeAcknowledgement.user_id == NoticeRecipient.user_id,
            ),
        )
        .outerjoin(HelpNeed, HelpNeed.user_id == NoticeRecipient.user_id)
        .outerjoin(NoticeVisit, NoticeVisit.id == last_visit)
        .where(NoticeRecipient.notice_id == notice.id, scope.people_where())
        .order_by(HelpNeed.id.is_(None), NoticeRecipient.building, NoticeRecipient.unit, NoticeRecipient.room, NoticeRecipient.id)
    )
    if pending_only:
        query = query.where(NoticeAcknowledgement.id.is_(None))
    return [PersonRow(*row) for row in db.session.execute(query).tuples()]


def roster(notice: Notice) -> list[tuple[NoticeResponder, Responder | None]]:
    """The first responders a notice called, with their answers and skills: one statement."""
    return [
        (row, responder)
        for row, responder in db.session.execute(
            sa.select(NoticeResponder, Responder)
            .outerjoin(Responder, Responder.user_id == NoticeResponder.user_id)
            .where(NoticeResponder.notice_id == notice.id)
            .options(sa.orm.joinedload(NoticeResponder.user))
            .order_by(NoticeResponder.available.is_(None), NoticeResponder.available.desc(), NoticeResponder.id)
        ).tuples()
    ]


def visits(notice: Notice, scope: Scope, limit: int = 50) -> list[tuple[NoticeVisit, NoticeRecipient, User]]:
    """The newest visits this scope sees, with the worker who recorded each."""
    if not scope.sees_people:
        return []
    worker = sa.orm.aliased(User)
    rows = db.session.execute(
        sa.select(NoticeVisit, NoticeRecipient, worker)
        .join(
            NoticeRecipient,
            sa.and_(NoticeRecipient.notice_id == NoticeVisit.notice_id, NoticeRecipient.user_id == NoticeVisit.user_id),
        )
        .join(worker, worker.id == NoticeVisit.worker_id)
        .where(NoticeVisit.notice_id == notice.id, scope.people_where())
        .order_by(NoticeVisit.at.desc(), NoticeVisit.id.desc())
        .limit(limit)
    ).tuples()
    return list(rows)
