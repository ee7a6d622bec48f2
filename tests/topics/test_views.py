"""Topic pages: the flows through HTTP, bad input, secrecy on pages, query counts."""

import base64
import json
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.clock import local_now, site_zone
from consult.core.templating import dt
from consult.topics import ballots, discussion, models, policy, review
from consult.topics.models import Category, Topic, TopicStatus as S, VoteOption


def parking(db):
    return db.session.scalar(sa.select(Category).where(Category.key == "parking")).id


def test_propose_draft_and_submit(login_as, world, db):
    client = login_as(world.resident)
    page = client.get(f"/c/{world.a.slug}/topics/new").get_data(as_text=True)
    assert "停车交通" in page  # default categories, translated
    response = client.post(
        f"/c/{world.a.slug}/topics/new", {"title": "楼道灯坏了", "body": "3号楼2单元", "category": parking(db), "action": "draft"}
    )
    assert response.status_code == 302
    topic = db.session.scalar(sa.select(Topic).where(Topic.title == "楼道灯坏了"))
    assert topic.status == S.DRAFT
    assert login_as(world.party).get(f"/topics/{topic.id}").status_code == 404  # a draft is its author's
    client = login_as(world.resident)
    assert client.post(f"/topics/{topic.id}/submit", {}).status_code == 302
    db.session.refresh(topic)
    assert topic.status == S.PENDING_REVIEW


@pytest.mark.parametrize(
    "data, status",
    [
        ({"title": "", "body": "x"}, 400),
        ({"title": "x" * 81, "body": "x"}, 400),
        ({"title": "ok", "body": ""}, 400),
        ({"title": "ok", "body": "x" * 10001}, 400),
        ({"title": "ok\x07", "body": "x"}, 400),
        ({"title": "ok", "body": "x", "category": "99999"}, 400),
    ],
)
def test_propose_bad_input(login_as, world, db, data, status):
    data = {"category": parking(db), **data}
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Topic))
    assert login_as(world.resident).post(f"/c/{world.a.slug}/topics/new", data).status_code == status
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Topic)) == before


def test_markdown_is_rendered_inert(login_as, world, db):
    body = '<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror="alert(3)"> **粗体**'
    client = login_as(world.resident)
    client.post(f"/c/{world.a.slug}/topics/new", {"title": "测试", "body": body, "category": parking(db)})
    topic = db.session.scalar(sa.select(Topic).where(Topic.title == "测试"))
    page = client.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and 'href="javascript:' not in page and "<img" not in page
    assert "<strong>粗体</strong>" in page


def test_pending_member_cannot_propose(login_as, world):
    assert login_as(world.pending).get(f"/c/{world.a.slug}/topics/new").status_code == 403
    assert login_as(world.other_worker).post(f"/c/{world.a.slug}/topics/new", {"title": "x", "body": "y"}).status_code == 403


def test_review_through_pages(login_as, world, db):
    topic = world.topic("pending_review")
    client = login_as(world.worker)
    todo = client.get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)
    assert topic.title in todo
    assert client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/reject", {"reason": ""}).status_code == 400
    assert client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/approve", {}).status_code == 302
    db.session.refresh(topic)
    assert topic.status == S.COLLECTING_SUPPORT
    assert client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/approve", {}).status_code == 409


def test_worker_of_another_community_cannot_moderate(login_as, world, db):
    topic = world.topic("pending_review")
    client = login_as(world.other_worker)
    assert client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/approve", {}).status_code == 403
    assert client.post(f"/manage/c/{world.b.slug}/topics/{topic.id}/approve", {}).status_code == 404
    db.session.refresh(topic)
    assert topic.status == S.PENDING_REVIEW


def test_support_vote_and_results_through_pages(login_as, world, db):
    topic = world.topic()
    client = login_as(world.party)
    assert client.post(f"/topics/{topic.id}/support", {}).status_code == 302
    assert client.post(f"/topics/{topic.id}/support", {}).status_code == 409
    assert login_as(world.pending).post(f"/topics/{topic.id}/support", {}).status_code == 403
    voting = world.topic("voting")
    vote = policy.vote_of(voting)
    option = {o.key: o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    client = login_as(world.resident)
    page = client.get(f"/topics/{voting.id}").get_data(as_text=True)
    assert "Cast" in page or "投票" in page
    assert client.post(f"/topics/{voting.id}/vote", {"options": option["for"]}).status_code == 302
    page = client.get(f"/topics/{voting.id}").get_data(as_text=True)
    assert 'id="vote-h"' in page and 'class="bars"' not in page  # no results while voting (live results off)
    other_topic = world.topic("closed")
    foreign = policy.vote_of(other_topic)
    foreign_option = db.session.scalar(sa.select(VoteOption.id).where(VoteOption.vote_id == foreign.id))
    assert client.post(f"/topics/{voting.id}/vote", {"options": foreign_option}).status_code == 400
    assert client.post(f"/topics/{other_topic.id}/vote", {"options": foreign_option}).status_code == 400  # closed
    assert login_as(world.pending).post(f"/topics/{voting.id}/vote", {"options": option["for"]}).status_code == 403


def test_no_page_shows_who_voted_for_what(login_as, world, db, clock):
    """A difference test: every page anyone but the voter opens is the same whatever the voter chose.

    A leak of the choice anywhere (a tag, an attribute, an audit entry, the data export, a
    paper ballot's record) makes two renderings differ, however the page is laid out.
    """
    topic = world.topic("voting")
    vote = policy.vote_of(topic)
    option = {o.key: o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    urls = [
        f"/topics/{topic.id}",
        f"/topics/{topic.id}/print",
        f"/c/{world.a.slug}/",
        f"/c/{world.a.slug}/topics/",
        f"/manage/c/{world.a.slug}/audit",
        f"/manage/c/{world.a.slug}/topics/{topic.id}/",
        f"/manage/c/{world.a.slug}/topics/{topic.id}/paper",
        f"/manage/c/{world.a.slug}/",
        "/me/data",
        "/me/notifications",
        f"/api/v1/communities/{world.a.slug}/topics",
    ]
    volatile = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+|nonce="[^"]+"|"exported_at": *"[^"]+"')

    def snapshot():
        pages = {}
        for who in (world.worker, world.street_admin, world.party, world.resident):
            client = login_as(who)
            client.raw.delete_cookie(f"ballot-{vote.id}", path=f"/topics/{topic.id}")  # the voter's own device aside
            for url in urls:
                response = client.get(url)
                body = response.get_data(as_text=True)
                if url == "/me/data" and response.status_code == 200:
                    data = json.loads(body)
                    data.pop("sessions", None)  # this test's own log-ins, never the ballot
                    body = json.dumps(data, ensure_ascii=False, sort_keys=True)
                pages[(who.username, url)] = (response.status_code, volatile.sub(r"\1", body))
        return pages

    login_as(world.resident).post(f"/topics/{topic.id}/vote", {"options": option["against"]})
    ballots.cast_ballot(world.party, topic, [option["for"]], recorded_by=world.worker)  # and a paper ballot
    db.session.commit()
    against = snapshot()
    login_as(world.resident).post(f"/topics/{topic.id}/vote", {"options": option["for"]})
    db.session.commit()
    assert snapshot() == against
    # The pages looked at hold the votes at all (the comparison is not between two empty pages).
    assert "目前已投 2 票" in against[("party", f"/topics/{topic.id}")][1]
    assert "录入了一张纸质选票" in against[("worker", f"/manage/c/{world.a.slug}/audit")][1]
    assert against[("resident", "/me/data")][0] == 200 and against[("worker", f"/manage/c/{world.a.slug}/audit")][0] == 200


def test_comment_reply_edit_flag_hide_through_pages(login_as, world, db):
    topic = world.topic()
    client = login_as(world.resident)
    assert client.post(f"/topics/{topic.id}/comments", {"body": ""}).status_code == 400
    assert client.post(f"/topics/{topic.id}/comments", {"body": "我也遇到过"}).status_code == 302
    note = db.session.scalar(sa.select(models.Comment).where(models.Comment.topic_id == topic.id))
    assert client.get(f"/topics/{topic.id}/comments/{note.id}/edit").status_code == 200
    assert client.post(f"/topics/{topic.id}/comments/{note.id}/edit", {"body": "改一下"}).status_code == 302
    assert login_as(world.party).post(f"/topics/{topic.id}/comments/{note.id}/flag", {}).status_code == 302
    worker = login_as(world.worker)
    assert "改一下" in worker.get(f"/manage/c/{world.a.slug}/topics/flags").get_data(as_text=True)
    assert worker.post(f"/manage/c/{world.a.slug}/topics/comments/{note.id}/hide", {"reason": "与议题无关"}).status_code == 302
    page = login_as(None).get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "与议题无关" in page and "改一下" not in page


def test_comment_posting_is_rate_limited(login_as, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "COMMENT_LIMIT", "2 per minute")
    topic = world.topic()
    client = login_as(world.resident)
    assert [client.post(f"/topics/{topic.id}/comments", {"body": f"第{i}条"}).status_code for i in range(3)] == [302, 302, 429]


def test_vote_setup_outcome_progress_and_rating_through_pages(login_as, world, db):
    topic = world.topic("ready_for_vote")
    client = login_as(world.worker)
    start = local_now().replace(tzinfo=None) - timedelta(minutes=5)
    fmt = "%Y-%m-%dT%H:%M"
    bad = client.post(
        f"/manage/c/{world.a.slug}/topics/{topic.id}/vote",
        {
            "kind": "yes_no",
            "scope": "resident",
            "max_choices": 1,
            "opens_at": start.strftime(fmt),
            "closes_at": start.strftime(fmt),
        },
    )
    assert bad.status_code == 400
    ok = client.post(
        f"/manage/c/{world.a.slug}/topics/{topic.id}/vote",
        {
            "kind": "yes_no",
            "scope": "resident",
            "max_choices": 1,
            "opens_at": start.strftime(fmt),
            "closes_at": (start + timedelta(days=2)).strftime(fmt),
        },
    )
    assert ok.status_code == 302
    db.session.refresh(topic)
    assert topic.status == S.VOTING
    vote = policy.vote_of(topic)
    options = [o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))]
    paper = client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/paper", {"username": "party", "options": options[0]})
    assert paper.status_code == 302
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/topics/{topic.id}/paper", {"username": "nobody", "options": options[0]}
        ).status_code
        == 404
    )
    assert client.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/close", {"reason": "会议结束"}).status_code == 302
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/topics/{topic.id}/outcome",
            {"decision": "同意", "responsible": "物业", "actions": "施工", "due_date": "2026-13-01"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/topics/{topic.id}/outcome",
            {"decision": "同意", "responsible": "物业", "actions": "施工", "due_date": "2027-01-01"},
        ).status_code
        == 302
    )
    resident = login_as(world.resident)
    assert resident.post(f"/topics/{topic.id}/rate", {"level": "satisfied"}).status_code == 400  # not done yet
    worker = login_as(world.worker)
    assert (
        worker.post(f"/manage/c/{world.a.slug}/topics/{topic.id}/progress", {"status": "done", "note": "完工"}).status_code == 302
    )
    resident = login_as(world.resident)
    assert resident.post(f"/topics/{topic.id}/rate", {"level": "great"}).status_code == 400
    assert resident.post(f"/topics/{topic.id}/rate", {"level": "basically", "comment": "还行"}).status_code == 302
    page = login_as(world.worker).get(f"/topics/{topic.id}").get_data(as_text=True)
    assert "还行" in page


def test_print_notice_has_a_qr_code(client, world):
    topic = world.topic("outcome_done")
    page = client.get(f"/topics/{topic.id}/print").get_data(as_text=True)
    assert "<svg" in page and f"/topics/{topic.id}" in page and "增设夜间停车位" in page


def open_votes(page: str) -> str:
    """The "open votes waiting for you" list of a community home ('' when there is none)."""
    found = re.search(r'<ul id="open-votes">(.*?)</ul>', page, re.S)
    return found.group(1) if found else ""


def test_list_filters_and_community_home(client, world, login_as, db, factory):
    world.factory.topic(world, "collecting_support", title="小区停车难")
    world.factory.topic(world, "collecting_support", title="楼道堆物", body="楼道里堆满杂物。")
    page = client.get(f"/c/{world.a.slug}/topics/?q=停车&sort=supported&status=collecting_support").get_data(as_text=True)
    assert "小区停车难" in page and "楼道堆物" not in page
    assert client.get(f"/c/{world.a.slug}/topics/?status=bogus&category=abc&sort=evil&page=999").status_code == 200
    voting = world.topic("voting")
    other = world.factory.topic(world, "voting", title="另一个投票")
    household = world.factory.topic(world, "voting", title="按户投票", scope="household")
    link = lambda t: f'href="/topics/{t.id}"'  # noqa: E731
    waiting = open_votes(login_as(world.resident).get(f"/c/{world.a.slug}/").get_data(as_text=True))
    assert link(voting) in waiting and link(other) in waiting and link(household) in waiting
    vote = policy.vote_of(voting)
    ballots.cast_ballot(
        world.resident, voting, [db.session.scalar(sa.select(VoteOption.id).where(VoteOption.vote_id == vote.id))]
    )
    spouse = factory.resident(world.a, building="3", unit="2", room="301")  # same flat as world.resident
    hvote = policy.vote_of(household)
    ballots.cast_ballot(spouse, household, [db.session.scalar(sa.select(VoteOption.id).where(VoteOption.vote_id == hvote.id))])
    db.session.commit()
    waiting = open_votes(login_as(world.resident).get(f"/c/{world.a.slug}/").get_data(as_text=True))
    assert link(other) in waiting  # still waiting for them
    assert link(voting) not in waiting  # they voted
    assert link(household) not in waiting  # their household voted
    assert link(household) in open_votes(login_as(world.party).get(f"/c/{world.a.slug}/").get_data(as_text=True))  # another flat


def test_unknown_topic_and_comment_ids(client, world, login_as):
    assert client.get("/topics/999999").status_code == 404
    assert login_as(world.resident).post("/topics/999999/support", {}).status_code == 404
    topic = world.topic()
    assert login_as(world.resident).get(f"/topics/{topic.id}/comments/999999/edit").status_code == 404


def test_settings_page(login_as, world, db):
    client = login_as(world.worker)
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/topics/settings", {"threshold_kind": "share", "threshold_value": 150, "support_days": 7}
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/topics/settings", {"threshold_kind": "share", "threshold_value": 5, "support_days": 7}
        ).status_code
        == 302
    )
    assert client.post(f"/manage/c/{world.a.slug}/topics/settings", {"category-name": "加装电梯"}).status_code == 302
    assert "加装电梯" in client.get(f"/c/{world.a.slug}/topics/new").get_data(as_text=True)


@pytest.mark.parametrize(
    "url_of",
    [
        lambda w: f"/c/{w.a.slug}/topics/",
        lambda w: f"/topics/{w.topic('voting').id}",
        lambda w: f"/manage/c/{w.a.slug}/topics/",
        lambda w: f"/c/{w.a.slug}/",
    ],
)
def test_query_counts_do_not_grow(url_of, login_as, world, count_queries, db):
    topic = world.topic("voting")
    url = url_of(world)
    client = login_as(world.worker)
    vote = policy.vote_of(topic)
    option = db.session.scalar(sa.select(VoteOption.id).where(VoteOption.vote_id == vote.id))

    def grow(n):
        for i in range(n):
            world.factory.topic(world, "collecting_support", title=f"更多{i}")
            person = world.factory.resident(world.a)
            note = discussion.comment(person, topic, f"评论{i}")
            discussion.comment(world.resident, topic, "回复", parent_id=note.id)
            ballots.cast_ballot(person, topic, [option])

    def count():
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    grow(2)
    small = count()
    grow(20)
    assert count() == small


def test_unpublished_topics_are_their_authors_and_the_committees(client, login_as, world, db):
    """Drafts, reviews, rejections and topics withdrawn before approval: 404 for everyone else, counts for the public."""
    pending = world.factory.topic(world, "pending_review", title="待审的议题")
    rejected = world.factory.topic(world, "rejected", title="未通过的议题")
    withdrawn_early = world.factory.topic(world, "withdrawn", title="审核前撤回的议题")
    public = world.factory.topic(world, "collecting_support", title="公开的议题")
    secret_titles = ("待审的议题", "未通过的议题", "审核前撤回的议题")
    for topic in (pending, rejected, withdrawn_early):
        for who in (None, world.party, world.pending, world.other_worker, world.other_street_admin):
            c = login_as(who)
            assert c.get(f"/topics/{topic.id}").status_code == 404, (topic.status, who)
            assert c.get(f"/topics/{topic.id}/print").status_code == 404
            if who is not None:
                assert c.post(f"/topics/{topic.id}/follow", {}).status_code == 404
                assert c.post(f"/topics/{topic.id}/comments", {"body": "看到了"}).status_code == 404
                assert c.get(f"/topics/{topic.id}/edit").status_code == 404
        assert login_as(world.resident).get(f"/topics/{topic.id}").status_code == 200  # the author
        assert login_as(world.worker).get(f"/topics/{topic.id}").status_code == 200  # the committee
        assert login_as(world.street_admin).get(f"/topics/{topic.id}").status_code == 200
        assert login_as(world.worker).get(f"/topics/{topic.id}/print").status_code == 404  # notices are for published topics
    assert login_as(world.party).get(f"/topics/{public.id}").status_code == 200
    # Lists: every filter, for the public; the author sees their own, the committee all.
    for query in ("", "?status=pending_review", "?status=rejected", "?status=withdrawn", "?q=议题", "?sort=closing"):
        page = login_as(world.party).get(f"/c/{world.a.slug}/topics/{query}").get_data(as_text=True)
        assert not [t for t in secret_titles if t in page], query
    page = client.get(f"/c/{world.a.slug}/topics/").get_data(as_text=True)
    assert "1 waiting for the committee" in page or "1 个等待居委会审核" in page  # counts, not titles
    assert "待审的议题" in login_as(world.resident).get(f"/c/{world.a.slug}/topics/?status=pending_review").get_data(as_text=True)
    assert "待审的议题" in login_as(world.worker).get(f"/c/{world.a.slug}/topics/?status=pending_review").get_data(as_text=True)
    home = login_as(world.party).get(f"/c/{world.a.slug}/").get_data(as_text=True)
    assert "公开的议题" in home and not [t for t in secret_titles if t in home]
    api = client.get(f"/api/v1/communities/{world.a.slug}/topics?per_page=100").get_json()
    assert {i["title"] for i in api["items"]} & set(secret_titles) == set() and "公开的议题" in {i["title"] for i in api["items"]}
    assert not [
        t
        for t in secret_titles
        if t in client.get(f"/api/v1/communities/{world.a.slug}/topics?format=csv").get_data(as_text=True)
    ]
    records = client.get(f"/c/{world.a.slug}/evaluation/records?figure=topics_response").get_data(as_text=True)
    assert not [t for t in secret_titles if t in records]


def test_support_box_only_while_collecting_and_early_closing_time_shown(login_as, world, db, app):
    topic = world.factory.topic(world, "collecting_support", title="附议中的议题")
    client = login_as(world.party)
    assert 'id="support"' in client.get(f"/topics/{topic.id}").get_data(as_text=True)
    review.send_to_vote(world.worker, topic)
    assert 'id="support"' not in login_as(world.party).get(f"/topics/{topic.id}").get_data(as_text=True)  # gone to a vote
    for stage in ("voting", "closed", "outcome_done"):
        assert 'id="support"' not in login_as(world.party).get(f"/topics/{world.topic(stage).id}").get_data(as_text=True), stage
    closed = world.topic("closed")  # closed early by the committee
    vote = policy.vote_of(closed)
    with app.test_request_context():
        planned, actual = dt(vote.closes_at), dt(vote.closed_at)
    for url in (f"/topics/{closed.id}", f"/manage/c/{world.a.slug}/topics/{closed.id}/"):
        page = login_as(world.worker).get(url).get_data(as_text=True)
        assert actual in page and planned not in page, url


def test_a_voter_sees_their_choice_on_their_own_device_only(login_as, world, db, factory):
    topic = world.factory.topic(world, "voting", scope="household")
    vote = policy.vote_of(topic)
    option = {o.key: o.id for o in db.session.scalars(sa.select(VoteOption).where(VoteOption.vote_id == vote.id))}
    client = login_as(world.resident)
    assert 'id="my-choice"' not in client.get(f"/topics/{topic.id}").get_data(as_text=True)
    assert client.post(f"/topics/{topic.id}/vote", {"options": option["against"]}).status_code == 302
    cookie = client.raw.get_cookie(f"ballot-{vote.id}", path=f"/topics/{topic.id}")
    assert cookie is not None and cookie.http_only
    assert (
        b'"o"' not in base64.urlsafe_b64decode(cookie.value) and len(cookie.value) > 600
    )  # sealed and padded, not the option id
    mine = re.search(r'id="my-choice">(.*?)</p>', client.get(f"/topics/{topic.id}").get_data(as_text=True), re.S).group(1)
    assert "反对" in mine and "赞成" not in mine
    # The same browser, another person (a spouse of the same household, a worker): nothing of it.
    spouse = factory.resident(world.a, building="3", unit="2", room="301")
    for other in (spouse, world.worker, world.party):
        page = login_as(other).get(f"/topics/{topic.id}").get_data(as_text=True)
        theirs = re.search(r'id="my-choice">(.*?)</p>', page, re.S)
        assert theirs is None or "最后在本设备上选择" not in theirs.group(1), other.username
        assert "checked" not in page.split('id="vote-h"')[1].split("</section>")[0]  # nothing pre-selected either
    # The spouse sees that the household voted, and that the site cannot say what.
    assert "不能显示你选了什么" in login_as(spouse).get(f"/topics/{topic.id}").get_data(as_text=True)
    # A tampered or foreign cookie shows nothing and breaks nothing.
    client = login_as(world.resident)
    client.raw.set_cookie(f"ballot-{vote.id}", "AAAA" + cookie.value[4:], path=f"/topics/{topic.id}")
    page = client.get(f"/topics/{topic.id}")
    assert page.status_code == 200 and "最后在本设备上选择" not in page.get_data(as_text=True)


def test_change_and_cancel_a_scheduled_vote_through_pages(login_as, world, db, clock):
    topic = world.topic("vote_scheduled")
    client = login_as(world.worker)
    base = f"/manage/c/{world.a.slug}/topics/{topic.id}"
    assert f"{base}/vote/change" in client.get(f"{base}/").get_data(as_text=True)
    page = client.get(f"{base}/vote/change").get_data(as_text=True)
    fmt = "%Y-%m-%dT%H:%M"
    assert f'value="{policy.vote_of(topic).opens_at.astimezone(site_zone()).strftime(fmt)}"' in page  # filled in as it is
    assert re.search(r'<input checked[^>]*value="yes_no"', page)
    start = (local_now() + timedelta(days=3)).replace(tzinfo=None)
    data = {"kind": "yes_no", "scope": "household", "max_choices": 1, "opens_at": start.strftime(fmt)}
    assert client.post(f"{base}/vote/change", {**data, "closes_at": start.strftime(fmt)}).status_code == 400
    assert policy.vote_of(topic).scope == "resident"  # nothing written
    assert client.post(f"{base}/vote/change", {**data, "closes_at": (start + timedelta(days=2)).strftime(fmt)}).status_code == 302
    db.session.expire_all()
    assert policy.vote_of(topic).scope == "household"
    assert login_as(world.other_worker).post(f"{base}/vote/cancel", {"reason": "x"}).status_code == 403
    client = login_as(world.worker)
    assert client.post(f"{base}/vote/cancel", {"reason": ""}).status_code == 400
    assert client.post(f"{base}/vote/cancel", {"reason": "改期"}).status_code == 302
    db.session.expire_all()
    assert policy.vote_of(topic) is None and db.session.get(Topic, topic.id).status == S.READY_FOR_VOTE
    assert client.get(f"{base}/vote/change").status_code == 404  # no vote to change any more
    opened = world.topic("voting")
    assert client.post(f"/manage/c/{world.a.slug}/topics/{opened.id}/vote/cancel", {"reason": "改期"}).status_code == 409
