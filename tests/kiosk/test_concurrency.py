"""On PostgreSQL: 20 wrong PINs for one account at once count exactly 5 tries and lock it; none of the
others is even checked against a locked PIN (each is refused as locked)."""

import pytest

from consult.core.errors import DomainError
from consult.extensions import db
from consult.kiosk import pins, services
from consult.kiosk.models import Kiosk
from tests.core.test_concurrency import run_threads
from tests.factories import Factory

pytestmark = pytest.mark.postgresql


def test_twenty_parallel_wrong_pins_lock_after_exactly_five(app, committed_db):
    world = Factory(committed_db.session).world()
    kiosk_id = services.register_kiosk(world.worker, world.a, "大厅")[0].id
    pins.set_pin(world.worker, world.a, world.resident, "246810")
    committed_db.session.commit()
    resident_id = world.resident.id

    def guess(i):
        with app.test_request_context("/"):
            try:
                pins.log_in_with_pin(db.session.get(Kiosk, kiosk_id), "resident", f"{135790 + i:06d}")
            except DomainError as error:
                db.session.commit()  # as the view does: the count stays
                return error.status
            return 200

    results = run_threads(app, 20, guess)
    committed_db.session.expire_all()
    row = pins.pin_of(resident_id)
    assert row.failed_count == 5 and row.locked
    assert results.count(401) == 4 and results.count(423) == 16, results
