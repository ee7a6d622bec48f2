"""The whole life of a topic in Chromium on a phone: propose → review → support → vote → close →
outcome → progress → rating, with the clock moved by the test and axe-core on every page."""
from datetime import datetime, timedelta, timezone

import pytest

from consult.core import clock
from consult.topics import services
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, logout
from tests.factories import Factory

pytestmark = pytest.mark.browser


def visit(page, url):
    page.goto(url)
    check_axe(page)
    check_no_sideways_scroll(page)


def press(page, selector):
    with page.expect_navigation():
        page.locator(selector).first.click()


def test_topic_from_proposal_to_rating(committed_db, contexts, live_server):
    start = datetime.now(timezone.utc).replace(microsecond=0)
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
    assert "/topics/" in page.url
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

    # Residents vote; one changes their mind.
    for name, choice in (("resident", "赞成"), ("party", "反对"), ("party", "赞成")):
        login(page, live_server, name)
        visit(page, topic_url)
        page.get_by_label(choice, exact=True).check()
        press(page, f'form[action="/topics/{topic_id}/vote"] button')
        assert page.locator("#vote-h").count() == 1
        logout(page)

    # Two days later voting has closed by itself: results as a table.
    clock.set_now(start + timedelta(days=2, minutes=5))
    visit(page, topic_url)
    results = page.locator("table.bars").first
    assert results.locator("tr", has_text="赞成").locator("td").first.inner_text() == "2"
    assert results.locator("tr", has_text="反对").locator("td").first.inner_text() == "0"

    # The committee publishes the outcome and reports it done.
    login(page, live_server, "worker")
    visit(page, f"/manage/c/{a}/topics/{topic_id}/outcome")
    page.fill('textarea[name="decision"]', "同意施划 20 个夜间车位。")
    page.fill('input[name="responsible"]', "物业服务中心")
    page.fill('textarea[name="actions"]', "施划车位，设置告示牌。")
    page.fill('input[name="due_date"]', (clock.local_now() + timedelta(days=30)).strftime("%Y-%m-%d"))
    press(page, 'main form button[type="submit"]')
    clock.set_now(start + timedelta(days=20))
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
