"""Transitions with their history, audit and notices; visibility; the row lock every write takes."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit, jobs
from consult.core.errors import Conflict, NotFound
from consult.core.notifications import N_, notify
from consult.core.registries import job
from consult.core.templating import dt
from consult.extensions import db
from consult.places.models import Community
from consult.topics import policy
from consult.topics.models import (
    Follow,
    Topic,
    TopicEvent,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


STATUS_NOTICES: dict[str, str] = {
    S.PENDING_REVIEW: N_("“%(title)s” was sent to the committee for review."),
    S.REJECTED: N_("“%(title)s” was not approved: %(reason)s"),
    S.COLLECTING_SUPPORT: N_("“%(title)s” was approved and is collecting support."),
    S.NOT_ENOUGH_SUPPORT: N_("“%(title)s” did not reach enough support in time."),
    S.READY_FOR_VOTE: N_("“%(title)s” is ready for a vote."),
    S.VOTE_SCHEDULED: N_("A vote on “%(title)s” has been scheduled."),
    S.VOTING: N_("Voting on “%(title)s” is open."),
    S.CLOSED: N_("Voting on “%(title)s” has closed."),
    S.OUTCOME_PUBLISHED: N_("The outcome of “%(title)s” has been published."),
    S.WITHDRAWN: N_("“%(title)s” was withdrawn by its author."),
}


def community_of(topic: Topic) -> Community:
    return db.session.get_one(Community, topic.community_id)


def lock(topic: Topic) -> Topic:
    """Re-read the topic with a row lock: writes on one topic happen one at a time."""
    return db.session.scalars(
        sa.select(Topic).where(Topic.id == topic.id).with_for_update().execution_options(populate_existing=True)
    ).one()


def transition(
    topic: Topic, to: str, actor, *, reason: str | None = None, committee: bool = False, notice: str | None = None
) -> None:
    """Move a topic to ``to`` if the table of docs/design.md allows it; history, audit and followers follow."""
    if to not in policy.TRANSITIONS.get(topic.status, set()):
        raise Conflict(_("This cannot be done while the topic is “%(status)s”.", status=policy.status_name(topic.status)))
    before = topic.status
    topic.status = to
    db.session.add(
        TopicEvent(topic_id=topic.id, from_status=before, to_status=to, actor_id=actor.id if actor else None, reason=reason)
    )
    db.session.flush()
    if committee:
        audit.record(
            actor,
            f"topic.{to}",
            topic,
            community_id=topic.community_id,
            before={"status": before},
            after={"status": to, "reason": reason},
        )
    event = f"topic:{topic.id}:{to}"
    times = db.session.execute(
        sa.select(sa.func.count()).select_from(TopicEvent).where(TopicEvent.topic_id == topic.id, TopicEvent.to_status == to)
    ).scalar_one()
    if times > 1:  # back in a status (a vote cancelled, then set up again): a new event for followers
        event += f":{times}"
    notify_followers(topic, event, notice or STATUS_NOTICES[to], exclude=actor, reason=reason or "")
    log.info("topic %s %s -> %s by %s", topic.id, before, to, actor.id if actor else "clock")


def notify_followers(topic: Topic, event: str, text: str, *, exclude=None, **params) -> None:
    """Tell the topic's followers (all but ``exclude``), in a background job once this change commits."""
    jobs.enqueue(
        "topics.notify_followers",
        topic_id=topic.id,
        event=event,
        text=text,
        exclude_id=exclude.id if exclude is not None else None,
        params={key: str(value) for key, value in params.items()},
    )


@job("topics.notify_followers")
def send_to_followers(topic_id: int, event: str, text: str, exclude_id: int | None, params: dict) -> int:
    """The job: one notification per follower (a vote opening reaches every household following it),
    the followers as they are when it runs, just after the change committed."""
    topic = db.session.get(Topic, topic_id)
    if topic is None:
        return 0
    sent = 0
    for user_id in db.session.scalars(sa.select(Follow.user_id).where(Follow.topic_id == topic_id, Follow.user_id != exclude_id)):
        sent += notify(user_id, event, text, link=f"/topics/{topic.id}", title=topic.title, **params)
    return sent


def can_see(user, topic: Topic) -> bool:
    """Who may open a topic: anyone if it is public, else its author and the committee."""
    return policy.TopicPolicy(topic).can("see", user)


def require_visible(user, topic: Topic) -> None:
    """A topic the person may not see does not exist for them (no enumerating ids into reviews)."""
    policy.TopicPolicy(topic).require("see", user)


def add_follow(topic: Topic, user) -> None:
    exists = db.session.get(Follow, (topic.id, user.id))
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(Follow(topic_id=topic.id, user_id=user.id))
        except sa.exc.IntegrityError:
            pass


def topic_in(community: Community, topic_id: int) -> Topic:
    topic = db.session.get(Topic, topic_id)
    if topic is None or topic.community_id != community.id:
        raise NotFound(_("No such topic in this community."))
    return topic


def local_time(moment: datetime) -> str:
    return dt(moment)
