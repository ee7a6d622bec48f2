"""Page data: everything one topic page shows, for one viewer, read in one place.

Templates get a ``TopicPage`` and ask the policy what the viewer may do
(``topic|can('withdraw', vote=page.vote)``); the few facts about the state they show
(collecting support, voting open, …) are properties here, so no template tests a status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from consult.core.clock import now
from consult.core.pagination import paginate
from consult.places import queries as places
from consult.places.models import Community
from consult.topics import ballots, policy, queries
from consult.topics.models import Outcome, OutcomeRating, OutcomeUpdate, Topic, TopicEvent, TopicStatus, Vote, VoteOption

S = TopicStatus


@dataclass
class TopicPage:
    """One topic as one person sees it (``topics/detail.html``, ``topics/print.html``, the review page)."""

    topic: Topic
    community: Community
    vote: Vote | None
    state: str
    committee: bool = False
    member: bool = False
    options: list[VoteOption] = field(default_factory=list)
    results: dict | None = None
    outcome: Outcome | None = None
    progress: list[OutcomeUpdate] = field(default_factory=list)
    history: list[TopicEvent] = field(default_factory=list)
    # what the viewer did (public topic page only)
    supported: bool = False
    following: bool = False
    voted: bool = False
    my_choice: list[VoteOption] = field(default_factory=list)
    ratings: dict | None = None
    my_rating: OutcomeRating | None = None
    may_rate: bool = False
    comments: Any = None
    replies: dict = field(default_factory=dict)
    electorate: int | None = None

    @property
    def collecting(self) -> bool:
        """Support is being collected now."""
        return self.state == S.COLLECTING_SUPPORT

    @property
    def shows_support(self) -> bool:
        """The support count matters: while collecting, and once the window ended without enough."""
        return bool(self.topic.support_threshold) and self.state in (S.COLLECTING_SUPPORT, S.NOT_ENOUGH_SUPPORT)

    @property
    def voting(self) -> bool:
        """The ballot is open now."""
        return self.state == S.VOTING

    @property
    def vote_scheduled(self) -> bool:
        """A vote is set up and not open yet."""
        return self.state == S.VOTE_SCHEDULED


def _base(topic: Topic, viewer) -> TopicPage:
    frame = queries.topic_frame(topic, viewer)
    community, vote, outcome = frame.community, frame.vote, frame.outcome
    return TopicPage(
        topic=topic,
        community=community,
        vote=vote,
        state=policy.state_at(topic, vote, now()),
        committee=places.can_manage_community(viewer, community),
        member=places.is_confirmed_member(viewer, community),
        outcome=outcome,
        options=frame.options,
        supported=frame.supported,
        following=frame.following,
        voted=frame.voted,
        electorate=frame.electorate,
        progress=queries.progress_of(outcome.id) if outcome else [],
    )


def topic_page(topic: Topic, viewer, *, comments_page: int = 1, cookies: Mapping[str, str] | None = None) -> TopicPage:
    """The public page of a topic: support, ballot and results, outcome and ratings, comments, history."""
    page = _base(topic, viewer)
    vote, outcome = page.vote, page.outcome
    known = {(topic.community_id, vote.scope): page.electorate} if vote and page.electorate is not None else None
    page.results = ballots.results(topic, vote, options=page.options, eligible=known) if vote else None
    if vote is not None:  # what this device remembers of the person's ballot (docs/ballot-secrecy.md)
        page.my_choice = ballots.read_receipt(viewer, vote, (cookies or {}).get(ballots.receipt_cookie(vote)))
    if outcome is not None:
        page.ratings = queries.rating_summary(outcome.id)
        page.my_rating = queries.current_rating(viewer, outcome)
        page.may_rate = policy.OutcomePolicy(outcome, topic=topic, vote=vote).can("rate", viewer)
    page.comments, page.replies = queries.comments_page(topic.id, comments_page)
    page.history = queries.history(topic.id)
    return page


def print_page(topic: Topic, viewer) -> TopicPage:
    """The printable notice: the topic, its vote and results, its outcome and progress."""
    page = _base(topic, viewer)
    page.results = ballots.results(topic, page.vote, options=page.options) if page.vote else None
    return page


def review_page(topic: Topic, viewer) -> TopicPage:
    """The committee's page of a topic: its state, vote, outcome, progress and history."""
    page = _base(topic, viewer)
    page.history = queries.history(topic.id)
    return page


@dataclass
class TopicList:
    """A community's topic list for one viewer (``topics/index.html``)."""

    page: Any
    votes: dict[int, Vote]
    mine: list[Topic]
    unpublished: dict[str, int]
    filtered: bool
    can_propose: bool
    effective: Callable[..., str] = policy.state_of
    running: Callable[[str], bool] = policy.deadline_running


def topic_list(
    community: Community, viewer, *, status: str | None, category_id: int | None, q: str | None, sort: str | None
) -> TopicList:
    """The list page: one page of topics (the committee may list unlisted ones by status), the
    viewer's own unpublished topics, and what the public sees of the unpublished ones (counts)."""
    committee = places.can_manage_community(viewer, community)
    viewer_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    select = queries.topic_list(
        community.id,
        status=status,
        category_id=category_id,
        q=q,
        sort=sort,
        include_unlisted=committee and status is not None,
        author_id=viewer_id,
    )
    # The page's votes and the community's unpublished counts come in the page's statement.
    page = paginate(select, per_page=queries.PER_PAGE, extend=lambda stmt: queries.with_votes_and_unpublished(stmt, community.id))
    if page.rows:
        votes = {row[0].id: row[1] for row in page.rows if row[1] is not None}
        unpublished = {S.PENDING_REVIEW.value: page.rows[0][2], S.REJECTED.value: page.rows[0][3]}
    else:
        votes, unpublished = {}, queries.unpublished_counts(community.id)
    return TopicList(
        page=page,
        votes=votes,
        mine=queries.unpublished_of_author(viewer_id, community.id) if viewer_id else [],
        unpublished=unpublished,
        filtered=bool(status or category_id or sort not in (None, "newest")),
        can_propose=committee or places.is_confirmed_member(viewer, community),
    )
