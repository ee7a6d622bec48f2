"""The Open311 GeoReport v2 part of the OpenAPI document (consult/api/spec.py): its schemas and paths."""

from __future__ import annotations

OPEN311_ERROR = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "additionalProperties": False,
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}
OPEN311_SERVICE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
    "properties": {
        "service_code": {"type": "string"},
        "service_name": {"type": "string"},
        "description": {"type": "string"},
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": {"type": "string"},
        "group": {"type": "string"},
    },
}
#: GeoReport v2's service request fields, without those the site never publishes (description,
#: lat, long, media_url: the public part of a request has no text of the resident, place or photo)
OPEN311_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "address_id",
        "zipcode",
    ],
    "properties": {
        "service_request_id": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": {"type": "string"},
        "service_name": {"type": "string"},
        "service_code": {"type": "string"},
        "agency_responsible": {"type": "string"},
        "service_notice": {"type": "string"},
        "requested_datetime": {"type": "string", "format": "date-time"},
        "updated_datetime": {"type": "string", "format": "date-time"},
        "expected_datetime": {"type": "string", "format": "date-time"},
        "address": {"type": "string"},
        "address_id": {"type": "string"},
        "zipcode": {"type": "string"},
    },
}


def _list_of_one(*names: str) -> dict:
    """A list of one object of these string fields (the standard answers with lists)."""
    item = {"type": "object", "additionalProperties": False, "required": list(names)}
    item["properties"] = {name: {"type": "string"} for name in names}
    return {"type": "array", "minItems": 1, "maxItems": 1, "items": item}


#: the answer to POST requests.json (GeoReport v2: id, token, notice; no accounts are created)
OPEN311_POST_RESPONSE = _list_of_one("service_request_id", "token", "service_notice")
OPEN311_TOKEN = _list_of_one("service_request_id", "token")
#: any text but NUL (refused by the site as a whole: consult/core/guard.py)
NO_NUL = "^[^\\u0000]*$"
_TEXT = {"type": "string", "pattern": NO_NUL}
#: the POST's text: no invisible control characters either (consult.core.forms.has_control_chars)
VISIBLE = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069]*$"
#: the form of POST requests.json (application/x-www-form-urlencoded, the standard's field names)
OPEN311_POST_FORM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["api_key", "jurisdiction_id", "service_code", "description", "address_string"],
    "properties": {
        "api_key": {"type": "string", "pattern": VISIBLE, "description": "issued by a site administrator for one street"},
        "jurisdiction_id": {"type": "string", "pattern": VISIBLE, "description": "the slug of a community of the key's street"},
        "service_code": {"type": "string", "pattern": VISIBLE, "description": "a category key of the community (services.json)"},
        "description": {"type": "string", "pattern": VISIBLE, "maxLength": 1000},
        "address_string": {
            "type": "string",
            "pattern": VISIBLE,
            "maxLength": 100,
            "description": "the place; coordinates are not used",
        },
        "lat": {"type": "string", "pattern": VISIBLE, "description": "not stored"},
        "long": {"type": "string", "pattern": VISIBLE, "description": "not stored"},
        "first_name": {"type": "string", "pattern": VISIBLE},
        "last_name": {"type": "string", "pattern": VISIBLE},
        "phone": {"type": "string", "pattern": VISIBLE, "maxLength": 30},
        "email": {"type": "string", "pattern": VISIBLE, "maxLength": 120},
        "device_id": {"type": "string", "pattern": VISIBLE, "description": "ignored"},
        "account_id": {
            "type": "string",
            "pattern": VISIBLE,
            "description": "ignored: nobody is identified by what the caller sends",
        },
        "media_url": {"type": "string", "pattern": VISIBLE, "description": "refused (400): photos are not fetched from URLs"},
    },
}
JURISDICTION = {
    "name": "jurisdiction_id",
    "in": "query",
    "required": True,
    "schema": {"type": "string", "minLength": 1, "pattern": NO_NUL},
    "description": "the slug of a community",
}
DATE_PARAM = {"in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "ISO 8601 with offset"}


def _open311(summary: str, schema: dict, params: list) -> dict:
    error = {"content": {"application/json": {"schema": OPEN311_ERROR}}}
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {"description": "OK", "content": {"application/json": {"schema": schema}}},
                "400": {"description": "Bad parameters", **error},
                "404": {"description": "Not found", **error},
            },
        }
    }


def _open311_post() -> dict:
    error = {"content": {"application/json": {"schema": OPEN311_ERROR}}}
    return {
        "summary": "Open311 GeoReport v2: report a request with an API key (no cookie, no CSRF token; JSON only)",
        "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": OPEN311_POST_FORM}}},
        "responses": {
            "201": {"description": "Received", "content": {"application/json": {"schema": OPEN311_POST_RESPONSE}}},
            "400": {"description": "A missing or wrong field", **error},
            "403": {"description": "No key, a wrong or revoked key, or a key of another street", **error},
            "404": {"description": "No such jurisdiction", **error},
            "429": {"description": "Too many requests with this address", **error},
        },
    }


def open311_paths() -> dict:
    return {
        "/open311/v2/services.json": _open311(
            "Open311 GeoReport v2: a community's request categories",
            {"type": "array", "items": OPEN311_SERVICE},
            [JURISDICTION],
        ),
        "/open311/v2/requests.json": _open311(
            "Open311 GeoReport v2: a community's requests (public part; the last 90 days unless dates are given)",
            {"type": "array", "maxItems": 1000, "items": OPEN311_REQUEST},
            [
                JURISDICTION,
                {"name": "service_request_id", "in": "query", "schema": _TEXT},
                {"name": "service_code", "in": "query", "schema": _TEXT},
                {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed"]}},
                {"name": "start_date", **DATE_PARAM},
                {"name": "end_date", **DATE_PARAM},
            ],
        )
        | {"post": _open311_post()},
        "/open311/v2/tokens/{token}.json": _open311(
            "Open311 GeoReport v2: the service request a token was given for",
            OPEN311_TOKEN,
            [{"name": "token", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "pattern": NO_NUL}}],
        ),
        "/open311/v2/requests/{id}.json": _open311(
            "Open311 GeoReport v2: one request (a list of one)",
            {"type": "array", "minItems": 1, "maxItems": 1, "items": OPEN311_REQUEST},
            [JURISDICTION, {"name": "id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}],
        ),
    }
