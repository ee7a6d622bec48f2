"""The street admin's evaluation settings: target response time, minimum records, weights."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from consult.core.forms import Form, form_status, submit
from consult.evaluation import services
from consult.evaluation.models import RATES
from consult.places.access import street_admin_required

bp = Blueprint("evaluation_manage", __name__, url_prefix="/manage/streets/<street>/evaluation")


def _int(label, low, high):
    return IntegerField(label, validators=[InputRequired(_l("Please give a number.")), NumberRange(min=low, max=high)])


class SettingsForm(Form):
    response_hours = _int(_l("Target response time of topics and micro-wishes, in hours"), 1, 720)
    min_records = _int(_l("Fewest records for a rate (below: not enough data)"), 1, 1000)
    weight_response = _int(_l("Weight of the response rate"), 0, 1000)
    weight_resolution = _int(_l("Weight of the resolution rate"), 0, 1000)
    weight_satisfaction = _int(_l("Weight of the satisfaction rate"), 0, 1000)
    weight_participation = _int(_l("Weight of participation"), 0, 1000)


def _save(street, form: SettingsForm):
    return services.update_settings(
        current_user,
        street,
        response_hours=form.response_hours.data,
        min_records=form.min_records.data,
        weights={rate: getattr(form, f"weight_{rate}").data for rate in RATES},
    )


@bp.route("/", methods=["GET", "POST"])
@street_admin_required
def settings(street):
    """Set the evaluation's settings; stored months keep the weights they were computed with."""
    current = services.settings_for(street.id)
    form = SettingsForm(obj=current if request.method == "GET" else None)
    if submit(form, lambda: _save(street, form)):
        flash(_("The evaluation settings are saved. Months already stored keep their weights."), "success")
        return redirect(url_for("evaluation_manage.settings", street=street.slug))
    return render_template("evaluation/settings.html", street=street, form=form), form_status(form)
