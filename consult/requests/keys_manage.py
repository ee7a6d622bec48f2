"""The site administrator's page of Open311 API keys: list, issue (shown once) and revoke.

Registered on ``requests_manage``'s blueprint (imported at the end of manage.py).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.core.forms import form_status, submit
from consult.extensions import db
from consult.places import queries as places
from consult.places.access import site_admin_required
from consult.requests import api_keys
from consult.requests.forms import KeyForm
from consult.requests.manage import bp


def _page(form: KeyForm | None = None, issued: str | None = None, status: int = 200):
    context = dict(keys=api_keys.all_keys(), form=form or KeyForm(), issued=issued)
    return render_template("requests/manage/keys.html", **context), status


@bp.get("/site/open311-keys")
@site_admin_required
def site_keys():
    """Open311 API keys: who holds one, for which street, when it was last used."""
    return _page()


@bp.post("/site/open311-keys")
@site_admin_required
def site_issue_key():
    """Issue a key: the page shows it this once; only its hash is kept."""
    form = KeyForm()
    issue = lambda: api_keys.issue(current_user, places.street_by_slug(form.street.data or ""), form.holder.data)  # noqa: E731
    if done := submit(form, issue):
        return _page(KeyForm(formdata=None), issued=done.value[1])  # an empty form: not one click from a second key
    return _page(form, status=form_status(form))


@bp.post("/site/open311-keys/<int:key_id>/revoke")
@site_admin_required
def site_revoke_key(key_id: int):
    """Revoke a key: it stops working at once."""
    key = api_keys.revoke(current_user, api_keys.key_by_id(key_id))
    db.session.commit()
    flash(_("The key of %(holder)s is revoked.", holder=key.holder), "success")
    return redirect(url_for("requests_manage.site_keys"))
