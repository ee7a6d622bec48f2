"""Choices made before logging in (large text, language) survive logging in and registering,
and are saved to the account (issue 11, item 1)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from tests.e2e.conftest import check_axe, check_no_sideways_scroll, html_classes, login, set_large_text, switch_language
from tests.factories import Factory

pytestmark = pytest.mark.browser


def body_font_size(page) -> float:
    return float(page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)"))


def account(committed_db, username: str) -> User:
    committed_db.session.remove()
    return committed_db.session.scalar(sa.select(User).where(User.username == username))


@pytest.fixture
def world(committed_db):
    built = Factory(committed_db.session).world()
    committed_db.session.commit()
    return built


def test_large_text_chosen_before_logging_in_stays_on(contexts, live_server, world, committed_db):
    page = contexts.new_page()
    page.goto("/auth/login")
    normal = body_font_size(page)
    set_large_text(page, True)
    large = body_font_size(page)
    assert large > normal

    login(page, live_server, "resident")
    assert "large-text" in html_classes(page), "logging in switched large text off"
    assert body_font_size(page) == large
    page.goto("/me/")
    assert body_font_size(page) == large
    assert account(committed_db, "resident").large_text is True


def test_language_chosen_before_logging_in_stays(contexts, live_server, world, committed_db):
    page = contexts.new_page()
    page.goto("/auth/login")
    switch_language(page, "en")
    login(page, live_server, "resident")
    assert page.locator("html").get_attribute("lang") == "en", "logging in switched the language back"
    assert account(committed_db, "resident").language == "en"


def test_choices_made_before_registering_stay(contexts, live_server, world, committed_db):
    page = contexts.new_page()
    page.goto(f"/auth/register?community={world.a.slug}")
    set_large_text(page, True)
    switch_language(page, "en")
    form = page.locator('form[action^="/auth/register"]')
    for name, value in {
        "username": "newcomer",
        "display_name": "王阿姨",
        "password": "a-good-long-pass",
        "confirm": "a-good-long-pass",
    }.items():
        form.locator(f'input[name="{name}"]').fill(value)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert page.url.endswith("/me/")
    assert "large-text" in html_classes(page) and page.locator("html").get_attribute("lang") == "en"
    user = account(committed_db, "newcomer")
    assert user.large_text is True and user.language == "en"


def test_my_devices_pass_axe_and_fit_a_phone(contexts, live_server, world):
    other = contexts.new_page()
    login(other, live_server, "resident")
    page = contexts.new_page()
    login(page, live_server, "resident")
    for large in (False, True):
        if large:
            set_large_text(page, True)
        page.goto("/me/")
        assert page.locator("main form[action$='/end']").count() == 1  # the other phone
        assert page.locator("main form[action$='/end-others']").count() == 1
        check_axe(page, "large" if large else "")
        check_no_sideways_scroll(page)
    with page.expect_navigation():
        page.locator("main form[action$='/end-others'] button").click()
    other.goto("/me/")
    assert "/auth/login" in other.url, "the other phone is still logged in"
