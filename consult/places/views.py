"""Public pages of places: home (find your community), a street, a community; registering with
a residence, applying to a community and withdrawing an application."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consult.accounts import auth, limits
from consult.accounts.models import User
from consult.core import cache
from consult.core.errors import NotFound
from consult.core.forms import form_status, submit
from consult.core.registries import community_panels
from consult.extensions import db
from consult.places import queries, residents, services
from consult.places.forms import ApplyForm, RegisterForm
from consult.places.models import Community, Residence

T = TypeVar("T")

bp = Blueprint("places", __name__)


@bp.get("/")
@cache.page()
def home():
    """Find your street and community; once logged in, yours comes first."""
    q = (request.args.get("q") or "").strip()[:40]
    results = queries.search_communities(q) if q else None
    return render_template(
        "places/home.html",
        q=q,
        results=results,
        streets=queries.all_streets(),
        mine=queries.active_residence(current_user),
    )


@bp.get("/streets/<street>/")
@cache.page("street:{street}")
def street(street: str):
    """A street and its communities."""
    obj = queries.street_by_slug(street)
    return render_template("places/street.html", street=obj, communities=queries.communities_of_street(obj.id))


@bp.get("/c/<community>/")
@cache.page("community:{community}")
def community(community: str):
    """A community's home: its street, committee and member count."""
    obj = queries.community_by_slug(community)
    panels = []
    for name, panel in community_panels.items():
        context = panel(obj, current_user)
        if context is not None:
            panels.append((f"{name}/_community_panel.html", context))
    return render_template(
        "places/community.html",
        panels=panels,
        community=obj,
        committee=queries.workers_of(obj.id),
        is_member=queries.is_confirmed_member(current_user, obj),
        residence=queries.active_residence(current_user),
        can_manage=queries.can_manage_community(current_user, obj),
    )


# --- registering and applying (with a residence) ------------------------------------------


def _or_none(find: Callable[[str], T], slug: str | None) -> T | None:
    try:
        return find(slug) if slug else None
    except NotFound:
        return None


def _community_picker() -> dict:
    """The street and search-word picker of the register and apply pages."""
    q = (request.args.get("q") or "").strip()[:40]
    street = _or_none(queries.street_by_slug, request.args.get("street"))
    results = queries.search_communities(q, street.id if street else None) if (q or street) else []
    return {"q": q, "street": street, "streets": queries.all_streets(), "results": results}


def _community_named() -> tuple[Community | None, bool]:
    """The community ``?community=`` names, and whether it names one that does not exist."""
    slug = request.values.get("community")
    community = _or_none(queries.community_by_slug, slug)
    return community, bool(slug) and community is None


def _register_limit(form: RegisterForm) -> None:
    """Count a valid registration against the network's hourly limit (before the service runs)."""
    if form.validate_on_submit():
        rule = limits.Rule(current_app.config["REGISTER_LIMIT_ADDRESS"], f"register-addr:{request.remote_addr}", "register-addr")
        message = _(
            "Too many accounts were registered from this network in the last hour. Please try again later, "
            "or ask your committee to register you."
        )
        limits.attempt(rule, message=message)


def _register_picker(form: RegisterForm, unknown: bool):
    """The register page before a community is chosen (404 for an unknown one, 400 when it was sent)."""
    if unknown and request.method == "POST":
        form.form_errors.append(_("That community does not exist. Please choose it again."))
        return render_template("places/register.html", form=form, community=None, **_community_picker()), 400
    page = render_template("places/register.html", form=form, community=None, unknown=unknown, **_community_picker())
    return page, (404 if unknown else 200)


def _register(form: RegisterForm, community: Community) -> User:
    data = {name: form[name].data for name in ("username", "display_name", "password", "phone", "building", "unit", "room")}
    return residents.register(community=community, language=request.cookies.get("lang") or "zh_CN", **data)


@bp.route("/auth/register", methods=["GET", "POST"])
def register():
    """Register: find the street, then the community, then fill in the form."""
    if current_user.is_authenticated:
        return redirect(url_for("places.apply"))
    form = RegisterForm()
    community, unknown = _community_named()
    if community is None:
        return _register_picker(form, unknown)
    form.community.data = community.slug
    _register_limit(form)
    if done := submit(form, lambda: _register(form, community)):
        auth.log_in(done.value)
        db.session.commit()
        flash(_("Welcome! Your committee will confirm that you live in %(community)s.", community=community.name), "success")
        return redirect(url_for("accounts.me"))
    return render_template("places/register.html", form=form, community=community), form_status(form)


@bp.route("/me/residence", methods=["GET", "POST"])
@login_required
def apply():
    """Apply to live in a community (again, after moving or a rejection)."""
    form = ApplyForm()
    active = queries.active_residence(current_user)
    community, unknown = _community_named() if active is None else (None, False)
    if community is None:
        page = render_template(
            "places/apply.html", form=form, community=None, active=active, unknown=unknown, **_community_picker()
        )
        return page, (404 if unknown else form_status(form))
    form.community.data = community.slug
    address = {name: form[name].data for name in ("building", "unit", "room")}
    if submit(form, lambda: services.apply_for_residence(current_user, community, **address)):
        flash(_("Your application was sent to the committee of %(community)s.", community=community.name), "success")
        return redirect(url_for("accounts.me"))
    page = render_template("places/apply.html", form=form, community=community, active=None, **_community_picker())
    return page, form_status(form)


@bp.post("/me/residence/<int:residence_id>/withdraw")
@login_required
def withdraw(residence_id: int):
    """Withdraw my pending application."""
    residence = db.get_or_404(Residence, residence_id)
    services.withdraw_application(current_user, residence)
    db.session.commit()
    flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("accounts.me"))
