"""Language and display choices: the person's saved preference, else a cookie, else zh_CN."""

from flask import current_app, g, has_request_context, request
from flask_login import current_user

LANG_COOKIE = "lang"
DISPLAY_COOKIE = "display"


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if getattr(g, "locale_override", None):
        return g.locale_override
    if current_user and current_user.is_authenticated and current_user.language:
        return current_user.language
    return cookie_locale(request.cookies, current_app.config)


def cookie_locale(cookies, config) -> str:
    """The locale of a visitor who is not logged in: the ``lang`` cookie, else the default."""
    lang = cookies.get(LANG_COOKIE)
    if lang is not None and lang in config["LANGUAGES"]:
        return lang
    return config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["SITE_TIMEZONE"]


def large_text() -> bool:
    """Whether the large-text, high-contrast mode is on for this request."""
    if current_user and current_user.is_authenticated:
        return bool(current_user.large_text)
    return cookie_large_text(request.cookies)


def cookie_large_text(cookies) -> bool:
    """The large-text choice of a visitor who is not logged in: the ``display`` cookie."""
    return cookies.get(DISPLAY_COOKIE) == "large"


def html_lang() -> str:
    return "zh-CN" if select_locale() == "zh_CN" else "en"
