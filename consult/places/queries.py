"""Reads of places, residences and appointments, for views and other domains."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import g, has_request_context
from flask_babel import gettext as _

from consult.core.errors import NotFound
from consult.extensions import db
from consult.places.models import (
    SLUG_MAX,
    SLUG_PATTERN,
    Community,
    Residence,
    ResidenceStatus,
    StaffAppointment,
    StaffRole,
    Street,
)
from consult.places.roles import (  # noqa: F401  (re-exported: every domain asks places.queries)
    ACTIVE_RESIDENCE as _ACTIVE_RESIDENCE,
    Roles,
    can_manage_community,
    can_manage_street,
    forget_roles,
    is_site_admin,
    load_viewer,
    roles_of,
)


def _valid_slug(slug: str) -> bool:
    return bool(slug) and len(slug) <= SLUG_MAX and re.fullmatch(SLUG_PATTERN, slug) is not None


def street_by_slug(slug: str) -> Street:
    if not _valid_slug(slug):
        raise NotFound(_("No such street."))
    street = db.session.scalar(sa.select(Street).where(Street.slug == slug))
    if street is None:
        raise NotFound(_("No such street."))
    return street


def community_by_slug(slug: str) -> Community:
    if not _valid_slug(slug):
        raise NotFound(_("No such community."))
    community = db.session.scalar(sa.select(Community).where(Community.slug == slug))
    if community is None:
        raise NotFound(_("No such community."))
    return community


def active_residence(user) -> Residence | None:
    """The person's pending or confirmed residence, if any."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cache = g.setdefault("_residence", {}) if has_request_context() else {}
    if user.id not in cache and has_request_context() and user.id not in g.setdefault("_roles", {}):
        load_viewer(user)
    if user.id not in cache:
        cache[user.id] = db.session.scalar(
            sa.select(Residence)
            .where(Residence.user_id == user.id, _ACTIVE_RESIDENCE)
            .options(sa.orm.joinedload(Residence.community))
        )
    return cache[user.id]


def remember_residence(user, residence: Residence | None) -> None:
    """The person's active residence as the caller read it in a statement of its own (a vote's
    lock reads it with the topic): the request's cache, so ``active_residence`` asks no more."""
    if has_request_context():
        g.setdefault("_residence", {})[user.id] = residence


def forget_residence() -> None:
    if has_request_context():
        g.pop("_residence", None)
        g.pop("_home_community", None)


def is_confirmed_member(user, community: Community) -> bool:
    """Whether ``user`` is a confirmed resident of ``community``."""
    residence = active_residence(user)
    return bool(residence and residence.community_id == community.id and residence.status == ResidenceStatus.CONFIRMED)


def appointments_of_user(user_id: int) -> list[StaffAppointment]:
    """Every staff appointment of a person, ended ones included, oldest first."""
    return list(
        db.session.scalars(sa.select(StaffAppointment).where(StaffAppointment.user_id == user_id).order_by(StaffAppointment.id))
    )


def residences_of(user_id: int) -> list[Residence]:
    """Every residence of a person, newest first (history included)."""
    return list(
        db.session.scalars(
            sa.select(Residence)
            .where(Residence.user_id == user_id)
            .options(sa.orm.joinedload(Residence.community))
            .order_by(Residence.created_at.desc(), Residence.id.desc())
        )
    )


def pending_residences(community_id: int):
    """A select of pending residences of a community, oldest first."""
    return (
        sa.select(Residence)
        .where(Residence.community_id == community_id, Residence.status == ResidenceStatus.PENDING)
        .options(sa.orm.joinedload(Residence.user), sa.orm.joinedload(Residence.recorded_by))
        .order_by(Residence.created_at, Residence.id)
    )


def confirmed_residences(community_id: int):
    """A select of confirmed residences of a community, by address."""
    return (
        sa.select(Residence)
        .where(Residence.community_id == community_id, Residence.status == ResidenceStatus.CONFIRMED)
        .options(sa.orm.joinedload(Residence.user), sa.orm.joinedload(Residence.recorded_by))
        .order_by(Residence.building, Residence.unit, Residence.room, Residence.id)
    )


def search_communities(q: str | None, street_id: int | None = None, limit: int = 50) -> list[Community]:
    """Communities whose name or street name contains ``q`` (a plain substring match)."""
    stmt = sa.select(Community).join(Community.street)
    if street_id is not None:
        stmt = stmt.where(Community.street_id == street_id)
    if q:
        pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            sa.or_(
                Community.name.like(pattern, escape="\\"),
                Street.name.like(pattern, escape="\\"),
                Community.slug.like(pattern, escape="\\"),
            )
        )
    return list(db.session.scalars(stmt.order_by(Street.name, Community.name).limit(limit)))


def all_streets() -> list[Street]:
    return list(db.session.scalars(sa.select(Street).order_by(Street.name)))


def communities_of_street(street_id: int) -> list[Community]:
    return list(db.session.scalars(sa.select(Community).where(Community.street_id == street_id).order_by(Community.name)))


def workers_of(community_id: int) -> list[StaffAppointment]:
    """Active worker appointments of a community (its committee)."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(
                StaffAppointment.community_id == community_id,
                StaffAppointment.role == StaffRole.WORKER,
                StaffAppointment.ended_at.is_(None),
            )
            .options(sa.orm.joinedload(StaffAppointment.user))
            .order_by(StaffAppointment.created_at)
        )
    )


def street_workers(street_id: int) -> list[StaffAppointment]:
    """Active worker appointments in every community of a street."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .join(Community, StaffAppointment.community_id == Community.id)
            .where(
                Community.street_id == street_id,
                StaffAppointment.role == StaffRole.WORKER,
                StaffAppointment.ended_at.is_(None),
            )
            .options(sa.orm.joinedload(StaffAppointment.user), sa.orm.joinedload(StaffAppointment.community))
            .order_by(Community.name, StaffAppointment.created_at)
        )
    )


def street_admins() -> list[StaffAppointment]:
    """Active street-admin appointments, every street."""
    return list(
        db.session.scalars(
            sa.select(StaffAppointment)
            .where(StaffAppointment.role == StaffRole.STREET_ADMIN, StaffAppointment.ended_at.is_(None))
            .options(sa.orm.joinedload(StaffAppointment.user), sa.orm.joinedload(StaffAppointment.street))
            .order_by(StaffAppointment.street_id, StaffAppointment.created_at)
        )
    )


def mask_phone(phone: str | None) -> str:
    """A phone as others see it: 138****5678 (a mobile); shorter numbers keep only their last four."""
    if not phone:
        return ""
    if len(phone) >= 11:
        return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
    if len(phone) >= 7:
        return "*" * (len(phone) - 4) + phone[-4:]
    return "*" * len(phone)


def may_see_phone(viewer, user_id: int) -> bool:
    """The one phone rule: only the person and the workers of the community they live in
    (an active residence, pending or confirmed) see the whole number. Street and site
    administrators are not the committee: they see it masked (docs/operations.md)."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.id == user_id:
        return True
    worker_of = roles_of(viewer).worker_of
    return bool(worker_of) and _home_communities([user_id]).get(user_id) in worker_of


def phone_for(viewer, user) -> str:
    """The phone of ``user`` as ``viewer`` may see it (every page and export shows phones so)."""
    if user is None or not user.phone:
        return ""
    return user.phone if may_see_phone(viewer, user.id) else mask_phone(user.phone)


def remember_home_communities(user_ids) -> None:
    """Read, in one query, where each of a page's people lives (for ``phone_for`` on each)."""
    _home_communities(user_ids)


def _home_communities(user_ids) -> dict[int, int | None]:
    """user id -> community of their active residence (None: none), cached for the request."""
    cache = g.setdefault("_home_community", {}) if has_request_context() else {}
    missing = {i for i in user_ids if i not in cache}
    if missing:
        cache.update(dict.fromkeys(missing))
        cache.update(
            db.session.execute(
                sa.select(Residence.user_id, Residence.community_id).where(
                    Residence.user_id.in_(missing),
                    Residence.status.in_([ResidenceStatus.PENDING, ResidenceStatus.CONFIRMED]),
                )
            )
            .tuples()
            .all()
        )
    return {i: cache[i] for i in user_ids}


def has_lived_in(user_id: int, community_id: int) -> bool:
    """Whether a person has (or had) a confirmed residence in a community."""
    return (
        db.session.scalar(
            sa.select(Residence.id)
            .where(Residence.user_id == user_id, Residence.community_id == community_id, Residence.confirmed_at.is_not(None))
            .limit(1)
        )
        is not None
    )


def residence_in(community: Community, residence_id: int) -> Residence:
    """A residence of ``community`` by id (a tampered id, or one of elsewhere, is not found)."""
    residence = db.session.get(Residence, residence_id)
    if residence is None or residence.community_id != community.id:
        raise NotFound(_("No such residence in this community."))
    return residence


def appointment_by_id(appointment_id: int) -> StaffAppointment:
    appointment = db.session.get(StaffAppointment, appointment_id)
    if appointment is None:
        raise NotFound(_("No such appointment."))
    return appointment


def household_key(residence: Residence) -> str:
    """The household a residence belongs to: building/unit/room, or the person alone if not given."""
    if residence.building and residence.room:
        return f"h:{residence.building}/{residence.unit or ''}/{residence.room}"
    return f"u:{residence.user_id}"


def _resident_at(community_id: int, moment):
    """Residences of a community that were confirmed at ``moment``."""
    return sa.and_(
        Residence.community_id == community_id,
        Residence.confirmed_at.is_not(None),
        Residence.confirmed_at <= moment,
        sa.or_(Residence.ended_at.is_(None), Residence.ended_at > moment),
    )


def eligible_count(community_id: int, moment, scope: str = "resident") -> int:
    """How many residents (or households) of a community were confirmed at ``moment``."""
    return db.session.scalar(eligible_count_query(community_id, moment, scope)) or 0


def eligible_count_query(community_id: int, moment, scope: str = "resident"):
    """``eligible_count`` as a select (a page may read it beside its other rows)."""
    if scope == "household":
        key = sa.case(
            (
                sa.and_(Residence.building.is_not(None), Residence.room.is_not(None)),
                "h:" + Residence.building + "/" + sa.func.coalesce(Residence.unit, "") + "/" + Residence.room,
            ),
            else_="u:" + sa.cast(Residence.user_id, sa.String),
        )
        counted = sa.func.count(sa.distinct(key))
    else:
        counted = sa.func.count(sa.distinct(Residence.user_id))
    return sa.select(counted).where(_resident_at(community_id, moment))


def was_resident_at(user_id: int, community_id: int, moment) -> bool:
    """Whether a person was a confirmed resident of a community at ``moment``."""
    return bool(
        db.session.scalar(
            sa.select(Residence.id).where(Residence.user_id == user_id, _resident_at(community_id, moment)).limit(1)
        )
    )


def cache_scopes(community_id: int | None) -> list[str]:
    """The cached pages a change in a community touches: its own and its street's (consult.core.cache)."""
    community = db.session.get(Community, community_id) if community_id is not None else None
    if community is None:
        return ["site"]
    return [f"community:{community.slug}", f"street:{community.street.slug}"]


def street_cache_scopes(street_id: int | None) -> list[str]:
    """The cached pages a change in a street touches (its page and ranking)."""
    street = db.session.get(Street, street_id) if street_id is not None else None
    return [f"street:{street.slug}"] if street is not None else ["site"]
