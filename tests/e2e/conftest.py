"""Browser fixtures: one Chromium per session, a live server per test, phone-sized pages.

The live server runs the session ``app`` in a thread against the ``committed_db`` database
(real commits, tables emptied after the test). Build a test's data with
``Factory(committed_db.session)`` and commit it before the browser asks for a page.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server

from tests.conftest import need
from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 375, "height": 812}
CSP_LISTENER = """document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " at " + e.sourceFile + ":" + e.lineNumber);
});"""  # noqa: E501 - the script's text as the browser receives it
#: axe-core's defaults plus the WCAG 2.2 target-size rule (off by default in axe 4.x).
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


@pytest.fixture(scope="session")
def playwright_instance():
    need(os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    p = sync_playwright().start()
    yield p
    p.stop()


@pytest.fixture(scope="session")
def browser(playwright_instance):
    chromium = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture
def live_server(app, committed_db):
    """The app served over HTTP from a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class Contexts:
    """Makes browser contexts for one test (phone-sized, zh-CN) and closes them after."""

    browser: object
    base_url: str
    opened: list = field(default_factory=list)
    server_errors: list = field(default_factory=list)
    csp_violations: list = field(default_factory=list)

    def new(self, *, java_script_enabled: bool = True, **kwargs):
        options = {"viewport": PHONE, "locale": "zh-CN", "base_url": self.base_url, "java_script_enabled": java_script_enabled}
        options.update(kwargs)
        context = self.browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.on("response", self._watch)
        # The site's Content-Security-Policy is enforced: a blocked inline script or style fails
        # the test. Chromium reports it on the console; the event catches what the console misses.
        context.on("console", self._console)
        if java_script_enabled:
            context.add_init_script(CSP_LISTENER)
        context.consult_javascript = java_script_enabled  # read by axe_violations
        self.opened.append(context)
        return context

    def new_page(self, **kwargs):
        return self.new(**kwargs).new_page()

    def _watch(self, response) -> None:
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def _console(self, message) -> None:
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            self.csp_violations.append(f"{message.page.url if message.page else ''}: {text}")

    def close(self) -> None:
        for context in self.opened:
            context.close()


@pytest.fixture
def contexts(browser, live_server):
    """``contexts.new_page()`` (JavaScript on) or ``contexts.new_page(java_script_enabled=False)``."""
    made = Contexts(browser, live_server)
    yield made
    made.close()
    assert not made.server_errors, f"the server failed: {made.server_errors}"
    assert not made.csp_violations, f"the Content-Security-Policy blocked something: {made.csp_violations}"


@pytest.fixture
def page(contexts):
    """A fresh 375x812 phone page (zh-CN) whose relative URLs go to the live server."""
    return contexts.new_page()


@pytest.fixture
def nojs_page(contexts):
    """The same phone page with JavaScript turned off."""
    return contexts.new_page(java_script_enabled=False)


# --- helpers -----------------------------------------------------------------------------


def login(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real form and check that it worked."""
    page.goto(f"{base_url}/auth/login")
    form = page.locator('form[action^="/auth/login"]')
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(password)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "/auth/login" not in page.url, f"could not log in as {username}: still on {page.url}"
    assert page.locator('form[action="/auth/logout"]').count() == 1, f"{username} does not look logged in on {page.url}"


def logout(page) -> None:
    """Log out with the header button."""
    with page.expect_navigation():
        page.locator('header form[action="/auth/logout"] button').click()
    assert page.locator('form[action="/auth/logout"]').count() == 0


def switch_language(page, lang: str) -> None:
    """Press the header language button: ``lang`` is "en", or "zh" for Chinese."""
    button = page.locator('header form[action="/settings/language"] button[name="lang"]')
    value = button.get_attribute("value")
    assert (value == "en") == (lang == "en"), f"the language button offers {value!r}, not {lang!r}"
    with page.expect_navigation():
        button.click()
    expected = "en" if lang == "en" else "zh-CN"
    assert page.locator("html").get_attribute("lang") == expected


def set_large_text(page, on: bool = True) -> None:
    """Press the header large-text button."""
    button = page.locator(f'header form[action="/settings/display"] button[name="large"][value="{1 if on else 0}"]')
    with page.expect_navigation():
        button.click()
    assert ("large-text" in html_classes(page)) is on


def html_classes(page) -> list[str]:
    return (page.locator("html").get_attribute("class") or "").split()


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the current page (JavaScript contexts only: with the page's
    JavaScript off, axe-core's timers never fire and the call would hang)."""
    from axe_playwright_python.sync_playwright import Axe

    if getattr(page.context, "consult_javascript", True) is False:
        raise AssertionError("axe-core cannot run in a context with JavaScript off")

    return Axe().run(page, options=AXE_OPTIONS).response["violations"]


def describe_violations(url: str, violations: list[dict]) -> str:
    """A readable list: the URL, then each rule id with the targets of the nodes it failed on."""
    lines = [f"{len(violations)} axe violation(s) on {url}:"]
    for v in violations:
        lines.append(f"  {v['id']} ({v.get('impact')}): {v.get('help')}")
        for node in v.get("nodes", []):
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    - {node.get('target')}: {summary[:300]}")
    return "\n".join(lines)


def check_axe(page, label: str = "") -> None:
    violations = axe_violations(page)
    assert not violations, describe_violations(f"{page.url} {label}".strip(), violations)


def check_no_sideways_scroll(page, width: int = PHONE["width"]) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url} scrolls sideways at {width}px (scrollWidth {scroll_width})"


def visit(page, url: str) -> None:
    """Open a page of a journey and check it: axe-core, and no sideways scroll on the phone."""
    page.goto(url)
    check_axe(page)
    check_no_sideways_scroll(page)


def press(page, selector: str) -> None:
    """Press the first element matching ``selector`` and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()
