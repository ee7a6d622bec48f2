"""Security headers on every kind of page, absolute links from SITE_URL, unknown hosts refused."""

import pytest

from consult import create_app
from consult.config import ProductionConfig
from tests.registry import GET_ROUTES, _activity, _document

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def check_headers(response, where):
    for name, value in HEADERS.items():
        assert response.headers.get(name) == value, (where, name)
    csp = response.headers.get("Content-Security-Policy", "")
    if response.mimetype == "image/svg+xml":  # a chart carries its own, stricter policy: nothing may load
        assert csp.startswith("default-src 'none'"), (where, csp)
        return
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ):
        assert directive in csp, (where, directive)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


@pytest.mark.parametrize("endpoint", sorted(GET_ROUTES))
def test_every_page_sends_the_security_headers(endpoint, world, login_as):
    """HTML pages, JSON, CSV, redirects: all carry the CSP and its companions."""
    route = GET_ROUTES[endpoint]
    client = login_as(world.roles()[route.viewer()])
    url = route.sample(world)
    check_headers(client.get(url), url)


def test_error_pages_static_files_and_refusals_send_the_headers(client):
    for response in (
        client.get("/no-such-page"),
        client.get("/static/css/site.css"),
        client.get("/topics/2147483648"),
        client.get("/c/x/topics/?q=%00"),
        client.post("/settings/language", {}, csrf=False),
    ):
        check_headers(response, response.request.path)
        response.close()


def test_hsts_only_in_production(monkeypatch, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.setenv("SITE_URL", "https://yishi.example.cn")
    assert ProductionConfig().HSTS_SECONDS == 365 * 24 * 3600


def test_production_needs_the_site_address_and_trusts_only_its_host(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    with pytest.raises(RuntimeError, match="SITE_URL"):
        ProductionConfig()
    monkeypatch.setenv("SITE_URL", "https://yishi.example.cn/")
    config = ProductionConfig()
    assert config.SITE_URL == "https://yishi.example.cn" and config.TRUSTED_HOSTS == ["yishi.example.cn"]
    monkeypatch.setenv("TRUSTED_HOSTS", "consult-internal, yishi.example.cn")
    assert ProductionConfig().TRUSTED_HOSTS == ["consult-internal", "yishi.example.cn"]


def test_unknown_hosts_are_refused(app):
    strict = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SITE_URL": "https://yishi.example.cn",
            "TRUSTED_HOSTS": ["yishi.example.cn"],
            "HSTS_SECONDS": 3600,
        }
    )
    client = strict.test_client()
    assert client.get("/healthz", headers={"Host": "evil.example"}).status_code == 400
    ok = client.get("/healthz", base_url="https://yishi.example.cn")
    assert ok.status_code == 200 and ok.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains"


FORGED = "evil.example"


def test_a_forged_host_never_reaches_a_qr_code_or_verify_link(app, world, login_as):
    """Printed notices, the kiosk and documents link to SITE_URL whatever Host the request named."""
    client = login_as(world.worker)
    app.config["SITE_URL"] = "https://yishi.example.cn"
    try:
        number, code = _document(world)
        pages = [
            f"/topics/{world.topic('outcome_done').id}/print",
            f"/activities/{_activity(world).id}/print",
            f"/activities/{_activity(world).id}/kiosk",
            f"/activities/{_activity(world).id}/kiosk.json",
            f"/documents/{number}?c={code}",
        ]
        client.get("/")
        client.raw.set_cookie("session", client.raw.get_cookie("session").value, domain=FORGED)  # logged in there too
        for url in pages:
            client._before_request()
            response = client.raw.get(url, headers={"Host": FORGED, "X-Forwarded-Host": FORGED})
            body = response.get_data(as_text=True)
            assert response.status_code == 200, url
            assert FORGED not in body, url
            if not url.endswith("/kiosk"):  # the kiosk page shows its address only as a QR code (kiosk.json has it)
                assert "https://yishi.example.cn/" in body, url
    finally:
        app.config["SITE_URL"] = None
