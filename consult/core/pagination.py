"""Pagination with the page number read safely: absurd or huge page numbers become the last sane one."""

import sqlalchemy as sa
from flask import request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import orm

from consult.core.guard import MAX_INT
from consult.extensions import db

MAX_PAGE = 100_000


def page_number(arg: str = "page") -> int:
    """The page asked for in the query string, between 1 and MAX_PAGE (bad values give 1)."""
    value = request.args.get(arg, "1")
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        return 1 if not (value.isascii() and value.isdigit()) else MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


def paginate(select, *, per_page: int, arg: str = "page", page: int | None = None, total: int | None = None, extend=None):
    """``db.paginate`` with a checked page number (a huge one would overflow SQLite's OFFSET).

    ``total``: the number of rows in all when the caller counted them already (several lists
    counted in one statement); otherwise the count comes along in the page's statement.
    ``extend``: a function adding columns (a joined row, page-wide figures) to the page's
    statement, not to its count; the whole rows are in ``.rows``."""
    if total is not None:
        found = db.paginate(select, page=page or page_number(arg), per_page=per_page, error_out=False, count=False)
        found.total = total
        return found
    return CountedPagination(
        select=select,
        session=db.session(),
        extend=extend,
        page=page or page_number(arg),
        per_page=per_page,
        max_per_page=None,
        error_out=False,
    )


class LoadedPage(Pagination):
    """A page whose items and total the caller read itself (several things in one statement)."""

    def __init__(self, items: list, page: int, per_page: int, total: int) -> None:
        self._loaded = items
        super().__init__(page=page, per_page=per_page, max_per_page=None, error_out=False, count=False)
        self.total = total

    def _query_items(self) -> list:
        return self._loaded

    def _query_count(self) -> int:
        return self.total or 0


class CountedPagination(SelectPagination):
    """A page of rows and the number of rows in all in one statement: the count rides along as an
    uncorrelated scalar subquery (evaluated once, an index-only count where an index covers the
    filter), so a list page costs one statement, not two. A page past the end has no row to carry
    it: then the count is a statement of its own, as before."""

    _total: int | None = None
    rows: list = []

    def _count_statement(self):
        select = self._query_args["select"]
        return sa.select(sa.func.count()).select_from(select.options(orm.lazyload("*")).order_by(None).subquery())

    def _query_items(self) -> list:
        select = self._query_args["select"]
        if self._query_args.get("extend") is not None:
            select = self._query_args["extend"](select)
        select = select.add_columns(self._count_statement().scalar_subquery().label("_total"))
        rows = self._query_args["session"].execute(select.limit(self.per_page).offset(self._query_offset)).unique().all()
        if rows:
            self._total = rows[0][-1]
        elif self.page == 1:
            self._total = 0  # nothing on the first page: nothing at all
        self.rows = rows
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        return self._query_args["session"].execute(self._count_statement()).scalar() or 0


def parse_id(value) -> int | None:
    """A database id from a form or query string, or None ("²".isdigit() is True, int("²") fails).

    Ids beyond what an ``integer`` column holds are None too: PostgreSQL would refuse the query.
    """
    text = str(value or "")
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_INT:
        return int(text)
    return None
