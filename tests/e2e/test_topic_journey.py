"""The whole life of a topic in Chromium on a phone: propose → review → support → vote → close →
outcome → progress → rating, with the clock moved by the test and axe-core on every page."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from consult.core import clock
from consult.topics import services
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout, press, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_topic_from_proposal_to_rating(committed_db, contexts, live_server):
    start = datetime.now(UTC).replace(microsecond=0)
    clock.set_now(start)
    world = Factory(committed_db.session).world()
    services.update_settings(world.worker, world.a, threshold_kind="count", threshold_value=2, support_days=7)
    committed_db.session.commit()
    a = world.a.slug
    page = contexts.new_page()

    # A resident proposes.
    login(page, live_server, "resident")
    visit(page, f"/c/{a}/topics/new")
    page.fill('input[name="title"]', "小区停车难")
    page.fill('textarea[name="body"]', "晚上车位不够，建议施划**夜间车位**。")
    page.select_option('select[name="category"]', label="停车交通")
    press(page, 'button[name="action"][value="submit"]')
    assert re.search(r"/topics/\d+$", page.url), page.url  # the new topic, not the form again
    topic_url = page.url.replace(live_server, "")
    topic_id = int(topic_url.rsplit("/", 1)[1])
    check_axe(page)
    assert page.locator("strong", has_text="夜间车位").count() == 1
    logout(page)

    # The committee sees it on the to-do page and approves it.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/")
    assert page.locator("td", has_text="小区停车难").count() == 1
    visit(page, f"/manage/c/{a}/topics/{topic_id}/")
    press(page, f'form[action$="/topics/{topic_id}/approve"] button')
    check_axe(page)
    logout(page)

    # Two residents support it: the threshold is reached.
    for name in ("party", "resident"):
        login(page, live_server, name)
        visit(page, topic_url)
        press(page, f'form[action="/topics/{topic_id}/support"] button')
        logout(page)

    # The committee sets up the vote, open now for two days.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/topics/{topic_id}/vote")
    local = clock.local_now().replace(tzinfo=None)
    page.fill('input[name="opens_at"]', local.strftime("%Y-%m-%dT%H:%M"))
    page.fill('input[name="closes_at"]', (local + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    press(page, 'main form button[type="submit"]')
    assert f"/manage/c/{a}/topics/{topic_id}/" in page.url
    logout(page)

    # The support box went with the vote.
    visit(page, topic_url)
    assert page.locator("#support").count() == 0

    # Residents vote; one changes their mind. Each sees their own last choice, on this device only.
    for name, choice in (("resident", "赞成"), ("party", "反对"), ("party", "赞成")):
        login(page, live_server, name)
        visit(page, topic_url)
        page.get_by_label(choice, exact=True).check()
        press(page, f'form[action="/topics/{topic_id}/vote"] button')
        assert page.locator("#my-choice").inner_text().startswith(f"最后在本设备上选择：{choice}。")
        assert page.locator("p.note", has_text="您已投票").count() == 1
        logout(page)
    login(page, live_server, "worker")  # another person on the same browser sees no one's choice
    visit(page, topic_url)
    assert page.locator("#my-choice").count() == 0
    logout(page)

    # Two days later voting has closed by itself: results as a table.
    clock.set_now(start + timedelta(days=2, minutes=5))
    visit(page, topic_url)
    results = page.locator("table.bars").first
    assert results.locator("tr", has_text="赞成").locator("td").first.inner_text() == "2"
    assert results.locator("tr", has_text="反对").locator("td").first.inner_text() == "0"
    assert "应投 2 票，实投 2 票" in page.locator("#vote-h").locator("..").inner_text()

    # The committee publishes the outcome and reports it done.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/topics/{topic_id}/outcome")
    page.fill('textarea[name="decision"]', "同意施划 20 个夜间车位。")
    page.fill('input[name="responsible"]', "物业服务中心")
    page.fill('textarea[name="actions"]', "施划车位，设置告示牌。")
    page.fill('input[name="due_date"]', (clock.local_now() + timedelta(days=30)).strftime("%Y-%m-%d"))
    press(page, 'main form button[type="submit"]')
    clock.set_now(start + timedelta(days=20))
    login(page, live_server, "worker")  # twenty days on, the session has ended (docs/sessions.md)
    visit(page, f"/manage/c/{a}/topics/{topic_id}/")
    page.select_option('select[name="status"]', "done")
    page.fill('textarea[name="note"]', "车位已全部施划。")
    press(page, f'form[action$="/topics/{topic_id}/progress"] button')
    logout(page)

    # A resident who could vote rates it; the page shows the rating, never who gave it.
    login(page, live_server, "party")
    visit(page, topic_url)
    page.get_by_label("满意", exact=True).check()
    page.fill('textarea[name="comment"]', "晚上好停车了")
    press(page, f'form[action="/topics/{topic_id}/rate"] button')
    check_axe(page)
    outcome = page.locator("#outcome")
    assert "晚上好停车了" in outcome.inner_text()
    assert "党员张" not in outcome.inner_text()
    clock.set_now(None)


def test_topic_list_filters_fold_away_on_a_phone(committed_db, contexts, live_server):
    """On a 375 px phone the first topic shows on the first screen, filters folded (without JS too);
    on a wide screen the filters are shown as they are."""
    world = Factory(committed_db.session).world()
    for i in range(3):
        world.factory.topic(world, "collecting_support", title=f"议题{i}号")
    committed_db.session.commit()
    url = f"/c/{world.a.slug}/topics/"
    for javascript in (True, False):
        page = contexts.new_page(java_script_enabled=javascript)
        page.goto(url)
        check_no_sideways_scroll(page)
        assert not page.locator('select[name="status"]').is_visible()
        first = page.locator(".topic-list li").first.bounding_box()
        assert first["y"] < 812, first  # a topic above the fold
        page.locator("#more-filters > summary").click()
        assert page.locator('select[name="status"]').is_visible()
        page.select_option('select[name="status"]', "collecting_support")
        press(page, '.filters button[type="submit"]')
        assert page.locator("#more-filters").get_attribute("open") is not None  # a filter in use stays in sight
        if javascript:
            check_axe(page)
    wide = contexts.new_page(viewport={"width": 1280, "height": 900})
    wide.goto(url)
    assert wide.locator('select[name="status"]').is_visible() and not wide.locator("#more-filters > summary").is_visible()
