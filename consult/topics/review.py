"""The committee's first decision on a topic."""

from __future__ import annotations

import logging
import math
from datetime import timedelta

from flask_babel import gettext as _

from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places import queries as places
from consult.topics import deadlines, lifecycle, policy, settings
from consult.topics.models import (
    Topic,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


def approve(worker, topic: Topic) -> Topic:
    """The committee approves a topic: support collection starts with the threshold fixed now."""
    community = lifecycle.community_of(topic)
    topic = lifecycle.lock(topic)
    policy.TopicPolicy(topic, community=community).require("approve", worker)
    rules = settings.settings_for(community)
    if rules.threshold_kind == "share":
        residents = places.eligible_count(community.id, now())
        threshold = max(1, math.ceil(residents * rules.threshold_value / 100))
    else:
        threshold = rules.threshold_value
    lifecycle.transition(topic, S.COLLECTING_SUPPORT, worker, committee=True)
    topic.decided_at = now()
    topic.support_threshold = threshold
    topic.support_deadline = now() + timedelta(days=rules.support_days)
    topic.closes_at = topic.support_deadline
    db.session.flush()
    return topic


def reject(worker, topic: Topic, reason: str) -> Topic:
    """The committee rejects a topic with a reason the author sees."""
    topic = lifecycle.lock(topic)
    policy.TopicPolicy(topic).require("reject", worker)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason the author will see."), field="reason")
    lifecycle.transition(topic, S.REJECTED, worker, reason=reason, committee=True)
    topic.decided_at = now()
    topic.reject_reason = reason
    db.session.flush()
    return topic


def send_to_vote(worker, topic: Topic) -> Topic:
    """The committee moves a topic straight to "ready for vote" (from review or support)."""
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    policy.TopicPolicy(topic).require("send_to_vote", worker)
    lifecycle.transition(topic, S.READY_FOR_VOTE, worker, committee=True)
    topic.decided_at = topic.decided_at or now()
    topic.closes_at = None
    db.session.flush()
    return topic
