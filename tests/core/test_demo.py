"""`flask demo` seeds every demo account once; `flask create-admin` makes a site admin."""

import pytest
import sqlalchemy as sa

from consult import demo
from consult.accounts import services
from consult.accounts.models import User
from consult.activities.models import Activity
from consult.core.clock import local
from consult.evaluation.models import MonthlyResult, StreetRanking
from consult.places import queries

#: builds the whole demo (several seconds each): left out of `make test-fast`, run by `make test`
pytestmark = pytest.mark.slow


def test_demo_is_idempotent_and_has_every_account(app, committed_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = committed_db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count
    for name in ["admin", "street", "worker", "resident", "party", "pending", "chengguan", "fangguan", "grid", "provider"]:
        assert services.authenticate(name, "demo12345") is not None, name
    assert queries.is_site_admin(services.user_by_username("admin"))
    assert queries.active_residence(services.user_by_username("pending")).status == "pending"
    assert queries.active_residence(services.user_by_username("resident")).status == "confirmed"


def test_create_admin(app, committed_db):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "chief", "--display-name", "管理员", "--password", "a-long-password"]
    )
    assert result.exit_code == 0, result.output
    assert queries.is_site_admin(services.user_by_username("chief"))
    again = app.test_cli_runner().invoke(
        args=["create-admin", "--username", "chief", "--display-name", "x", "--password", "a-long-password"]
    )
    assert again.exit_code != 0 and "taken" in again.output or "已" in again.output


@pytest.mark.parametrize("day", [(2026, 12, 2, 10), (2026, 12, 17, 9)])  # UTC; inside and past the 48 h after November
def test_demo_stores_two_months_whatever_the_day_and_schedules_by_day(db, clock, day):
    clock.set(*day)
    assert demo.seed()
    months = sorted(db.session.scalars(sa.select(StreetRanking.month).where(StreetRanking.street_id == demo.street_of_demo().id)))
    assert len(months) == 2 and months == demo.demo_months()
    assert months[1] == ("2026-10" if day[2] < 3 else "2026-11")
    # Every community has six requests a month: the 三率 come from them, and differ from the topics'.
    results = db.session.scalars(sa.select(MonthlyResult).where(MonthlyResult.month.in_(months))).all()
    assert len(results) == 6
    for result in results:
        figures = result.figures
        assert figures["basis"] == "requests"  # six a month each, and the recent demo requests in the newest month
        assert min(figures[rate]["den"] for rate in ("response", "resolution", "satisfaction")) >= 6
    assert {r.figures["response"]["rate"] for r in results} != {r.figures["topics_response"]["rate"] for r in results}
    assert len({r.composite for r in results if r.month == months[1]}) == 3  # three communities, three scores
    for activity in db.session.scalars(sa.select(Activity)):
        assert local(activity.starts_at).hour >= 8 and local(activity.ends_at).hour <= 18, (
            activity.title,
            local(activity.starts_at),
        )


def test_demo_refuses_production_unless_forced(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and "--force-in-production" in refused.output
    assert services.user_by_username("admin") is None
    forced = runner.invoke(args=["demo", "--force-in-production"])
    assert forced.exit_code == 0 and "WARNING" in forced.output and "demo12345" in forced.output
    assert services.user_by_username("admin") is not None
