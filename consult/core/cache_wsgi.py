"""Page-cache hits answered before Flask: a WSGI layer in front of the app (inside ProxyFix).

For a GET or HEAD of a visitor who is certainly not logged in, it computes the entry's key with
the decorator's own function (:func:`consult.core.cache.entry_key`), reads the entry and checks
its versions in one round trip (:meth:`consult.core.cache.Store.current`), and answers a current
entry itself: the stored headers, the security headers (:func:`consult.core.headers.security_headers`),
``Vary: Cookie`` and ``X-Cache: hit``, with fresh one-time form keys. No session is loaded, no
extension runs, no SQL is sent. Everything else goes to Flask, where ``@cache.page`` renders and
stores the page as before:

- another method, a remember cookie, a session cookie that does not verify with the app's own
  serializer or that holds a person (``_user_id``) or waiting flash messages (``_flashes``);
- a Host outside ``TRUSTED_HOSTS``, a path or query string Flask would not read the same way;
- no entry, a stale one, one still holding a CSRF marker, Redis away or owed a version change.

See docs/operations.md, "The page cache".
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from werkzeug.exceptions import SecurityError

from consult.core.cache import CSRF_MARK, entry_key, fill_keys, store
from consult.core.headers import security_headers

_CSRF_MARK = CSRF_MARK.encode()


class PageCacheHits:
    """Serve current page-cache entries to anonymous GET/HEAD requests without entering Flask."""

    def __init__(self, app: Flask, wsgi_app, login_cookies: Iterable[str] = ()) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        #: cookies that may log a visitor in (the remember cookies): their presence hands the request to Flask
        self.login_cookies = tuple(login_cookies)
        #: static files are never cached pages: no round trip to Redis for them
        self.static_prefix = f"{app.static_url_path}/" if app.static_url_path else None

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        static = self.static_prefix is not None and environ.get("PATH_INFO", "").startswith(self.static_prefix)
        if (method == "GET" or method == "HEAD") and not static:
            answer = self.hit(environ)
            if answer is not None:
                headers, body = answer
                start_response("200 OK", headers)
                return [] if method == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def hit(self, environ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The headers and body of a current entry for this request, or None: Flask answers."""
        cache = store(self.app)
        if cache is None:
            return None
        app = self.app
        request = app.request_class(environ)
        if app.config["TRUSTED_HOSTS"] is not None:
            request.trusted_hosts = app.config["TRUSTED_HOSTS"]
        try:
            if not self.anonymous(request.cookies):
                return None
            key = entry_key(cache.prefix, request, app.config)
        except (SecurityError, UnicodeError, ValueError):  # an untrusted Host, an address Flask reads otherwise
            return None
        found = cache.current(key)
        if found is None:
            return None
        head, _, body = found.partition(b"\n")
        if _CSRF_MARK in body:  # a form on the page needs this visitor's token: Flask fills it in
            return None
        body = fill_keys(body)
        headers = [(str(k), str(v)) for k, v in json.loads(head).items()]
        headers.append(("Content-Length", str(len(body))))
        headers.append(("Vary", "Cookie"))  # (Flask's answer varies by the session cookie it read)
        headers.extend(security_headers(app.config))
        headers.append(("X-Cache", "hit"))
        return headers, body

    def anonymous(self, cookies) -> bool:
        """Whether the visitor is certainly not logged in and has no flash messages waiting."""
        if any(name in cookies for name in self.login_cookies):
            return False
        app = self.app
        value = cookies.get(app.config["SESSION_COOKIE_NAME"])
        if not value:
            return True  # Flask starts an empty session
        interface = app.session_interface
        if type(interface) is not SecureCookieSessionInterface:
            return False
        serializer = interface.get_signing_serializer(app)
        if serializer is None:
            return False
        try:
            data = serializer.loads(value, max_age=int(app.permanent_session_lifetime.total_seconds()))
        except BadSignature:
            return False
        return isinstance(data, dict) and "_user_id" not in data and "_flashes" not in data


def install(app: Flask, login_cookies: Iterable[str] = ()) -> None:
    """Put the layer in front of the app (before ProxyFix wraps it: hosts and schemes are fixed first)."""
    app.wsgi_app = PageCacheHits(app, app.wsgi_app, login_cookies)  # type: ignore[method-assign]
