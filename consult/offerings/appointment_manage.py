"""The provider's slot and booking board (/manage/services/<id>/slots): add slots, book for a resident
(the committee), record attended or no-show after a slot. One day at a time, print-friendly.

Open to the committee and the provider's staff (``appointment_policy.require_keeper``); the
services decide every rule and a refusal shows on the form with its status, nothing written.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts import services as accounts
from consult.core.clock import local, local_now, site_zone
from consult.core.errors import NotFound, RuleViolation
from consult.core.forms import form_status, submit
from consult.extensions import db
from consult.offerings import appointment_queries as queries, booking, slots
from consult.offerings.appointment_forms import BookForForm, SlotForm
from consult.offerings.appointment_policy import SlotPolicy, require_keeper
from consult.offerings.queries import service_or_404

bp = Blueprint("appointments_manage", __name__, url_prefix="/manage")


def _day() -> date:
    text = request.args.get("day")
    if not text:
        return local_now().date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RuleViolation(_("Give the day as YYYY-MM-DD.")) from None


def _board(service, day: date, slot_form=None, book_form=None):
    found = queries.board(service, day)
    slot_form = slot_form or SlotForm(formdata=None, day=day)
    book_form = book_form or BookForForm(formdata=None)
    book_form.slot.choices = [
        (slot.id, local(slot.starts_at).strftime("%H:%M"))
        for slot, _b in found.slots
        if SlotPolicy(slot).can("book_for", current_user)
    ]
    return render_template(
        "offerings/manage/board.html",
        service=service,
        board=found,
        slot_form=slot_form,
        book_form=book_form,
        day_before=day.fromordinal(day.toordinal() - 1).isoformat(),
        day_after=day.fromordinal(day.toordinal() + 1).isoformat(),
    )


def _kept(service_id: int):
    service = service_or_404(service_id)
    require_keeper(current_user, service)
    return service


@bp.get("/services/<int:service_id>/slots")
@login_required
def board(service_id: int):
    """One day of the service's slots with who booked them; add slots, book for a resident, record attendance."""
    service = _kept(service_id)
    return _board(service, _day())


def _moment(day: date, clock_time) -> datetime:
    """A day and a wall-clock time in the site's zone, as an aware datetime."""
    return datetime.combine(day, clock_time, tzinfo=site_zone())


@bp.post("/services/<int:service_id>/slots")
@login_required
def add_slot(service_id: int):
    """Offer a slot: a day, a start and an end within one opening, and the places."""
    service = _kept(service_id)
    form = SlotForm()
    if done := submit(
        form,
        lambda: slots.add_slot(
            current_user,
            service,
            _moment(form.day.data, form.starts.data),
            _moment(form.day.data, form.ends.data),
            form.capacity.data,
        ),
    ):
        flash(_("The slot is added."), "success")
        return redirect(url_for(".board", service_id=service.id, day=local(done.value.starts_at).date().isoformat()))
    return _board(service, form.day.data or _day(), slot_form=form), form_status(form)


def _slot_of(service, slot_id):
    """The slot chosen on the board, of this service (another service's slot is 404); None if none was chosen."""
    if not slot_id:
        return None
    slot = queries.slot_or_404(slot_id)
    if slot.service_id != service.id:
        raise NotFound(_("No such slot."))
    return slot


@bp.post("/services/<int:service_id>/book")
@login_required
def book_for(service_id: int):
    """The committee books a place in one of the day's slots for a resident (by username) who asked in person."""
    service = _kept(service_id)
    form = BookForForm()
    form.slot.choices = []
    slot = _slot_of(service, form.slot.data)
    if slot is not None and submit(
        form, lambda: booking.book(slot, accounts.active_user_named(form.username.data), current_user)
    ):
        flash(_("Booked for the resident; they are told in their notifications."), "success")
        return redirect(url_for(".board", service_id=service.id, day=local(slot.starts_at).date().isoformat()))
    if slot is None:
        form.slot.errors = [_("Choose a slot.")]
    day = local(slot.starts_at).date() if slot is not None else _day()
    return _board(service, day, book_form=form), 400 if slot is None else form_status(form)


@bp.post("/appointments/<int:appointment_id>/cancel")
@login_required
def cancel(appointment_id: int):
    """The committee cancels a booking for a resident who asked (before the cut-off); the resident is told."""
    appointment = queries.appointment_or_404(appointment_id)
    _kept(appointment.service_id)
    booking.cancel(current_user, appointment)
    db.session.commit()
    flash(_("Your appointment is cancelled."), "success")
    return redirect(
        url_for(".board", service_id=appointment.service_id, day=local(appointment.slot.starts_at).date().isoformat())
    )


@bp.post("/appointments/<int:appointment_id>/<any(attended, no_show):outcome>")
@login_required
def mark(appointment_id: int, outcome: str):
    """After the slot: the resident came, or did not."""
    appointment = queries.appointment_or_404(appointment_id)
    _kept(appointment.service_id)
    booking.mark(current_user, appointment, outcome == "attended")
    db.session.commit()
    flash(_("Recorded."), "success")
    return redirect(
        url_for(".board", service_id=appointment.service_id, day=local(appointment.slot.starts_at).date().isoformat())
    )
