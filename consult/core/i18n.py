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
    lang = request.cookies.get(LANG_COOKIE)
    if lang is not None and lang in current_app.config["LANGUAGES"]:
        return lang
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    return current_app.config["SITE_TIMEZONE"]


def large_text() -> bool:
    """Whether the large-text, high-contrast mode is on for this request."""
    if current_user and current_user.is_authenticated:
        return bool(current_user.large_text)
    return request.cookies.get(DISPLAY_COOKIE) == "large"


def html_lang() -> str:
    return "zh-CN" if select_locale() == "zh_CN" else "en"
