"""The OpenAPI 3.1 description of /api/v1 and /open311/v2 (its schemas are JSON Schema; the tests validate every response)."""

from __future__ import annotations

from consult.api.open311_spec import open311_paths

NULLABLE_STR = {"type": ["string", "null"]}
PAGE = {
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
    "total": {"type": "integer", "minimum": 0},
    "pages": {"type": "integer", "minimum": 0},
}


def _list(item_ref: str, extra: dict | None = None) -> dict:
    props = {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{item_ref}"}}, **PAGE, **(extra or {})}
    return {"type": "object", "required": ["items", *PAGE], "properties": props, "additionalProperties": False}


RATE = {
    "type": "object",
    "required": ["num", "den", "rate"],
    "additionalProperties": False,
    "properties": {"num": {"type": "integer"}, "den": {"type": "integer"}, "rate": {"type": ["number", "null"]}},
}

SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error", "status"],
        "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
    },
    "Community": {
        "type": "object",
        "additionalProperties": False,
        "required": ["slug", "name", "street", "street_name", "member_count"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "street": {"type": "string"},
            "street_name": {"type": "string"},
            "member_count": {"type": "integer", "minimum": 0},
        },
    },
    "Topic": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "title",
            "status",
            "category",
            "committee_initiated",
            "created_at",
            "support_count",
            "comment_count",
            "ballot_count",
            "results",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "status": {"type": "string"},
            "category": {"type": "integer"},
            "committee_initiated": {"type": "boolean"},
            "created_at": {"type": "string", "format": "date-time"},
            "support_count": {"type": "integer"},
            "comment_count": {"type": "integer"},
            "ballot_count": {"type": "integer"},
            "results": {
                "oneOf": [
                    {"type": "null"},
                    {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["final", "ballots", "eligible", "turnout", "quorum_met", "options"],
                        "properties": {
                            "final": {"type": "boolean"},
                            "ballots": {"type": "integer"},
                            "eligible": {"type": "integer"},
                            "turnout": {"type": "number"},
                            "quorum_met": {"type": ["boolean", "null"]},
                            "options": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "required": ["option", "count"],
                                    "additionalProperties": False,
                                    "properties": {"option": {"type": "string"}, "count": {"type": "integer"}},
                                },
                            },
                        },
                    },
                ]
            },
        },
    },
    "Outcome": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "topic_id",
            "decision",
            "responsible",
            "actions",
            "original_due_date",
            "due_date",
            "status",
            "published_at",
            "done_at",
            "progress",
        ],
        "properties": {
            "topic_id": {"type": "integer"},
            "decision": {"type": "string"},
            "responsible": {"type": "string"},
            "actions": {"type": "string"},
            "original_due_date": {"type": "string", "format": "date"},
            "due_date": {"type": "string", "format": "date"},
            "status": {"type": "string"},
            "published_at": {"type": "string"},
            "done_at": NULLABLE_STR,
            "progress": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "note", "at", "new_due_date"],
                    "properties": {
                        "status": {"type": "string"},
                        "note": {"type": "string"},
                        "at": {"type": "string"},
                        "new_due_date": NULLABLE_STR,
                    },
                },
            },
        },
    },
    "Activity": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "title", "kind", "starts_at", "ends_at", "place", "capacity", "signup_count", "points_per_hour"],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {"type": "string"},
            "starts_at": {"type": "string"},
            "ends_at": {"type": "string"},
            "place": {"type": "string"},
            "capacity": {"type": "integer"},
            "signup_count": {"type": "integer"},
            "points_per_hour": {"type": "integer"},
        },
    },
    "Service": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "title",
            "kind",
            "provider",
            "provider_kind",
            "community",
            "minutes",
            "place",
            "hours",
            "closed_days",
            "hours_note",
            "open_now",
            "phone",
            "price",
            "price_yuan",
            "takes_appointments",
            "url",
        ],
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "kind": {"type": "string", "enum": ["government", "convenience", "welfare", "safety"]},
            "provider": {"type": "string"},
            "provider_kind": {"type": "string", "enum": ["committee", "organisation", "unit"]},
            "community": {
                "type": "string",
                "description": "the slug of the service's community (a neighbour's within the circle)",
            },
            "minutes": {"type": "integer", "minimum": 0, "description": "walking minutes from this community's centre"},
            "place": {"type": "string"},
            "hours": {
                "type": "array",
                "description": "the weekly pattern in the site's time zone; weekday 0 is Monday",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["weekday", "opens", "closes", "overnight"],
                    "properties": {
                        "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
                        "opens": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"},
                        "closes": {"type": "string", "pattern": "^[0-9]{2}:[0-9]{2}$"},
                        "overnight": {"type": "boolean", "description": "closes the next day"},
                    },
                },
            },
            "closed_days": {"type": "array", "items": {"type": "string", "format": "date"}},
            "hours_note": {"type": "string"},
            "open_now": {"type": "boolean"},
            "phone": {"type": "string"},
            "price": {"type": "string", "enum": ["free", "fixed", "ask"]},
            "price_yuan": {"type": ["string", "null"], "pattern": "^[0-9]+\\.[0-9]{2}$"},
            "takes_appointments": {"type": "boolean"},
            "url": {"type": "string"},
        },
    },
    "CommunityFigures": {
        "type": "object",
        "additionalProperties": False,
        "required": ["rank", "community", "composite", "figures"],
        "properties": {
            "rank": {"type": ["integer", "null"], "description": "null: no rate had enough data, so the community is not ranked"},
            "community": {"type": "string"},
            "composite": {"type": ["number", "null"]},
            "figures": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "basis",
                    "response",
                    "resolution",
                    "satisfaction",
                    "participation",
                    "topics_response",
                    "topics_resolution",
                    "topics_satisfaction",
                    "volunteer_minutes",
                    "party_services",
                    "wishes_fulfilled",
                ],
                "properties": {
                    "basis": {
                        "type": "string",
                        "enum": ["requests", "topics"],
                        "description": "what response, resolution and satisfaction were computed from: residents' requests,"
                        " or (a month stored before requests were counted) topics and micro-wishes",
                    },
                    "response": RATE,
                    "resolution": RATE,
                    "satisfaction": RATE,
                    "participation": RATE,
                    "topics_response": {
                        **RATE,
                        "type": ["object", "null"],
                        "description": "topics and micro-wishes; null in months stored before",
                    },
                    "topics_resolution": {
                        **RATE,
                        "type": ["object", "null"],
                        "description": "outcomes of topics; null in months stored before",
                    },
                    "topics_satisfaction": {
                        **RATE,
                        "type": ["object", "null"],
                        "description": "outcome, micro-wish and activity ratings; null in months stored before",
                    },
                    "volunteer_minutes": {"type": "integer"},
                    "party_services": {"type": "integer"},
                    "wishes_fulfilled": {"type": "integer"},
                },
            },
        },
    },
    "CommunityList": _list("Community"),
    "TopicList": _list("Topic"),
    "OutcomeList": _list("Outcome"),
    "ActivityList": _list("Activity"),
    "ServiceList": _list("Service"),
    "FiguresList": _list(
        "CommunityFigures",
        {
            "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"},
            "stored": {"type": "boolean"},
            "weights": {"type": "object", "additionalProperties": {"type": "integer"}},
        },
    ),
}

PAGING_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"},
        "description": "csv: the whole list as CSV (UTF-8 with BOM), streamed; page and per_page are then ignored",
    },
]
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
MONTH_PATTERN = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])$"  #: the months consult.core.clock.month_bounds accepts
MONTH = {
    "name": "month",
    "in": "query",
    "schema": {"type": "string", "pattern": MONTH_PATTERN},
    "description": "YYYY-MM (2000-01 to 2100-12); by default the newest stored month; a month not begun yet is 404",
}


def _op(summary: str, schema: str, params: list) -> dict:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return {
        "get": {
            "summary": summary,
            "parameters": params,
            "responses": {
                "200": {
                    "description": "OK",
                    "content": {
                        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}},
                        "text/csv": {"schema": {"type": "string"}},
                    },
                },
                "400": {"description": "Bad parameters", **error},
                "404": {"description": "Not found", **error},
            },
        }
    }


def spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "社区议事 open data",
            "version": "1.0.0",
            "description": "Read-only public data of consultation topics, outcomes, activities, service lists "
            "and monthly service figures. Nothing personal.",
        },
        "paths": {
            "/api/v1/communities": _op("Communities", "CommunityList", PAGING_PARAMS),
            "/api/v1/communities/{slug}/topics": _op(
                "A community's topics with status and results", "TopicList", [SLUG, *PAGING_PARAMS]
            ),
            "/api/v1/communities/{slug}/outcomes": _op(
                "A community's outcomes and progress", "OutcomeList", [SLUG, *PAGING_PARAMS]
            ),
            "/api/v1/communities/{slug}/activities": _op("A community's activities", "ActivityList", [SLUG, *PAGING_PARAMS]),
            "/api/v1/communities/{slug}/services": _op(
                "A community's service list with its neighbours' services within 15 minutes' walk",
                "ServiceList",
                [SLUG, *PAGING_PARAMS],
            ),
            "/api/v1/streets/{slug}/figures": _op(
                "A street's monthly figures and ranking", "FiguresList", [SLUG, MONTH, *PAGING_PARAMS]
            ),
            **open311_paths(),
        },
        "components": {"schemas": SCHEMAS},
    }
