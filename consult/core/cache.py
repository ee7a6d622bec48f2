"""Public pages served from Redis to anonymous visitors, invalidated by the writes that change them.

With ``CACHE_REDIS_URL`` (default: ``REDIS_URL``) set, a view decorated ``@cache.page("topic:{topic_id}")``
answers an anonymous GET from Redis when it can; without Redis the decorator calls the view, nothing else.

**Keys.** An entry is stored under a hash of the site address, the path with its query string,
the locale and the large-text choice (the cookies an anonymous page reads, consult.core.i18n). It
carries the versions of the scopes it was rendered under: ``site`` always, and the ones the view
names (``community:<slug>``, ``street:<slug>``, ``topic:<id>``, ``activity:<id>``), and the names of
those version keys. One round trip reads the entry and the current versions together (an MGET in
the decorator, which knows the scopes from the view's arguments; a small Lua script in the WSGI
layer, consult.core.cache_wsgi, which answers hits before Flask and reads the names from the entry);
the entry is served only when they are equal. The key is computed by :func:`entry_key` for both.

**Versions.** A write changes the version of every scope it touches: consult.core.cache_writes
collects them at each flush from the rows the domains registered, and once the transaction
commits :meth:`Store.bump` replaces them with new random values (a rollback drops them). A
version missing from Redis (evicted, flushed) is created afresh, so an old entry never matches
again.

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
import json
import logging
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import wraps

import redis
from flask import Flask, Request, Response, current_app, g, has_request_context, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from consult.core import i18n
from consult.core.clock import now

log = logging.getLogger(__name__)

SITE = "site"
CSRF_MARK = "__consult_cache_csrf_token__"
KEY_MARK = "__consult_cache_request_key__"
_KEY_MARK_RE = re.compile(KEY_MARK.encode())
#: The headers of a view's answer kept with its body (the security headers are added to every answer).
KEPT_HEADERS = ("Content-Type", "Content-Disposition")

#: The entry of KEYS[1] if every version it was rendered under is still current, else nil. An entry
#: is ``tag \n version keys \n headers \n body`` (see Store.save); the version keys are read from
#: the entry (on one Redis server, not a cluster).
CURRENT_ENTRY = """
local entry = redis.call('GET', KEYS[1])
if not entry then return false end
local a = string.find(entry, '\\n', 1, true)
if not a then return false end
local b = string.find(entry, '\\n', a + 1, true)
if not b then return false end
local names = {}
for name in string.gmatch(string.sub(entry, a + 1, b - 1), '%S+') do names[#names + 1] = name end
if #names == 0 then return false end
local versions = redis.call('MGET', unpack(names))
for i = 1, #versions do
  if not versions[i] then return false end
end
if table.concat(versions, '|') ~= string.sub(entry, 1, a - 1) then return false end
return string.sub(entry, b + 1)
"""


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
        self.current_entry = self.redis.register_script(CURRENT_ENTRY)

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
            names, _, rest = entry[len(tag) + 1 :].partition(b"\n")
            if names == " ".join(keys).encode():  # (an entry of another layout is a miss)
                return rest, tag.decode()
        return None, tag.decode()

    def current(self, entry_key: str) -> bytes | None:
        """``headers \n body`` of the entry if it is current, in one round trip (the scopes are read
        from the entry) — None when it is not, when Redis is away, or when a version change is owed."""
        if not self.available() or self.owes_site_bump:
            return None
        try:
            found = self.current_entry(keys=[entry_key], client=self.redis)
        except redis.RedisError as error:
            self.failed(error, "reading a page")
            return None
        return found if isinstance(found, bytes) else None

    def save(self, entry_key: str, scopes: list[str], tag: str, headers: dict[str, str], body: bytes, ttl: int) -> None:
        if not self.available():
            return
        try:
            head = json.dumps(headers, ensure_ascii=True).encode()
            names = " ".join(self.version_key(scope) for scope in scopes).encode()
            self.redis.set(entry_key, tag.encode() + b"\n" + names + b"\n" + head + b"\n" + body, ex=ttl)
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
            key = entry_key(cache.prefix, request, current_app.config)
            names = [SITE, *(s.format(**kwargs) for s in scopes)]
            found = cache.lookup(key, names)
            if found is None:  # Redis away
                return view(**kwargs)
            entry, tag = found
            if entry is not None:
                head, _, body = entry.partition(b"\n")
                response = current_app.response_class(_fill(body), headers=json.loads(head))
                response.headers["X-Cache"] = "hit"
                return response
            return _render(cache, key, names, tag, view, kwargs)

        return cached

    return decorator


def _anonymous_request() -> bool:
    # ``g.no_page_cache``: a domain's request that must not share pages (a kiosk: consult/kiosk/mode.py)
    return (
        request.method in ("GET", "HEAD")
        and not current_user.is_authenticated
        and "_flashes" not in session
        and not g.get("no_page_cache")
    )


def entry_key(prefix: str, req: Request, config) -> str:
    """The key of an anonymous visitor's page: site address, path and query string, locale, large text.

    The one function for the decorator and the WSGI layer (``req`` is Flask's request there, a
    request object over the WSGI environ here): the two can never disagree.
    """
    cookies = req.cookies
    material = "\n".join(
        (
            req.host_url,
            req.full_path,
            i18n.cookie_locale(cookies, config),
            "large" if i18n.cookie_large_text(cookies) else "normal",
        )
    )
    return f"{prefix}page:{hashlib.blake2b(material.encode(), digest_size=16).hexdigest()}"


def _render(cache: Store, key: str, scopes: list[str], tag: str, view, kwargs: dict) -> Response:
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
        cache.save(key, scopes, tag, {k: response.headers[k] for k in KEPT_HEADERS if k in response.headers}, body, ttl)
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
    return fill_keys(body)


def fill_keys(body: bytes) -> bytes:
    """Fresh one-time form keys where the markers are (they need no session)."""
    if KEY_MARK.encode() in body:
        body = _KEY_MARK_RE.sub(lambda _m: uuid.uuid4().hex.encode(), body)
    return body
