"""Rules of accounts, tested without HTTP."""

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import PasswordResetCode, User
from consult.core.audit import AuditEntry
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.places import departments, queries, residents, services as places_services
from consult.places.models import EndReason, ResidenceStatus, StaffRole
from tests.factories import PASSWORD


def test_register_creates_a_pending_residence_with_a_strong_hash(db, world):
    user = residents.register(
        username="NewPerson", display_name="新人", password="long-enough-1", community=world.a, building="9", room="101"
    )
    assert user.username == "newperson"
    assert user.password_hash.startswith("scrypt:")
    residence = queries.active_residence(user)
    assert residence.status == ResidenceStatus.PENDING and residence.building == "9"


def test_duplicate_username_is_a_conflict_and_writes_nothing(db, world):
    users = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    with pytest.raises(Conflict) as error:
        residents.register(username="Resident", display_name="x", password="long-enough-1", community=world.a)
    assert error.value.field == "username"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == users


def test_short_password_refused(db, world):
    with pytest.raises(RuleViolation):
        residents.register(username="shorty", display_name="x", password="short", community=world.a)


def test_authenticate(db, world):
    assert services.authenticate("RESIDENT", PASSWORD) == world.resident
    assert services.authenticate("resident", "wrong") is None
    assert services.authenticate("nobody", PASSWORD) is None
    world.resident.active = False
    assert services.authenticate("resident", PASSWORD) is None


def test_change_password_needs_the_current_one(db, world):
    with pytest.raises(RuleViolation):
        services.change_password(world.resident, "wrong", "new-password-1")
    services.change_password(world.resident, PASSWORD, "new-password-1")
    assert services.authenticate("resident", "new-password-1") == world.resident


def test_reset_code_works_once_for_24_hours(db, world, clock):
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    assert len(code) == 8
    entry = db.session.scalar(sa.select(PasswordResetCode).where(PasswordResetCode.user_id == world.resident.id))
    assert code not in entry.code_hash
    assert (
        db.session.scalar(
            sa.select(AuditEntry.action).where(AuditEntry.target_id == entry.id, AuditEntry.target_type == "password_reset_codes")
        )
        == "account.reset_code"
    )
    clock.advance(hours=23, minutes=59)
    services.use_reset_code("resident", code.lower()[:4] + "-" + code[4:], "brand-new-pass")
    assert services.authenticate("resident", "brand-new-pass") == world.resident
    with pytest.raises(RuleViolation):
        services.use_reset_code("resident", code, "another-pass-1")


def test_expired_reset_code_refused(db, world, clock):
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    clock.advance(hours=24, seconds=1)
    with pytest.raises(RuleViolation):
        services.use_reset_code("resident", code, "brand-new-pass")


def test_new_code_replaces_the_old_one(db, world):
    old = residents.issue_reset_code(world.worker, world.resident, world.a)
    new = residents.issue_reset_code(world.worker, world.resident, world.a)
    with pytest.raises(RuleViolation):
        services.use_reset_code("resident", old, "brand-new-pass")
    services.use_reset_code("resident", new, "brand-new-pass")


def test_reset_code_only_by_the_persons_committee(db, world):
    with pytest.raises(PermissionDenied):
        residents.issue_reset_code(world.other_worker, world.resident, world.b)
    with pytest.raises(PermissionDenied):
        residents.issue_reset_code(world.other_worker, world.resident, world.a)


def test_record_resident_without_phone_is_confirmed_and_marked(db, world):
    before = world.a.member_count
    user = residents.record_resident(world.worker, world.a, username="oldwang", display_name="王大爷", building="2", room="101")
    residence = queries.active_residence(user)
    assert residence.status == ResidenceStatus.CONFIRMED and residence.recorded_by_id == world.worker.id
    assert user.password_hash is None and services.authenticate("oldwang", "") is None
    db.session.refresh(world.a)
    assert world.a.member_count == before + 1
    with pytest.raises(PermissionDenied):
        residents.record_resident(world.other_worker, world.a, username="x1", display_name="x")


def test_close_account_anonymises_and_keeps_counts(db, world):
    with pytest.raises(RuleViolation):
        services.close_account(world.resident, "wrong")
    residence = queries.active_residence(world.resident)
    before = world.a.member_count
    services.close_account(world.resident, PASSWORD)
    db.session.refresh(world.a)
    assert world.resident.username == f"closed-{world.resident.id}"
    assert world.resident.display_name == "" and world.resident.phone is None
    assert not world.resident.active and world.resident.closed_at is not None
    assert residence.status == ResidenceStatus.ENDED and residence.end_reason == EndReason.CLOSED_ACCOUNT
    assert world.a.member_count == before - 1
    assert db.session.get(User, world.resident.id) is not None  # anonymised, never deleted
    assert services.authenticate(f"closed-{world.resident.id}", PASSWORD) is None


def test_personal_data_holds_every_registered_part(db, world):
    data = services.personal_data(world.resident)
    assert data["account"]["username"] == "resident"
    assert data["residences"][0]["community"] == world.a.name
    assert "notifications" in data


# --- reset codes and appointments (issue 9, Medium 4 and 9.5) ------------------------------


@pytest.mark.parametrize("appointment", ["worker", "department"])
def test_appointing_someone_revokes_their_unused_reset_codes(db, world, appointment):
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    if appointment == "worker":
        places_services.appoint_worker(world.street_admin, world.resident, world.a)
    else:
        departments.appoint_department_member(world.street_admin, world.resident, world.department)
    with pytest.raises(RuleViolation):
        services.use_reset_code("resident", code, "taken-over-1")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.reset_codes_revoked"))
    assert entry.actor_id == world.street_admin.id and entry.after == {"user_id": world.resident.id, "codes": 1}


def test_a_workers_code_never_opens_a_staff_account(db, world, factory):
    """Even a code that escaped revocation is refused once its holder is staff."""

    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    factory.appoint(world.resident, StaffRole.WORKER, community=world.b)  # bypasses the appointment rules
    queries.forget_roles()
    with pytest.raises(RuleViolation, match="工作人员账号由系统管理员重置密码"):
        services.use_reset_code("resident", code, "taken-over-1")
    assert services.authenticate("resident", "taken-over-1") is None


def test_a_site_administrators_code_still_works_for_staff(db, world):
    code = residents.issue_staff_reset_code(world.site_admin, world.worker)
    services.use_reset_code("worker", code, "brand-new-pass")
    assert services.authenticate("worker", "brand-new-pass") is not None


def test_nobody_issues_their_own_reset_code(db, world, factory):
    with pytest.raises(PermissionDenied, match="须由另一位工作人员办理"):
        residents.issue_staff_reset_code(world.site_admin, world.site_admin)
    living_worker = factory.resident(world.a, username="livingworker")
    factory.appoint(living_worker, StaffRole.WORKER, community=world.a)
    queries.forget_roles()
    with pytest.raises(PermissionDenied, match="须由另一位工作人员办理"):
        residents.issue_reset_code(living_worker, living_worker, world.a)


def test_choices_made_on_the_device_before_logging_in_win(db, world):
    services.adopt_device_choices(world.resident, language="en", large_text=True)
    assert world.resident.language == "en" and world.resident.large_text is True
    services.adopt_device_choices(world.resident, language=None, large_text=None)  # nothing chosen there
    assert world.resident.language == "en" and world.resident.large_text is True
    services.adopt_device_choices(world.resident, language="fr", large_text=False)
    assert world.resident.language == "en" and world.resident.large_text is False
