"""Chinese search on an index, the same on SQLite and PostgreSQL (docs/topics.md, "Search").

Text is tokenised here, in Python, and nowhere else: a run of Han characters becomes its
overlapping bigrams followed by its last character alone (小区停车难 → 小区 区停 停车 车难 难), a run
of other letters and digits one lower-case word. A query is one or more terms (split at spaces and
punctuation, all must match); a term is the phrase of its tokens, so 加装电梯 (加装 装电 电梯) finds
only text holding 加装电梯 contiguously and 停车 never matches 停了车. A term of one Han character
is a prefix (车*): every character of a run starts a bigram or is the run's last, so it still finds
exactly the texts holding that character.

The index is a table per searched table, keyed by its id (``Index``): an FTS5 table on SQLite
(one column per field, ranked with bm25), a table with one ``tsvector`` and a GIN index on
PostgreSQL (fields kept apart by weight and by a gap in positions, ranked with ts_rank). Domains
``watch`` their model: every flush that adds, changes a field of, or deletes a row rewrites its
index row in the same transaction. Bulk inserts that bypass the ORM call ``store`` themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import flask
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR
from sqlalchemy.orm import Session

#: Han ideographs (CJK unified, extensions A–F, compatibility) and 〇
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_RUN = re.compile(f"([{_HAN}]+)|([^\\W_{_HAN}]+)")
#: what a query may hold: longer ones are cut (the forms allow 40 characters)
QUERY_MAX = 80
TERMS_MAX = 8
#: a longer run of letters and digits is cut, in text and query alike (PostgreSQL refuses a lexeme
#: of over 2,046 bytes)
WORD_MAX = 60


def _normal(text: str) -> str:
    """Full-width letters and digits as ASCII, lower case: the same for text and query."""
    return unicodedata.normalize("NFKC", text).casefold()


def _runs(text: str) -> list[tuple[bool, str]]:
    """(is Han, run) for each run of Han characters or of other letters and digits."""
    return [(bool(m.group(1)), m.group(0) if m.group(1) else m.group(0)[:WORD_MAX]) for m in _RUN.finditer(_normal(text))]


def _bigrams(run: str) -> list[str]:
    return [run[i : i + 2] for i in range(len(run) - 1)]


def tokens(text: str | None) -> list[str]:
    """The tokens a text is indexed as, in order."""
    out: list[str] = []
    for han, run in _runs(text or ""):
        out.extend([*_bigrams(run), run[-1]] if han else [run])
    return out


def tokenised(text: str | None) -> str:
    """The tokens as one space-separated string (what the FTS5 table stores)."""
    return " ".join(tokens(text))


@dataclass(frozen=True)
class Term:
    """One word of a query: its tokens must follow each other; ``prefix``: the last one is a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


def _term(piece: str) -> Term:
    runs = _runs(piece)
    out: list[str] = []
    for i, (han, run) in enumerate(runs):
        last = i == len(runs) - 1
        if not han:
            out.append(run)
        elif len(run) == 1:
            out.append(run)
            if last:
                return Term(tuple(out), prefix=True)
        else:
            # a run the query ends inside may go on in the text; one followed by a word ends there
            out.extend(_bigrams(run) if last else [*_bigrams(run), run[-1]])
    return Term(tuple(out))


def parse(query: str | None) -> list[Term]:
    """The terms of a query; none when it holds no letter, digit or Han character."""
    terms: list[Term] = []
    for piece in re.split(f"[^\\w{_HAN}]+|_", _normal(query or "")[:QUERY_MAX]):
        term = _term(piece) if piece else None
        if term and term.tokens and term not in terms:
            terms.append(term)
    return terms[:TERMS_MAX]


# --- the index --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """The search index of one table: ``name`` (its table), ``key`` (the PostgreSQL column holding
    the row's id; the FTS5 rowid on SQLite), and its fields (model attribute, PostgreSQL weight)."""

    name: str
    key: str
    fields: tuple[tuple[str, str], ...]

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(name for name, _weight in self.fields)


def _tsvector(index: Index, values: Sequence[str | None]) -> str:
    """A tsvector literal: each field's tokens at their positions with the field's weight, a gap of
    one position between fields so that no phrase runs from one into the next."""
    parts, position = [], 0
    for (_name, weight), value in zip(index.fields, values, strict=True):
        for token in tokens(value):
            position += 1
            parts.append(f"'{token}':{min(position, 16383)}{weight}")
        position += 1
    return " ".join(parts)


def _table(index: Index, postgres: bool) -> sa.TableClause:
    if postgres:
        return sa.table(index.name, sa.column(index.key), sa.column("document", TSVECTOR))
    return sa.table(index.name, sa.column("rowid"), *(sa.column(name) for name in index.field_names))


def store(connection, index: Index, rows: Iterable[Sequence], *, replace: bool = True) -> None:
    """Write the index rows of ``rows`` ((id, field value, …) in the index's field order),
    replacing those already there (unless ``replace`` is False: new rows); in the connection's
    transaction."""
    rows = list(rows)
    if not rows:
        return
    if replace:
        forget(connection, index, [row[0] for row in rows])
    postgres = connection.dialect.name == "postgresql"
    table = _table(index, postgres)
    if postgres:
        insert = sa.insert(table).values({index.key: sa.bindparam("id"), "document": sa.cast(sa.bindparam("doc"), TSVECTOR)})
        connection.execute(insert, [{"id": row[0], "doc": _tsvector(index, row[1:])} for row in rows])
    else:
        names = index.field_names
        connection.execute(
            sa.insert(table),
            [{"rowid": row[0], **{n: tokenised(v) for n, v in zip(names, row[1:], strict=True)}} for row in rows],
        )


def forget(connection, index: Index, ids: Sequence[int]) -> None:
    """Remove the index rows of ``ids``."""
    postgres = connection.dialect.name == "postgresql"
    table = _table(index, postgres)
    key = table.c[index.key] if postgres else table.c.rowid
    for start in range(0, len(ids), 500):
        connection.execute(sa.delete(table).where(key.in_(list(ids[start : start + 500]))))


def rebuild(connection, index: Index, table: str, *, batch: int = 2000) -> int:
    """Index every row of ``table`` again, ``batch`` rows at a time (migrations, bulk loads); the count."""
    source = sa.table(table, sa.column("id"), *(sa.column(name) for name in index.field_names))
    last, done = 0, 0
    while True:
        rows = connection.execute(sa.select(*source.c).where(source.c.id > last).order_by(source.c.id).limit(batch)).all()
        if not rows:
            return done
        store(connection, index, rows)
        last, done = rows[-1][0], done + len(rows)


# --- keeping it in step ---------------------------------------------------------------------

_WATCHED: dict[type, Index] = {}


def watch(model: type, index: Index) -> None:
    """Keep ``index`` in step with ``model``: its fields are attributes of the model."""
    _WATCHED[model] = index
    if not sa.event.contains(Session, "after_flush", _after_flush):
        sa.event.listen(Session, "after_flush", _after_flush)


def _changed(obj, index: Index) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in index.field_names)


def _after_flush(session: Session, _context) -> None:
    """Rewrite the index rows of watched rows the flush added, changed (a field) or deleted."""
    if not _WATCHED:
        return
    for model, index in _WATCHED.items():
        added: list[Any] = [o for o in session.new if isinstance(o, model)]
        changed: list[Any] = [o for o in session.dirty if isinstance(o, model) and _changed(o, index)]
        gone = [getattr(o, "id") for o in session.deleted if isinstance(o, model)]  # noqa: B009
        if added or changed or gone:
            connection = session.connection()
            forget(connection, index, gone)
            for objects, replace in ((added, False), (changed, True)):
                store(connection, index, [(o.id, *(getattr(o, n) for n in index.field_names)) for o in objects], replace=replace)


# --- querying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A select narrowed to the rows a query matches, and how to order them best first."""

    select: sa.Select
    best_first: tuple


def _fts5(terms: list[Term], fields: Sequence[str] | None) -> str:
    phrases = " AND ".join('"' + " ".join(t.tokens) + '"' + (" *" if t.prefix else "") for t in terms)
    return f"{{{' '.join(fields)}}} : ({phrases})" if fields else phrases


def _tsquery(terms: list[Term], weights: str) -> str:
    def lexeme(token: str, prefix: bool) -> str:
        suffix = ("*" if prefix else "") + weights
        return f"'{token}'" + (f":{suffix}" if suffix else "")

    phrases = []
    for term in terms:
        last = len(term.tokens) - 1
        phrases.append("(" + " <-> ".join(lexeme(tok, term.prefix and i == last) for i, tok in enumerate(term.tokens)) + ")")
    return " & ".join(phrases)


def search(
    select: sa.Select,
    index: Index,
    id_column,
    query: str | None,
    *,
    dialect: str,
    fields: Sequence[str] | None = None,
) -> Found:
    """``select`` narrowed to the rows whose fields (all, or ``fields``) match ``query``; a query
    without a word matches nothing."""
    terms = parse(query)
    if not terms:
        return Found(select.where(sa.false()), (id_column.desc(),))
    # The matches come first, materialised (bm25 and ts_rank need them anyway): left to itself,
    # SQLite's planner counts a page by probing the FTS5 table once per row of the community.
    if dialect == "postgresql":
        table = sa.table(index.name, sa.column(index.key), sa.column("document", TSVECTOR))
        weights = "".join(w for name, w in index.fields if fields is None or name in fields)
        tsquery = sa.cast(sa.literal(_tsquery(terms, "" if fields is None else weights)), TSQUERY)
        matches = sa.select(table.c[index.key].label("id"), sa.func.ts_rank(table.c.document, tsquery).label("score"))
        matches = matches.where(table.c.document.op("@@")(tsquery))
        score_first = sa.desc
    else:
        bm25_weights = [10.0 if weight == "A" else 1.0 for _name, weight in index.fields]
        matches = sa.select(
            sa.literal_column("rowid").label("id"), sa.func.bm25(sa.literal_column(index.name), *bm25_weights).label("score")
        )
        matches = matches.select_from(sa.table(index.name)).where(
            sa.literal_column(index.name).op("MATCH")(sa.literal(_fts5(terms, fields)))
        )
        score_first = sa.asc
    hit = matches.cte(f"{index.name}_hit").prefix_with("MATERIALIZED")
    return Found(select.join(hit, hit.c.id == id_column), (score_first(hit.c.score), id_column.desc()))


def words(arg: str = "q") -> str | None:
    """A list's search words from the query string (at most 40 characters, as its form allows), or None."""
    return (flask.request.args.get(arg) or "").strip()[:40] or None


def dialect_of(session) -> str:
    """The name of the database the session talks to ("sqlite", "postgresql")."""
    return session.get_bind().dialect.name


def apply(select: sa.Select, index: Index, id_column, query: str | None, session, **kwargs) -> Found:
    """``search`` on the session's database."""
    return search(select, index, id_column, query, dialect=dialect_of(session), **kwargs)


def not_an_index(name, type_, _parent_names) -> bool:
    """For Alembic's ``include_name``: the index tables (and FTS5's own) are not in the models."""
    return not (type_ == "table" and name.startswith("search_"))
