"""Site-wide pages: health check, language switch, large-text mode, a person's background exports."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from consult.core import export_files, i18n
from consult.core.clock import now
from consult.extensions import csrf, db

bp = Blueprint("core", __name__)
YEAR = 365 * 24 * 3600


def safe_next(target: str | None, fallback: str = "/") -> str:
    """A local path to go back to; anything else (another host, //evil) becomes ``fallback``.

    Browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil": any
    control character or space makes the target unsafe too.
    """
    if not target or not target.startswith("/") or "\\" in target:
        return fallback
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in target) or target.startswith("//"):
        return fallback
    return target


@bp.get("/healthz")
def healthz():
    """Liveness and a database round trip, as JSON."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        database = "ok"
    except sa.exc.SQLAlchemyError:
        database = "error"
    status = 200 if database == "ok" else 503
    return jsonify(status="ok" if status == 200 else "error", database=database, time=now().isoformat()), status


def _protect_account() -> None:
    """The switches take an anonymous post without a CSRF token (it only sets a cookie on that browser,
    docs/security.md); a logged-in person's choice is written to the account: checked as any form."""
    if current_user.is_authenticated and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.post("/settings/language")
@csrf.exempt
def set_language():
    """Switch between 中文 and English; remembered in a cookie and on the account."""
    _protect_account()
    lang = request.form.get("lang")
    if lang not in current_app.config["LANGUAGES"]:
        lang = current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated:
        current_user.language = lang
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(i18n.LANG_COOKIE, lang, max_age=YEAR, samesite="Lax", httponly=True)
    return response


@bp.post("/settings/display")
@csrf.exempt
def set_display():
    """Turn the large-text, high-contrast mode on or off; remembered."""
    _protect_account()
    large = request.form.get("large") == "1"
    if current_user.is_authenticated:
        current_user.large_text = large
        db.session.commit()
    response = redirect(safe_next(request.form.get("next")))
    response.set_cookie(i18n.DISPLAY_COOKIE, "large" if large else "normal", max_age=YEAR, samesite="Lax", httponly=True)
    return response


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.get("/me/exports")
@login_required
def my_exports():
    """The exports this person asked for: being prepared, ready to download, failed or deleted."""
    return render_template("exports/mine.html", exports=export_files.mine(current_user.id))


@bp.get("/me/exports/<int:export_id>")
@login_required
def download_export(export_id: int):
    """Download a ready export: its owner only, while they may still have it."""
    filename, content = export_files.download(current_user, export_id)
    return Response(
        content,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Content-Type": "text/csv; charset=utf-8",
            "Cache-Control": "private, no-store",
        },
    )
