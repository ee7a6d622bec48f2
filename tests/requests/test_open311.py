"""Open311 GeoReport v2 (read part): the standard's fields, its filters and error format, nothing personal."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jsonschema import validate

from consult.api.spec import OPEN311_ERROR, OPEN311_REQUEST, OPEN311_SERVICE
from consult.requests import reporting, services

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
