"""Property tests: redirects stay on this site; masked phones never show the middle digits."""

from hypothesis import given, reject, strategies as st

from consult.core.errors import DomainError
from consult.core.views import safe_next
from consult.places.queries import mask_phone


@given(st.text(max_size=60))
def test_safe_next_only_returns_local_paths(target):
    result = safe_next(target)
    assert result.startswith("/") and not result.startswith("//") and "\\" not in result
    assert not any(ord(ch) < 33 for ch in result)
    cleaned = "".join(ch for ch in result if ch not in "\t\n\r")
    assert not cleaned.startswith("//")


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True))
def test_masked_phone_hides_the_middle(phone):
    masked = mask_phone(phone)
    assert masked[:3] == phone[:3] and masked[-4:] == phone[-4:] and masked[3:7] == "****"


# --- hostile input: a clear 400 or 404, never HTTP 500, nothing written ----------------------

import pytest  # noqa: E402
from flask import request  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

from tests import hostile  # noqa: E402
from tests.registry import GET_ROUTES, POST_ROUTES, poster  # noqa: E402

FIELD_NAMES = hostile.form_field_names()


@pytest.mark.parametrize("endpoint", sorted(GET_ROUTES))
def test_every_page_refuses_hostile_query_values(endpoint, world, login_as):
    """NUL in any query value is a 400; huge or odd numbers never give 500."""
    route = GET_ROUTES[endpoint]
    client = login_as(world.roles()[route.viewer()])
    url = route.sample(world)
    for value in hostile.NUL_VALUES[:2]:
        path, query = hostile.with_query(url, {name: value for name in hostile.QUERY_NAMES})
        assert client.get(path, query_string=query).status_code == 400, (url, value)
    for value in hostile.BIG_NUMBERS + hostile.ODD_TEXT:
        path, query = hostile.with_query(url, {name: value for name in hostile.QUERY_NAMES})
        status = client.get(path, query_string=query).status_code
        assert status < 500, (url, value, status)


@pytest.mark.parametrize("endpoint", sorted(GET_ROUTES))
def test_ids_beyond_an_integer_column_are_not_found(endpoint, world, login_as):
    """/topics/2147483648 and the like: 404 (the bounded ``int`` converter), never 500."""
    route = GET_ROUTES[endpoint]
    if not hostile.big_id_urls(route.sample(world)):
        return
    client = login_as(world.roles()[route.viewer()])
    for url in hostile.big_id_urls(route.sample(world)):
        assert client.get(url).status_code == 404, url


def test_nul_in_the_path_is_not_found(client):
    assert client.get("/c/%00/topics/").status_code == 404
    assert client.get("/c/heping/topics/?q=%00").status_code == 400


@pytest.mark.parametrize("endpoint", sorted(POST_ROUTES))
def test_every_form_refuses_hostile_values(endpoint, world, login_as, db):
    """Every form: NUL in any field or a file part is a 400, huge ids never a 500; refusals write nothing."""
    client = login_as(world.roles()[poster(endpoint)])
    url = POST_ROUTES[endpoint](world)
    token = client.csrf_token()
    for value in ["a\x00b", "\x00"]:
        before = hostile.snapshot(db.session)
        response = client.post(url, {name: value for name in FIELD_NAMES} | {"csrf_token": token})
        assert response.status_code == 400, (url, response.status_code)
        assert hostile.snapshot(db.session) == before
    for field in ["body", "title", "username", "reason", "description", "name"]:
        before = hostile.snapshot(db.session)
        response = client.post(url, {field: hostile.file_part(), "csrf_token": token}, content_type="multipart/form-data")
        assert response.status_code == 400, (url, field, response.status_code)
        assert hostile.snapshot(db.session) == before
    for value in hostile.BIG_NUMBERS[:4]:
        before = hostile.snapshot(db.session)
        response = client.post(url, {name: value for name in FIELD_NAMES} | {"csrf_token": token})
        assert response.status_code < 500, (url, value, response.status_code)
        if response.status_code >= 400:
            assert hostile.snapshot(db.session) == before, (url, value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(sorted(POST_ROUTES)), hostile.hostile_form(FIELD_NAMES))
def test_hostile_submissions_never_fail_the_server(world, login_as, db, endpoint, submission):
    """Hypothesis picks a form and a few fields with hostile values: never 500, refusals write nothing."""
    fields, with_file = submission
    client = login_as(world.roles()[poster(endpoint)])
    try:
        url = POST_ROUTES[endpoint](world)  # may create the sample's records: before the snapshot
    except (AttributeError, DomainError):
        # An earlier example (the world is shared) ended the record this sample acts on, or the
        # appointment of the person who sets it up (e.g. a street admin ended the worker's).
        reject()
    data = dict(fields) | {"csrf_token": client.csrf_token()}
    if with_file:
        data["body"] = hostile.file_part()
    before = hostile.snapshot(db.session)
    response = client.post(url, data, content_type="multipart/form-data" if with_file else None)
    assert response.status_code < 500
    if any("\x00" in key + value for key, value in fields.items()) or with_file:
        assert response.status_code == 400
    if response.status_code >= 400:
        assert hostile.snapshot(db.session) == before


def test_out_of_range_numbers_are_bad_values(app):
    """request.args/form/values.get(name, type=int): beyond an integer column is the default, as "abc" is."""
    with app.test_request_context("/?a=2147483648&b=-2147483648&c=2147483647&d=abc", method="POST", data={"year": "99999999999"}):
        assert request.args.get("a", type=int) is None and request.args.get("b", 1, type=int) == 1
        assert request.args.get("c", type=int) == 2147483647 and request.args.get("d", type=int) is None
        assert request.form.get("year", type=int) is None and request.values.get("year", 7, type=int) == 7
        assert request.values.get("c", type=int) == 2147483647
