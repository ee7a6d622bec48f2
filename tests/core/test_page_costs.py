"""What a page costs: translations looked up once a request and still in the reader's language,
and the hot pages' SQL statements, few and the same whatever the data's size."""

import os
from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import g
from flask_babel import Domain, force_locale, format_datetime, lazy_gettext, refresh

from consult.activities import checkin, queries as activity_queries, services as activities
from consult.core import i18n, templating
from consult.core.notifications import notify
from consult.points import ledger
from consult.topics import discussion
from consult.topics.models import Vote, VoteOption


def test_pages_in_english_and_chinese_one_after_the_other(client, world):
    """The catalogue cached for one request never answers the next: zh, en, zh again, same process."""
    url = f"/c/{world.a.slug}/topics/"
    for lang, wanted, unwanted in [("zh_CN", "筛选与排序", "Filter and sort"), ("en", "Filter and sort", "筛选与排序")] * 2:
        client.raw.set_cookie("lang", lang)
        page = client.get(url).get_data(as_text=True)
        assert wanted in page and unwanted not in page, lang


def test_the_catalogue_follows_a_locale_changed_within_the_request(app):
    """force_locale (notifications in the reader's language) and refresh (a new preference) take effect at once."""
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        g.__dict__.clear()
        label = lazy_gettext("Topics")
        assert i18n.gettext("Topics") == "Topics" and str(label) == "Topics"
        with force_locale("zh_CN"):
            assert i18n.gettext("Topics") == "议题" and str(label) == "议题"
            assert app.jinja_env.from_string("{{ _('Topics') }}").render() == "议题"
        assert i18n.gettext("Topics") == "Topics"
        g.locale_override = "zh_CN"
        refresh()
        assert str(label) == "议题" and i18n.ngettext("%(num)d topic", "%(num)d topics", 2) == "2 个议题"


def test_the_catalogue_is_looked_up_once_a_request(app, monkeypatch):
    """Many translated strings, one catalogue lookup (the cost this replaces: one per string)."""
    calls = []
    original = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda domain: calls.append(1) or original(domain))
    with app.test_request_context():
        g.__dict__.clear()
        for _ in range(50):
            i18n.gettext("Topics")
            str(lazy_gettext("Topics"))
        app.jinja_env.from_string("{% for i in range(20) %}{{ _('Topics') }}{% endfor %}").render()
    assert len(calls) == 1


def test_dates_written_without_babel_read_as_babel_writes_them(app):
    """|dt's strftime shortcut for the all-digit patterns gives Babel's text in both languages."""
    moments = [
        datetime(2026, 1, 1, 23, 30, tzinfo=UTC),  # the next day in Beijing
        datetime(2026, 6, 30, 16, 5),  # naive: stored UTC
        datetime(2026, 3, 1, 1, 2, tzinfo=timezone(timedelta(hours=-5))),
    ]
    for lang in ("en", "zh_CN"):
        with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
            g.__dict__.clear()
            for moment in moments:
                for fmt in ("yyyy-MM-dd HH:mm", "yyyy-MM-dd", "HH:mm"):
                    assert templating.dt(moment, fmt) == format_datetime(moment, fmt)
            assert templating.dt(moments[0]) == "2026-01-02 07:30"


# --- SQL statements per page ---------------------------------------------------------------------

#: The hot pages of issue 14: (name, URL, budget of statements). The session check counts as one.
#: Over the budget of 6, measured and left for now (see docs/operations.md): the ranking and the
#: community evaluation compute the month live from every source; the community home's panels;
#: my points (balances, rewards, entries, month totals, redemptions: one each).
PAGES = [
    ("home", lambda w: "/", 6),
    ("street", lambda w: f"/streets/{w.street.slug}/", 6),
    ("ranking", lambda w: f"/streets/{w.street.slug}/ranking", 25),  # +1: appointment ratings (issue 16)
    ("community home", lambda w: f"/c/{w.a.slug}/", 8),
    ("topic list", lambda w: f"/c/{w.a.slug}/topics/", 6),
    ("topic list, page 2", lambda w: f"/c/{w.a.slug}/topics/?page=2", 6),
    ("topic search", lambda w: f"/c/{w.a.slug}/topics/?q=%E8%AE%AE%E9%A2%98", 6),
    ("topic filter", lambda w: f"/c/{w.a.slug}/topics/?status=voting", 6),
    ("open ballot with comments", lambda w: f"/topics/{w.topic('voting').id}", 6),
    ("its second comment page", lambda w: f"/topics/{w.topic('voting').id}?page=2", 6),
    ("open ballot with live results", lambda w: f"/topics/{w.live_ballot.id}", 6),
    ("activity list", lambda w: f"/c/{w.a.slug}/activities/", 6),
    ("activity", lambda w: f"/activities/{w.busy_activity.id}", 6),
    ("community evaluation", lambda w: f"/c/{w.a.slug}/evaluation/", 40),
    ("API topic list", lambda w: f"/api/v1/communities/{w.a.slug}/topics", 6),
    ("my points", lambda w: "/me/points", 7),
]


def _grow(world, n: int) -> None:
    """n more of everything the pages list: topics (voting with live results, closed), comments
    and replies on the open ballot, activities, ledger entries and unread notifications."""
    voting = world.topic("voting")
    for i in range(n):
        world.factory.topic(world, "voting", title=f"议题投票{i}", live_results=True)
        world.factory.topic(world, "closed", title=f"议题结束{i}")
        person = world.factory.resident(world.a)
        note = discussion.comment(person, voting, f"评论{i}")
        discussion.comment(world.resident, voting, "回复", parent_id=note.id)
        world.factory.activity(world)
        ledger.bonus(world.worker, world.resident, world.a, 1, f"加分{i}")
        notify(world.resident.id, f"page-costs:{i}", "Your password was reset with a code from your committee.")


def _second_pages(world) -> None:
    """Enough for a second page of topics (20 a page) and of comments (50 a page) before counting."""
    voting = world.topic("voting")
    for i in range(21):
        world.factory.topic(world, "collecting_support", title=f"议题{i}")
    for i in range(51):
        discussion.comment(world.worker, voting, f"早先的评论{i}")


#: every page as a visitor and as a resident, but my points (a signed-in page) only as the resident
CASES = [(who, *page) for page in PAGES for who in ("visitor", "resident") if not (page[0] == "my points" and who == "visitor")]


@pytest.mark.parametrize("who, name, url_of, budget", CASES, ids=[f"{c[1]}-{c[0]}" for c in CASES])
def test_statements_per_page_are_few_and_flat(name, url_of, budget, who, world, login_as, client, count_queries, db):
    """The same number of statements with 1 and with 30 of everything, and no more than the budget."""
    world.busy_activity = world.factory.activity(world)
    world.live_ballot = world.factory.topic(world, "voting", live_results=True)
    if "page 2" in name or "second" in name:
        _second_pages(world)
    viewer = client if who == "visitor" else login_as(world.resident)

    def count() -> int:
        url = url_of(world)
        viewer.get(url)
        with count_queries() as counter:
            assert viewer.get(url).status_code == 200
        if os.environ.get("SHOW_STATEMENTS"):
            print(f"\nSTATEMENTS {name} {who}", *(" ".join(s.split())[:160] for s in counter.statements), sep="\n  ")
        return counter.count

    _grow(world, 1)
    small = count()
    _grow(world, 29)
    large = count()
    assert large == small, f"{name}: {small} statements with 1 of everything, {large} with 30"
    assert small <= budget, f"{name}: {small} statements, budget {budget}"


def test_an_activitys_rating_counts_and_comments_come_in_one_statement(world, db, clock, count_queries):
    """Counts by level and the newest comments (with their times) from the one union statement."""
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    people = [world.party, world.resident] + [world.factory.resident(world.a) for _ in range(2)]
    for person in people:
        activities.sign_up(person, activity)
        activities.check_in(person, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    checkin.rate_activity(people[0], activity, "satisfied", "楼道干净了")
    clock.advance(minutes=5)
    checkin.rate_activity(people[1], activity, "satisfied", "很好")
    checkin.rate_activity(people[2], activity, "unsatisfied")
    with count_queries() as counter:
        summary = activity_queries.rating_summary(activity.id)
    assert counter.count == 1
    assert summary["total"] == 3 and dict(summary["levels"])["satisfied"] == 2 and dict(summary["levels"])["unsatisfied"] == 1
    assert [(level, text) for level, text, _ in summary["comments"]] == [("satisfied", "很好"), ("satisfied", "楼道干净了")]
    assert all(isinstance(moment, datetime) and moment.tzinfo for _, _, moment in summary["comments"])


#: A vote POST by a voter who has not voted yet: the session check, the topic locked with all the
#: rules read (vote, options, community, the voter's residence), the sealed ballot and the
#: participation inserted unless there, the vote's counters and sealed tally, the topic's count (19 before).
VOTE_POST_BUDGET = 6


@pytest.mark.parametrize("live", [False, True], ids=["results-at-closing", "live-results"])
def test_a_vote_post_costs_the_same_few_statements_whatever_the_ballots(live, world, login_as, count_queries, db):
    """A new voter's ballot with 1 and with 30 ballots already cast: no more statements, within the budget."""
    topic = world.factory.topic(world, "voting", live_results=live)
    vote = db.session.scalar(sa.select(Vote).where(Vote.topic_id == topic.id))
    option = db.session.scalar(sa.select(VoteOption.id).where(VoteOption.vote_id == vote.id).order_by(VoteOption.id))
    url = f"/topics/{topic.id}/vote"

    def cast(person) -> int:
        client = login_as(person)
        token = client.csrf_token("/")
        with count_queries() as counter:
            assert client.post(url, {"options": option, "csrf_token": token}).status_code == 302
        if os.environ.get("SHOW_STATEMENTS"):
            print("\nSTATEMENTS vote POST", *(" ".join(s.split())[:160] for s in counter.statements), sep="\n  ")
        return counter.count

    cast(world.factory.resident(world.a))
    small = cast(world.factory.resident(world.a))
    for _ in range(28):
        cast(world.factory.resident(world.a))
    large = cast(world.factory.resident(world.a))
    assert large == small, f"vote POST: {small} statements after 1 ballot, {large} after 30"
    assert small <= VOTE_POST_BUDGET, f"vote POST: {small} statements, budget {VOTE_POST_BUDGET}"
