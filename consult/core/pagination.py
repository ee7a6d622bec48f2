"""Pagination with the page number read safely: absurd or huge page numbers become the last sane one."""

from flask import request

from consult.core.guard import MAX_INT
from consult.extensions import db

MAX_PAGE = 100_000


def page_number(arg: str = "page") -> int:
    """The page asked for in the query string, between 1 and MAX_PAGE (bad values give 1)."""
    value = request.args.get(arg, "1")
    if not (value.isascii() and value.isdigit()) or len(value) > 6:
        return 1 if not (value.isascii() and value.isdigit()) else MAX_PAGE
    return min(max(int(value), 1), MAX_PAGE)


def paginate(select, *, per_page: int, arg: str = "page", page: int | None = None, total: int | None = None):
    """``db.paginate`` with a checked page number (a huge one would overflow SQLite's OFFSET).

    ``total``: the number of rows in all when the caller counted them already (several lists
    counted in one statement); otherwise one ``count`` statement more."""
    found = db.paginate(select, page=page or page_number(arg), per_page=per_page, error_out=False, count=total is None)
    if total is not None:
        found.total = total
    return found


def parse_id(value) -> int | None:
    """A database id from a form or query string, or None ("²".isdigit() is True, int("²") fails).

    Ids beyond what an ``integer`` column holds are None too: PostgreSQL would refuse the query.
    """
    text = str(value or "")
    if text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_INT:
        return int(text)
    return None
