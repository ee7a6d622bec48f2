"""Migration 0023_notices on a database with a published notice, an acknowledgement, a visit and a
responder: the downgrade removes the tables, the upgrade brings them back; the database holds the rules."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.core.clock import now
from consult.extensions import db
from consult.safety import followup, notices, responders
from consult.safety.notice_models import NoticeAcknowledgement
from tests.conftest import PG_URL, need, temporary_postgres_database
from tests.factories import Factory

TABLES = {
    "notices",
    "notice_targets",
    "notice_recipients",
    "notice_acknowledgements",
    "notice_visits",
    "responders",
    "responder_grids",
    "notice_responders",
}


def _down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), app.test_request_context("/"):
        upgrade()
        world = Factory(db.session).world()
        responders.opt_in(world.party, {"first_aid": True}, None, [world.grid.id])
        draft = notices.Draft(level="red", title="红色预警", what_to_do="请立即转移。", ends_at=now() + timedelta(hours=6))
        notice = notices.publish(world.worker, world.a, draft)
        followup.acknowledge(world.resident, notice)
        followup.record_visit(world.worker, notice, world.party.id, "reached", None)
        db.session.commit()
        # The database itself refuses a second acknowledgement of the same person.
        with pytest.raises(sa.exc.IntegrityError):
            db.session.add(NoticeAcknowledgement(notice_id=notice.id, user_id=world.resident.id, via="self"))
            db.session.flush()
        db.session.rollback()
        db.session.remove()

        downgrade(revision="0022_offerings")
        assert not TABLES & set(sa.inspect(db.engine).get_table_names())
        db.session.remove()

        upgrade()
        assert set(sa.inspect(db.engine).get_table_names()) >= TABLES
        db.session.remove()
        db.engine.dispose()


def test_0023_down_and_up_on_sqlite(tmp_path):
    _down_and_up(f"sqlite:///{tmp_path / 'notices.db'}")


def test_0023_down_and_up_on_postgresql():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _down_and_up(url)
