"""`flask demo`: one street, three communities and the demo accounts. Running it twice changes nothing.

Every demo account has the password ``demo12345``: for demonstration only, never production.
"""

from __future__ import annotations

from datetime import timedelta

import click
import sqlalchemy as sa
from flask import Flask

from consult.accounts import services as accounts
from consult.accounts.models import User
from consult.activities import demo as activities_demo
from consult.core import clock
from consult.evaluation import services as evaluation
from consult.extensions import db
from consult.kiosk import demo as kiosk_demo
from consult.offerings import demo as offerings_demo
from consult.places import departments, services as places
from consult.places.models import Community, Street
from consult.places.queries import workers_of
from consult.points import demo as points_demo
from consult.requests import demo as requests_demo, demo_history as requests_history
from consult.safety import demo as safety_demo
from consult.topics import demo as topics_demo

DEMO_PASSWORD = "demo12345"
STREET = ("demo-street", "示范街道")
COMMUNITIES = [("heping", "和平社区"), ("xinghua", "杏花社区"), ("binhe", "滨河社区")]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
#: the street's departments (职能部门), each with one member's account: (name, username, display name)
DEPARTMENTS = [("城管执法队", "chengguan", "城管执法队 赵刚"), ("房管所", "fangguan", "房管所 孙丽")]
GIVEN = ["建国", "秀英", "桂兰", "志强", "丽华", "海燕", "晓明", "玉兰", "文博", "思远"]


def _user(username: str, display_name: str, phone: str | None = None) -> tuple[User, bool]:
    user = accounts.user_by_username(username)
    if user is not None:
        return user, False
    user = accounts.create_user(username, display_name, password=DEMO_PASSWORD, phone=phone, language="zh_CN")
    return user, True


def seed() -> bool:
    """Seed the demo; returns False if it was already there."""
    if db.session.scalar(sa.select(Street).where(Street.slug == STREET[0])) is not None:
        return False
    real_now = clock.now()
    frozen = clock.frozen_at()  # put back as it was: running in production, frozen in a test
    # People and places date from four months ago, so past votes and ratings have their voters.
    clock.set_now(real_now - timedelta(days=120))
    try:
        _seed_people()
    finally:
        clock.set_now(frozen)
    topics_demo.seed(_demo_world())
    activities_demo.seed(_demo_world())
    points_demo.seed(_demo_world())
    requests_demo.seed(_demo_world())
    safety_demo.seed(_demo_world())
    offerings_demo.seed(_demo_world(), _user)
    kiosk_demo.seed(_demo_world())
    # Two months of stored figures and rankings for the street.
    evaluation.update_settings(
        accounts.user_by_username("street"),
        street_of_demo(),
        response_hours=48,
        min_records=3,
        weights={"response": 30, "resolution": 30, "satisfaction": 30, "participation": 10},
    )
    # Past months of requests in every community, for the 三率 of the stored months.
    requests_history.seed_months(demo_months(), _street_communities())
    for month in demo_months():
        evaluation.store_month(street_of_demo(), month)
    return True


def demo_months() -> list[str]:
    """The two newest months that are final today (whatever the day: inside the target response time
    after a month's end, that month is not final yet, so the two before it are taken)."""
    settings = evaluation.settings_for(street_of_demo().id)
    months, month = [], evaluation.previous_month(evaluation.current_month())
    while len(months) < 2:
        if evaluation.ready_to_store(month, settings):
            months.append(month)
        month = evaluation.previous_month(month)
    return sorted(months)


def street_of_demo() -> Street:
    return db.session.scalar(sa.select(Street).where(Street.slug == STREET[0]))


def _seed_people() -> None:
    admin, _ = _user("admin", "系统管理员")
    places.appoint_site_admin(None, admin)
    street = places.create_street(admin, *STREET)
    communities = [places.create_community(admin, street, slug, name) for slug, name in COMMUNITIES]
    first = communities[0]
    street_admin, _ = _user("street", "街道管理员")
    places.appoint_street_admin(admin, street_admin, street)
    worker, _ = _user("worker", "社区工作者 周敏", "13900000001")
    places.appoint_worker(street_admin, worker, first)
    for index, community in enumerate(communities[1:], start=2):
        other, _ = _user(f"worker{index}", f"社区工作者 {index}", None)
        places.appoint_worker(street_admin, other, community)
    for name, username, display_name in DEPARTMENTS:
        member, _ = _user(username, display_name)
        departments.appoint_department_member(street_admin, member, departments.create_department(street_admin, street, name))

    def resident(username: str, name: str, community: Community, building: str, unit: str, room: str, phone=None):
        user, _ = _user(username, name, phone)
        residence = places.apply_for_residence(user, community, building=building, unit=unit, room=room)
        places.confirm_residence(worker if community is first else _worker_of(community), residence)
        return user

    resident("resident", "居民 李秀英", first, "3", "2", "301", "13800138000")
    resident("party", "党员 张志强", first, "5", "1", "102", "13800138001")
    number = 0
    for community in communities:
        for i in range(12):
            number += 1
            name = SURNAMES[number % len(SURNAMES)] + GIVEN[number % len(GIVEN)]
            resident(f"demo{number:03d}", name, community, str(1 + i % 6), str(1 + i % 2), f"{1 + i % 5}0{1 + i % 3}")
    # The pending applicant applied yesterday.
    clock.advance(timedelta(days=119))
    pending, _ = _user("pending", "新居民 陈晓明", "13800138002")
    places.apply_for_residence(pending, first, building="7", unit="1", room="501")


def _demo_world() -> dict:
    """The demo people of the first community, for the domains' own demo data."""
    first = db.session.scalar(sa.select(Community).where(Community.slug == COMMUNITIES[0][0]))
    return {
        "community": first,
        "worker": accounts.user_by_username("worker"),
        "resident": accounts.user_by_username("resident"),
        "party": accounts.user_by_username("party"),
        "street_admin": accounts.user_by_username("street"),
        "departments": _demo_departments(),
        "residents": [accounts.user_by_username(f"demo{n:03d}") for n in range(1, 13)],
        "make_user": _user,
    }


def _street_communities() -> list[tuple[Community, User, list[User]]]:
    """Each community of the demo street with its worker and its twelve demo residents."""
    out = []
    for position, (slug, _name) in enumerate(COMMUNITIES):
        community = db.session.scalar(sa.select(Community).where(Community.slug == slug))
        numbers = range(12 * position + 1, 12 * position + 13)
        out.append((community, _worker_of(community), [accounts.user_by_username(f"demo{n:03d}") for n in numbers]))
    return out


def _demo_departments() -> list[tuple]:
    """(department, its demo member) in the order of DEPARTMENTS."""
    by_name = {d.name: d for d in departments.departments_of_street(street_of_demo().id)}
    return [(by_name[name], accounts.user_by_username(username)) for name, username, _ in DEPARTMENTS]


def _worker_of(community: Community) -> User:
    return db.session.get(User, workers_of(community.id)[0].user_id)


def register(app: Flask) -> None:
    @app.cli.command("demo")
    @click.option(
        "--force-in-production",
        is_flag=True,
        help="Seed even in production, creating the demo accounts (admin and others, password demo12345).",
    )
    def demo_command(force_in_production: bool):
        """Seed demo data (idempotent). Demo accounts use the password demo12345; refused in production."""
        if app.config.get("PRODUCTION"):
            if not force_in_production:
                raise click.ClickException(
                    "refusing to seed demo data in production: it creates the site administrator 'admin' with the public "
                    "password demo12345. Run it on a development or demo installation, or pass --force-in-production."
                )
            click.secho(
                "WARNING: seeding demo data in production. The accounts admin, street, worker, resident, party, "
                "pending, chengguan, fangguan and grid have the public password demo12345: change or close them now.",
                fg="red",
                err=True,
            )
        if seed():
            db.session.commit()
            click.echo(
                "demo data created; log in as admin, street, worker, resident, party, pending, chengguan, fangguan or grid "
                "with demo12345"
            )
        else:
            click.echo("demo data already present; nothing changed")
