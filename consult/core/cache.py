"""Public pages served from Redis to anonymous visitors, invalidated by the writes that change them.

With ``CACHE_REDIS_URL`` (default: ``REDIS_URL``) set, a view decorated ``@cache.page("topic:{topic_id}")``
answers an anonymous GET from Redis when it can; without Redis the decorator calls the view, nothing else.

**Keys.** An entry is stored under a hash of the site address, the path with its query string,
the locale and the large-text choice (the cookies an anonymous page reads, consult.core.i18n). It
carries the versions of the scopes it was rendered under: ``site`` always, and the ones the view
names (``community:<slug>``, ``street:<slug>``, ``topic:<id>``, ``activity:<id>``). One MGET reads the
entry and the current versions together; the entry is served only when they are equal.

**Versions.** A write changes the version of every scope it touches. Domains say which scopes a
change to one of their rows touches (:func:`scopes_for`, in their ``registrations.py``); every
flush collects them from the rows it inserts, updates and deletes (and from bulk UPDATE/DELETE/
INSERT statements on those models), and once the transaction commits the versions are replaced by
new random values (a rollback drops them). A version missing from Redis (evicted, flushed) is
created afresh, so an old entry never matches again.

**Time.** Entries live ``CACHE_TTL`` seconds at most (default 600), less when the page reported an
earlier state change with :func:`valid_until` (a vote opening or closing, a support window ending):
a page never shows a time-driven state later than that moment.

**Never cached**: anything for a logged-in person, a request with flash messages waiting, a
non-200 answer, a streamed one (CSV), one that sets a cookie or changes the session. The CSRF
token and the one-time form keys in an anonymous page are rendered as markers and filled in per
request after the cache read (a cached page never carries another visitor's token).

**Redis away**: pages come from the database as without a cache; a WARNING is logged at most once
per ``CACHE_WARN_SECONDS``; Redis is not asked again for ``CACHE_RETRY_SECONDS`` (no request
waits on a dead server). Versions that could not be changed meanwhile are made up for by
changing ``site`` (every entry) on the first successful contact.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps
from typing import Any

import redis
from flask import Flask, Response, current_app, g, has_app_context, has_request_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from consult.core import i18n
from consult.core.clock import now
from consult.extensions import Session

log = logging.getLogger(__name__)

SITE = "site"
CSRF_MARK = "__consult_cache_csrf_token__"
KEY_MARK = "__consult_cache_request_key__"
_KEY_MARK_RE = re.compile(KEY_MARK.encode())
_PENDING = "cache_pending"  # session.info: scopes changed in the open transaction
_READY = "cache_ready"  # session.info: its transaction committed, to bump now
#: A bulk INSERT whose rows belong to more owners than this changes ``site`` (the city generator).
BULK_OWNERS = 100

#: model class -> function(row) -> the scopes a change to that row touches
_scopes: dict[type, Callable[[Any], Iterable[str]]] = {}


def scopes_for(model: type):
    """Register the function giving the scopes a change to a ``model`` row touches (a domain's registrations)."""

    def register(fn: Callable[[Any], Iterable[str]]):
        _scopes[model] = fn
        return fn

    return register


def changed(row: Any, *attributes: str, new: bool = True) -> bool:
    """Whether the flush changes one of ``attributes`` of ``row``; a new or deleted row counts as ``new``."""
    state = inspect(row)
    if state.transient or state.pending or state.deleted or state.was_deleted:
        return new
    return any(state.attrs[name].history.has_changes() for name in attributes)


def valid_until(moment: datetime | None) -> None:
    """The page being rendered changes by itself at ``moment`` (a vote closing): its entry expires then."""
    if moment is None or not has_request_context() or not g.get("_cache_render"):
        return
    earliest = g.get("_cache_until")
    if earliest is None or moment < earliest:
        g._cache_until = moment


# --- the store -----------------------------------------------------------------------------


class Store:
    """One app's connection to the cache, and what it remembers of Redis being away."""

    def __init__(self, app: Flask, url: str) -> None:
        config = app.config
        timeout = float(config.get("CACHE_REDIS_TIMEOUT", 0.5))
        self.redis = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self.prefix = config.get("CACHE_KEY_PREFIX", "consult:cache:")
        self.ttl = int(config.get("CACHE_TTL", 600))
        self.warn_seconds = float(config.get("CACHE_WARN_SECONDS", 60))
        self.retry_seconds = float(config.get("CACHE_RETRY_SECONDS", 5))
        self.away_until = 0.0
        self.warned_at = float("-inf")
        self.owes_site_bump = False

    def version_key(self, scope: str) -> str:
        return f"{self.prefix}v:{scope}"

    def available(self) -> bool:
        return time.monotonic() >= self.away_until

    def failed(self, error: Exception, doing: str) -> None:
        """Redis did not answer: leave it alone for a while and say so, once in a while."""
        moment = time.monotonic()
        self.away_until = moment + self.retry_seconds
        if moment - self.warned_at >= self.warn_seconds:
            self.warned_at = moment
            log.warning("page cache unreachable (%s) while %s: pages are served from the database", error, doing)

    def _settle_debt(self) -> None:
        if self.owes_site_bump:
            self.redis.set(self.version_key(SITE), _token())
            self.owes_site_bump = False
            log.warning("page cache reachable again: every cached page was dropped")

    def lookup(self, entry_key: str, scopes: list[str]) -> tuple[bytes | None, str] | None:
        """(the entry if it is current, the versions' tag) — or None when Redis is away."""
        if not self.available():
            return None
        keys = [self.version_key(s) for s in scopes]
        try:
            self._settle_debt()
            entry, *versions = self.redis.mget([entry_key, *keys])
            if any(v is None for v in versions):
                with self.redis.pipeline(transaction=False) as pipe:
                    for key, version in zip(keys, versions, strict=True):
                        if version is None:
                            pipe.set(key, _token(), nx=True)
                    pipe.mget(keys)
                    versions = pipe.execute()[-1]
                entry = None
        except redis.RedisError as error:
            self.failed(error, "reading a page")
            return None
        tag = b"|".join(v if isinstance(v, bytes) else str(v).encode() for v in versions)
        if isinstance(entry, bytes) and entry.startswith(tag + b"\n"):
            return entry[len(tag) + 1 :], tag.decode()
        return None, tag.decode()

    def save(self, entry_key: str, tag: str, mimetype: str, body: bytes, ttl: int) -> None:
        if not self.available():
            return
        try:
            self.redis.set(entry_key, tag.encode() + b"\n" + mimetype.encode() + b"\n" + body, ex=ttl)
        except redis.RedisError as error:
            self.failed(error, "storing a page")

    def bump(self, scopes: Iterable[str]) -> None:
        """Give each scope a new version: every entry rendered under the old one is stale."""
        scopes = sorted(set(scopes))
        if not scopes:
            return
        if not self.available():
            self.owes_site_bump = True
            return
        try:
            with self.redis.pipeline(transaction=False) as pipe:
                for scope in scopes:
                    pipe.set(self.version_key(scope), _token())
                pipe.execute()
            self._settle_debt()
        except redis.RedisError as error:
            self.owes_site_bump = True
            self.failed(error, "dropping changed pages")


def _token() -> str:
    return secrets.token_hex(6)


def store(app: Flask | None = None) -> Store | None:
    """The app's cache (None without CACHE_REDIS_URL / REDIS_URL)."""
    app = app or current_app
    return app.extensions.get("consult_cache")


def init_app(app: Flask) -> None:
    """Connect (lazily) to the cache and let anonymous pages be rendered with markers for per-request values."""
    url = app.config.get("CACHE_REDIS_URL") or app.config.get("REDIS_URL")
    if url and app.config.get("CACHE_ENABLED", True):
        app.extensions["consult_cache"] = Store(app, url)
    app.jinja_env.globals["csrf_token"] = _csrf_token
    app.context_processor(lambda: {"csrf_token": _csrf_token})  # Flask-WTF offers it both ways
    request_key: Callable[[], str] | None = app.jinja_env.globals.get("request_key")  # type: ignore[assignment]
    if request_key is not None:
        fresh_key = request_key
        app.jinja_env.globals["request_key"] = lambda: KEY_MARK if rendering() else fresh_key()


def rendering() -> bool:
    """Whether this request renders a page for the cache (per-visitor values become markers)."""
    return has_request_context() and bool(g.get("_cache_render"))


def _csrf_token() -> str:
    return CSRF_MARK if rendering() else generate_csrf()


# --- pages ---------------------------------------------------------------------------------


def page(*scopes: str):
    """Serve the decorated view from the cache to anonymous visitors; ``scopes`` are formatted with
    the view's arguments (``"topic:{topic_id}"``) and ``site`` is always added."""

    def decorator(view):
        @wraps(view)
        def cached(**kwargs):
            cache = store()
            if cache is None or not _anonymous_request():
                return view(**kwargs)
            entry_key = _entry_key(cache)
            found = cache.lookup(entry_key, [SITE, *(s.format(**kwargs) for s in scopes)])
            if found is None:  # Redis away
                return view(**kwargs)
            entry, tag = found
            if entry is not None:
                mimetype, _, body = entry.partition(b"\n")
                response = current_app.response_class(_fill(body), mimetype=mimetype.decode())
                response.headers["X-Cache"] = "hit"
                return response
            return _render(cache, entry_key, tag, view, kwargs)

        return cached

    return decorator


def _anonymous_request() -> bool:
    return request.method in ("GET", "HEAD") and not current_user.is_authenticated and "_flashes" not in session


def _entry_key(cache: Store) -> str:
    material = "\n".join(
        (request.host_url, request.full_path, str(i18n.select_locale()), "large" if i18n.large_text() else "normal")
    )
    return f"{cache.prefix}page:{hashlib.blake2b(material.encode(), digest_size=16).hexdigest()}"


def _render(cache: Store, entry_key: str, tag: str, view, kwargs: dict) -> Response:
    before = dict(session)  # (Flask-Login may have marked the session changed already: compare)
    g._cache_render = True
    try:
        response = make_response(view(**kwargs))
    finally:
        g._cache_render = False
    if response.direct_passthrough or response.is_streamed:
        return response
    body = response.get_data()
    if _storable(response) and dict(session) == before:
        ttl = cache.ttl
        until = g.pop("_cache_until", None)
        if until is not None:
            ttl = max(1, min(ttl, int((until - now()).total_seconds()) + 1))
        cache.save(entry_key, tag, response.mimetype or "text/html", body, ttl)
        response.headers["X-Cache"] = "miss"
    response.set_data(_fill(body))
    return response


def _storable(response: Response) -> bool:
    """A page every anonymous visitor with the same key would get, byte for byte."""
    return (
        response.status_code == 200
        and "Set-Cookie" not in response.headers
        and "no-store" not in (response.headers.get("Cache-Control") or "")
        and "private" not in (response.headers.get("Cache-Control") or "")
        and "csrf_token" not in g  # a form rendered its own token: per visitor
        and not current_user.is_authenticated
    )


def _fill(body: bytes) -> bytes:
    """Put this visitor's CSRF token and fresh one-time keys where the markers are."""
    if CSRF_MARK.encode() in body:
        body = body.replace(CSRF_MARK.encode(), generate_csrf().encode())
    if KEY_MARK.encode() in body:
        body = _KEY_MARK_RE.sub(lambda _m: uuid.uuid4().hex.encode(), body)
    return body


# --- writes change versions once they commit ---------------------------------------------------


def _enabled() -> bool:
    return has_app_context() and store() is not None


def _scopes_of(row: Any) -> Iterable[str]:
    fn = _scopes.get(type(row))
    return fn(row) if fn is not None else ()


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    if not _enabled():
        return
    pending = session.info.setdefault(_PENDING, set())
    with session.no_autoflush:
        for row in [*session.new, *session.dirty, *session.deleted]:
            if type(row) in _scopes and (row in session.new or row in session.deleted or session.is_modified(row)):
                pending.update(_scopes_of(row))


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert) or not _enabled():
        return
    mapper = state.bind_arguments.get("mapper")
    model = mapper.class_ if mapper is not None else None
    if model not in _scopes:
        return
    session = state.session
    pending = session.info.setdefault(_PENDING, set())
    with session.no_autoflush:
        pending.update(_bulk_scopes(session, model, state))


def _bulk_scopes(session, model: type, state: ORMExecuteState) -> set[str]:
    """The scopes of a bulk statement's rows: ``WHERE id = …`` finds the row, ``WHERE fk = …`` (and an
    INSERT's values) make a stand-in row for the model's function; anything else changes ``site``."""
    if state.is_insert:
        parameters: Any = state.parameters
        rows: list[Any] = parameters if isinstance(parameters, list) else [parameters or {}]
        # Rows differ by their own ids; what they belong to (``*_id``) is what decides their scopes.
        owners = {tuple(sorted((k, v) for k, v in row.items() if k.endswith("_id"))) for row in rows}
        if not owners or len(owners) > BULK_OWNERS:
            return {SITE}
        found: set[str] = set()
        for owner in owners:
            found.update(_stand_in_scopes(model, dict(owner)))
        return found
    equal = _equalities(getattr(state.statement, "whereclause", None))
    if equal is None:
        return {SITE}
    if "id" in equal:
        row = session.get(model, equal["id"])
        return set(_scopes_of(row)) if row is not None else set()
    return _stand_in_scopes(model, equal)


def _stand_in_scopes(model: type, values: dict) -> set[str]:
    columns: set[str] = {attribute.key for attribute in inspect(model).column_attrs}  # type: ignore[var-annotated]
    try:
        return set(_scopes_of(model(**{k: v for k, v in values.items() if k in columns}))) or {SITE}
    except Exception:  # a stand-in the model's function cannot read: be safe
        return {SITE}


def _equalities(clause) -> dict[str, Any] | None:
    """``{column: value}`` of a WHERE made of ``column = value`` terms joined by AND, else None."""
    if clause is None:
        return None
    is_and = isinstance(clause, BooleanClauseList) and clause.operator is operators.and_
    found: dict[str, Any] = {}
    for term in clause.clauses if is_and else [clause]:
        if not (isinstance(term, BinaryExpression) and term.operator is operators.eq and isinstance(term.right, BindParameter)):
            return None
        found[str(getattr(term.left, "key", ""))] = term.right.effective_value
    return found


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its changes wait for the real commit
        return
    session.info.setdefault(_READY, set()).update(session.info.pop(_PENDING, set()))


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:  # the root ended without committing: its changes never happened
        session.info.pop(_PENDING, None)


def _bump_committed(session) -> None:
    ready = session.info.pop(_READY, set())
    if ready and _enabled():
        cache = store()
        assert cache is not None
        cache.bump(ready)


Session.after_commit_hooks.append(_bump_committed)
