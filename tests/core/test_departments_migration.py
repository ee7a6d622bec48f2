"""Migration 0015_departments on a database where a department holds a request: the downgrade
hands it back to its street (holder and department cleared together, as the CHECK wants) and
removes the department members' appointments; the upgrade brings departments back."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.requests import reporting, services
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        request = reporting.report(world.resident, world.a, category="repairs", description="路灯坏了", building="3")
        services.accept(world.worker, request)
        services.escalate(world.worker, request, "需要街道")
        services.dispatch(world.street_admin, request, world.department)
        request_id = request.id
        db.session.commit()
        db.session.remove()

        downgrade(revision="0014_requests")
        row = db.session.execute(sa.text("SELECT holder FROM requests WHERE id = :id"), {"id": request_id}).one()
        assert tuple(row) == ("street",)
        assert "departments" not in sa.inspect(db.engine).get_table_names()
        assert not db.session.scalar(sa.text("SELECT count(*) FROM staff_appointments WHERE role = 'department'"))
        db.session.remove()

        upgrade()
        assert "departments" in sa.inspect(db.engine).get_table_names()
        db.session.remove()
        db.engine.dispose()


def test_0015_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'departments.db'}")


def test_0015_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
