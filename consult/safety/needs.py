"""Residents who need help in an emergency: their own marks, or a worker's record with consent noted.

The marks are seen only by the person, the grid workers of the grid they live in and the workers
of their community (``HelpNeedPolicy``); the audit log says that a change happened, never which
marks (removing them deletes the row and leaves nothing of them behind).
"""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from consult.accounts.models import User
from consult.core import audit
from consult.core.clock import now
from consult.core.errors import PermissionDenied, RuleViolation
from consult.core.rules import require_not_self
from consult.extensions import db
from consult.places.models import Residence
from consult.safety import queries
from consult.safety.models import CONSENT_MAX, MARKS, NOTE_MAX, HelpNeed
from consult.safety.policy import GridPolicy, HelpNeedPolicy, is_committee_worker

log = logging.getLogger(__name__)


def _home(user: User) -> Residence:
    home = queries.home_of(user.id)
    if home is None:
        raise RuleViolation(_("Only a confirmed resident of a community can be marked as needing help."))
    return home


def _apply(need: HelpNeed, marks: dict, note: str | None) -> None:
    chosen = {mark: bool(marks.get(mark)) for mark in MARKS}
    note = (note or "").strip() or None
    if not any(chosen.values()):
        raise RuleViolation(_("Tick at least one reason, or remove the marks."), field="lives_alone_over_70")
    if note is not None and len(note) > NOTE_MAX:
        raise RuleViolation(_("Use at most %(max)d characters.", max=NOTE_MAX), field="note")
    if chosen["other"] and note is None:
        raise RuleViolation(_("Say in the note what help is needed."), field="note")
    for mark, value in chosen.items():
        setattr(need, mark, value)
    need.note = note
    need.updated_at = now()


def _save(actor: User, user: User, need: HelpNeed, home: Residence, action: str) -> HelpNeed:
    db.session.add(need)
    db.session.flush()
    # Only that the marks changed, and who changed them: never the marks themselves.
    audit.record(actor, action, need, community_id=home.community_id, after={"user_id": user.id})
    log.info("help need of user %s %s by user %s", user.id, action, actor.id)
    return need


def set_own(user: User, marks: dict, note: str | None) -> HelpNeed:
    """A confirmed resident marks themselves as needing help (or changes their marks)."""
    home = _home(user)
    need = queries.need_of(user.id) or HelpNeed(user_id=user.id)
    if need.id is not None:
        HelpNeedPolicy(need).require("change", user)
    _apply(need, marks, note)
    need.recorded_by_id = need.consent_by = need.consent_how = need.consent_at = None
    return _save(user, user, need, home, "safety.need_set")


def record_for(
    actor: User, user: User, marks: dict, note: str | None, consent_by: str | None, consent_how: str | None
) -> HelpNeed:
    """A worker of the person's community or a grid worker of their grid records the marks, with
    the person's consent noted (who gave it and how; when is the time of recording)."""
    require_not_self(actor, user, _("Mark yourself on your own page."))
    home = _home(user)
    grid = queries.grid_of_home(home)
    if grid is None:
        # No grid: only the community's workers may record it.
        if not is_committee_worker(actor, home.community_id):
            raise PermissionDenied(_("Only the grid workers of this grid and the committee's workers see who needs help."))
    else:
        GridPolicy(grid).require("record_need", actor)
    consent_by, consent_how = (consent_by or "").strip(), (consent_how or "").strip()
    if not consent_by or len(consent_by) > CONSENT_MAX:
        raise RuleViolation(_("Note who gave consent (at most %(max)d characters).", max=CONSENT_MAX), field="consent_by")
    if not consent_how or len(consent_how) > CONSENT_MAX:
        raise RuleViolation(_("Note how consent was given (at most %(max)d characters).", max=CONSENT_MAX), field="consent_how")
    need = queries.need_of(user.id) or HelpNeed(user_id=user.id)
    _apply(need, marks, note)
    need.recorded_by_id, need.consent_by, need.consent_how, need.consent_at = actor.id, consent_by, consent_how, now()
    return _save(actor, user, need, home, "safety.need_recorded")


def remove_own(user: User) -> bool:
    """The person removes their marks (deleted); False when there were none."""
    need = queries.need_of(user.id)
    if need is None:
        return False
    HelpNeedPolicy(need).require("remove", user)
    home = queries.home_of(user.id)
    db.session.delete(need)
    db.session.flush()
    audit.record(user, "safety.need_removed", need, community_id=home.community_id if home else None, after={"user_id": user.id})
    return True


def forget(user: User) -> None:
    """Delete a person's marks when their account closes (nothing of them is kept)."""
    need = queries.need_of(user.id)
    if need is not None:
        db.session.delete(need)
        db.session.flush()
