"""Markdown for people's text: markdown-it-py with raw HTML off, then nh3 as the last word."""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=4096)
def render(text: str | None) -> Markup:
    """Safe HTML from Markdown: scripts, event handlers and javascript: links never survive."""
    html = _md.render(text or "")
    # Headings inside a page with its own h1/h2 start at h3.
    for level in (1, 2):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    for level in (5, 6):
        html = html.replace(f"<h{level}>", "<h4>").replace(f"</h{level}>", "</h4>")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    # Safe to mark: nh3 has just cleaned it against an allow-list of tags and attributes.
    return Markup(cleaned)  # nosec B704
