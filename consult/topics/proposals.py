"""Proposing, editing, submitting and withdrawing a topic (its author)."""

from __future__ import annotations

import logging

from flask_babel import gettext as _

from consult.core.clock import now
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places import queries as places
from consult.places.models import Community
from consult.places.rules import require_member
from consult.topics import deadlines, lifecycle, policy, settings
from consult.topics.models import (
    BODY_MAX,
    TITLE_MAX,
    Topic,
    TopicEvent,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = (title or "").strip(), (body or "").strip()
    if not title or len(title) > TITLE_MAX:
        raise RuleViolation(_("Give a title of 1 to %(max)d characters.", max=TITLE_MAX), field="title")
    if not body or len(body) > BODY_MAX:
        raise RuleViolation(_("Describe the topic in 1 to %(max)d characters.", max=BODY_MAX), field="body")
    return title, body


def propose(
    author, community: Community, *, title: str, body: str, category_id, place: str | None = None, submit: bool = True
) -> Topic:
    """A confirmed resident proposes a topic (or saves a draft); a worker may start one for the committee."""
    committee = places.can_manage_community(author, community)
    if not committee:
        require_member(author, community)
    title, body = _check_text(title, body)
    topic = Topic(
        community_id=community.id,
        author_id=author.id,
        committee_initiated=committee,
        title=title,
        body=body,
        category_id=settings.category_in(community, category_id).id,
        place=(place or "").strip() or None,
        status=S.DRAFT,
    )
    db.session.add(topic)
    db.session.flush()
    db.session.add(TopicEvent(topic_id=topic.id, from_status=None, to_status=S.DRAFT, actor_id=author.id))
    lifecycle.add_follow(topic, author)
    if submit:
        submit_topic(author, topic)
    return topic


def edit(author, topic: Topic, *, title: str, body: str, category_id, place: str | None, send: bool = False) -> Topic:
    """The author edits a draft or a topic still waiting for review; ``send``: and sends a draft for review."""
    topic = lifecycle.lock(topic)
    policy.TopicPolicy(topic).require("edit", author)
    topic.title, topic.body = _check_text(title, body)
    topic.category_id = settings.category_in(lifecycle.community_of(topic), category_id).id
    topic.place = (place or "").strip() or None
    db.session.flush()
    if send and policy.TopicPolicy(topic).can("submit", author):
        submit_topic(author, topic)
    return topic


def submit_topic(author, topic: Topic) -> Topic:
    """The author sends a draft for review (a committee's own topic skips review)."""
    topic = lifecycle.lock(topic)
    policy.TopicPolicy(topic).require("submit", author)
    lifecycle.transition(topic, S.PENDING_REVIEW, author)
    topic.submitted_at = now()
    db.session.flush()
    return topic


def withdraw(author, topic: Topic) -> Topic:
    """The author withdraws a draft, a topic in review, or one collecting support."""
    topic = lifecycle.lock(topic)
    deadlines.settle(topic)
    policy.TopicPolicy(topic).require("withdraw", author)
    lifecycle.transition(topic, S.WITHDRAWN, author)
    topic.closes_at = None
    return topic
