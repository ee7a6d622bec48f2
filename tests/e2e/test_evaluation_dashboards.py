"""In Chromium: the street admin sets the weights, reads the ranking, follows a figure to its
records, and opens a community's twelve months. axe-core on every page."""
import pytest

from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login
from tests.factories import Factory

pytestmark = pytest.mark.browser


def visit(page, url):
    page.goto(url)
    check_axe(page)
    check_no_sideways_scroll(page)


def test_dashboards(committed_db, contexts, live_server):
    world = Factory(committed_db.session).world()
    for i in range(3):
        world.factory.topic(world, "collecting_support", title=f"议题{i}")
    committed_db.session.commit()
    page = contexts.new_page()
    login(page, live_server, "street")
    visit(page, f"/manage/streets/{world.street.slug}/evaluation/")
    page.fill('input[name="weight_response"]', "50")
    page.fill('input[name="min_records"]', "1")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    visit(page, f"/streets/{world.street.slug}/ranking")
    assert page.locator("svg[role=img]").count() == 1
    assert "50" in page.locator("main p.muted").first.inner_text()
    link = page.locator(f'a[href*="/c/{world.a.slug}/evaluation/records"][href*="figure=response"]').first
    with page.expect_navigation():
        link.click()
    check_axe(page)
    assert page.locator("li.record").count() == 3
    visit(page, f"/c/{world.a.slug}/evaluation/")
    assert page.locator("svg[role=img]").count() == 4
    assert page.locator("#months-caption").count() == 1
