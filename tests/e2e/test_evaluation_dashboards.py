"""In Chromium: the street admin sets the weights, reads the ranking, follows a figure to its
records, and opens a community's twelve months. axe-core on every page."""

import pytest

from tests.e2e.conftest import check_axe, login, visit
from tests.factories import Factory

pytestmark = pytest.mark.browser


def charts_drawn(page) -> list[int]:
    """The drawn width of every chart image, after checking each loaded as an SVG file (pygal's)."""
    page.wait_for_function("[...document.querySelectorAll('figure.chart img')].every(i => i.complete)")
    return page.evaluate("[...document.querySelectorAll('figure.chart img')].map(i => i.naturalWidth > 0 ? i.clientWidth : 0)")


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
    widths = charts_drawn(page)
    assert len(widths) == 1 and 300 <= widths[0] <= 375  # drawn, and as wide as the phone allows
    assert page.locator(".month-switcher").bounding_box()["y"] < page.locator("figure.chart").bounding_box()["y"]
    assert "50" in page.locator("main p.muted").first.inner_text()
    link = page.locator(f'a[href*="/c/{world.a.slug}/evaluation/records"][href*="figure=topics_response"]').first
    with page.expect_navigation():
        link.click()
    check_axe(page)
    assert page.locator("li.record").count() == 3
    visit(page, f"/c/{world.a.slug}/evaluation/")
    assert all(width >= 300 for width in charts_drawn(page)) and len(charts_drawn(page)) == 4
    assert page.locator("#months-caption").count() == 1
    # Large-text mode: the charts are drawn with larger type, and the page still fits the phone.
    page = contexts.new_page()  # a visitor who chose large text
    page.context.add_cookies([{"name": "display", "value": "large", "url": live_server}])
    visit(page, f"/c/{world.a.slug}/evaluation/")
    assert all("large=1" in src for src in page.eval_on_selector_all("figure.chart img", "els => els.map(e => e.src)"))
    assert len(charts_drawn(page)) == 4
