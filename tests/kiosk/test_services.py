"""Kiosk rules without HTTP: registering and revoking terminals, setting PINs, PIN log-in and its lock."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEntry
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.kiosk import pins, services
from consult.kiosk.models import Kiosk, KioskPin
from consult.kiosk.pins import WrongPin
from consult.kiosk.policy import PinLocked
from consult.kiosk.registrations import my_kiosk_pin, remove_kiosk_pin
from tests.test_registry import database_rows

PIN = "246810"


def _actions(db) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_registering_keeps_only_a_hash_of_the_token_and_is_audited(db, world):
    kiosk, token = services.register_kiosk(world.worker, world.a, "  服务大厅  一号机 ")
    assert kiosk.name == "服务大厅 一号机" and len(token) >= 40
    assert kiosk.token_hash == services.hash_token(token) and token not in repr(db.session.execute(sa.select(Kiosk)).all())
    assert services.kiosk_of_token(token) is kiosk and services.kiosk_of_token(token + "x") is None
    assert services.kiosk_of_token("x" * 500) is None and services.kiosk_of_token("令牌") is None
    assert "kiosk.register" in _actions(db)


@pytest.mark.parametrize("who", ["resident", "party", "other_worker", "department", "grid_worker", "provider", "pending"])
def test_only_the_committee_registers(db, world, who):
    with pytest.raises(PermissionDenied):
        services.register_kiosk(world.roles()[who], world.a, "大厅")


@pytest.mark.parametrize("name", ["", "   ", "长" * 41])
def test_a_kiosk_needs_a_short_name(db, world, name):
    with pytest.raises(RuleViolation):
        services.register_kiosk(world.worker, world.a, name)


def test_revoking_is_audited_once_and_by_the_committee_only(db, world):
    kiosk, token = services.register_kiosk(world.worker, world.a, "大厅")
    with pytest.raises(PermissionDenied):
        services.revoke_kiosk(world.other_worker, kiosk)
    services.revoke_kiosk(world.worker, kiosk)
    assert services.kiosk_of_token(token).revoked
    with pytest.raises(Conflict):
        services.revoke_kiosk(world.worker, kiosk)
    assert _actions(db).count("kiosk.revoke") == 1


@pytest.mark.parametrize("pin", ["000000", "111111", "123456", "654321", "890123", "121212", "123123", "987654"])
def test_trivial_pins_are_refused(db, world, pin):
    db.session.commit()
    before = database_rows(db.session)
    with pytest.raises(RuleViolation, match="太容易被猜到"):
        pins.set_pin(world.worker, world.a, world.resident, pin)
    db.session.rollback()
    assert database_rows(db.session) == before


@pytest.mark.parametrize("pin", ["", "12345", "1357913", "13a579", "１３５７９１", "13579 1", "-13579"])
def test_a_pin_is_exactly_six_ascii_digits(db, world, pin):
    with pytest.raises(RuleViolation, match="正好是 6 位数字"):
        pins.set_pin(world.worker, world.a, world.resident, pin)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskPin)) == 0


def test_a_pin_is_stored_hashed_and_its_setting_audited(db, world):
    row = pins.set_pin(world.worker, world.a, world.resident, PIN)
    assert PIN not in row.pin_hash and row.pin_hash.startswith("scrypt:")
    pins.set_pin(world.worker, world.a, world.resident, "135790")
    actions = _actions(db)
    assert "kiosk_pin.set" in actions and "kiosk_pin.reset" in actions
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.like("kiosk_pin.%"))).all()
    assert all(PIN not in repr(e.after) and "135790" not in repr(e.after) for e in entries)


@pytest.mark.parametrize(
    "actor, holder",
    [
        ("resident", "party"),  # a resident sets nobody's PIN
        ("other_worker", "resident"),  # another community's worker
        ("worker", "worker"),  # nobody sets their own
        ("worker", "other_worker"),  # a staff account gets no PIN
        ("worker", "pending"),  # not yet a confirmed resident
        ("grid_worker", "resident"),
    ],
)
def test_who_may_set_a_pin_for_whom(db, world, actor, holder):
    roles = world.roles()
    with pytest.raises(PermissionDenied):
        pins.set_pin(roles[actor], world.a, roles[holder], PIN)


def kiosk_of(world):
    return services.register_kiosk(world.worker, world.a, "大厅")[0]


def test_pin_log_in_counts_wrong_tries_locks_at_five_and_a_worker_unlocks(db, world):
    kiosk = kiosk_of(world)
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    assert pins.log_in_with_pin(kiosk, "Resident", PIN) is world.resident
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin, match=f"还可以再试 {left} 次"):
            pins.log_in_with_pin(kiosk, "resident", "135790")
    with pytest.raises(PinLocked) as locked:
        pins.log_in_with_pin(kiosk, "resident", "135790")
    assert locked.value.status == 423
    row = pins.pin_of(world.resident.id)
    assert row.locked and row.failed_count == 5
    with pytest.raises(PinLocked):  # the right PIN does not open a locked one either
        pins.log_in_with_pin(kiosk, "resident", PIN)
    with pytest.raises(PermissionDenied):
        pins.unlock_pin(world.other_worker, world.b, world.resident)
    pins.unlock_pin(world.worker, world.a, world.resident)
    assert pins.log_in_with_pin(kiosk, "resident", PIN) is world.resident
    assert "kiosk_pin.unlock" in _actions(db)


def test_a_right_pin_clears_the_wrong_tries(db, world):
    kiosk = kiosk_of(world)
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    with pytest.raises(WrongPin):
        pins.log_in_with_pin(kiosk, "resident", "135790")
    pins.log_in_with_pin(kiosk, "resident", PIN)
    assert pins.pin_of(world.resident.id).failed_count == 0


def test_unlocking_an_unlocked_pin_is_a_conflict(db, world):
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    with pytest.raises(Conflict):
        pins.unlock_pin(world.worker, world.a, world.resident)


def test_no_pin_or_unknown_username_is_a_wrong_pin_and_writes_nothing(db, world):
    kiosk = kiosk_of(world)
    db.session.commit()
    before = database_rows(db.session)
    for username in ("resident", "nobody-here"):
        with pytest.raises(WrongPin):
            pins.log_in_with_pin(kiosk, username, PIN)
    with pytest.raises(RuleViolation):
        pins.log_in_with_pin(kiosk, "resident", "12345")
    assert database_rows(db.session) == before


def test_a_pin_opens_only_the_kiosks_of_the_holders_community(db, world, factory):
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    other_kiosk = services.register_kiosk(world.other_worker, world.b, "别的大厅")[0]
    with pytest.raises(PermissionDenied):
        pins.log_in_with_pin(other_kiosk, "resident", PIN)


def test_closing_an_account_removes_its_pin(db, world):
    pins.set_pin(world.worker, world.a, world.resident, PIN)
    assert my_kiosk_pin(world.resident)[0]["locked"] is False
    remove_kiosk_pin(world.resident)
    assert pins.pin_of(world.resident.id) is None and my_kiosk_pin(world.resident) == []
