"""The route registry drives a view test of every page, the permission matrix and the CSRF check."""

import hashlib

import pytest
import sqlalchemy as sa

from consult.extensions import db as _db  # `db` is the fixture in the tests below
from tests.registry import API_KEY_POSTS, GET_ROUTES, POST_ROUTES

UNREGISTERED_OK = {"static", "testing.set_clock"}


def test_every_route_is_registered(app):
    missing_get, missing_post = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNREGISTERED_OK:
            continue
        if "GET" in rule.methods and rule.endpoint not in GET_ROUTES:
            missing_get.append(rule.rule)
        if "POST" in rule.methods and rule.endpoint not in POST_ROUTES:
            missing_post.append(rule.rule)
    assert not missing_get, f"GET routes without a sample in tests/registry.py: {missing_get}"
    assert not missing_post, f"POST routes without a sample in tests/registry.py: {missing_post}"


@pytest.mark.parametrize("endpoint", sorted(GET_ROUTES))
def test_permission_matrix(endpoint, world, login_as):
    """Each page, opened by each of nine kinds of person, gives the status its access level says."""
    route = GET_ROUTES[endpoint]
    url = route.sample(world)
    wrong = {}
    for role, user in world.roles().items():
        client = login_as(user)
        response = client.get(url)
        if response.status_code != route.expected(role):
            wrong[role] = response.status_code
        if response.status_code == 302 and role == "visitor" and route.expected(role) == 302 and route.access != "anonymous":
            assert "/auth/login" in response.headers["Location"]
    assert not wrong, f"{url}: expected {[(r, route.expected(r)) for r in wrong]}, got {wrong}"


@pytest.mark.parametrize("endpoint", sorted(GET_ROUTES))
def test_page_renders_in_both_languages(endpoint, world, login_as, db):
    """The view test of every page: it renders for a person allowed to see it, in zh and en."""
    route = GET_ROUTES[endpoint]
    if not route.html:
        return
    client = login_as(world.roles()[route.viewer()])
    zh = client.get(route.sample(world))
    assert zh.status_code == 200
    body = zh.get_data(as_text=True)
    assert '<html lang="zh-CN"' in body and body.count("<h1") == 1
    client.raw.set_cookie("lang", "en")
    user = world.roles()[route.viewer()]
    if user is not None:
        user.language = "en"
        db.session.flush()
    en = client.get(route.sample(world)).get_data(as_text=True)
    assert '<html lang="en"' in en and en.count("<h1") == 1


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_post_without_csrf_token_is_refused(endpoint, world, login_as, db):
    """Every form needs its CSRF token: without one, 400 and nothing changes."""
    client = login_as(world.site_admin if "site" in endpoint else world.worker)
    url = POST_ROUTES[endpoint](world)
    db.session.commit()  # the set-up's background jobs (telling followers) run now, not inside the refused request
    before = database_rows(db.session)
    response = client.post(url, {"reason": "x", "username": "someone"}, csrf=False)
    # An API-key POST takes no CSRF token and never the session: without a key, 403
    assert response.status_code == (403 if endpoint in API_KEY_POSTS else 400), response.status_code
    assert database_rows(db.session) == before, f"{url} changed the database without a CSRF token"


def database_rows(session) -> dict[str, str]:
    """Every table's rows, as a hash per table: equal before and after means nothing was written."""
    digests = {}
    for table in _db.metadata.sorted_tables:
        rows = session.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def test_the_csrf_check_sees_a_write(app, world, login_as, db):
    """The snapshot above notices a change: with CSRF off, a token-less post writes and is caught."""
    client = login_as(world.resident)
    before = database_rows(db.session)
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post("/settings/display", {"large": "1"}, csrf=False)
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code < 400
    assert database_rows(db.session) != before
