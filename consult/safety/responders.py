"""First responders (第一响应人): confirmed residents who opt in with their skills and the grids of
their community they can reach. An orange or red notice calls those of the grids it reached
(``consult.safety.notices``); they answer "available" or "not available" (``followup.answer``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places.models import Community
from consult.safety import queries
from consult.safety.notice_models import SKILL_NOTE_MAX, SKILLS, Responder, ResponderGrid


def responder_of(user_id: int) -> Responder | None:
    return db.session.scalar(sa.select(Responder).where(Responder.user_id == user_id))


def grids_of(responder: Responder | None) -> list[int]:
    if responder is None:
        return []
    return list(db.session.scalars(sa.select(ResponderGrid.grid_id).where(ResponderGrid.responder_id == responder.id)))


def opt_in(user: User, skills: dict, other_skill: str | None, grid_ids: list[int]) -> Responder:
    """Offer oneself as a first responder (or change one's skills and grids)."""
    home = queries.home_of(user.id)
    if home is None:
        raise RuleViolation(_("Only a confirmed resident of a community can be a first responder."))
    community = db.session.get_one(Community, home.community_id)
    grids = [queries.grid_in(community, grid_id) for grid_id in sorted(set(grid_ids))]  # another community's: 404
    if not grids:
        raise RuleViolation(_("Choose at least one grid you can reach."), field="grids")
    other_skill = (other_skill or "").strip() or None
    if other_skill is not None and len(other_skill) > SKILL_NOTE_MAX:
        raise RuleViolation(_("Use at most %(max)d characters.", max=SKILL_NOTE_MAX), field="other_skill")
    chosen = {skill: bool(skills.get(skill)) for skill in SKILLS if skill != "other_skill"}
    if not any(chosen.values()) and other_skill is None:
        raise RuleViolation(_("Tick at least one skill, or describe another one."), field="first_aid")
    responder = responder_of(user.id) or Responder(user_id=user.id)
    for skill, value in chosen.items():
        setattr(responder, skill, value)
    responder.other_skill, responder.updated_at = other_skill, now()
    db.session.add(responder)
    db.session.flush()
    db.session.execute(sa.delete(ResponderGrid).where(ResponderGrid.responder_id == responder.id))
    db.session.add_all([ResponderGrid(responder_id=responder.id, grid_id=g.id) for g in grids])
    db.session.flush()
    audit.record(user, "responder.opt_in", responder, community_id=community.id, after={"grids": [g.id for g in grids]})
    return responder


def opt_out(user: User) -> bool:
    """Stop being a first responder (the row and its grids are deleted); False if one was not."""
    responder = responder_of(user.id)
    if responder is None:
        return False
    db.session.execute(sa.delete(ResponderGrid).where(ResponderGrid.responder_id == responder.id))
    db.session.delete(responder)
    db.session.flush()
    audit.record(user, "responder.opt_out", responder)
    return True
