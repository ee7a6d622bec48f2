"""Migration 0022_offerings on a database with providers, staff, services with hours and a neighbour
link: the downgrade removes the provider staff appointments (the older role check has no such
role) and the tables; the upgrade brings them back."""

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.offerings import neighbours
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory

TABLES = {"providers", "services", "service_hours", "service_closed_days", "community_neighbours"}


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        world.factory.service(world.provider, hours="22:00-02:00+1")
        neighbours.link_neighbour(world.worker, world.a, world.b, 6)
        db.session.commit()
        db.session.remove()

        downgrade(revision="0020_export_files")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        assert not db.session.scalar(sa.text("SELECT count(*) FROM staff_appointments WHERE role = 'provider'"))
        assert db.session.scalar(sa.text("SELECT count(*) FROM staff_appointments WHERE role = 'worker'"))
        db.session.remove()

        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.session.remove()
        db.engine.dispose()


def test_0022_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'offerings.db'}")


def test_0022_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
