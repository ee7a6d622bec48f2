"""A community's support rules and topic categories."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask_babel import gettext as _

from consult.core import audit
from consult.core.errors import RuleViolation
from consult.core.pagination import parse_id
from consult.extensions import db
from consult.places.models import Community
from consult.places.rules import require_committee
from consult.topics.models import (
    CATEGORY_NAME_MAX,
    Category,
    TopicSettings,
    TopicStatus,
)

log = logging.getLogger(__name__)
S = TopicStatus


def settings_for(community: Community) -> TopicSettings:
    """The community's support rules (defaults until the committee changes them)."""
    settings = db.session.get(TopicSettings, community.id)
    return settings or TopicSettings(community_id=community.id, threshold_kind="count", threshold_value=10, support_days=14)


def update_settings(
    actor, community: Community, *, threshold_kind: str, threshold_value: int, support_days: int
) -> TopicSettings:
    """The committee sets the support threshold and window (applies to topics approved from now on)."""
    require_committee(actor, community)
    if threshold_kind not in ("count", "share"):
        raise RuleViolation(_("Choose a count or a share of residents."), field="threshold_kind")
    if threshold_value < 1 or (threshold_kind == "share" and threshold_value > 100):
        raise RuleViolation(_("A share must be between 1 and 100 percent."), field="threshold_value")
    if not 1 <= support_days <= 365:
        raise RuleViolation(_("The window must be between 1 and 365 days."), field="support_days")
    settings = db.session.get(TopicSettings, community.id)
    before = None
    if settings is None:
        settings = TopicSettings(community_id=community.id)
        db.session.add(settings)
    else:
        before = {"kind": settings.threshold_kind, "value": settings.threshold_value, "days": settings.support_days}
    settings.threshold_kind, settings.threshold_value, settings.support_days = threshold_kind, threshold_value, support_days
    db.session.flush()
    audit.record(
        actor,
        "topic.settings",
        community,
        community_id=community.id,
        before=before,
        after={"kind": threshold_kind, "value": threshold_value, "days": support_days},
    )
    return settings


DEFAULT_CATEGORY_KEYS = ("environment", "parking", "elderly", "property", "safety", "culture", "other")


DEFAULT_CATEGORY_NAMES = ("环境卫生", "停车交通", "养老服务", "物业管理", "安全", "文体活动", "其他")


def ensure_default_categories() -> int:
    """Create the default categories if missing (the migration seeds them; this restores them)."""
    have = set(db.session.scalars(sa.select(Category.key).where(Category.key.is_not(None))))
    added = 0
    for position, (key, name) in enumerate(zip(DEFAULT_CATEGORY_KEYS, DEFAULT_CATEGORY_NAMES, strict=True), start=1):
        if key not in have:
            db.session.add(Category(key=key, name=name, position=position))
            added += 1
    db.session.flush()
    return added


def categories_for(community: Community) -> list[Category]:
    """The default categories and the community's own, in order."""
    return list(
        db.session.scalars(
            sa.select(Category)
            .where(sa.or_(Category.community_id.is_(None), Category.community_id == community.id))
            .order_by(Category.community_id.is_not(None), Category.position, Category.id)
        )
    )


def add_category(actor, community: Community, name: str) -> Category:
    require_committee(actor, community)
    name = (name or "").strip()
    if not name or len(name) > CATEGORY_NAME_MAX:
        raise RuleViolation(_("Give the category a name of at most 30 characters."), field="name")
    category = Category(community_id=community.id, name=name, position=100)
    db.session.add(category)
    db.session.flush()
    audit.record(actor, "topic.category_add", category, community_id=community.id, after={"name": name})
    return category


def category_in(community: Community, category_id) -> Category:
    category = db.session.get(Category, parse_id(category_id)) if parse_id(category_id) is not None else None
    if category is None or category.community_id not in (None, community.id):
        raise RuleViolation(_("Choose one of this community's categories."), field="category")
    return category
