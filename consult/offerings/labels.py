"""Labels of the service list in the reader's language: kinds, weekdays, prices, hours refusals."""

from __future__ import annotations

from flask_babel import gettext as _, lazy_gettext as _l

from consult.offerings.hours import HoursError, clock_text

SERVICE_KINDS = {
    "government": _l("Government services"),  # 政务服务
    "convenience": _l("Convenience services"),  # 便民服务
    "welfare": _l("Services for residents"),  # 为民服务
    "safety": _l("Safety services"),  # 安民服务
}

PROVIDER_KINDS = {
    "committee": _l("The neighbourhood committee"),
    "organisation": _l("Community social organisation"),
    "unit": _l("Unit in the area (school, firm, clinic)"),
}

PROVIDER_STATES = {"pending": _l("waiting for confirmation"), "confirmed": _l("confirmed"), "ended": _l("ended")}
SERVICE_STATES = {
    "listed": _l("on the list"),
    "hidden": _l("hidden until the provider is confirmed"),
    "withdrawn": _l("withdrawn"),
    "ended": _l("provider ended"),
}

#: (form field suffix, name) per weekday, Monday first
WEEKDAYS = [
    ("mon", _l("Monday")),
    ("tue", _l("Tuesday")),
    ("wed", _l("Wednesday")),
    ("thu", _l("Thursday")),
    ("fri", _l("Friday")),
    ("sat", _l("Saturday")),
    ("sun", _l("Sunday")),
]


def weekday_name(weekday: int) -> str:
    return str(WEEKDAYS[weekday][1])


def price_label(price_kind: str, price_fen: int | None) -> str:
    if price_kind == "fixed" and price_fen is not None:
        return _("¥%(amount)s", amount=f"{price_fen / 100:.2f}")
    return _("Free") if price_kind == "free" else _("Ask for the price")


def hours_message(error: HoursError) -> str:
    """What is wrong with opening hours, in words a committee worker can act on."""
    p = error.params
    day = weekday_name(p["weekday"]) if isinstance(p.get("weekday"), int) and 0 <= p["weekday"] <= 6 else ""
    messages = {
        "weekday": lambda: _("A week has seven days: weekday %(weekday)s does not exist.", weekday=p.get("weekday")),
        "time": lambda: _("%(interval)s is not a time of day (00:00 to 24:00).", interval=p.get("interval")),
        "end_before_start": lambda: _(
            "%(interval)s ends before it starts. If it closes after midnight, mark the end with +1 (22:00-02:00+1).",
            interval=p.get("interval"),
        ),
        "overnight_too_long": lambda: _(
            "%(interval)s would run 24 hours or more: an overnight opening must close the next day before it opens again.",
            interval=p.get("interval"),
        ),
        "overlap": lambda: _(
            "%(first)s on %(day)s overlaps %(second)s on %(other)s.",
            first=p.get("first"),
            day=day,
            second=p.get("second"),
            other=weekday_name(p["other"]) if isinstance(p.get("other"), int) else "",
        ),
        "too_many": lambda: _("At most %(max)d openings on %(day)s.", max=p.get("max"), day=day),
        "unreadable": lambda: _(
            "Cannot read %(text)s on %(day)s: write openings like 08:30-12:00, 14:00-17:30.", text=p.get("text"), day=day
        ),
    }
    return messages[error.code]()


def interval_text(interval) -> str:
    if interval.overnight:
        return _("%(opens)s–%(closes)s (next day)", opens=clock_text(interval.opens), closes=clock_text(interval.closes))
    return f"{clock_text(interval.opens)}–{clock_text(interval.closes)}"
