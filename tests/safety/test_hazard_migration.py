"""Migration 0024_hazards on a database with a hazard, an inspection, an emergency point and a drill:
the downgrade removes the tables and turns the drill into a volunteer activity (the older kind check
has no drill); the upgrade brings the tables and the drill kind back."""

from datetime import timedelta

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.core.clock import local_now
from consult.extensions import db
from consult.safety import hazards, inspections, stations
from consult.safety.hazard_models import ITEM_KIND
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory

TABLES = {"hazards", "inspections", "inspection_items", "emergency_points", "emergency_point_items"}


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        inspection = inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, False), "3")
        data = hazards.HazardInput("", "high", "楼道", "电动车充电", "物业", local_now().date() + timedelta(days=1))
        inspections.open_hazard(world.grid_worker, inspection, "no_ebike_in_stairwell", data)
        stations.add_point(world.worker, world.a, name="站", place="居委会", opening="24小时", open_at_night=True,
                           keeper_name="李", keeper_phone="110", counts={"aed": 1})  # fmt: skip
        world.factory.activity(world, kind="drill", title="消防演练")
        db.session.commit()
        db.session.remove()

        downgrade(revision="0023_notices")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        assert db.session.scalar(sa.text("SELECT kind FROM activities WHERE title = '消防演练'")) == "volunteer"
        db.session.remove()

        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.session.execute(sa.text("UPDATE activities SET kind = 'drill' WHERE title = '消防演练'"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_0024_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'hazards.db'}")


def test_0024_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
