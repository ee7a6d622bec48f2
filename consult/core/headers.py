"""Security headers on every response: a strict Content-Security-Policy and its companions.

The policy allows scripts, styles, images and fonts from this site only: no inline ``<script>``,
no ``<style>`` blocks, no ``style=`` attributes, no ``on*=`` handlers (templates link files under
static/). Inline SVG (QR codes, charts) is fine as long as it uses presentation attributes
(``fill``, ``stroke``, ``width``) rather than ``style``. See docs/security.md.
"""

from __future__ import annotations

from flask import Flask, Response

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def security_headers(config) -> list[tuple[str, str]]:
    """The headers every answer carries (the page cache's WSGI layer adds the same to its hits)."""
    headers = [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    hsts = config.get("HSTS_SECONDS") or 0
    if hsts:
        headers.append(("Strict-Transport-Security", f"max-age={int(hsts)}; includeSubDomains"))
    return headers


def secure_headers(app: Flask, response: Response) -> Response:
    """Add the headers unless a view set its own."""
    for name, value in security_headers(app.config):
        response.headers.setdefault(name, value)
    return response


def register(app: Flask) -> None:
    app.after_request(lambda response: secure_headers(app, response))
