"""A community's points rules: the default points per hour of service, and a micro-wish's points
(read with ``queries.settings_for``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import gettext as _

from consult.core import audit
from consult.core.errors import RuleViolation
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.points.models import SETTING_MAX, PointsSettings

if TYPE_CHECKING:
    from consult.accounts.models import User


def update_settings(actor: User, community: Community, *, default_points_per_hour: int, wish_points: int) -> PointsSettings:
    """The committee sets its community's points rules (each between 0 and ``SETTING_MAX``)."""
    require_committee(actor, community)
    for value, field in ((default_points_per_hour, "default_points_per_hour"), (wish_points, "wish_points")):
        if value is None or not 0 <= value <= SETTING_MAX:
            raise RuleViolation(_("Points must be between 0 and 1000."), field=field)
    settings = db.session.get(PointsSettings, community.id)
    if settings is None:
        settings = PointsSettings(community_id=community.id)
        db.session.add(settings)
    settings.default_points_per_hour, settings.wish_points = default_points_per_hour, wish_points
    db.session.flush()
    audit.record(
        actor,
        "points.settings",
        community,
        community_id=community.id,
        after={"default_points_per_hour": default_points_per_hour, "wish_points": wish_points},
    )
    return settings
