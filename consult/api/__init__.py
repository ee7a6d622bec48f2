"""Read-only open data under /api/v1/: nothing personal, paginated, described by OpenAPI."""
