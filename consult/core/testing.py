"""Testing-only routes (registered only with TESTING_CLOCK): set the live server's clock."""

from datetime import datetime

from flask import Blueprint, abort, current_app, jsonify, request

from consult.core import clock
from consult.extensions import csrf

bp = Blueprint("testing", __name__, url_prefix="/_testing")


@bp.post("/clock")
@csrf.exempt
def set_clock():
    """Set the clock to an ISO time (``{"now": "..."}``) or let it run (``{"now": null}``)."""
    if not current_app.config.get("TESTING_CLOCK"):
        abort(404)
    value = (request.get_json(silent=True) or {}).get("now")
    clock.set_now(datetime.fromisoformat(value) if value else None)
    return jsonify(now=clock.now().isoformat())
