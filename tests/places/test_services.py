"""Rules of places, tested without HTTP."""

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEntry
from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.places import queries, services
from consult.places.models import EndReason, Residence, ResidenceStatus, StaffAppointment


def audit_actions(db, target):
    return [
        e.action
        for e in db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.target_type == target.__tablename__, AuditEntry.target_id == target.id)
        )
    ]


def notices(db, user):
    return list(db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == user.id)))


def test_apply_then_confirm_counts_member_audits_and_notifies(db, world, factory):
    person = factory.user()
    residence = services.apply_for_residence(person, world.a, building="1", unit="2", room="303")
    assert residence.status == ResidenceStatus.PENDING
    before = world.a.member_count
    services.confirm_residence(world.worker, residence)
    db.session.refresh(world.a)
    assert residence.status == ResidenceStatus.CONFIRMED and residence.confirmed_at is not None
    assert residence.decided_by_id == world.worker.id
    assert world.a.member_count == before + 1
    assert audit_actions(db, residence) == ["residence.confirm"]
    assert notices(db, person) == [f"residence.confirmed:{residence.id}"]
    assert queries.is_confirmed_member(person, world.a)


def test_confirm_twice_is_a_conflict(db, world):
    residence = queries.active_residence(world.pending)
    services.confirm_residence(world.worker, residence)
    with pytest.raises(Conflict):
        services.confirm_residence(world.worker, residence)


@pytest.mark.parametrize("actor", ["other_worker", "other_street_admin", "site_admin", "resident"])
def test_only_the_committee_decides(db, world, actor):
    residence = queries.active_residence(world.pending)
    with pytest.raises(PermissionDenied):
        services.confirm_residence(getattr(world, actor), residence)
    with pytest.raises(PermissionDenied):
        services.reject_residence(getattr(world, actor), residence, "no")
    assert residence.status == ResidenceStatus.PENDING


def test_street_admin_of_the_street_may_decide(db, world):
    services.confirm_residence(world.street_admin, queries.active_residence(world.pending))


def test_reject_needs_a_reason_and_lets_the_person_apply_again(db, world):
    residence = queries.active_residence(world.pending)
    with pytest.raises(RuleViolation):
        services.reject_residence(world.worker, residence, "   ")
    services.reject_residence(world.worker, residence, "查无此人")
    assert residence.status == ResidenceStatus.REJECTED and residence.end_reason == EndReason.REJECTED
    assert residence.reason == "查无此人" and residence.ended_at is not None
    again = services.apply_for_residence(world.pending, world.a)
    assert again.status == ResidenceStatus.PENDING
    assert len(queries.residences_of(world.pending.id)) == 2


def test_one_active_residence_per_person(db, world):
    with pytest.raises(Conflict):
        services.apply_for_residence(world.resident, world.b)
    with pytest.raises(Conflict):
        services.apply_for_residence(world.pending, world.b)


def test_the_database_itself_refuses_two_active_residences(db, world):
    db.session.add(Residence(user_id=world.pending.id, community_id=world.b.id, status=ResidenceStatus.PENDING))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_end_residence_moves_out_and_uncounts(db, world):
    residence = queries.active_residence(world.resident)
    before = world.a.member_count
    services.end_residence(world.worker, residence, "搬走了")
    db.session.refresh(world.a)
    assert residence.status == ResidenceStatus.ENDED and residence.end_reason == EndReason.MOVED_OUT
    assert world.a.member_count == before - 1
    assert not queries.is_confirmed_member(world.resident, world.a)
    with pytest.raises(Conflict):
        services.end_residence(world.worker, residence, "")


def test_end_pending_is_refused(db, world):
    with pytest.raises(Conflict):
        services.end_residence(world.worker, queries.active_residence(world.pending), "")


def test_withdraw_own_pending_application_only(db, world):
    residence = queries.active_residence(world.pending)
    with pytest.raises(PermissionDenied):
        services.withdraw_application(world.resident, residence)
    services.withdraw_application(world.pending, residence)
    assert residence.end_reason == EndReason.WITHDRAWN
    with pytest.raises(Conflict):
        services.withdraw_application(world.pending, residence)


def test_worker_appointments_are_scoped_to_the_street(db, world, factory):
    person = factory.user()
    with pytest.raises(PermissionDenied):
        services.appoint_worker(world.other_street_admin, person, world.a)
    with pytest.raises(PermissionDenied):
        services.appoint_worker(world.worker, person, world.a)
    appointment = services.appoint_worker(world.street_admin, person, world.a)
    assert queries.can_manage_community(person, world.a)
    assert not queries.can_manage_community(person, world.b)
    assert audit_actions(db, appointment) == ["staff.appoint_worker"]
    with pytest.raises(Conflict):
        services.appoint_worker(world.street_admin, person, world.a)
    services.end_appointment(world.street_admin, appointment)
    assert not queries.can_manage_community(person, world.a)
    with pytest.raises(Conflict):
        services.end_appointment(world.street_admin, appointment)
    # Appointed again after the first ended: the partial unique index allows it.
    services.appoint_worker(world.street_admin, person, world.a)


def test_a_worker_may_also_be_a_resident_elsewhere(db, world):
    residence = services.apply_for_residence(world.other_worker, world.a)
    services.confirm_residence(world.worker, residence)
    assert queries.is_confirmed_member(world.other_worker, world.a)
    assert queries.can_manage_community(world.other_worker, world.b)
    assert not queries.can_manage_community(world.other_worker, world.a)


def test_site_admin_creates_streets_and_communities_with_fixed_slugs(db, world):
    with pytest.raises(PermissionDenied):
        services.create_street(world.street_admin, "new-street", "新街道")
    street = services.create_street(world.site_admin, "New-Street", "新街道")
    assert street.slug == "new-street"
    with pytest.raises(Conflict):
        services.create_street(world.site_admin, "new-street", "重复")
    for bad in ["has space", "中文", "-lead", "a--b", "x" * 41, ""]:
        with pytest.raises(RuleViolation):
            services.create_community(world.site_admin, street, bad, "社区")
    community = services.create_community(world.site_admin, street, "east-gate", "东门社区")
    assert community.street_id == street.id


def test_street_admin_appointment_by_site_admin_only(db, world, factory):
    person = factory.user()
    with pytest.raises(PermissionDenied):
        services.appoint_street_admin(world.street_admin, person, world.street)
    appointment = services.appoint_street_admin(world.site_admin, person, world.street)
    assert queries.can_manage_street(person, world.street)
    assert not queries.can_manage_street(person, world.other_street)
    services.end_appointment(world.site_admin, appointment)
    assert not queries.can_manage_street(person, world.street)


def test_site_admin_cannot_remove_themselves(db, world):
    mine = db.session.scalar(sa.select(StaffAppointment).where(StaffAppointment.user_id == world.site_admin.id))
    with pytest.raises(RuleViolation):
        services.end_appointment(world.site_admin, mine)


def test_role_scope_is_a_database_constraint(db, world):
    db.session.add(StaffAppointment(user_id=world.resident.id, role="worker", street_id=world.street.id))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()


def test_the_phone_rule_for_each_kind_of_viewer(db, world):
    """The rule itself; tests/test_phone_masking.py checks that every page and export applies it."""
    assert queries.mask_phone("13800138000") == "138****8000"
    assert queries.mask_phone("62345678") == "****5678" and queries.mask_phone("12345") == "*****"
    whole = {"resident", "worker"}
    for role, viewer in world.roles().items():
        expected = "13800138000" if role in whole else "138****8000"
        assert queries.phone_for(viewer, world.resident) == expected, role
    # A pending applicant's committee sees the number too (to call before confirming).
    assert queries.phone_for(world.worker, world.pending) == "13800138002"
    assert queries.phone_for(world.street_admin, world.pending) == "138****8002"
    # After moving out, the old committee no longer does.
    services.end_residence(world.worker, queries.active_residence(world.resident), "搬走")
    assert queries.phone_for(world.worker, world.resident) == "138****8000"


def test_search_finds_chinese_inside_names(db, world):
    assert [c.id for c in queries.search_communities("和平")] == [world.a.id]
    assert {c.id for c in queries.search_communities("示范")} == {world.a.id, world.b.id}
    assert queries.search_communities("%") == []
