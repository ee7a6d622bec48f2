"""Comments, replies, flags and hiding."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.clock import now
from consult.core.database import add_unique
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import N_, notify
from consult.core.pagination import parse_id
from consult.extensions import db
from consult.places.rules import require_committee
from consult.topics import lifecycle, policy
from consult.topics.models import (
    COMMENT_MAX,
    Comment,
    CommentFlag,
    Topic,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


EDIT_MINUTES = 15

#: The state table of docs/design.md: which status may follow which.


def comment(user, topic: Topic, body: str, parent_id=None) -> Comment:
    """A confirmed resident (or the committee) comments, or replies to a comment (one level)."""
    policy.TopicPolicy(topic).require("comment", user)
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise RuleViolation(_("Write a comment of 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    parent = None
    if parent_id:
        parent = db.session.get(Comment, parse_id(parent_id)) if parse_id(parent_id) is not None else None
        if parent is None or parent.topic_id != topic.id:
            raise RuleViolation(_("That comment is not on this topic."), field="parent_id")
        if parent.parent_id is not None:
            parent = db.session.get(Comment, parent.parent_id)  # replies stay one level deep
    note = Comment(topic_id=topic.id, author_id=user.id, parent_id=parent.id if parent else None, body=body)
    db.session.add(note)
    db.session.execute(sa.update(Topic).where(Topic.id == topic.id).values(comment_count=Topic.comment_count + 1))
    db.session.flush()
    db.session.expire(topic, ["comment_count"])
    if parent is not None and parent.author_id != user.id:
        notify(
            parent.author_id,
            f"comment:{note.id}:reply",
            N_("Someone replied to your comment on “%(title)s”."),
            link=f"/topics/{topic.id}#comment-{note.id}",
            title=topic.title,
        )
    lifecycle.notify_followers(topic, f"comment:{note.id}", N_("New comment on “%(title)s”."), exclude=user)
    return note


def edit_comment(user, note: Comment, body: str) -> Comment:
    """The author edits their comment within 15 minutes of posting it."""
    if note.author_id != user.id:
        raise PermissionDenied(_("Only the author can edit this comment."))
    if note.hidden_at is not None:
        raise Conflict(_("A hidden comment cannot be edited."))
    if now() - note.created_at > timedelta(minutes=EDIT_MINUTES):
        raise RuleViolation(_("Comments can only be edited within %(n)d minutes of posting.", n=EDIT_MINUTES))
    body = (body or "").strip()
    if not body or len(body) > COMMENT_MAX:
        raise RuleViolation(_("Write a comment of 1 to %(max)d characters.", max=COMMENT_MAX), field="body")
    note.body = body
    note.edited_at = now()
    db.session.flush()
    return note


def flag_comment(user, note: Comment) -> None:
    """A logged-in person flags a comment for the committee's attention; once each."""
    lifecycle.require_visible(user, db.session.get_one(Topic, note.topic_id))
    if note.author_id == user.id:
        raise RuleViolation(_("You cannot flag your own comment."))
    add_unique(CommentFlag(comment_id=note.id, user_id=user.id), _("You have already flagged this comment."))
    db.session.execute(sa.update(Comment).where(Comment.id == note.id).values(flag_count=Comment.flag_count + 1))
    db.session.flush()


def hide_comment(worker, note: Comment, reason: str) -> None:
    """The committee hides a comment with a reason; it is kept and the thread says why."""
    topic = db.session.get_one(Topic, note.topic_id)
    require_committee(worker, lifecycle.community_of(topic))
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give a reason for hiding the comment."), field="reason")
    if note.hidden_at is not None:
        raise Conflict(_("This comment is already hidden."))
    note.hidden_at, note.hidden_by_id, note.hidden_reason = now(), worker.id, reason
    db.session.execute(sa.update(CommentFlag).where(CommentFlag.comment_id == note.id).values(handled_at=now()))
    db.session.flush()
    audit.record(worker, "comment.hide", note, community_id=topic.community_id, after={"reason": reason, "topic_id": topic.id})


def dismiss_flags(worker, note: Comment) -> None:
    """The committee looked at the flags and keeps the comment."""
    topic = db.session.get_one(Topic, note.topic_id)
    require_committee(worker, lifecycle.community_of(topic))
    db.session.execute(
        sa.update(CommentFlag).where(CommentFlag.comment_id == note.id, CommentFlag.handled_at.is_(None)).values(handled_at=now())
    )
    audit.record(worker, "comment.keep", note, community_id=topic.community_id, after={"topic_id": topic.id})
