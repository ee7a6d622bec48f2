"""What a page costs: translations looked up once a request and still in the reader's language,
and the hot pages' SQL statements, few and the same whatever the data's size."""

from datetime import UTC, datetime, timedelta, timezone

from flask import g
from flask_babel import Domain, force_locale, format_datetime, lazy_gettext, refresh

from consult.core import i18n, templating


def test_pages_in_english_and_chinese_one_after_the_other(client, world):
    """The catalogue cached for one request never answers the next: zh, en, zh again, same process."""
    url = f"/c/{world.a.slug}/topics/"
    for lang, wanted, unwanted in [("zh_CN", "筛选与排序", "Filter and sort"), ("en", "Filter and sort", "筛选与排序")] * 2:
        client.raw.set_cookie("lang", lang)
        page = client.get(url).get_data(as_text=True)
        assert wanted in page and unwanted not in page, lang


def test_the_catalogue_follows_a_locale_changed_within_the_request(app):
    """force_locale (notifications in the reader's language) and refresh (a new preference) take effect at once."""
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        g.__dict__.clear()
        label = lazy_gettext("Topics")
        assert i18n.gettext("Topics") == "Topics" and str(label) == "Topics"
        with force_locale("zh_CN"):
            assert i18n.gettext("Topics") == "议题" and str(label) == "议题"
            assert app.jinja_env.from_string("{{ _('Topics') }}").render() == "议题"
        assert i18n.gettext("Topics") == "Topics"
        g.locale_override = "zh_CN"
        refresh()
        assert str(label) == "议题" and i18n.ngettext("%(num)d topic", "%(num)d topics", 2) == "2 个议题"


def test_the_catalogue_is_looked_up_once_a_request(app, monkeypatch):
    """Many translated strings, one catalogue lookup (the cost this replaces: one per string)."""
    calls = []
    original = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda domain: calls.append(1) or original(domain))
    with app.test_request_context():
        g.__dict__.clear()
        for _ in range(50):
            i18n.gettext("Topics")
            str(lazy_gettext("Topics"))
        app.jinja_env.from_string("{% for i in range(20) %}{{ _('Topics') }}{% endfor %}").render()
    assert len(calls) == 1


def test_dates_written_without_babel_read_as_babel_writes_them(app):
    """|dt's strftime shortcut for the all-digit patterns gives Babel's text in both languages."""
    moments = [
        datetime(2026, 1, 1, 23, 30, tzinfo=UTC),  # the next day in Beijing
        datetime(2026, 6, 30, 16, 5),  # naive: stored UTC
        datetime(2026, 3, 1, 1, 2, tzinfo=timezone(timedelta(hours=-5))),
    ]
    for lang in ("en", "zh_CN"):
        with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
            g.__dict__.clear()
            for moment in moments:
                for fmt in ("yyyy-MM-dd HH:mm", "yyyy-MM-dd", "HH:mm"):
                    assert templating.dt(moment, fmt) == format_datetime(moment, fmt)
            assert templating.dt(moments[0]) == "2026-01-02 07:30"
