"""Topics and everything hanging off them: history, supports, votes and ballots, comments,
outcomes with progress, and satisfaction ratings.

Secrecy (docs/design.md, docs/ballot-secrecy.md): who took part is kept in ``vote_participations``; what
they chose is sealed in ``sealed_ballots`` while the vote is open and written as plain ``ballots``
only at closing, shuffled, in one transaction, with random ids, never a person or a time.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.clock import now
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import Model

TITLE_MAX = 80
BODY_MAX = 10000
PLACE_MAX = 80
REASON_MAX = 300
COMMENT_MAX = 2000
OPTION_MAX = 60
CATEGORY_NAME_MAX = 30
DECISION_MAX = 5000
RESPONSIBLE_MAX = 100
ACTIONS_MAX = 5000
NOTE_MAX = 2000
RATING_COMMENT_MAX = 500


class TopicStatus(enum.StrEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    REJECTED = "rejected"
    COLLECTING_SUPPORT = "collecting_support"
    NOT_ENOUGH_SUPPORT = "not_enough_support"
    READY_FOR_VOTE = "ready_for_vote"
    VOTE_SCHEDULED = "vote_scheduled"
    VOTING = "voting"
    CLOSED = "closed"
    OUTCOME_PUBLISHED = "outcome_published"
    WITHDRAWN = "withdrawn"


PUBLIC_STATUSES = tuple(s.value for s in TopicStatus if s not in (TopicStatus.DRAFT,))
#: Statuses a visitor sees in lists (drafts, reviews and rejections stay with author and committee).
LISTED_STATUSES = tuple(
    s.value
    for s in TopicStatus
    if s not in (TopicStatus.DRAFT, TopicStatus.PENDING_REVIEW, TopicStatus.REJECTED, TopicStatus.WITHDRAWN)
)


#: Seen by their author and the committee only (others get 404; the public sees counts).
PRIVATE_STATUSES = (TopicStatus.DRAFT.value, TopicStatus.PENDING_REVIEW.value, TopicStatus.REJECTED.value)


def _in(column: str, values) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class Category(Model):
    """A topic category: the default set (community NULL, translated by key) or a community's own."""

    __tablename__ = "topic_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    #: Key of a default category, translated when shown; NULL for a community's own.
    key: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(CATEGORY_NAME_MAX))
    position: Mapped[int] = mapped_column(default=0)


class TopicSettings(Model):
    """A community's support rules: threshold (count or share of residents) and window."""

    __tablename__ = "topic_settings"

    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    threshold_kind: Mapped[str] = mapped_column(sa.String(8), default="count")
    #: A number of supports, or a percentage of confirmed residents.
    threshold_value: Mapped[int] = mapped_column(default=10)
    support_days: Mapped[int] = mapped_column(default=14)

    __table_args__ = (
        sa.CheckConstraint("threshold_kind IN ('count', 'share')", name="threshold_kind"),
        sa.CheckConstraint(
            "threshold_value >= 1 AND (threshold_kind = 'count' OR threshold_value <= 100)", name="threshold_value"
        ),
        sa.CheckConstraint("support_days BETWEEN 1 AND 365", name="support_days"),
    )


class Topic(Model):
    """A consultation topic (议题) and its counters."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    committee_initiated: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX))
    body: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_categories.id"))
    place: Mapped[str | None] = mapped_column(sa.String(PLACE_MAX))
    status: Mapped[str] = mapped_column(sa.String(24), default=TopicStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=now)
    submitted_at: Mapped[datetime | None]
    #: The committee's first decision on it (approve, reject or straight to a vote).
    decided_at: Mapped[datetime | None]
    reject_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    #: Fixed when approved: supports needed, and until when.
    support_threshold: Mapped[int | None]
    support_deadline: Mapped[datetime | None]
    #: The next deadline that matters (support window or vote closing), for "closing soon".
    closes_at: Mapped[datetime | None]
    support_count: Mapped[int] = mapped_column(default=0)
    comment_count: Mapped[int] = mapped_column(default=0)
    ballot_count: Mapped[int] = mapped_column(default=0)

    author = relationship("User", lazy="raise_on_sql")
    category: Mapped[Category] = relationship(lazy="raise_on_sql")
    community = relationship("Community", lazy="raise_on_sql")

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in TopicStatus]), name="status"),
        sa.CheckConstraint("support_count >= 0 AND comment_count >= 0 AND ballot_count >= 0", name="counters"),
        sa.Index("ix_topics_community_status_created", "community_id", "status", "created_at"),
        sa.Index("ix_topics_community_created", "community_id", "created_at", "id"),
        sa.Index("ix_topics_community_support", "community_id", "support_count", "id"),
        sa.Index("ix_topics_community_closes", "community_id", "closes_at"),
        sa.Index("ix_topics_status_closes", "status", "closes_at"),
    )


def is_public(topic: Topic) -> bool:
    """Everything from collecting support on is public; drafts, reviews and rejections are not, nor a
    topic withdrawn before the committee approved it (it never was public)."""
    if topic.status in PRIVATE_STATUSES:
        return False
    if topic.status == TopicStatus.WITHDRAWN:
        return topic.decided_at is not None
    return True


def public_clause():
    """``is_public`` as a SQL condition, for lists and counts."""
    return sa.and_(
        Topic.status.not_in(PRIVATE_STATUSES),
        sa.or_(Topic.status != TopicStatus.WITHDRAWN.value, Topic.decided_at.is_not(None)),
    )


class TopicEvent(Model):
    """The status history: every state change with its time and actor (None: the clock)."""

    __tablename__ = "topic_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), index=True)
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str] = mapped_column(sa.String(24))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    created_at: Mapped[datetime] = mapped_column(default=now)

    actor = relationship("User", lazy="raise_on_sql")


class Support(Model):
    """A confirmed resident's support (附议) of a topic; once each."""

    __tablename__ = "topic_supports"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.UniqueConstraint("topic_id", "user_id"),)


class Follow(Model):
    """A person following a topic: notified of its state changes and replies."""

    __tablename__ = "topic_follows"

    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)


class Vote(Model):
    """A topic's ballot: options, scope, window, quorum and when results show."""

    __tablename__ = "votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  #: yes_no or choices
    max_choices: Mapped[int] = mapped_column(default=1)
    scope: Mapped[str] = mapped_column(sa.String(10), default="resident")  #: resident or household
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    #: Percentage of eligible voters (or households) that must take part; None: no quorum.
    quorum_percent: Mapped[int | None]
    live_results: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    closed_at: Mapped[datetime | None]
    closed_early_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: Fixed at closing: residents (or households) who could vote.
    eligible_count: Mapped[int | None]
    ballot_count: Mapped[int] = mapped_column(default=0)
    #: Counts per option while the vote is open, sealed (see secrecy.py); None once the ballots are written.
    sealed_tally: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    __table_args__ = (
        sa.CheckConstraint("kind IN ('yes_no', 'choices')", name="kind"),
        sa.CheckConstraint("scope IN ('resident', 'household')", name="scope"),
        sa.CheckConstraint("max_choices >= 1", name="max_choices"),
        sa.CheckConstraint("closes_at > opens_at", name="window"),
        sa.CheckConstraint("quorum_percent IS NULL OR quorum_percent BETWEEN 1 AND 100", name="quorum"),
        sa.CheckConstraint("ballot_count >= 0", name="ballot_count"),
    )


class VoteOption(Model):
    """One choice on a ballot: for / against / abstain (by key) or the topic's own label."""

    __tablename__ = "vote_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("votes.id"), index=True)
    key: Mapped[str | None] = mapped_column(sa.String(10))
    label: Mapped[str | None] = mapped_column(sa.String(OPTION_MAX))
    position: Mapped[int] = mapped_column(default=0)


class Comment(Model):
    """A comment on a topic, or a reply to one (one level)."""

    __tablename__ = "topic_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic_comments.id"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=now)
    edited_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.String(REASON_MAX))
    flag_count: Mapped[int] = mapped_column(default=0)

    author = relationship("User", foreign_keys=[author_id], lazy="raise_on_sql")

    __table_args__ = (
        sa.Index("ix_topic_comments_topic_parent_created", "topic_id", "parent_id", "created_at"),
        # A topic's top-level comments in page order (created_at, id): a page is an index range.
        sa.Index(
            "ix_topic_comments_top_level",
            "topic_id",
            "created_at",
            "id",
            postgresql_where=sa.text("parent_id IS NULL"),
            sqlite_where=sa.text("parent_id IS NULL"),
        ),
        sa.Index("ix_topic_comments_parent", "parent_id"),
        sa.CheckConstraint("(hidden_at IS NULL) OR (hidden_reason IS NOT NULL)", name="hidden_reason"),
    )


class CommentFlag(Model):
    """A person flagging a comment for the committee; once each."""

    __tablename__ = "topic_comment_flags"

    comment_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_comments.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    handled_at: Mapped[datetime | None]


class ProgressStatus(enum.StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_FEASIBLE = "not_feasible"


class Outcome(Model):
    """The committee's published outcome (结果公示) of a closed topic."""

    __tablename__ = "topic_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(sa.ForeignKey("topics.id"), unique=True)
    decision: Mapped[str] = mapped_column(sa.Text)
    responsible: Mapped[str] = mapped_column(sa.String(RESPONSIBLE_MAX))
    actions: Mapped[str] = mapped_column(sa.Text)
    #: The due date first published: a late outcome cannot be made on time by moving it.
    original_due_date: Mapped[date]
    due_date: Mapped[date]
    status: Mapped[str] = mapped_column(sa.String(12), default=ProgressStatus.PLANNED)
    published_at: Mapped[datetime] = mapped_column(default=now)
    published_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    done_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(_in("status", [s.value for s in ProgressStatus]), name="status"),
        sa.Index("ix_topic_outcomes_original_due", "original_due_date"),
    )


class OutcomeUpdate(Model):
    """A progress update on the timeline; a due-date change is kept here with the old date."""

    __tablename__ = "topic_outcome_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_outcomes.id"), index=True)
    status: Mapped[str] = mapped_column(sa.String(12))
    note: Mapped[str] = mapped_column(sa.Text)
    old_due_date: Mapped[date | None]
    new_due_date: Mapped[date | None]
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    __table_args__ = (sa.CheckConstraint(_in("status", [s.value for s in ProgressStatus]), name="status"),)


class OutcomeRating(Model):
    """A satisfaction rating of a done outcome. A change is a new version; the old one is kept.

    The rater is stored only to keep one current rating per person; pages never show it.
    """

    __tablename__ = "topic_outcome_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(sa.ForeignKey("topic_outcomes.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    level: Mapped[str] = mapped_column(sa.String(12))
    comment: Mapped[str | None] = mapped_column(sa.String(RATING_COMMENT_MAX))
    version: Mapped[int] = mapped_column(default=1)
    #: When this person first rated this outcome: the month it counts in.
    first_given_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=now)
    superseded_at: Mapped[datetime | None]

    __table_args__ = (
        sa.CheckConstraint(_in("level", SATISFACTION_LEVELS), name="level"),
        sa.Index(
            "uq_topic_outcome_ratings_current",
            "outcome_id",
            "user_id",
            unique=True,
            sqlite_where=sa.text("superseded_at IS NULL"),
            postgresql_where=sa.text("superseded_at IS NULL"),
        ),
        sa.UniqueConstraint("outcome_id", "user_id", "version"),
        sa.Index("ix_topic_outcome_ratings_first_given", "first_given_at"),
    )


# The ballots of a vote (secrecy: docs/ballot-secrecy.md) live in their own module; imported here
# so that ``consult.topics.models`` names every table of the domain.
from consult.topics.ballot_models import (  # noqa: E402, F401
    RANDOM_ID,
    Ballot,
    BallotChoice,
    SealedBallot,
    VoteParticipation,
    _random_id,
)
