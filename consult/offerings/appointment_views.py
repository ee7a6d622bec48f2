"""A resident's appointments: book a slot from a service's page, /me/appointments, cancel, rate.

The services (booking.py) and policies (appointment_policy.py) decide; a refusal becomes a page
with its message and status (consult/core/handlers.py), nothing written.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.core.forms import refuse
from consult.extensions import db
from consult.offerings import appointment_queries as queries, booking
from consult.offerings.appointment_forms import rate_form
from consult.offerings.appointment_models import Channel

bp = Blueprint("appointments", __name__)


def _to_mine(message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("appointments.mine"))


@bp.post("/slots/<int:slot_id>/book")
@login_required
def book(slot_id: int):
    """Book a place in a slot for myself."""
    booking.book(queries.slot_or_404(slot_id), current_user, current_user, channel=Channel.SELF)
    return _to_mine(_("Booked. You will be reminded the day before."))


@bp.get("/me/appointments")
@login_required
def mine():
    """My appointments: coming ones (cancel until the cut-off), past ones (rate after attending)."""
    return render_template(
        "offerings/my_appointments.html", appointments=queries.my_appointments(current_user), rate_form=rate_form()
    )


@bp.post("/appointments/<int:appointment_id>/cancel")
@login_required
def cancel(appointment_id: int):
    """Cancel my booking (before the cut-off)."""
    appointment = queries.appointment_or_404(appointment_id)
    if appointment.user_id != current_user.id:
        queries.not_found()
    booking.cancel(current_user, appointment)
    return _to_mine(_("Your appointment is cancelled."))


@bp.post("/appointments/<int:appointment_id>/rate")
@login_required
def rate(appointment_id: int):
    """Rate an appointment I attended, once."""
    appointment = queries.appointment_or_404(appointment_id)
    if appointment.user_id != current_user.id:
        queries.not_found()
    form = rate_form()
    if not form.validate_on_submit():
        refuse(form)
    booking.rate(current_user, appointment, form.level.data)
    return _to_mine(_("Thank you for your rating."))
