"""`flask demo` seeds every demo account once; `flask create-admin` makes a site admin."""
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import User
from consult.places import queries


def test_demo_is_idempotent_and_has_every_account(app, committed_db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    count = committed_db.session.scalar(sa.select(sa.func.count()).select_from(User))
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "nothing changed" in second.output
    assert committed_db.session.scalar(sa.select(sa.func.count()).select_from(User)) == count
    for name in ["admin", "street", "worker", "resident", "party", "pending"]:
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
