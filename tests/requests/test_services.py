"""Requests through their services, without HTTP: the lifecycle, the clocks, bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.errors import PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.requests import reminders, reporting, services
from consult.requests.models import Holder, Request, RequestEvent, RequestPhoto, RequestStatus as S
from tests.requests.test_photos import gps_exif, picture


def reported(world, **overrides) -> Request:
    values = {"category": "repairs", "description": "3号楼电梯停了", "building": "3", "unit": "2", "place": "3号楼2单元电梯"}
    return reporting.report(world.resident, world.a, **(values | overrides))


def services_report(person, world, **overrides) -> Request:
    values = {"category": "repairs", "description": "3号楼电梯停了", "building": "3", "unit": "2"}
    return reporting.report(person, world.a, **(values | overrides))


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_request_goes_from_report_to_closed(db, world, clock):
    clock.set(2026, 12, 1, 2, 0)  # 10:00 in Beijing
    request = reported(world, photos=[picture(exif=gps_exif())])
    assert request.status == S.SUBMITTED and request.holder == Holder.COMMUNITY
    assert request.response_due_at == request.original_response_due_at == request.created_at + timedelta(hours=2)
    assert request.resolution_due_at == request.created_at + timedelta(days=7)
    services.accept(world.worker, request, note="已电话联系")
    services.assign(world.worker, request, world.worker)
    services.resolve(world.worker, request, "已修好", photos=[picture("PNG")])
    services.confirm(world.resident, request, solved=True, level="basically")
    services.close(world.worker, request)
    assert (request.status, request.satisfaction, request.solved) == (S.CLOSED, "basically", True)
    kinds = db.session.scalars(
        sa.select(RequestEvent.kind).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id)
    )
    assert list(kinds) == ["submitted", "accepted", "assigned", "resolved", "confirmed", "closed"]
    stages = db.session.scalars(
        sa.select(RequestPhoto.stage).where(RequestPhoto.request_id == request.id).order_by(RequestPhoto.id)
    )
    assert list(stages) == ["report", "resolution"]
    told = db.session.scalars(sa.select(Notification.text).where(Notification.recipient_id == world.resident.id))
    assert len(list(told)) >= 3


def test_escalated_to_the_street_and_sent_back(db, world):
    request = reported(world)
    services.accept(world.worker, request)
    services.escalate(world.worker, request, "需要街道协调物业")
    assert request.holder == Holder.STREET
    with pytest.raises(RuleViolation, match="someone else"):
        services.resolve(world.worker, request, "x")
    with pytest.raises(PermissionDenied):
        services.send_back(world.other_street_admin, request, "x")
    services.send_back(world.street_admin, request, "请社区先联系物业")
    assert request.holder == Holder.COMMUNITY
    services.resolve(world.worker, request, "物业已修")


def test_not_solved_reopens_once_then_the_answer_stands(db, world):
    request = reported(world)
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "修了")
    services.confirm(world.resident, request, solved=False)
    assert request.status == S.IN_PROGRESS and request.reopened_at is not None
    services.resolve(world.worker, request, "又修了")
    with pytest.raises(RuleViolation, match="reopened once"):
        services.confirm(world.resident, request, solved=False)
    services.call_back(world.worker, request, solved=False, level="unsatisfied", note="回访：仍未解决")
    assert (request.status, request.solved, request.satisfaction) == (S.CONFIRMED, False, "unsatisfied")
    assert request.called_back_by_id == world.worker.id


def test_merge_and_out_of_scope_end_a_request(db, world):
    neighbour = world.factory.resident(world.a)
    first, second = reported(world), services_report(neighbour, world, description="电梯又坏了")
    services.merge(world.worker, second, first)
    assert (second.status, second.merged_into_id) == (S.MERGED, first.id)
    with pytest.raises(RuleViolation, match="another open request"):
        services.merge(world.worker, first, first)
    services.accept(world.worker, first)
    services.resolve(world.worker, first, "电梯修好了")
    told = db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == neighbour.id))
    assert f"request.resolved:{second.id}:merged" in set(told)  # one resolution answers both reporters
    third = reported(world, category="policy", description="养老补贴怎么申请")
    services.out_of_scope(world.worker, third, "属于街道民政科", "街道民政科，周一至周五")
    assert third.status == S.OUT_OF_SCOPE


def test_moving_the_due_time_keeps_the_original(db, world, clock):
    request = reported(world)
    services.accept(world.worker, request)
    original = request.resolution_due_at
    services.move_due(world.worker, request, resolution_due_at=original + timedelta(days=3), reason="等配件")
    assert request.resolution_due_at == original + timedelta(days=3)
    assert request.original_resolution_due_at == original
    with pytest.raises(RuleViolation, match="later"):
        services.move_due(world.worker, request, resolution_due_at=original, reason="x")


def test_reminders_at_75_percent_once(db, world, clock):
    clock.set(2026, 12, 1, 2, 0)  # 10:00 Beijing: answer due 12:00
    request = reported(world)
    clock.advance(minutes=89)
    assert reminders.remind_due() == 0
    clock.advance(minutes=2)  # 91 minutes > 75 % of 120
    assert reminders.remind_due() == 1
    assert reminders.remind_due() == 0
    assert request.response_reminded_at is not None


@pytest.mark.parametrize(
    ("who", "overrides", "error", "message"),
    [
        ("pending", {}, PermissionDenied, "confirmed residents"),
        ("resident", {"category": "nonsense"}, RuleViolation, "category of this community"),
        ("resident", {"description": "  "}, RuleViolation, "fill this in"),
        ("resident", {"description": "长" * 1001}, RuleViolation, "under 1000"),
        ("resident", {"photos": [b"not a photo"]}, RuleViolation, "not a JPEG"),
        ("resident", {"photos": [picture()] * 4}, RuleViolation, "at most 3"),
        ("resident", {"channel": "hotline"}, RuleViolation, "how the request reached"),
    ],
)
def test_bad_reports_are_refused_and_write_nothing(db, world, photo_folder, who, overrides, error, message):
    before = (count(db, Request), count(db, RequestPhoto), count(db, RequestEvent))
    with pytest.raises(error, match=message):
        reporting.report(getattr(world, who), world.a, **({"category": "repairs", "description": "x"} | overrides))
    db.session.rollback()
    assert (count(db, Request), count(db, RequestPhoto), count(db, RequestEvent)) == before
    assert not photo_folder.exists() or not list(photo_folder.iterdir())


def test_a_category_of_another_community_is_refused(db, world):
    reported(world)  # community a has its list now
    reporting.report(world.factory.resident(world.b), world.b, category="repairs", description="x")
    with pytest.raises(RuleViolation, match="category of this community"):
        reporting.report(world.resident, world.a, category="b-only", description="x")


def test_a_worker_records_a_request_for_a_resident_who_phoned(db, world):
    request = reporting.report(
        world.resident, world.a, category="noise", description="楼上夜里装修", channel="phone", recorded_by=world.worker
    )
    assert (request.channel, request.recorded_by_id, request.reporter_id) == ("phone", world.worker.id, world.resident.id)
    with pytest.raises(PermissionDenied):
        reporting.report(
            world.resident, world.a, category="noise", description="x", channel="phone", recorded_by=world.other_worker
        )
    with pytest.raises(RuleViolation, match="how the resident reached"):
        reporting.report(world.resident, world.a, category="noise", description="x", recorded_by=world.worker)


def test_nobody_confirms_another_residents_request(db, world):
    request = reported(world)
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "好了")
    with pytest.raises(PermissionDenied, match="who reported it"):
        services.confirm(world.party, request, solved=True, level="satisfied")
