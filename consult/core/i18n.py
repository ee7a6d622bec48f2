"""Language and display choices: the person's saved preference, else a cookie, else zh_CN."""

from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Domain, get_babel, get_locale
from flask_login import current_user

LANG_COOKIE = "lang"
DISPLAY_COOKIE = "display"
_NULL = NullTranslations()


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


# Translations looked up once per request. Flask-Babel's `gettext` resolves the request's
# context, domain, locale (str(Locale) on every call) and catalogue again on every call: about
# 150 calls on the topic list, ~3 ms of a 20 ms page. The catalogue is kept on Flask-Babel's own
# per-request namespace (g._flask_babel), next to the locale it was loaded for: `refresh()` or
# `force_locale()` replace that Locale object, so the next call loads the catalogue again.


class RequestDomain(Domain):
    """Flask-Babel's default domain, reading the catalogue cached for this request: every
    ``gettext``/``lazy_gettext``/form label in Python goes through here."""

    def get_translations(self):
        return translations()


def translations() -> NullTranslations:
    """This request's catalogue (loaded once a request; outside a request, none)."""
    try:
        space = g._flask_babel
        found = space.consult_translations
        if found[0] is space.babel_locale:
            return found[1]
    except AttributeError:
        pass
    except RuntimeError:  # no app context: Flask-Babel gives the untranslated text too
        return _NULL
    return _load()


def _load() -> NullTranslations:
    locale = get_locale()  # sets g._flask_babel.babel_locale (the selector runs once a request)
    if locale is None:
        return _NULL
    domain = get_babel().instance.domain_instance
    catalogue = Domain.get_translations(domain)  # Flask-Babel's lookup, with its process-wide cache
    g._flask_babel.consult_translations = (g._flask_babel.babel_locale, catalogue)
    return catalogue


def gettext(string: str, **variables) -> str:
    """``flask_babel.gettext`` with the request's catalogue looked up once."""
    text = translations().ugettext(string)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """``flask_babel.ngettext`` with the request's catalogue looked up once."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


def install(app: Flask) -> None:
    """Route Flask-Babel's domain and the templates' ``_``/``ngettext`` through ``translations()``."""
    babel = get_babel(app).instance
    if not isinstance(babel.__dict__.get("domain_instance"), RequestDomain):
        babel.__dict__["domain_instance"] = RequestDomain(domain=get_babel(app).default_domain)
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
        gettext=lambda string: translations().ugettext(string),
        ngettext=lambda singular, plural, num: translations().ungettext(singular, plural, num),
        pgettext=lambda context, string: translations().upgettext(context, string),
        npgettext=lambda context, singular, plural, num: translations().unpgettext(context, singular, plural, num),
        newstyle=True,
    )
