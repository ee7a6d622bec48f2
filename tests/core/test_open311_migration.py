"""Migration 0016_open311_keys on a database that holds a request sent through Open311: the
downgrade gives it the key's issuer as reporter (nothing lost, NOT NULL again), the upgrade
brings the columns and the CHECK back."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.extensions import db
from consult.requests import api_keys, reporting
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        key, _text = api_keys.issue(world.site_admin, world.street, "12345")
        sent = reporting.report_from_api(
            key, world.a, category="repairs", description="灯坏了", place="1号楼", contact=reporting.Contact()
        )
        sent_id, admin_id = sent.id, world.site_admin.id
        db.session.commit()
        db.session.remove()

        downgrade(revision="0015_departments")
        row = db.session.execute(sa.text("SELECT reporter_id, channel FROM requests WHERE id = :id"), {"id": sent_id}).one()
        assert tuple(row) == (admin_id, "open311")
        assert "open311_keys" not in sa.inspect(db.engine).get_table_names()
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE requests SET reporter_id = NULL"))
        db.session.rollback()
        db.session.remove()

        upgrade()
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("requests")}
        assert {"api_key_id", "contact_name", "contact_phone", "contact_email", "token"} <= columns
        with pytest.raises(sa.exc.IntegrityError):
            db.session.execute(sa.text("UPDATE requests SET reporter_id = NULL, channel = 'web'"))
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def test_0016_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'open311.db'}")


def test_0016_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
