"""The open-data API: every response validated against the OpenAPI description; paging; CSV; nothing personal."""

import csv
import io
import json
import re
from datetime import date

import pytest
from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from consult.api import views
from consult.api.spec import MONTH_PATTERN, spec


def check(response, schema: str):
    """Validate a JSON response against a component schema of /api/v1/openapi.json."""
    document = spec()
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{schema}", "components": document["components"]})
    errors = sorted(validator.iter_errors(response.get_json()), key=str)
    assert not errors, [e.message for e in errors[:5]]


@pytest.fixture
def full(world):
    """A community with topics in several states, an outcome with progress, activities and figures."""
    world.topic("outcome_done")
    world.topic("voting")
    world.topic("collecting_support")
    world.factory.activity(world)
    world.factory.service(world.provider, price_kind="fixed", price_fen=1250)
    world.factory.service(world.provider, title="夜间巡逻", hours="22:00-02:00+1", closed_days=[date(2099, 1, 1)])
    return world


def test_openapi_description_is_served_and_valid(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    for _name, schema in document["components"]["schemas"].items():
        validator_for(schema).check_schema(schema)
    assert set(document["paths"]) == {
        "/api/v1/communities",
        "/api/v1/communities/{slug}/topics",
        "/api/v1/communities/{slug}/outcomes",
        "/api/v1/communities/{slug}/activities",
        "/api/v1/communities/{slug}/services",
        "/api/v1/streets/{slug}/figures",
        "/open311/v2/services.json",
        "/open311/v2/requests.json",
        "/open311/v2/requests/{id}.json",
        "/open311/v2/tokens/{token}.json",
    }


@pytest.mark.parametrize(
    "path, schema",
    [
        ("/api/v1/communities", "CommunityList"),
        ("/api/v1/communities/{a}/topics", "TopicList"),
        ("/api/v1/communities/{a}/outcomes", "OutcomeList"),
        ("/api/v1/communities/{a}/activities", "ActivityList"),
        ("/api/v1/communities/{a}/services", "ServiceList"),
        ("/api/v1/streets/{street}/figures", "FiguresList"),
    ],
)
def test_every_list_matches_its_schema_and_pages(client, full, path, schema):
    url = path.format(a=full.a.slug, street=full.street.slug)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    check(response, schema)
    body = response.get_json()
    assert body["total"] >= 1 and len(body["items"]) >= 1
    one = client.get(url + "?per_page=1&page=1").get_json()
    assert len(one["items"]) == 1 and one["pages"] == one["total"]
    beyond = client.get(url + f"?per_page=1&page={one['total'] + 1}")
    check(beyond, schema)
    assert beyond.get_json()["items"] == []
    csv = client.get(url + "?format=csv")
    assert csv.mimetype == "text/csv" and csv.data.decode("utf-8").startswith("\ufeff")


@pytest.mark.parametrize("query", ["per_page=0", "per_page=101", "per_page=abc", "page=0", "page=-1"])
def test_page_sizes_out_of_range(client, world, query):
    response = client.get(f"/api/v1/communities?{query}")
    assert response.status_code == 400
    check(response, "Error")


def test_unknown_places_and_bad_months(client, world):
    for url in ("/api/v1/communities/nowhere/topics", "/api/v1/streets/nowhere/figures"):
        response = client.get(url)
        assert response.status_code == 404 and response.mimetype == "application/json"
        check(response, "Error")
    assert client.get(f"/api/v1/streets/{world.street.slug}/figures?month=2026-13").status_code == 400
    assert client.get(f"/api/v1/streets/{world.street.slug}/figures?month=2099-01").status_code == 404


def test_results_only_when_shown_and_nothing_personal(client, full, db):
    topics = {t["id"]: t for t in client.get(f"/api/v1/communities/{full.a.slug}/topics?per_page=100").get_json()["items"]}
    assert topics[full.topic("voting").id]["results"] is None  # results after closing
    done = topics[full.topic("outcome_done").id]["results"]
    assert done["final"] is True and {o["option"] for o in done["options"]} >= {"赞成"}
    text = json.dumps(client.get(f"/api/v1/communities/{full.a.slug}/topics?per_page=100").get_json(), ensure_ascii=False)
    text += json.dumps(client.get(f"/api/v1/communities/{full.a.slug}/outcomes").get_json(), ensure_ascii=False)
    for personal in ("居民李", "党员张", "resident", "13800138000", "author"):
        assert personal not in text


def test_csv_streams_the_whole_list_past_one_page(client, world, factory, count_queries):
    """More rows than the largest page: the CSV holds every one, streamed, read in batches."""
    for _ in range(230):
        factory.community(world.street)
    total = client.get("/api/v1/communities?per_page=1").get_json()["total"]
    assert total > 2 * 100
    response = client.get("/api/v1/communities?format=csv&per_page=5&page=2")  # paging is ignored for CSV
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["slug", "name", "street", "street_name", "member_count"] and len(rows) == total + 1
    assert len({row[0] for row in rows[1:]}) == total


def test_csv_reads_the_database_in_batches(client, world, factory, monkeypatch):
    """Constant memory: the query is read CSV_BATCH rows at a time, never all at once."""
    for _ in range(25):
        factory.community(world.street)
    seen = []
    real = views._flat
    monkeypatch.setattr(views, "CSV_BATCH", 7)
    batches = []
    original = views.csv_stream

    def spy(filename, header, chunks):
        def counted():
            for chunk in chunks:
                batches.append(len(chunk))
                yield chunk

        return original(filename, header, counted())

    monkeypatch.setattr(views, "csv_stream", spy)
    monkeypatch.setattr(views, "_flat", lambda v: (seen.append(1), real(v))[1])
    body = client.get("/api/v1/communities?format=csv").get_data(as_text=True)
    assert max(batches) == 7 and sum(batches) == len(body.strip().splitlines()) - 1
    topics = client.get(f"/api/v1/communities/{world.a.slug}/topics?format=csv")
    assert topics.is_streamed


def test_an_unknown_format_is_refused(client, world):
    response = client.get("/api/v1/communities?format=xml")
    assert response.status_code == 400
    check(response, "Error")


def test_csv_checks_paging_too_and_405_says_what_is_allowed(client, world):
    """Found by schemathesis: a malformed per_page was accepted with CSV; a 405 lacked its Allow header."""
    response = client.get("/api/v1/communities?format=csv&per_page=true")
    assert response.status_code == 400
    check(response, "Error")
    assert client.get("/api/v1/communities?page=100001").status_code == 400
    not_allowed = client.raw.open("/api/v1/communities", method="TRACE")
    assert not_allowed.status_code == 405 and "GET" in not_allowed.headers["Allow"]


def test_the_month_pattern_of_the_description_is_the_one_the_api_accepts(client, world):
    """Found by schemathesis: 0000-00 matched the documented pattern yet was refused."""
    for month in ("0000-00", "2026-13", "1999-12", "2101-01", ""):
        assert not re.match(MONTH_PATTERN, month)
        assert client.get(f"/api/v1/streets/{world.street.slug}/figures?month={month}").status_code == 400
    for month in ("2000-01", "2026-11"):
        assert re.match(MONTH_PATTERN, month)
        assert client.get(f"/api/v1/streets/{world.street.slug}/figures?month={month}").status_code == 200
