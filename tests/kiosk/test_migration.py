"""Migration 0026_kiosks on a database with a kiosk and a PIN: the downgrade drops both tables, the
upgrade brings them back, and the database itself refuses what the rules refuse."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.kiosk import cards, pins, services
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory

TABLES = {"kiosks", "kiosk_pins", "kiosk_cards"}


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        services.register_kiosk(world.worker, world.a, "大厅")
        pins.set_pin(world.worker, world.a, world.resident, "246810")
        cards.issue_card(world.worker, world.a, world.resident)
        db.session.commit()
        for bad in (
            "UPDATE kiosk_pins SET failed_count = 6",
            "UPDATE kiosk_pins SET failed_count = -1",
            "UPDATE kiosk_pins SET locked_at = set_at",  # locked only when the tries are used up
            "UPDATE kiosks SET revoked_at = created_at",  # revoked by someone
            "UPDATE kiosks SET token_hash = 'short'",
            "UPDATE kiosk_cards SET expires_at = created_at",
            "INSERT INTO kiosk_cards (user_id, community_id, code_hash, issued_by_id, created_at, expires_at)"
            " SELECT user_id, community_id, code_hash, issued_by_id, created_at, expires_at FROM kiosk_cards",
            "INSERT INTO kiosk_pins (user_id, pin_hash, set_at, set_by_id, failed_count)"
            " SELECT user_id, pin_hash, set_at, set_by_id, 0 FROM kiosk_pins",  # one PIN a person
        ):
            with pytest.raises(sa.exc.IntegrityError):
                db.session.execute(sa.text(bad))
                db.session.flush()
            db.session.rollback()
        db.session.remove()

        downgrade(revision="0025_appointments")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        db.session.remove()

        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.session.remove()
        db.engine.dispose()


def test_0026_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'kiosks.db'}")


def test_0026_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
