"""Hostile input for the property tests and the fuzz command (bench/fuzz.py).

The values that used to give HTTP 500 (NUL characters, which PostgreSQL refuses; ids beyond
an ``integer`` column, or beyond SQLite's 2**63; a file part where text is expected), every
field name any form of the app reads, every query-string name a view reads, and a snapshot of
the database (the row count of every table) to show that a refused submission wrote nothing.
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qsl, urlsplit

import sqlalchemy as sa
from flask_wtf import FlaskForm
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from consult.extensions import db

#: Values a database cannot store or that overflow its integers.
NUL_VALUES = ["\x00", "a\x00b", "%00", "\x00" * 3 + "1"]
BIG_NUMBERS = ["2147483648", "99999999999", "9223372036854775808", "99999999999999999999999", "-2147483649", "-1", "0"]
ODD_TEXT = [
    "",
    " ",
    "١٢٣",
    "²",
    "1e309",
    "NaN",
    "x" * 5000,
    "\u202e\u200b",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
    "😀" * 50,
    "2026-13-45",
    "../../etc/passwd",
]

#: Query-string names the views read (grep "request.args.get" / "request.values.get").
QUERY_NAMES = [
    "q",
    "category",
    "page",
    "per_page",
    "status",
    "sort",
    "month",
    "year",
    "quarter",
    "figure",
    "format",
    "c",
    "community",
    "street",
    "code",
    "next",
    "unit",
]
#: Form fields read straight from request.form (not through a form class).
RAW_FORM_NAMES = [
    "action",
    "back",
    "lang",
    "large",
    "next",
    "request_key",
    "reset-username",
    "stop",
    "username",
    "year",
    "quarter",
    "parent_id",
    "csrf_token_extra",
]
#: Prefixes the views give forms that share a page.
FORM_PREFIXES = ["street", "community", "admin", "category", "reset"]

ID_IN_PATH = re.compile(r"(?<=/)\d+(?=/|$|\?)")


def form_field_names() -> list[str]:
    """The name of every field of every form class of the app (and its prefixed variants)."""
    names: set[str] = set(RAW_FORM_NAMES)
    stack = list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        for attr in dir(cls):
            if isinstance(getattr(cls, attr, None), UnboundField):
                names.add(attr)
    names.discard("csrf_token")
    prefixed = {f"{prefix}-{name}" for prefix in FORM_PREFIXES for name in names}
    return sorted(names | prefixed)


def with_query(url: str, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    """The path of ``url`` and its query merged with ``values`` (for ``client.get(path, query_string=...)``)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(values)
    return parts.path, query


def big_id_urls(url: str) -> list[str]:
    """``url`` with each id in its path replaced by a number no integer column can hold."""
    urls = []
    for match in ID_IN_PATH.finditer(url.split("?")[0]):
        for big in ("2147483648", "9223372036854775808", "99999999999999999999999"):
            urls.append(url[: match.start()] + big + url[match.end() :])
    return urls


def file_part(name: str = "x.txt") -> tuple:
    return (io.BytesIO(b"not text\x00\xff"), name)


def snapshot(session) -> dict[str, int]:
    """The row count of every table: compared before and after a refused submission."""
    global _COUNTS
    if _COUNTS is None:
        # One statement, built once (and so compiled once): the fuzz command takes thousands.
        _COUNTS = sa.union_all(
            *[
                sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t)
                for t in db.metadata.sorted_tables
            ]
        )
    return {name: count for name, count in session.execute(_COUNTS)}


_COUNTS = None


# --- hypothesis strategies -----------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(NUL_VALUES + BIG_NUMBERS + ODD_TEXT),
    st.integers(min_value=2**31, max_value=2**70).map(str),
    st.integers(max_value=-(2**31) - 1, min_value=-(2**70)).map(str),
    st.text(max_size=30).map(lambda s: s + "\x00" if s else "\x00"),
    st.text(max_size=60),
)


def hostile_form(names: list[str]):
    """A form submission: a few of ``names`` with hostile values, sometimes a file part."""
    return st.tuples(
        st.dictionaries(st.sampled_from(names), hostile_text, min_size=1, max_size=6),
        st.booleans(),
    )
