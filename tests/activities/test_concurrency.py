"""On PostgreSQL: 30 threads signing up for the last 5 places leave exactly 5 sign-ups and a right waitlist."""

import pytest
import sqlalchemy as sa

from consult.accounts.models import User
from consult.activities import planning, signups
from consult.activities.models import Activity, Signup
from consult.core.errors import Conflict
from consult.extensions import db
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_thirty_threads_for_the_last_five_places(app, committed_db):
    factory = Factory(committed_db.session)
    world = factory.world()
    activity = factory.activity(world, capacity=8)
    for _ in range(3):
        signups.sign_up(factory.resident(world.a), activity)
    people = [factory.resident(world.a).id for _ in range(30)]
    committed_db.session.commit()
    activity_id = activity.id

    def sign_up(i):
        return signups.sign_up(db.session.get(User, people[i]), db.session.get(Activity, activity_id)).status

    results = run_threads(app, 30, sign_up)
    assert results.count("confirmed") == 5 and results.count("waitlisted") == 25
    session = committed_db.session
    session.expire_all()
    counts = dict(
        session.execute(
            sa.select(Signup.status, sa.func.count()).where(Signup.activity_id == activity_id).group_by(Signup.status)
        ).all()
    )
    assert counts == {"confirmed": 8, "waitlisted": 25}
    fresh = session.get(Activity, activity_id)
    assert (fresh.signup_count, fresh.waitlist_count) == (8, 25)


def test_calling_off_while_people_sign_up_and_cancel(app, committed_db):
    """A worker calls the activity off while 10 people sign up and 5 cancel: nothing stays live, counts hold."""
    factory = Factory(committed_db.session)
    world = factory.world()
    activity = factory.activity(world, capacity=3)
    leaving = [factory.resident(world.a) for _ in range(5)]
    for person in leaving:
        signups.sign_up(person, activity)
    joining = [factory.resident(world.a).id for _ in range(10)]
    leaving_ids = [p.id for p in leaving]
    worker_id = world.worker.id
    committed_db.session.commit()
    activity_id = activity.id

    def act(i):
        activity = db.session.get(Activity, activity_id)
        try:
            if i == 0:
                planning.cancel_activity(db.session.get(User, worker_id), activity, "暴雨")
            elif i <= 5:
                signups.cancel_signup(db.session.get(User, leaving_ids[i - 1]), activity)
            else:
                signups.sign_up(db.session.get(User, joining[i - 6]), activity)
        except Conflict:
            return "refused"
        return "done"

    run_threads(app, 16, act)
    session = committed_db.session
    session.expire_all()
    live = session.scalar(
        sa.select(sa.func.count())
        .select_from(Signup)
        .where(Signup.activity_id == activity_id, Signup.status.in_(["confirmed", "waitlisted"]))
    )
    fresh = session.get(Activity, activity_id)
    assert fresh.cancelled_at is not None and live == 0 and (fresh.signup_count, fresh.waitlist_count) == (0, 0)
