"""The activities blueprints; their pages are spread over views modules by area.

``views`` (activities, check-in), ``wish_views`` (micro-wishes), ``record_views`` (报到 and the
service record) fill ``bp``; ``manage`` and ``manage_wishes`` fill ``manage_bp``. Importing
``consult.activities.views`` / ``consult.activities.manage`` brings every page of each blueprint.
"""

from flask import Blueprint

bp = Blueprint("activities", __name__)
manage_bp = Blueprint("activities_manage", __name__, url_prefix="/manage/c/<community>")
