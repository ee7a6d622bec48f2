"""axe-core on pages the route registry cannot reach with a GET: error pages, forms showing
their errors, and the reset code a worker hands over — in zh and en, at 375 px."""
import pytest

from tests.e2e.conftest import check_axe, check_no_sideways_scroll, login, switch_language
from tests.factories import Factory

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_error_pages_and_form_errors(committed_db, contexts, live_server, lang):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    page = contexts.new_page()
    page.goto("/")
    if lang == "en":
        switch_language(page, "en")
    for url, status in (("/c/no-such-community/", 404), ("/manage/", 302)):
        response = page.goto(url)
        assert response.status in (status, 200)
        check_axe(page)
        check_no_sideways_scroll(page)
    # A login that fails (401) and a registration with every kind of error (400).
    page.goto("/auth/login")
    page.fill('input[name="username"]', "resident")
    page.fill('input[name="password"]', "wrong")
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    assert page.locator(".form-errors").count() == 1
    check_axe(page)
    page.goto(f"/auth/register?community={world.a.slug}")
    page.fill('input[name="username"]', "x")
    page.fill('input[name="display_name"]', "名" * 41)
    page.fill('input[name="phone"]', "call me")
    page.fill('input[name="password"]', "short")
    page.fill('input[name="confirm"]', "other")
    with page.expect_navigation():
        page.locator('main form button[type="submit"]').click()
    assert page.locator("[aria-invalid=true]").count() >= 3
    check_axe(page)
    check_no_sideways_scroll(page)


def test_reset_code_page(committed_db, contexts, live_server):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    page = contexts.new_page()
    login(page, live_server, "worker")
    page.goto(f"/manage/c/{world.a.slug}/residents/")
    with page.expect_navigation():
        page.locator('form[action$="/reset-code"] button').first.click()
    assert page.locator(".code").count() == 1
    check_axe(page)
    check_no_sideways_scroll(page)
