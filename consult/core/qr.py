"""QR codes as inline SVG (segno): check-in codes, activity posters, printed documents."""

from __future__ import annotations

import io

import segno


def qr_svg(address: str, title: str, scale: int = 5) -> str:
    """An inline SVG QR code of ``address`` (segno)."""
    buffer = io.BytesIO()
    segno.make(address, error="m").save(buffer, kind="svg", scale=scale, xmldecl=False, svgns=True, title=title)
    return buffer.getvalue().decode()
