"""Template filters and globals: local times, ages, people's names, header data."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import get_timezone_location
from flask import Flask, current_app, g, request, url_for
from flask_babel import format_datetime, get_locale
from flask_login import current_user
from markupsafe import Markup, escape

from consult.core import (
    audit,
    i18n,
    policy,  # noqa: F401  (registers the |can filter)
)
from consult.core.clock import local, local_now, now
from consult.core.i18n import gettext as _, ngettext
from consult.core.markdown import render as markdown
from consult.core.notifications import unread_count
from consult.core.registries import header_values, labels, template_filters, template_globals

#: The all-digit patterns the pages use, the same in every locale: written with strftime, which
#: costs a tenth of Babel's pattern formatting (40 dates on the topic list). Others go to Babel.
_DIGITS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "HH:mm": "%H:%M"}


def dt(moment: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A moment in the site's time zone."""
    if moment is None:
        return ""
    pattern = _DIGITS.get(fmt)
    if pattern is None:
        return format_datetime(moment, fmt)
    return local(moment if moment.tzinfo else moment.replace(tzinfo=UTC)).strftime(pattern)


def date(moment: datetime | None) -> str:
    return dt(moment, "yyyy-MM-dd")


def when(moment: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> Markup:
    """A moment as ``<time class="nowrap">``: a date never breaks across lines."""
    if moment is None:
        return Markup("")
    return Markup('<time class="nowrap" datetime="%s">%s</time>') % (moment.isoformat(), dt(moment, fmt))


def day(moment) -> Markup:
    """A date as ``<time class="nowrap">``."""
    if moment is None:
        return Markup("")
    text = date(moment) if isinstance(moment, datetime) else moment.isoformat()
    return Markup('<time class="nowrap" datetime="%s">%s</time>') % (text, text)


def age(moment: datetime | None) -> str:
    """How long ago, in words: "3 hours", "2 days"."""
    if moment is None:
        return ""
    return duration(now() - moment)


def duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes)
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours)
    return ngettext("%(num)d day", "%(num)d days", hours // 24)


def person(user) -> str:
    """A person's display name; a closed account shows as a former user."""
    if user is None:
        return _("the committee")
    if getattr(user, "closed_at", None) is not None or not user.display_name:
        return _("Former user")
    return user.display_name


def time_zone_hint() -> str:
    """The hint under a form's time fields: which zone the times typed are in.

    For Asia/Shanghai it says Beijing time (北京时间), the name people use; any other zone is
    named by its place in the reader's language ("德国（柏林）时间").
    """
    zone = current_app.config["SITE_TIMEZONE"]
    if zone == "Asia/Shanghai":
        return _("Times are in Beijing time.")
    return _("Times are in %(zone)s.", zone=get_timezone_location(zone, locale=get_locale()))


def labelled(label, value) -> Markup:
    """ "Label: value" with the reader's punctuation ("地址：3号楼" in Chinese); both parts escaped."""
    return escape(_("%(label)s: %(value)s")) % {"label": label, "value": value}  # Markup: % escapes both parts


def in_parens(text, extra) -> Markup:
    """ "text (extra)" with the reader's brackets ("评论（3）" in Chinese); both parts escaped."""
    return escape(_("%(text)s (%(extra)s)")) % {"text": text, "extra": extra}  # Markup: % escapes both parts


def listed(items) -> str:
    """Items joined the reader's way ("甲，乙" / "a, b")."""
    return _(", ").join(str(item) for item in items)


def register(app: Flask) -> None:
    i18n.install(app)
    app.jinja_env.filters.update(dt=dt, date=date, when=when, day=day, age=age, person=person, duration=duration)

    app.jinja_env.filters["markdown"] = markdown
    app.jinja_env.filters.update(template_filters)
    app.jinja_env.globals.update(
        status_label=label,
        action_label=label,
        now_local=local_now,
        time_zone_hint=time_zone_hint,
        labelled=labelled,
        in_parens=in_parens,
        listed=listed,
        **template_globals,
    )
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def header_context():
        unread = 0
        values = dict.fromkeys(header_values)
        if current_user.is_authenticated:
            if "_unread" not in g:
                g._unread = unread_count(current_user.id)
            unread = g._unread
            values = {name: provide(current_user) for name, provide in header_values.items()}
        return {
            **values,
            "html_lang": i18n.html_lang(),
            "locale": i18n.select_locale(),
            "large_text": i18n.large_text(),
            "unread_count": unread,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    @app.template_global()
    def audit_lines(entries) -> list:
        """(entry, Description) pairs of a page of the audit log, the people named looked up once."""
        entries = list(entries)
        names = audit.people_names(entries)
        return [(entry, audit.describe(entry, names)) for entry in entries]

    @app.template_global()
    def request_key() -> str:
        """A fresh one-time key for a form whose double submit must not act twice."""
        return uuid.uuid4().hex

    @app.template_global()
    def page_url(page: int, arg: str = "page", anchor: str | None = None) -> str:
        """The current URL with another page number (in ``arg``: a page with several lists has one each)."""
        args: dict[str, Any] = {**request.args.to_dict(), arg: page}
        return url_for(request.endpoint or "", **(request.view_args or {}), **args, _anchor=anchor)


def label(key: str) -> str:
    """The translated label of a status or audit action key (the key itself if none)."""
    value = labels.get(key)
    return str(value) if value is not None else key
