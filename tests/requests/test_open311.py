"""Open311 GeoReport v2 (read part): the standard's fields, its filters and error format, nothing personal."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from jsonschema import validate

from consult.api.open311_spec import (
    OPEN311_ERROR,
    OPEN311_POST_FORM,
    OPEN311_POST_RESPONSE,
    OPEN311_REQUEST,
    OPEN311_SERVICE,
    OPEN311_TOKEN,
    VISIBLE,
)
from consult.core.forms import has_control_chars
from consult.core.notifications import Notification
from consult.extensions import db
from consult.requests import api_keys, queries, reporting, services
from consult.requests.models import CONTACT_MAX, DESCRIPTION_MAX, PLACE_MAX, Request
from tests.test_registry import database_rows

#: GeoReport v2's fields of a service request and of a service (the standard's lists)
GEOREPORT_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
GEOREPORT_SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}


@pytest.fixture
def requests_of_a(world, clock):
    lift = reporting.report(world.resident, world.a, category="repairs", description="电梯停了，我住301", building="3", unit="2")
    services.accept(world.worker, lift)
    services.resolve(world.worker, lift, "已修好")
    noise = reporting.report(world.resident, world.a, category="noise", description="夜里装修")
    other = reporting.report(world.factory.resident(world.b), world.b, category="noise", description="别的社区")
    return lift, noise, other


def get(client, url):
    response = client.get(url)
    return response.status_code, response.get_json()


def test_services_and_requests_in_the_standards_fields(client, world, requests_of_a):
    lift, noise, other = requests_of_a
    status, items = get(client, f"/open311/v2/services.json?jurisdiction_id={world.a.slug}")
    assert status == 200 and {"repairs", "noise"} <= {i["service_code"] for i in items}
    for item in items:
        validate(item, OPEN311_SERVICE)
        assert set(item) <= GEOREPORT_SERVICE_FIELDS
    status, items = get(client, f"/open311/v2/requests.json?jurisdiction_id={world.a.slug}")
    assert status == 200 and [i["service_request_id"] for i in items] == [str(noise.id), str(lift.id)]
    for item in items:
        validate(item, OPEN311_REQUEST)
        assert set(item) <= GEOREPORT_REQUEST_FIELDS
    resolved = items[1]
    assert (resolved["status"], resolved["status_notes"], resolved["service_code"]) == ("closed", "已修好", "repairs")
    assert "3" in resolved["address"] and "301" not in str(items) and "电梯停了" not in str(items)
    assert world.resident.display_name not in str(items)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("&status=open", ["noise"]),
        ("&status=closed", ["lift"]),
        ("&service_code=repairs", ["lift"]),
        ("&service_request_id={lift}", ["lift"]),
        ("&service_request_id={lift},{noise}", ["noise", "lift"]),
        ("&start_date=2000-01-01T00:00:00%2B08:00&end_date=2000-02-01T00:00:00%2B08:00", []),
    ],
)
def test_the_standards_filters(client, world, requests_of_a, query, expected):
    lift, noise, _other = requests_of_a
    ids = {"lift": str(lift.id), "noise": str(noise.id)}
    url = f"/open311/v2/requests.json?jurisdiction_id={world.a.slug}" + query.format(lift=lift.id, noise=noise.id)
    status, items = get(client, url)
    assert status == 200 and [i["service_request_id"] for i in items] == [ids[name] for name in expected]


def test_the_last_90_days_unless_dates_are_given(client, world, clock):
    clock.set(clock.now() - timedelta(days=100))
    old = reporting.report(world.resident, world.a, category="noise", description="很久以前")
    clock.set(clock.now() + timedelta(days=100))
    _status, items = get(client, f"/open311/v2/requests.json?jurisdiction_id={world.a.slug}")
    assert str(old.id) not in {i["service_request_id"] for i in items}


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("/open311/v2/services.json", 400),
        ("/open311/v2/requests.json?jurisdiction_id=nowhere", 404),
        ("/open311/v2/requests.json?jurisdiction_id={a}&status=pending", 400),
        ("/open311/v2/requests.json?jurisdiction_id={a}&start_date=yesterday", 400),
        ("/open311/v2/requests.json?jurisdiction_id={a}&start_date=2026-01-01T00:00:00", 400),
        ("/open311/v2/requests.json?jurisdiction_id={a}&start_date=2026-02-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", 400),
        ("/open311/v2/requests.json?jurisdiction_id={a}&service_request_id=1,x", 400),
        ("/open311/v2/requests/{other}.json?jurisdiction_id={a}", 404),
        ("/open311/v2/requests/99999999999.json?jurisdiction_id={a}", 404),  # beyond an id: no route
        ("/open311/v2/nothing.json", 404),
    ],
)
def test_errors_in_the_standards_format(client, world, requests_of_a, url, code):
    status, body = get(client, url.format(a=world.a.slug, other=requests_of_a[2].id))
    assert status == code
    validate(body, OPEN311_ERROR)
    assert body[0]["code"] == code and body[0]["description"]


# --- POST requests.json and tokens/<token>.json ------------------------------------------------

#: GeoReport v2's fields of the answer to a POST (account_id is for accounts we never create)
GEOREPORT_POST_FIELDS = {"service_request_id", "token", "service_notice", "account_id"}


@pytest.fixture
def key(world):
    """A key of world.street (communities a and b), as the 12345 hotline would hold it."""
    _row, text = api_keys.issue(world.site_admin, world.street, "12345 热线 integration")
    return text


def post(client, form):
    response = client.post("/open311/v2/requests.json", form, csrf=False)
    return response.status_code, response.get_json()


def good_form(world, key, **changes):
    form = {
        "api_key": key,
        "jurisdiction_id": world.a.slug,
        "service_code": "repairs",
        "description": "3号楼电梯停了两天",
        "address_string": "3号楼2单元",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13700001111",
        "email": "wang@example.com",
        "device_id": "hotline-7",
        "account_id": "12345-99",
    }
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def test_a_post_is_answered_in_the_standards_fields_and_reaches_the_workers_queue(client, login_as, world, key, clock):
    status, body = post(client, good_form(world, key))
    assert status == 201
    validate(body, OPEN311_POST_RESPONSE)
    assert len(body) == 1 and set(body[0]) <= GEOREPORT_POST_FIELDS
    row = db.session.get(Request, int(body[0]["service_request_id"]))
    assert row.token == body[0]["token"] and row.channel == "open311" and row.reporter_id is None
    assert (row.contact_name, row.contact_phone, row.contact_email, row.place) == (
        "王 小明",
        "13700001111",
        "wang@example.com",
        "3号楼2单元",
    )
    assert row in queries.queue(world.a.id)
    assert api_keys.valid_key(key).last_used_at == row.created_at
    page = login_as(world.worker).get(f"/manage/c/{world.a.slug}/requests/").get_data(as_text=True)
    assert f"#{row.id}" in page
    status, items = get(client, f"/open311/v2/requests/{row.id}.json?jurisdiction_id={world.a.slug}")
    assert status == 200 and items[0]["service_code"] == "repairs"
    assert "13700001111" not in str(items) and "电梯停了" not in str(items)
    status, items = get(client, f"/open311/v2/tokens/{row.token}.json")
    assert status == 200 and items == [{"service_request_id": str(row.id), "token": row.token}]
    validate(items, OPEN311_TOKEN)


def test_an_unknown_token_is_an_open311_404(client, world, key):
    status, body = get(client, "/open311/v2/tokens/no-such-token.json")
    assert status == 404
    validate(body, OPEN311_ERROR)
    assert body[0]["code"] == 404


def _revoked(world):
    row, text = api_keys.issue(world.site_admin, world.street, "已停用")
    api_keys.revoke(world.site_admin, row)
    return text


BAD_POSTS = [
    ("no key", lambda w, k: {"api_key": None}, 403),
    ("empty key", lambda w, k: {"api_key": ""}, 403),
    ("wrong key", lambda w, k: {"api_key": k[:-2] + "xx"}, 403),
    ("revoked key", lambda w, k: {"api_key": _revoked(w)}, 403),
    ("another street's key", lambda w, k: {"jurisdiction_id": w.c.slug}, 403),
    ("no jurisdiction", lambda w, k: {"jurisdiction_id": None}, 400),
    ("unknown jurisdiction", lambda w, k: {"jurisdiction_id": "nowhere"}, 404),
    ("wrong service_code", lambda w, k: {"service_code": "lift"}, 400),
    ("no service_code", lambda w, k: {"service_code": None}, 400),
    ("no description", lambda w, k: {"description": None}, 400),
    ("blank description", lambda w, k: {"description": "   "}, 400),
    ("long description", lambda w, k: {"description": "长" * 1001}, 400),
    ("no place", lambda w, k: {"address_string": None}, 400),
    ("coordinates only", lambda w, k: {"address_string": None, "lat": "39.9", "long": "116.4"}, 400),
    ("media_url", lambda w, k: {"media_url": "https://example.com/a.jpg"}, 400),
    ("long phone", lambda w, k: {"phone": "1" * 31}, 400),
    ("control characters", lambda w, k: {"description": "电梯\x1b[2J停了"}, 400),
    ("NUL", lambda w, k: {"description": "电梯\x00停了"}, 400),
]


@pytest.mark.parametrize(("case", "change", "code"), BAD_POSTS, ids=[case for case, _c, _s in BAD_POSTS])
def test_every_bad_post_is_refused_in_open311_format_and_writes_nothing(client, world, key, case, change, code):
    form = good_form(world, key, **change(world, key))
    db.session.commit()
    before = database_rows(db.session)
    status, body = post(client, form)
    assert status == code, body
    validate(body, OPEN311_ERROR)
    assert body[0]["code"] == code and body[0]["description"]
    assert database_rows(db.session) == before


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"service_code": "lift"}, "service_code: "),
        ({"address_string": "长" * 201}, "address_string: "),
        ({"phone": "1" * 31}, "phone: "),
    ],
)
def test_a_refusal_names_the_field_as_the_standard_calls_it(client, world, key, change, named):
    _status, body = post(client, good_form(world, key, **change))
    assert body[0]["description"].startswith(named), body


def test_the_post_forms_schema_states_the_sites_own_rules():
    """The spec cannot import requests' models nor restate core's check by reference: this keeps the copies equal."""
    assert all(bool(re.fullmatch(VISIBLE, chr(code))) != has_control_chars(chr(code)) for code in range(0x2100))
    fields = OPEN311_POST_FORM["properties"]
    assert [fields[name]["maxLength"] for name in ("description", "address_string", "email")] == [
        DESCRIPTION_MAX,
        PLACE_MAX,
        CONTACT_MAX,
    ]


def test_a_session_never_stands_in_for_a_key(login_as, world, key):
    """A logged-in site admin (who issues the keys) posting without a key is refused like anyone."""
    client = login_as(world.site_admin)
    status, body = post(client, good_form(world, key, api_key=None))
    assert status == 403 and body[0]["code"] == 403


def test_what_the_caller_says_identifies_nobody(client, login_as, world, key):
    """account_id, email and phone of a resident do not make the request theirs."""
    resident = world.resident
    form = good_form(world, key, account_id=str(resident.id), email=f"{resident.username}@example.com", phone=resident.phone)
    _status, body = post(client, form)
    row = db.session.get(Request, int(body[0]["service_request_id"]))
    assert row.reporter_id is None
    page = login_as(resident).get("/me/requests").get_data(as_text=True)
    assert f"#{row.id}" not in page
    assert login_as(resident).get(f"/requests/{row.id}").get_data(as_text=True).count("3号楼电梯停了两天") == 0
    assert not db.session.scalars(sa.select(Notification).where(Notification.link == f"/requests/{row.id}")).all()


def test_the_contact_shows_only_to_the_staff_holding_it(client, login_as, world, key):
    _status, body = post(client, good_form(world, key))
    row = db.session.get(Request, int(body[0]["service_request_id"]))
    url = f"/requests/{row.id}"

    def shown(viewer) -> bool:
        return "13700001111" in login_as(viewer).get(url).get_data(as_text=True)

    assert shown(world.worker) and not shown(world.department_member)  # the committee holds it
    services.accept(world.worker, row)
    services.escalate(world.worker, row, "需要街道协调")
    services.dispatch(world.street_admin, row, world.department)
    assert shown(world.department_member) and not shown(world.worker)
    for viewer in (None, world.resident, world.other_worker, world.other_street_admin, world.site_admin):
        assert not shown(viewer)


def test_the_committee_sees_the_contact_to_call_back_a_request_a_department_resolved(client, login_as, world, key):
    """The call-back is the committee's (to the contact given), whoever held and resolved it."""
    _status, body = post(client, good_form(world, key))
    row = db.session.get(Request, int(body[0]["service_request_id"]))
    services.accept(world.worker, row)
    services.escalate(world.worker, row, "需要街道协调")
    services.dispatch(world.street_admin, row, world.department)
    services.resolve(world.department_member, row, "已修好")
    db.session.commit()
    page = login_as(world.worker).get(f"/requests/{row.id}").get_data(as_text=True)
    assert "13700001111" in page


def test_posts_are_rate_limited(client, world, key, app, monkeypatch):
    monkeypatch.setitem(app.config, "OPEN311_POST_LIMIT", "2 per minute")
    assert [post(client, good_form(world, key))[0] for _ in range(2)] == [201, 201]
    status, body = post(client, good_form(world, key))
    assert status == 429
    validate(body, OPEN311_ERROR)
