"""Support (附议) and following."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core.database import add_unique
from consult.extensions import db
from consult.topics import deadlines, lifecycle, policy
from consult.topics.models import (
    Follow,
    Support,
    Topic,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


def support(user, topic: Topic) -> Topic:
    """A confirmed resident supports (附议) a topic, once; reaching the threshold opens the way to a vote."""
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    policy.TopicPolicy(topic).require("support", user)
    add_unique(Support(topic_id=topic.id, user_id=user.id), _("You have already supported this topic."))
    topic.support_count += 1
    db.session.flush()
    if topic.support_threshold is not None and topic.support_count >= topic.support_threshold:
        lifecycle.transition(topic, S.READY_FOR_VOTE, None)
        topic.closes_at = None
        db.session.flush()
    return topic


def follow(user, topic: Topic) -> None:
    """Follow a topic to hear of its changes and new comments."""
    lifecycle.require_visible(user, topic)
    lifecycle.add_follow(topic, user)
    db.session.flush()


def unfollow(user, topic: Topic) -> None:
    db.session.execute(sa.delete(Follow).where(Follow.topic_id == topic.id, Follow.user_id == user.id))
