"""CSV downloads for every export: UTF-8 with a BOM (Excel opens it right), formula cells neutralised."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Response, stream_with_context

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Listing:
    """A list the open-data API serves, as a domain's ``sources.py`` describes it: the select, how a
    batch of its rows reads as items, the CSV columns and the file's name (``csv_render`` when the
    CSV leaves out what the JSON nests)."""

    stmt: Any
    render: Callable[[Sequence[Any]], list[dict]]
    columns: list[str]
    name: str
    csv_render: Callable[[Sequence[Any]], list[dict]] | None = None


def iso(moment) -> str | None:
    """A date or time in ISO 8601 for open data and downloads (None stays None)."""
    return moment.isoformat() if moment else None


def safe_cell(value) -> str:
    """A cell as text; one that a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # a number is data, never a formula (-5 stays a number)
    text = str(value)
    if text.startswith(DANGEROUS_START):
        return "'" + text
    return text


def _line(writer_buffer: io.StringIO, writer, row: Sequence) -> str:
    writer.writerow([safe_cell(cell) for cell in row])
    text = writer_buffer.getvalue()
    writer_buffer.seek(0)
    writer_buffer.truncate()
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """A CSV download named ``filename`` (ASCII), UTF-8 with a BOM."""
    return Response(
        csv_text(header, rows).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Content-Type": "text/csv; charset=utf-8"},
    )


def csv_stream(filename: str, header: Sequence[str], chunks: Iterable[Iterable[Sequence]]) -> Response:
    """A CSV download written as it is read: ``chunks`` yields batches of rows (a query read in
    partitions), so a list of any length is sent in constant memory. UTF-8 with a BOM."""

    def generate() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        yield ("\ufeff" + _line(buffer, writer, header)).encode("utf-8")
        for rows in chunks:
            yield "".join(_line(buffer, writer, row) for row in rows).encode("utf-8")

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Content-Type": "text/csv; charset=utf-8"},
    )
