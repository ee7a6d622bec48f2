"""What urgent notices and first responders add to the shared registries: the banner of every page,
their part of "download my data", labels and audit sentences, closing an account."""

from flask import g
from flask_babel import lazy_gettext as _l

from consult.core.audit import describe_actions
from consult.core.exports import iso
from consult.core.registries import (
    STAFF_ACTION,
    add_labels,
    closing,
    header_value,
    not_personal,
    personal,
    session_read,
    template_global,
)
from consult.extensions import db
from consult.safety import notice_queries, notices, responders  # noqa: F401  (notices: registers the fan-out job)
from consult.safety.notice_forms import LEVEL_LABELS, SKILL_LABELS
from consult.safety.notice_models import NoticeAcknowledgement, NoticeRecipient, NoticeResponder, NoticeVisit


@session_read("urgent_pending")
def urgent_pending(user_id):
    """Whether the person has a banner to see, read with the session check (no statement of its own)."""
    return notice_queries.has_pending_query(user_id)


@header_value("urgent_notices")
def urgent_notices(user) -> list:
    """The running notices the person has not acknowledged: the banner on top of every page. One
    small statement, and only when the session check found something to show."""
    reads = g.get("session_reads")
    if reads is not None and "urgent_pending" in reads and reads["urgent_pending"] is None:
        return []
    return notice_queries.banner_for(user.id)


@template_global
def notice_level(level: str) -> str:
    return str(LEVEL_LABELS.get(level, level))


@template_global
def ack_via(via: str) -> str:
    return str(_l("by a visit") if via == "visit" else _l("by themselves"))


@template_global
def responder_skills(responder) -> list[str]:
    skills = [str(SKILL_LABELS[s]) for s in ("first_aid", "electrician", "can_carry") if getattr(responder, s)]
    return skills + ([responder.other_skill] if responder.other_skill else [])


@template_global
def grid_notices(grid_id: int) -> list:
    """Running notices that reached a grid (its grid worker's page)."""
    return notice_queries.notices_of_grids([grid_id])


def _rows(model, user_id: int):
    return db.session.scalars(db.select(model).where(model.user_id == user_id).order_by(model.id))


@personal("notices_received", covers={"notice_recipients.user_id": ""})
def my_notices(user) -> list[dict]:
    """The urgent notices sent to me, where I lived then."""
    return [
        {"notice_id": r.notice_id, "building": r.building, "unit": r.unit, "room": r.room}
        for r in _rows(NoticeRecipient, user.id)
    ]


@personal("notice_acknowledgements", covers={"notice_acknowledgements.user_id": ""})
def my_acknowledgements(user) -> list[dict]:
    return [{"notice_id": a.notice_id, "at": iso(a.at), "via": a.via} for a in _rows(NoticeAcknowledgement, user.id)]


@personal("notice_visits", covers={"notice_visits.user_id": ""})
def my_visits(user) -> list[dict]:
    """The door-to-door visits recorded for me (the worker's id is a staff action)."""
    return [
        {"notice_id": v.notice_id, "outcome": v.outcome, "note": v.note, "at": iso(v.at)} for v in _rows(NoticeVisit, user.id)
    ]


@personal("first_responder", covers={"responders.user_id": "", "notice_responders.user_id": ""})
def my_responding(user) -> list[dict]:
    """My first-responder skills and grids, and my answers to the notices that called me."""
    mine = responders.responder_of(user.id)
    answers = [
        {"notice_id": r.notice_id, "available": r.available, "answered_at": iso(r.answered_at)}
        for r in _rows(NoticeResponder, user.id)
    ]
    if mine is None:
        return [{"answers": answers}] if answers else []
    return [
        {
            "first_aid": mine.first_aid,
            "electrician": mine.electrician,
            "can_carry": mine.can_carry,
            "other_skill": mine.other_skill,
            "grids": responders.grids_of(mine),
            "answers": answers,
        }
    ]


not_personal({"notices.published_by_id": STAFF_ACTION, "notice_visits.worker_id": STAFF_ACTION})


@closing("safety_responder")
def close_account(user) -> None:
    """A closed account stops being a first responder."""
    responders.opt_out(user)


add_labels(
    {
        "notice.publish": _l("urgent notice published"),
        "notice.visit": _l("door-to-door visit recorded"),
        "responder.opt_in": _l("first responder: skills or grids set"),
        "responder.opt_out": _l("first responder: stopped"),
    }
)

describe_actions(
    {
        "notice.publish": _l("Published the urgent notice %(title)s (%(recipients)s residents)."),
        "notice.visit": _l("Recorded a visit to %(user_id)s: %(outcome)s."),
        "responder.opt_in": _l("Offered to be a first responder."),
        "responder.opt_out": _l("Stopped being a first responder."),
    }
)
