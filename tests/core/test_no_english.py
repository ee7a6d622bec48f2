"""No English on Chinese pages: every registered page, rendered in zh for every person who may
open it, shows no run of Latin letters that is not a name, number, URL or code.

The visible text is the page's text outside ``<script>``, ``<style>`` and elements marked
``lang="en"`` (the "English" button), plus what a screen reader reads out of attributes
(``aria-label``, ``alt``, ``title``, ``placeholder``, button values).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask_babel import force_locale

from consult.core.templating import day, time_zone_hint, when
from tests.registry import GET_ROUTES, ROLES

ROOT = Path(__file__).resolve().parents[2]

#: Latin words that are names or codes, not English: abbreviations people meet in Chinese text.
ALLOWED_WORDS = {
    "QR",
    "CSV",
    "API",
    "PDF",
    "JSON",
    "OpenAPI",
    "URL",
    "ID",
    "PIN",
    "HMAC",
    "A4",
    "Excel",
    "PostgreSQL",
    "SQLite",
    "Redis",
    "Open311",
    "JPEG",
    "PNG",
    "WebP",
    "MB",
    "GeoReport",
    "WCAG",
    "AA",
    "HTTP",
    "HTTPS",
    "CSP",
    "UTC",
    "Markdown",
}
#: Attributes whose text is read out or shown.
SPOKEN_ATTRIBUTES = ("aria-label", "alt", "title", "placeholder")
LATIN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*(?:(?<=Open)311)?")  # "Open311" is one name
#: Things that may contain Latin letters without being English.
NOT_ENGLISH = [
    re.compile(r"https?://\S+"),  # URLs
    re.compile(r"(?<![\w])/[\w\-./?=&%#]*"),  # site paths
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+"),  # e-mail addresses
    re.compile(r"\b[A-Z]{1,4}-?\d[\w-]*\b"),  # document numbers and codes (SR-2026-0001)
    re.compile(r"\b\d+[A-Za-z]{1,3}\b"),  # 3A, 10px, 5km
    re.compile(r"\b(?:street|community|user|topic)-?\d+\b"),  # factory slugs and usernames
    re.compile(r"\b[a-z]+(?:-[a-z0-9]+)+\b"),  # slugs (heping-shequ)
]


class VisibleText(HTMLParser):
    """Collects (where, text) pairs of the text a person sees or hears."""

    HIDDEN = {"script", "style", "template"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.texts: list[tuple[str, str]] = []

    @property
    def skipping(self) -> bool:
        return any(skipped for _tag, skipped in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped = tag in self.HIDDEN or (attrs.get("lang") or "").lower().startswith("en")
        if not (self.skipping or skipped):
            for name in SPOKEN_ATTRIBUTES:
                if attrs.get(name):
                    self.texts.append((f"<{tag} {name}>", attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.texts.append((f"<{tag} value>", attrs["value"]))
        if tag not in self.VOID:
            self.stack.append((tag, skipped))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in self.VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if data.strip() and not self.skipping:
            where = self.stack[-1][0] if self.stack else "document"
            self.texts.append((f"<{where}>", data.strip()))


CJK = "\u3400-\u9fff"
#: ASCII punctuation touching Chinese text ("居民: 和平社区.", "评论 (3)"): Chinese takes full-width forms.
ASCII_PUNCTUATION = re.compile(rf"[{CJK}]\s?[:;,.!?()]|[:;,!?(]\s?[{CJK}]|\)\s?[{CJK}]")


def visible_texts(html: str) -> list[tuple[str, str]]:
    parser = VisibleText()
    parser.feed(html)
    return parser.texts


def ascii_punctuation(html: str) -> list[str]:
    """Visible text where ASCII punctuation sits against Chinese characters."""
    return [
        f"{m.group()!r} in {where} {text[:80]!r}" for where, text in visible_texts(html) for m in ASCII_PUNCTUATION.finditer(text)
    ]


def english_words(html: str, names: set[str]) -> list[str]:
    """The Latin words of a page's visible text that are not names, numbers, URLs or codes."""
    parser = VisibleText()
    parser.feed(html)
    found = []
    for where, text in parser.texts:
        cleaned = text
        for pattern in NOT_ENGLISH:
            cleaned = pattern.sub(" ", cleaned)
        for word in LATIN.findall(cleaned):
            if word not in ALLOWED_WORDS and word not in names:
                found.append(f"{word!r} in {where} {text[:80]!r}")
    return found


def test_the_scan_finds_english_and_spares_names_and_codes():
    html = """<html><body><main><h1>议题</h1><p>Please correct the marked fields.</p>
      <a href="/x" aria-label="Chart">图</a><p>扫描 QR 码，下载 CSV；用户 resident；https://example.org/a?b=c</p>
      <button lang="en">English</button><script>var x = "hello";</script><p>编号 SR-2026-0001，楼栋 3A</p></main></body></html>"""
    found = english_words(html, names={"resident"})
    assert [f.split()[0] for f in found] == ["'Please'", "'correct'", "'the'", "'marked'", "'fields'", "'Chart'"]
    punctuation = ascii_punctuation("<p>居民: 和平社区.</p><p>评论 (3)</p><p>居民：和平社区。时间 10:30，共 3.5 小时</p>")
    assert [f.split(" in ")[0] for f in punctuation] == ["'民:'", "'区.'", "'论 ('"]


@pytest.mark.parametrize("endpoint", sorted(e for e, r in GET_ROUTES.items() if r.html))
def test_zh_pages_show_no_english(endpoint, world, login_as):
    """Every page in zh, opened by every person who may see it, shows no English words."""
    route = GET_ROUTES[endpoint]
    url = route.sample(world)
    names = {user.username for user in world.roles().values() if user is not None}
    names |= {world.street.slug, world.other_street.slug, world.a.slug, world.b.slug, world.c.slug}
    problems = []
    for role in ROLES:
        if route.expected(role) != route.ok_status or route.ok_status != 200:
            continue
        client = login_as(world.roles()[role])
        response = client.get(url)
        assert response.status_code == 200, (url, role, response.status_code)
        body = response.get_data(as_text=True)
        assert '<html lang="zh-CN"' in body
        problems += [f"{url} as {role}: {word}" for word in english_words(body, names)]
        problems += [f"{url} as {role}: ASCII punctuation {found}" for found in ascii_punctuation(body)]
    assert not problems, "English on a Chinese page:\n" + "\n".join(dict.fromkeys(problems))


def test_time_zone_hint_says_beijing_time_in_chinese(app, monkeypatch):
    """Worker forms name the zone people use: 北京时间 for Asia/Shanghai, the zone's place otherwise."""
    with app.test_request_context("/"):
        with force_locale("zh_CN"):
            assert time_zone_hint() == "时间按北京时间填写。"
        with force_locale("en"):
            assert time_zone_hint() == "Times are in Beijing time."
        monkeypatch.setitem(app.config, "SITE_TIMEZONE", "Europe/Berlin")
        with force_locale("zh_CN"):
            assert time_zone_hint() == "时间按德国（柏林）时间填写。"


def test_dates_are_written_not_to_break(app):
    """``|when`` and ``|day`` wrap a moment in <time class="nowrap"> (site.css keeps it on one line)."""
    with app.test_request_context("/"):
        moment = datetime(2026, 11, 30, 2, 5, tzinfo=UTC)
        assert str(when(moment)) == '<time class="nowrap" datetime="2026-11-30T02:05:00+00:00">2026-11-30 10:05</time>'
        assert str(day(date(2026, 12, 1))) == '<time class="nowrap" datetime="2026-12-01">2026-12-01</time>'
    assert ".nowrap { white-space: nowrap; }" in (ROOT / "static/css/site.css").read_text()
