""" "Download my data" against the schema: every column that references users.id is either exported
(and the export holds exactly as many entries as the table has rows for the person) or left out
with a written reason. A table added later cannot be forgotten: this test names it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.activities import services as activities
from consult.core import documents, registries
from consult.places import residents
from consult.points import ledger, rewards
from consult.topics import queries as topic_queries, services as topics


def user_columns(metadata) -> list[str]:
    """Every "table.column" with a foreign key to users.id."""
    return sorted(
        f"{table.name}.{column.name}"
        for table in metadata.sorted_tables
        for column in table.columns
        if any(fk.column.table.name == "users" and fk.column.name == "id" for fk in column.foreign_keys)
    )


def test_every_column_referencing_a_user_is_exported_or_excused(db):
    columns = user_columns(db.metadata)
    assert len(columns) > 20  # the introspection sees the schema
    missing = [c for c in columns if c not in registries.personal_columns and c not in registries.not_personal_columns]
    assert not missing, (
        f'{", ".join(missing)}: these columns reference users.id but "download my data" neither exports nor excuses them. '
        "In your domain's registrations.py, either add the rows to a @personal(...) exporter and name the column in its "
        "covers={'<table>.<column>': '<key of the exporter's output listing one entry per row>'} (\"\" when the output is the "
        "list itself), or call registries.not_personal({'<table>.<column>': '<why a person's export leaves it out>'}) "
        "(registries.STAFF_ACTION for a column naming the staff member who acted on someone else's record)."
    )
    both = set(registries.personal_columns) & set(registries.not_personal_columns)
    assert not both, f"{both}: both exported and excused; keep one"
    stale = (set(registries.personal_columns) | set(registries.not_personal_columns)) - set(columns)
    assert not stale, f"{stale}: named in the personal-data registry but no such column references users.id any more"
    assert all(len(reason) > 20 for reason in registries.not_personal_columns.values())


@pytest.fixture
def busy(world, factory, clock):
    """The resident and the party member with rows in as many user tables as a short story allows."""

    topic = world.topic("outcome_done")
    topics.rate(world.resident, topic_queries.outcome_of(topic.id), "satisfied", "很好")
    topics.rate(world.resident, topic_queries.outcome_of(topic.id), "basically", "还行")  # a second version
    collecting = world.topic("collecting_support")
    topics.support(world.party, collecting)
    topics.follow(world.party, collecting)
    note = topics.comment(world.party, collecting, "我同意")
    topics.flag_comment(world.resident, note)
    activity = factory.activity(world, starts_in=timedelta(minutes=10))
    for person in (world.resident, world.party):
        activities.sign_up(person, activity)
        activities.check_in(person, activity, activities.checkin_code(activity))
    clock.advance(hours=3)
    for person in (world.resident, world.party):
        activities.confirm_minutes(world.worker, activity, activities.attendance_of(person, activity), 90)
        activities.rate_activity(person, activity, "satisfied", "组织得好")
    wish = activities.post_wish(world.resident, world.a, title="换灯泡", description="够不着")
    activities.approve_wish(world.worker, wish)
    activities.claim_wish(world.party, wish)
    reward = rewards.create_reward(world.worker, world.a, name="毛巾", price=1, stock=5)
    rewards.redeem(world.party, reward)
    documents.issue(
        "service_record", subject=world.party, community_id=world.a.id, content={"hours": 1.5}, issued_by=world.worker
    )
    ledger.bonus(world.worker, world.party, world.a, 5, "组织")
    residents.issue_reset_code(world.worker, world.resident, world.a)
    return world


def test_the_export_holds_every_row_about_the_person(db, busy):
    """For each exported column, the export lists exactly as many entries as the table has rows naming the person."""
    tables = db.metadata.tables
    filled = set()
    for person in (busy.resident, busy.party, busy.worker, busy.street_admin):
        data = services.personal_data(person)
        for column, (name, key) in sorted(registries.personal_columns.items()):
            table, field = column.split(".")
            rows = db.session.scalar(
                sa.select(sa.func.count()).select_from(tables[table]).where(tables[table].c[field] == person.id)
            )
            part = data[name] if key == "" else data[name][key]
            assert len(part) == rows, (
                f"{column}: {rows} rows name {person.username}, the export under {name}/{key or '(all)'} has {len(part)}"
            )
            if rows:
                filled.add(column)
    # The story reaches most exported columns, so the comparison is not of empty tables.
    for column in (
        "activity_ratings.user_id",
        "wishes.claimer_id",
        "topic_follows.user_id",
        "topic_comment_flags.user_id",
        "staff_appointments.user_id",
        "documents.subject_id",
        "topic_outcome_ratings.user_id",
        "redemptions.user_id",
        "activity_attendances.user_id",
        "party_registrations.user_id",
        "residences.user_id",
        "password_reset_codes.user_id",
        "point_balances.user_id",
        "ledger_entries.user_id",
        "activities.organiser_id",
        "topic_supports.user_id",
    ):
        assert column in filled, column
