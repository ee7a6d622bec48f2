"""Every HTML page of the route registry passes axe-core and fits a 375 px phone, in three modes.

One test per mode and viewing role: it builds a world, logs that person in once through the
real form, switches the mode with the header buttons, then opens each page the role is the
registry's viewer for. Problems are collected so that one run lists every failing page.
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.e2e.conftest import (
    axe_violations,
    check_no_sideways_scroll,
    describe_violations,
    html_classes,
    login,
    set_large_text,
    switch_language,
)
from tests.factories import Factory
from tests.registry import GET_ROUTES, ROLES

pytestmark = pytest.mark.browser

MODES = ("zh", "en", "large")

_groups: dict[str, list] = defaultdict(list)
for _route in GET_ROUTES.values():
    if _route.html:
        _groups[_route.viewer()].append(_route)
PAGES_BY_ROLE = {role: _groups[role] for role in ROLES if _groups.get(role)}


def apply_mode(page, mode: str) -> None:
    """Switch the way a person would: with the buttons in the page header."""
    if mode == "en":
        switch_language(page, "en")
    elif mode == "large":
        set_large_text(page, True)


def check_mode(page, mode: str) -> str | None:
    lang = page.locator("html").get_attribute("lang")
    expected_lang = "en" if mode == "en" else "zh-CN"
    large = "large-text" in html_classes(page)
    if page.locator('header form[action="/settings/display"]').count() == 0:
        large = mode == "large"  # a page without the site header (a printable notice) has no display modes
    if lang != expected_lang or large != (mode == "large"):
        return f"{page.url}: expected lang={expected_lang} large-text={mode == 'large'}, got lang={lang} large-text={large}"
    return None


@pytest.mark.parametrize("role", list(PAGES_BY_ROLE))
@pytest.mark.parametrize("mode", MODES)
def test_pages_pass_axe_and_fit_a_phone(mode, role, contexts, live_server, committed_db):
    world = Factory(committed_db.session).world()
    committed_db.session.commit()
    routes = PAGES_BY_ROLE[role]
    urls = [(route, route.sample(world)) for route in routes]
    committed_db.session.commit()

    page = contexts.new_page()
    user = world.roles()[role]
    if user is None:
        page.goto("/")
    else:
        login(page, live_server, user.username)
    apply_mode(page, mode)

    problems: list[str] = []
    for route, url in urls:
        response = page.goto(url)
        where = f"{route.endpoint} as {role} in {mode} mode"
        if response is None or response.status != route.ok_status:
            problems.append(f"{url} ({where}): status {response and response.status}, expected {route.ok_status}")
            continue
        mismatch = check_mode(page, mode)
        if mismatch:
            problems.append(f"{mismatch} ({where})")
        violations = axe_violations(page)
        if violations:
            problems.append(describe_violations(f"{page.url} ({where})", violations))
        try:
            check_no_sideways_scroll(page)
        except AssertionError as error:
            problems.append(f"{error} ({where})")
    assert not problems, "\n".join(problems)
