"""The Content-Security-Policy is enforced in the browser tests, and a violation is noticed."""

import pytest

from consult.extensions import db
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_a_csp_violation_is_caught(contexts, live_server):
    """An inline style and a foreign image are blocked and recorded (the fixture would fail the test)."""
    Factory(db.session).world()
    db.session.commit()
    page = contexts.new_page()
    response = page.goto("/")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert contexts.csp_violations == []
    page.evaluate("""() => {
        const box = document.createElement("div");
        box.setAttribute("style", "color: red");
        document.body.appendChild(box);
        const img = document.createElement("img");
        img.src = "https://example.invalid/x.png";
        document.body.appendChild(img);
    }""")
    page.wait_for_timeout(500)
    assert any("style-src" in v for v in contexts.csp_violations), contexts.csp_violations
    assert any("img-src" in v for v in contexts.csp_violations), contexts.csp_violations
    contexts.csp_violations.clear()  # seen: the fixture must not fail this test
