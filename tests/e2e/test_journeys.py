"""Journeys in real Chromium on a 375 px phone: register and be confirmed, language, large text.

Expected wording is asked of the app's own catalogue (``text(...)``), so these tests follow
the translations instead of copying them.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from consult.accounts.models import User
from consult.places.models import Residence, ResidenceStatus
from tests.e2e.conftest import (
    check_axe,
    check_no_sideways_scroll,
    html_classes,
    login,
    logout,
    set_large_text,
    switch_language,
)
from tests.factories import Factory

pytestmark = pytest.mark.browser

NEWCOMER = {
    "username": "newcomer",
    "display_name": "王阿姨",
    "phone": "13900139000",
    "building": "7",
    "unit": "1",
    "room": "502",
}
NEW_PASSWORD = "a-good-long-pass"


def text(app, message: str, locale: str | None = None, **params) -> str:
    """``message`` as the app shows it in ``locale`` (the default language unless given)."""
    with app.test_request_context(), force_locale(locale or app.config["BABEL_DEFAULT_LOCALE"]):
        return gettext(message, **params)


@pytest.fixture
def world(committed_db):
    built = Factory(committed_db.session).world()
    committed_db.session.commit()
    return built


def visit(page, url: str, *, axe: bool) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    checked(page, axe)


def checked(page, axe: bool) -> None:
    """The page we are on fits the phone and (with JavaScript) passes axe-core."""
    check_no_sideways_scroll(page)
    if axe:
        check_axe(page)


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator('button[type="submit"]').click()


# --- a. and d.: register, be confirmed, see it ----------------------------------------------


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_register_then_confirmed_by_worker(javascript, app, contexts, live_server, world, committed_db):
    """A visitor registers, the worker confirms them, they see their community and a notice.

    The same with JavaScript off: every step is a link or a form post.
    """
    page = contexts.new_page(java_script_enabled=javascript)
    if not javascript:
        page.set_content("<title>before</title><script>document.title = 'ran'</script>")
        assert page.title() == "before", "JavaScript should be off in this context"
    # axe-core waits on timers, which never fire with the page's JavaScript off: it checks the
    # same pages in the JavaScript run; the no-JavaScript run checks the flow and the layout.
    axe = javascript
    a = world.a

    # The visitor finds the street, then the community, then fills in the form.
    visit(page, "/auth/register", axe=axe)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=world.street.name, exact=True).click()
    assert f"street={world.street.slug}" in page.url
    checked(page, axe)
    with page.expect_navigation():
        page.locator("main ul.choices").get_by_role("link", name=re.compile(re.escape(a.name))).click()
    assert f"community={a.slug}" in page.url
    checked(page, axe)
    form = page.locator('main form[action^="/auth/register"][method="post"]')
    for name, value in NEWCOMER.items():
        form.locator(f'input[name="{name}"]').fill(value)
    form.locator('input[name="password"]').fill(NEW_PASSWORD)
    form.locator('input[name="confirm"]').fill(NEW_PASSWORD)
    submit(page, 'main form[action^="/auth/register"][method="post"]')
    assert page.url.endswith("/me/"), f"registration did not go through: {page.url}"
    expected_flash = text(app, "Welcome! Your committee will confirm that you live in %(community)s.", community=a.name)
    assert expected_flash in page.locator(".flashes").inner_text()
    checked(page, axe)
    logout(page)

    # The community's worker confirms the newcomer.
    login(page, live_server, world.worker.username)
    visit(page, f"/manage/c/{a.slug}/residents/", axe=axe)
    card = page.locator("main article.card", has_text=f"（{NEWCOMER['username']}）")
    assert card.count() == 1
    assert NEWCOMER["display_name"] in card.inner_text()
    with page.expect_navigation():
        card.locator('form[action$="/confirm"] button[type="submit"]').click()
    assert page.url.endswith(f"/manage/c/{a.slug}/residents/")
    assert page.locator("main article.card", has_text=f"（{NEWCOMER['username']}）").count() == 0
    assert NEWCOMER["display_name"] in page.locator("main table").inner_text()
    checked(page, axe)
    logout(page)

    # The newcomer logs in, is a member of their community and has one unread notification.
    login(page, live_server, NEWCOMER["username"], NEW_PASSWORD)
    visit(page, f"/c/{a.slug}/", axe=axe)
    assert text(app, "You are a confirmed resident here.") in page.locator("main").inner_text()
    badge = page.locator("header nav .badge")
    assert badge.count() == 1 and badge.inner_text().strip() == "1"
    assert badge.get_attribute("aria-label") == text(app, "%(num)d unread", num=1)

    visit(page, "/me/notifications", axe=axe)
    unread = page.locator("main .notifications li.unread")
    assert unread.count() == 1
    assert text(app, "Your residence in %(community)s was confirmed. Welcome!", community=a.name) in unread.inner_text()
    # Its link goes through /me/notifications/<id>/open, which marks it read on the way.
    with page.expect_navigation():
        unread.locator("a").click()
    assert page.url.endswith(f"/c/{a.slug}/")
    assert page.locator("header nav .badge").count() == 0

    # And the database agrees.
    committed_db.session.rollback()  # end the test's read transaction: see the server's commits
    user = committed_db.session.scalar(sa.select(User).where(User.username == NEWCOMER["username"]))
    residence = committed_db.session.scalar(sa.select(Residence).where(Residence.user_id == user.id))
    assert residence.status == ResidenceStatus.CONFIRMED
    assert (residence.building, residence.unit, residence.room) == ("7", "1", "502")
    assert user.phone == NEWCOMER["phone"] and user.display_name == NEWCOMER["display_name"]


# --- b. the language switch -----------------------------------------------------------------


def test_language_switch_is_remembered(app, contexts, live_server, world):
    page = contexts.new_page()
    a = world.a
    page.goto(f"/c/{a.slug}/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    switch_language(page, "en")
    assert page.url.endswith(f"/c/{a.slug}/"), "the switch should bring you back to the same page"
    assert page.locator("main h1").inner_text() == a.name
    page.goto("/auth/login")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("main h1").inner_text() == text(app, "Log in", "en")

    switch_language(page, "zh")
    assert page.url.endswith("/auth/login")
    page.goto(f"/streets/{world.street.slug}/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    # A logged-in person's choice is kept on the account: another phone shows it too.
    login(page, live_server, world.resident.username)
    switch_language(page, "en")
    other = contexts.new_page()
    login(other, live_server, world.resident.username)
    assert other.locator("html").get_attribute("lang") == "en"
    other.goto("/me/")
    assert other.locator("html").get_attribute("lang") == "en"


# --- c. large text --------------------------------------------------------------------------


def body_font_size(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def test_large_text_mode_is_remembered(contexts, live_server, world):
    page = contexts.new_page()
    page.goto(f"/c/{world.a.slug}/")
    assert "large-text" not in html_classes(page)
    normal = body_font_size(page)

    set_large_text(page, True)
    assert page.url.endswith(f"/c/{world.a.slug}/")
    assert page.locator('header form[action="/settings/display"] button').get_attribute("aria-pressed") == "true"
    page.goto("/auth/login")
    assert "large-text" in html_classes(page)
    large = body_font_size(page)
    assert large > normal, f"large text is {large}px, normal {normal}px"
    check_no_sideways_scroll(page)

    set_large_text(page, False)
    page.goto("/")
    assert "large-text" not in html_classes(page)
    assert body_font_size(page) == normal
