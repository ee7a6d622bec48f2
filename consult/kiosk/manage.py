"""The committee's kiosk page (/manage/c/<community>/kiosks/): register this terminal, revoke a kiosk,
set or reset a resident's kiosk PIN, unlock a locked one. The policies decide (policy.py)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from consult.accounts import auth, services as accounts
from consult.core.forms import form_status, submit
from consult.core.qr import qr_svg
from consult.extensions import db
from consult.kiosk import cards, pins, queries, services
from consult.kiosk.forms import CardForm, RegisterKioskForm, SetPinForm
from consult.places.access import community_staff_required

bp = Blueprint("kiosk_manage", __name__, url_prefix="/manage")


def _page(community, register_form=None, pin_form=None, card_form=None):
    return render_template(
        "kiosk/manage/index.html",
        community=community,
        kiosks=queries.kiosks_of(community.id),
        locked=queries.locked_pins(community.id),
        register_form=register_form or RegisterKioskForm(),
        pin_form=pin_form or SetPinForm(),
        card_form=card_form or CardForm(),
    )


@bp.get("/c/<community>/kiosks/")
@community_staff_required
def index(community):
    """The community's kiosks, the PIN form and the locked PINs."""
    return _page(community)


@bp.post("/c/<community>/kiosks/")
@community_staff_required
def register(community):
    """Register the terminal this page is open on: it gets the kiosk cookie and the worker is logged out of it."""
    form = RegisterKioskForm()
    if done := submit(form, lambda: services.register_kiosk(current_user, community, form.name.data)):
        _kiosk, token = done.value
        auth.log_out()  # a kiosk never keeps a staff session
        db.session.commit()
        session.clear()
        g.kiosk_cookie = token
        flash(_("This terminal is now a kiosk of %(name)s.", name=community.name), "success")
        return redirect(url_for("kiosk.home"))
    return _page(community, register_form=form), form_status(form)


@bp.post("/c/<community>/kiosks/<int:kiosk_id>/revoke")
@community_staff_required
def revoke(community, kiosk_id: int):
    """Revoke a kiosk: its terminal stops being one at its next request."""
    services.revoke_kiosk(current_user, queries.kiosk_or_404(kiosk_id, community.id))
    db.session.commit()
    flash(_("The kiosk is revoked."), "success")
    return redirect(url_for("kiosk_manage.index", community=community.slug))


@bp.post("/c/<community>/kiosks/pins")
@community_staff_required
def set_pin(community):
    """Set or reset a resident's kiosk PIN (the resident types it in at the desk)."""
    form = SetPinForm()
    if submit(form, lambda: pins.set_pin(current_user, community, accounts.active_user_named(form.username.data), form.pin.data)):
        flash(_("The kiosk PIN of %(username)s is set.", username=form.username.data.lower()), "success")
        return redirect(url_for("kiosk_manage.index", community=community.slug))
    form.pin.data = ""
    return _page(community, pin_form=form), form_status(form)


@bp.post("/c/<community>/kiosks/cards")
@community_staff_required
def print_card(community):
    """Print a sign-in card for a resident: the page with its QR code is shown once and never kept."""
    form = CardForm()
    if done := submit(form, lambda: cards.issue_card(current_user, community, accounts.active_user_named(form.username.data))):
        card, code = done.value
        shown = cards.shown(code)
        html = render_template(
            "kiosk/manage/card.html", community=community, card=card, holder=accounts.active_user_named(form.username.data),
            code=shown, qr=qr_svg(shown, _("Sign-in card")),
        )  # fmt: skip
        return html, 200, {"Cache-Control": "no-store"}
    return _page(community, card_form=form), form_status(form)


@bp.post("/c/<community>/kiosks/pins/<int:user_id>/unlock")
@community_staff_required
def unlock(community, user_id: int):
    """Unlock a resident's kiosk PIN locked by wrong tries."""
    pins.unlock_pin(current_user, community, queries.user_with_pin(user_id))
    db.session.commit()
    flash(_("The kiosk PIN is unlocked."), "success")
    return redirect(url_for("kiosk_manage.index", community=community.slug))
