"""The published outcome (结果公示), its progress, and satisfaction ratings."""

from __future__ import annotations

import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import RuleViolation
from consult.core.notifications import N_
from consult.core.scales import is_satisfaction
from consult.extensions import db
from consult.topics import deadlines, lifecycle, policy
from consult.topics.models import (
    ACTIONS_MAX,
    DECISION_MAX,
    NOTE_MAX,
    RATING_COMMENT_MAX,
    RESPONSIBLE_MAX,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    ProgressStatus,
    Topic,
    TopicStatus,
    Vote,
)

log = logging.getLogger(__name__)
S = TopicStatus


def publish_outcome(worker, topic: Topic, *, decision: str, responsible: str, actions: str, due_date: date) -> Outcome:
    """The committee publishes the outcome (结果公示) of a closed topic."""
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    policy.TopicPolicy(topic).require("publish_outcome", worker)
    decision, responsible, actions = (decision or "").strip(), (responsible or "").strip(), (actions or "").strip()
    if not decision or len(decision) > DECISION_MAX:
        raise RuleViolation(_("Write the decision (at most 5000 characters)."), field="decision")
    if not responsible or len(responsible) > RESPONSIBLE_MAX:
        raise RuleViolation(_("Name who is responsible (at most 100 characters)."), field="responsible")
    if not actions or len(actions) > ACTIONS_MAX:
        raise RuleViolation(_("List the planned actions (at most 5000 characters)."), field="actions")
    outcome = add_unique(
        Outcome(
            topic_id=topic.id,
            decision=decision,
            responsible=responsible,
            actions=actions,
            original_due_date=due_date,
            due_date=due_date,
            published_by_id=worker.id,
        ),
        _("This topic already has an outcome."),
    )
    lifecycle.transition(topic, S.OUTCOME_PUBLISHED, worker, committee=True)
    audit.record(
        worker,
        "outcome.publish",
        outcome,
        community_id=topic.community_id,
        after={"topic_id": topic.id, "due_date": due_date.isoformat(), "responsible": responsible},
    )
    return outcome


def add_progress(worker, outcome: Outcome, *, status: str, note: str, due_date: date | None = None) -> OutcomeUpdate:
    """A progress update on the outcome's timeline; a changed due date is kept, the original too."""
    topic = db.session.get_one(Topic, outcome.topic_id)
    policy.OutcomePolicy(outcome, topic=topic).require("add_progress", worker)
    note = (note or "").strip()
    if status not in {s.value for s in ProgressStatus}:
        raise RuleViolation(_("Choose a progress status."), field="status")
    if not note or len(note) > NOTE_MAX:
        raise RuleViolation(_("Say what happened (at most 2000 characters)."), field="note")
    update = OutcomeUpdate(outcome_id=outcome.id, status=status, note=note, created_by_id=worker.id)
    before = {"status": outcome.status, "due_date": outcome.due_date.isoformat()}
    if due_date is not None and due_date != outcome.due_date:
        update.old_due_date, update.new_due_date = outcome.due_date, due_date
        outcome.due_date = due_date
    outcome.status = status
    if status == ProgressStatus.DONE:
        outcome.done_at = now()
    db.session.add(update)
    db.session.flush()
    audit.record(
        worker,
        "outcome.progress",
        outcome,
        community_id=topic.community_id,
        before=before,
        after={"status": status, "due_date": outcome.due_date.isoformat()},
    )
    lifecycle.notify_followers(
        topic,
        f"outcome:{outcome.id}:update:{update.id}",
        N_("Progress on “%(title)s”: %(status)s"),
        exclude=worker,
        status=policy.status_name(status),
    )
    return update


def can_rate(user, topic: Topic, outcome: Outcome | None, vote: Vote | None) -> bool:
    """Residents who were eligible to vote may rate a done outcome (``OutcomePolicy.check_rate``)."""
    return outcome is not None and policy.OutcomePolicy(outcome, topic=topic, vote=vote).can("rate", user)


def rate(user, outcome: Outcome, level: str, comment_text: str | None = None) -> OutcomeRating:
    """Rate a done outcome 满意 / 基本满意 / 不满意, once; a change is a new version."""
    policy.OutcomePolicy(outcome).require("rate", user)
    if not is_satisfaction(level):
        raise RuleViolation(_("Choose how satisfied you are."), field="level")
    comment_text = (comment_text or "").strip() or None
    if comment_text and len(comment_text) > RATING_COMMENT_MAX:
        raise RuleViolation(_("Keep the comment to 500 characters."), field="comment")
    current = db.session.scalar(
        sa.select(OutcomeRating)
        .where(OutcomeRating.outcome_id == outcome.id, OutcomeRating.user_id == user.id, OutcomeRating.superseded_at.is_(None))
        .with_for_update()
    )
    moment = now()
    if current is not None:
        if current.level == level and current.comment == comment_text:
            return current
        current.superseded_at = moment
        db.session.flush()
    rating = OutcomeRating(
        outcome_id=outcome.id,
        user_id=user.id,
        level=level,
        comment=comment_text,
        version=(current.version + 1) if current else 1,
        first_given_at=current.first_given_at if current else moment,
        created_at=moment,
    )
    return add_unique(rating, _("Your rating was already recorded."))
