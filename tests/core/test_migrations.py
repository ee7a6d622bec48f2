"""Migrations: upgrade an empty SQLite and PostgreSQL database; models and migrations agree."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from consult import create_app
from consult.core.search import not_an_index
from consult.extensions import db
from tests.conftest import PG_URL, need, temporary_postgres_database


def _upgrade_down_and_up(url):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert {"users", "streets", "communities", "residences", "staff_appointments", "audit_entries", "notifications"} <= tables
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": not_an_index})
            diff = compare_metadata(context, db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_migrations_on_an_empty_sqlite_database(tmp_path):
    _upgrade_down_and_up(f"sqlite:///{tmp_path / 'fresh.db'}")


def test_migrations_on_an_empty_postgresql_database():
    need(bool(PG_URL), "TEST_DATABASE_URL is not set")
    with temporary_postgres_database() as url:
        _upgrade_down_and_up(url)
