"""axe-core on pages the route registry cannot reach with a GET: error pages, forms showing
their errors, the reset code a worker hands over and the Open311 key an administrator issues — in zh and en, at 375 px."""

from datetime import timedelta

import pytest

from consult.activities import services as activities
from consult.core import documents
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


def test_open311_key_issued_and_refused(committed_db, contexts, live_server):
    """The key shown once after issue, and the issue form with its error."""
    Factory(committed_db.session).world()
    committed_db.session.commit()
    page = contexts.new_page()
    login(page, live_server, "admin")
    page.goto("/manage/site/open311-keys")
    page.fill('input[name="holder"]', "12345 热线")
    with page.expect_navigation():
        page.locator('form[action$="/open311-keys"] button[type="submit"]').click()
    assert page.locator(".code code").count() == 1
    check_axe(page)
    check_no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator('form[action$="/open311-keys"] button[type="submit"]').click()
    assert page.locator("[aria-invalid=true]").count() == 1
    check_axe(page)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_activity_and_wish_states(committed_db, contexts, live_server, lang):
    """A called-off activity, a claimer's wish page with the resident's contact, the edit form with
    errors, and the issued documents list with a revoked document."""
    world = Factory(committed_db.session).world()
    world.resident.phone = "13800138000"
    activity = world.factory.activity(world)
    activities.sign_up(world.party, activity)
    activities.cancel_activity(world.worker, activity, "暴雨预警")
    coming = world.factory.activity(world, starts_in=timedelta(days=2))
    wish = activities.post_wish(world.resident, world.a, title="修门锁", description="门锁坏了")
    activities.approve_wish(world.worker, wish)
    activities.claim_wish(world.party, wish)
    document = activities.issue_service_record(world.party, world.party, world.a, 2026)
    activities.issue_service_record(world.worker, world.party, world.a, 2026)
    documents.revoke(world.worker, document, "重新开具")
    committed_db.session.commit()

    page = contexts.new_page()
    login(page, live_server, "party")
    if lang == "en":
        switch_language(page, "en")
    for url in (f"/activities/{activity.id}", f"/wishes/{wish.id}"):
        page.goto(url)
        check_axe(page)
        check_no_sideways_scroll(page)
    assert page.locator("#contact-h").count() == 1
    page.context.clear_cookies()
    login(page, live_server, "worker")
    if lang == "en":
        switch_language(page, "en")
    page.goto(f"/manage/c/{world.a.slug}/activities/{coming.id}/edit")
    page.fill('input[name="capacity"]', "0")
    with page.expect_navigation():
        page.locator('main form button.primary[type="submit"]').click()
    assert page.locator("[aria-invalid=true]").count() >= 1
    check_axe(page)
    check_no_sideways_scroll(page)
    for url in (
        f"/manage/c/{world.a.slug}/documents/",
        f"/wishes/{wish.id}",
        f"/manage/c/{world.a.slug}/activities/{activity.id}/",
    ):
        page.goto(url)
        check_axe(page)
        check_no_sideways_scroll(page)
