"""Reads for the records page: what each record behind a figure is, without the person behind it."""

from __future__ import annotations

from consult.core.registries import evaluation_records
from consult.core.scales import SATISFACTION_LEVELS

RATING_KINDS = ("outcome_rating", "wish_rating", "activity_rating")


def record_details(items: list[list]) -> list[dict]:
    """One row per record, in order: its kind, what it is about (title and page), and for a rating
    its level, date and comment — never who gave it. A fixed number of queries, one per kind, each
    asked of the domain that registered the kind (``consult.core.registries.evaluation_record``)."""
    ids: dict[str, set] = {}
    for item in items:
        ids.setdefault(item[0], set()).add(item[1])
    details = {kind: evaluation_records[kind](kind_ids) for kind, kind_ids in ids.items() if kind in evaluation_records}
    rows = []
    for item in items:
        kind, record_id = item[0], item[1]
        row = {
            "kind": kind,
            "id": record_id,
            "title": None,
            "endpoint": None,
            "args": {},
            "level": None,
            "comment": None,
            "at": None,
            "minutes": item[2] if len(item) > 2 else None,
        }
        row.update(details.get(kind, {}).get(record_id, {}))
        rows.append(row)
    return rows


def level_counts(rows: list[dict]) -> list[tuple[str, int]]:
    """Ratings among ``rows`` by level, best first."""
    return [(level, sum(1 for r in rows if r["level"] == level)) for level in SATISFACTION_LEVELS]
