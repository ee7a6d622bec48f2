"""Migration 0025_appointments on a database with slots, bookings and a rating: down removes the two
tables (and, on PostgreSQL, the exclusion constraint with them), up brings them back and the rules hold."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.offerings import booking
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory
from tests.offerings.appointment_helpers import slot as make_slot

TABLES = {"service_slots", "appointments"}


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        slot = make_slot(world, capacity=1)
        booking.book(slot, world.resident, world.resident)
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):  # the count can never pass the capacity
            db.session.execute(sa.text("UPDATE service_slots SET booked_count = 2"))
        db.session.rollback()
        db.session.remove()

        downgrade(revision="0024_hazards")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        db.session.remove()

        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.session.remove()
        db.engine.dispose()


def test_0025_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'appointments.db'}")


def test_0025_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
