"""On PostgreSQL: 30 threads signing up for the last 5 places leave exactly 5 sign-ups and a right waitlist."""
import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.activities import services
from consult.activities.models import Activity, Signup
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_thirty_threads_for_the_last_five_places(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    activity = factory.activity(world, capacity=8)
    for _ in range(3):
        services.sign_up(factory.resident(world.a), activity)
    people = [factory.resident(world.a).id for _ in range(30)]
    committed_db.session.commit()
    activity_id = activity.id

    def sign_up(i):
        from consult.extensions import db

        return services.sign_up(db.session.get(User, people[i]), db.session.get(Activity, activity_id)).status

    results = run_threads(app, 30, sign_up)
    assert results.count("confirmed") == 5 and results.count("waitlisted") == 25
    session = committed_db.session
    session.expire_all()
    counts = dict(session.execute(sa.select(Signup.status, sa.func.count()).where(Signup.activity_id == activity_id).group_by(Signup.status)).all())
    assert counts == {"confirmed": 8, "waitlisted": 25}
    fresh = session.get(Activity, activity_id)
    assert (fresh.signup_count, fresh.waitlist_count) == (8, 25)
