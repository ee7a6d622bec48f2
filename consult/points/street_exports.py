"""A street's points ledger for a year, as a CSV built in the background (consult.core.export_files).

At a city's size a street's year runs to a hundred thousand entries and more: its administrators
ask for the file on /manage/streets/<street>/points/export, a job writes it, they download it from
/me/exports. Only the street's administrators may have it, at download as when asking."""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectField

from consult.accounts.models import User
from consult.core import export_files, i18n
from consult.core.clock import local_now, month_bounds
from consult.core.errors import NotFound
from consult.core.forms import Form, form_status, submit
from consult.core.registries import ExportKind, export_kind
from consult.extensions import db
from consult.places import queries as places
from consult.places.access import street_admin_required
from consult.places.models import Community, Street
from consult.points.models import LedgerEntry
from consult.points.pages import ledger_header, ledger_row

KIND = "points.street_year"
BATCH = 2000
FIRST_YEAR = 2020

bp = Blueprint("points_street", __name__, url_prefix="/manage/streets/<street>/points")


def _years() -> list[int]:
    return list(range(local_now().year, FIRST_YEAR - 1, -1))


def _street(slug: str) -> Street | None:
    try:
        return places.street_by_slug(slug)
    except NotFound:
        return None


def allowed(user, scope: str, params: dict) -> bool:
    """Only the street's administrators may have its ledger, and only for a year the site knows."""
    street = _street(scope)
    return street is not None and params.get("year") in _years() and places.can_manage_street(user, street)


def ledger_batches(street_id: int, year: int) -> Iterator[list[tuple]]:
    """The street's entries of ``year``, oldest first, in batches read by id (keyset: constant cost)."""
    start, _end = month_bounds(f"{year}-01")
    _start, end = month_bounds(f"{year}-12")
    last = 0
    while True:
        batch = db.session.execute(
            sa.select(
                LedgerEntry.id,
                LedgerEntry.created_at,
                Community.name,
                User.display_name,
                LedgerEntry.delta,
                LedgerEntry.reason,
                LedgerEntry.source_type,
                LedgerEntry.source_id,
                LedgerEntry.reverses_id,
                LedgerEntry.replaces_id,
                LedgerEntry.note,
            )
            .join(User, User.id == LedgerEntry.user_id)
            .join(Community, Community.id == LedgerEntry.community_id)
            .where(
                Community.street_id == street_id,
                LedgerEntry.created_at >= start,
                LedgerEntry.created_at < end,
                LedgerEntry.id > last,
            )
            .order_by(LedgerEntry.id)
            .limit(BATCH)
        ).all()
        if not batch:
            return
        last = batch[-1].id
        # Plain rows, not ORM objects: nothing stays in the session, memory stays constant.
        yield [ledger_row(e, e.display_name, e.name) for e in batch]


def build(scope: str, params: dict) -> tuple[str, list[str], Iterator[list[tuple]]]:
    street = places.street_by_slug(scope)
    year = int(params["year"])
    header = ledger_header(_("Community"))
    return f"ledger-{street.slug}-{year}.csv", header, ledger_batches(street.id, year)


export_kind(KIND, ExportKind(title=lambda: _("A street's points ledger for a year"), allowed=allowed, build=build))


class StreetLedgerForm(Form):
    year = SelectField(_l("Year"), coerce=int)


@bp.route("/export", methods=["GET", "POST"])
@street_admin_required
def export(street):
    """Ask for the street's points ledger of a year; it is prepared in the background."""
    form = StreetLedgerForm()
    form.year.choices = [(y, str(y)) for y in _years()]
    if request.method == "POST":
        if submit(
            form, lambda: export_files.ask(current_user, KIND, street.slug, {"year": form.year.data}, locale=i18n.select_locale())
        ):
            flash(_("Your file is being prepared. You will get a notification when it is ready."), "success")
            return redirect(url_for("core.my_exports"))
        return render_template("points/street_export.html", street=street, form=form), form_status(form)
    return render_template("points/street_export.html", street=street, form=form)
