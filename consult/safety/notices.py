"""Publishing an urgent notice (紧急通知/预警) and telling its recipients (docs/safety.md, "Urgent notices").

A committee publishes for its community, or for chosen grids or buildings of it; a street's admins
for chosen communities of the street. The recipients (confirmed residents of the targeted places)
are resolved in one ``INSERT … SELECT`` when the notice is published; the in-site notifications
("fan-out") are a background job on the job queue when Redis is configured, inline otherwise.
An orange or red notice also calls the first responders of the targeted grids.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit, jobs
from consult.core.clock import now
from consult.core.errors import NotFound, RuleViolation
from consult.core.notifications import N_, Notification
from consult.core.registries import job
from consult.extensions import db
from consult.places import queries as places
from consult.places.addresses import normalise
from consult.places.models import Community, Residence, ResidenceStatus, Street
from consult.safety import queries
from consult.safety.models import GridBuilding
from consult.safety.notice_models import (
    BODY_MAX,
    LEVELS,
    TITLE_MAX,
    Notice,
    NoticeRecipient,
    NoticeResponder,
    NoticeTarget,
    Responder,
    ResponderGrid,
)
from consult.safety.notice_policy import PublishPolicy

log = logging.getLogger(__name__)

FANOUT_JOB = "safety.notice_fanout"
#: notifications written per INSERT in the fan-out
CHUNK = 2000


@dataclass
class Draft:
    """What the publishing form says: the places are checked by the service."""

    level: str
    title: str
    what_to_do: str
    ends_at: datetime | None
    grid_ids: list[int] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)
    community_ids: list[int] = field(default_factory=list)


def _check(draft: Draft) -> tuple[str, str]:
    title, body = (draft.title or "").strip(), (draft.what_to_do or "").strip()
    if draft.level not in LEVELS:
        raise RuleViolation(_("Choose a level."), field="level")
    if not title or len(title) > TITLE_MAX:
        raise RuleViolation(_("Give a title of at most %(max)d characters.", max=TITLE_MAX), field="title")
    if not body or len(body) > BODY_MAX:
        raise RuleViolation(_("Say what to do, in at most %(max)d characters.", max=BODY_MAX), field="what_to_do")
    if draft.ends_at is None or draft.ends_at <= now():
        raise RuleViolation(_("The end time must be in the future."), field="ends_at")
    return title, body


def split_buildings(text: str | None) -> list[str]:
    """ "5, 6号楼 7栋" → ["5", "6", "7"] (the residences' form of a building)."""
    names = [
        normalise(part, "building") for part in (text or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(",")
    ]
    return sorted({name for name in names if name})


def publish(actor: User, community: Community, draft: Draft) -> Notice:
    """A committee publishes a notice for its whole community, or for some of its grids or buildings."""
    PublishPolicy(community).require("publish", actor)
    title, body = _check(draft)
    grids = [queries.grid_in(community, grid_id) for grid_id in sorted(set(draft.grid_ids))]  # another community's: 404
    targets = [NoticeTarget(community_id=community.id, grid_id=g.id) for g in grids]
    targets += [NoticeTarget(community_id=community.id, building=b) for b in draft.buildings]
    if not targets:
        targets = [NoticeTarget(community_id=community.id)]
    notice = Notice(street_id=community.street_id, community_id=community.id, level=draft.level, title=title, what_to_do=body)
    return _publish(actor, notice, draft.ends_at, targets, community_id=community.id)


def publish_for_street(actor: User, street: Street, draft: Draft) -> Notice:
    """A street's admins publish a notice for several communities of the street."""
    PublishPolicy(street).require("publish", actor)
    title, body = _check(draft)
    mine = {c.id for c in places.communities_of_street(street.id)}
    chosen = sorted(set(draft.community_ids))
    if not chosen:
        raise RuleViolation(_("Choose at least one community."), field="communities")
    if any(c not in mine for c in chosen):
        raise NotFound(_("No such community in this street."), field="communities")
    notice = Notice(street_id=street.id, community_id=None, level=draft.level, title=title, what_to_do=body)
    return _publish(actor, notice, draft.ends_at, [NoticeTarget(community_id=c) for c in chosen], street_id=street.id)


def _publish(actor: User, notice: Notice, ends_at, targets: list[NoticeTarget], **where) -> Notice:
    notice.published_by_id, notice.published_at, notice.ends_at = actor.id, now(), ends_at
    db.session.add(notice)
    db.session.flush()
    for target in targets:
        target.notice_id = notice.id
    db.session.add_all(targets)
    db.session.flush()
    notice.recipients = _resolve(notice, targets)
    if notice.recipients == 0:
        raise RuleViolation(_("No confirmed residents live in the chosen places: nobody would receive this notice."))
    called = _call_responders(notice) if notice.calls_responders else 0
    audit.record(
        actor,
        "notice.publish",
        notice,
        **where,
        after={"title": notice.title, "level": notice.level, "recipients": notice.recipients, "responders": called},
    )
    jobs.enqueue(FANOUT_JOB, notice_id=notice.id)
    log.info("notice %s published by user %s to %s residents", notice.id, actor.id, notice.recipients)
    return notice


def _resolve(notice: Notice, targets: Iterable[NoticeTarget]) -> int:
    """Insert the recipients (confirmed residents of the targeted places, where they live now): one statement."""
    whole = [t.community_id for t in targets if t.grid_id is None and t.building is None]
    grids = [t.grid_id for t in targets if t.grid_id is not None]
    buildings = [(t.community_id, t.building) for t in targets if t.building is not None]
    placed = sa.and_(GridBuilding.community_id == Residence.community_id, GridBuilding.building == Residence.building)
    conditions = []
    if whole:
        conditions.append(Residence.community_id.in_(whole))
    if grids:
        conditions.append(GridBuilding.grid_id.in_(grids))
    for community_id, building in buildings:
        conditions.append(sa.and_(Residence.community_id == community_id, Residence.building == building))
    select = (
        sa.select(
            sa.literal(notice.id),
            Residence.user_id,
            Residence.community_id,
            GridBuilding.grid_id,
            Residence.building,
            Residence.unit,
            Residence.room,
        )
        .select_from(Residence)
        .outerjoin(GridBuilding, placed)
        .join(User, User.id == Residence.user_id)
        .where(Residence.status == ResidenceStatus.CONFIRMED, User.active.is_(True), sa.or_(*conditions))
    )
    columns = ["notice_id", "user_id", "community_id", "grid_id", "building", "unit", "room"]
    db.session.execute(sa.insert(NoticeRecipient).from_select(columns, select))
    # Counted, not read from rowcount: psycopg answers -1 for an INSERT … SELECT.
    counted = sa.select(sa.func.count()).select_from(NoticeRecipient).where(NoticeRecipient.notice_id == notice.id)
    return db.session.scalar(counted) or 0


def _call_responders(notice: Notice) -> int:
    """Put on the roster the responders who can reach a grid the notice reached."""
    reached = sa.select(NoticeRecipient.grid_id).where(
        NoticeRecipient.notice_id == notice.id, NoticeRecipient.grid_id.is_not(None)
    )
    select = (
        sa.select(sa.literal(notice.id), Responder.user_id)
        .join(ResponderGrid, ResponderGrid.responder_id == Responder.id)
        .where(ResponderGrid.grid_id.in_(reached))
        .distinct()
    )
    db.session.execute(sa.insert(NoticeResponder).from_select(["notice_id", "user_id"], select))
    counted = sa.select(sa.func.count()).select_from(NoticeResponder).where(NoticeResponder.notice_id == notice.id)
    return db.session.scalar(counted) or 0


@job(FANOUT_JOB)
def fan_out(notice_id: int) -> int:
    """Notify every recipient (and every responder called) once: bulk inserts, skipping those
    already notified (a retried job does not notify twice). Returns how many were written."""
    notice = db.session.get(Notice, notice_id)
    if notice is None:
        return 0
    link = f"/notices/{notice.id}"
    written = _notify_all(
        f"notice:{notice.id}",
        NoticeRecipient,
        notice.id,
        N_("Urgent notice: %(title)s"),
        link,
        notice.title,
    )
    written += _notify_all(
        f"notice.responder:{notice.id}",
        NoticeResponder,
        notice.id,
        N_("First responders are called: %(title)s. Say whether you are available."),
        link,
        notice.title,
    )
    return written


def _notify_all(event_key: str, model, notice_id: int, text: str, link: str, title: str) -> int:
    already = sa.select(Notification.recipient_id).where(Notification.event_key == event_key)
    ids = list(db.session.scalars(sa.select(model.user_id).where(model.notice_id == notice_id, model.user_id.not_in(already))))
    moment = now()
    for start in range(0, len(ids), CHUNK):
        rows = [
            {
                "recipient_id": uid,
                "event_key": event_key,
                "text": text,
                "params": {"title": title},
                "link": link,
                "created_at": moment,
            }
            for uid in ids[start : start + CHUNK]
        ]
        db.session.execute(sa.insert(Notification), rows)
    return len(ids)
