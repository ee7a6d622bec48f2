"""The hazard ledger, inspections, emergency points and drills without HTTP: the state table, the
checker who is not the fixer, the due date, the request link, the grid worker's grids, and a drill
earning points like any activity."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.exc import IntegrityError

from consult.activities import services as activities
from consult.core.audit import AuditEntry
from consult.core.clock import local_now
from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.points.models import LedgerEntry
from consult.requests import reporting
from consult.safety import grids, hazard_queries, hazards, inspections, stations
from consult.safety.hazard_models import ITEM_KIND, EmergencyPoint, EmergencyPointItem, Hazard, Inspection, InspectionItem
from tests.points.test_services import balance


def rows(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def data(**more) -> hazards.HazardInput:
    sent = dict(
        kind="fire_lane",
        severity="high",
        place="东门消防通道",
        description="私家车堵住消防通道",
        owner_name="物业服务中心",
        due_on=local_now().date() + timedelta(days=3),
        building="3",
    )
    return hazards.HazardInput(**(sent | more))


def photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_committee_records_a_hazard_in_its_buildings_grid(db, world):
    hazard = hazards.record(world.worker, world.a, data(photo=photo()))
    assert (hazard.status, hazard.grid_id, hazard.building, hazard.found_on) == ("open", world.grid.id, "3", local_now().date())
    assert hazard.photo_key and hazard.photo_mime == "image/png"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hazard.record"))
    assert entry.after["owner"] == "物业服务中心" and entry.community_id == world.a.id


def test_the_state_table_and_its_audit(db, world):
    hazard = hazards.record(world.worker, world.a, data())
    with pytest.raises(Conflict):
        hazards.step(world.worker, hazard, "fix")  # open → fixed skips "being fixed"
    with pytest.raises(Conflict):
        hazards.step(world.worker, hazard, "check")
    hazards.step(world.grid_worker, hazard, "start")
    hazards.step(world.grid_worker, hazard, "fix")
    assert (hazard.status, hazard.fixed_by_id) == ("fixed", world.grid_worker.id)
    with pytest.raises(PermissionDenied, match="以外的人"):
        hazards.step(world.grid_worker, hazard, "check")  # never one's own fix
    hazards.step(world.worker, hazard, "reopen")
    assert (hazard.status, hazard.fixed_by_id) == ("fixing", None)
    hazards.step(world.worker, hazard, "fix")
    hazards.step(world.grid_worker, hazard, "check")
    assert (hazard.status, hazard.checked_by_id) == ("checked", world.grid_worker.id)
    for action in ("start", "fix", "check", "reopen"):
        with pytest.raises(Conflict):
            hazards.step(world.worker, hazard, action)
    actions = list(
        db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.like("hazard.%")).order_by(AuditEntry.id))
    )
    assert actions == ["hazard.record", "hazard.start", "hazard.fix", "hazard.reopen", "hazard.fix", "hazard.check"]
    with pytest.raises(NotFound):
        hazards.step(world.worker, hazard, "delete")


def test_the_database_refuses_a_checker_who_fixed_it(db, world):
    hazard = hazards.record(world.worker, world.a, data())
    hazard.status, hazard.fixed_by_id, hazard.checked_by_id = "checked", world.worker.id, world.worker.id
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_a_due_date_before_the_day_found_is_refused_and_nothing_written(db, world):
    before = (rows(db, Hazard), rows(db, AuditEntry))
    with pytest.raises(RuleViolation, match="不能早于"):
        hazards.record(world.worker, world.a, data(due_on=local_now().date() - timedelta(days=1), photo=photo()))
    with pytest.raises(RuleViolation):
        hazards.record(world.worker, world.a, data(due_on=None))
    assert (rows(db, Hazard), rows(db, AuditEntry)) == before
    hazard = hazards.record(world.worker, world.a, data())
    with pytest.raises(RuleViolation, match="不能早于"):
        hazards.plan(world.worker, hazard, "物业", None, None, hazard.found_on - timedelta(days=1))
    hazard.due_on = hazard.found_on - timedelta(days=1)
    with pytest.raises(IntegrityError):
        db.session.flush()  # and the database says so too


def test_bad_fields_are_refused(db, world):
    for bad, field in [
        (data(kind="meteor"), "kind"),
        (data(severity="apocalyptic"), "severity"),
        (data(place=" "), "place"),
        (data(owner_name="x" * 61), "owner_name"),
        (data(photo=b"not a picture"), "photos"),
    ]:
        with pytest.raises(RuleViolation) as refused:
            hazards.record(world.worker, world.a, bad)
        assert refused.value.field == field
    assert rows(db, Hazard) == 0


def test_only_the_committee_records_and_plans(db, world):
    with pytest.raises(PermissionDenied):
        hazards.record(world.grid_worker, world.a, data())
    with pytest.raises(PermissionDenied):
        hazards.record(world.other_worker, world.a, data())
    hazard = hazards.record(world.street_admin, world.a, data())
    with pytest.raises(PermissionDenied):
        hazards.plan(world.grid_worker, hazard, "物业", None, "清理", hazard.due_on)
    hazards.plan(world.worker, hazard, "业主委员会", world.party, "贴告示，三日内挪车", hazard.due_on + timedelta(days=2))
    assert (hazard.owner_name, hazard.owner_user_id, hazard.measures) == ("业主委员会", world.party.id, "贴告示，三日内挪车")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "hazard.plan"))
    assert entry.before["owner_name"] == "物业服务中心" and entry.after["owner_name"] == "业主委员会"


def test_a_request_turned_into_a_hazard_is_linked_once(db, world):
    request = reporting.report(world.resident, world.a, category="repairs", description="楼道里有人给电动车充电", building="3")
    hazard = hazards.record(world.worker, world.a, data(kind="ebike_charging", request_id=request.id))
    assert hazard.request_id == request.id
    with pytest.raises(Conflict):
        hazards.record(world.worker, world.a, data(request_id=request.id))
    neighbour = world.factory.resident(world.b, building="1")
    elsewhere = reporting.report(neighbour, world.b, category="repairs", description="井盖松动")
    for number in (request.id + 1000, elsewhere.id):
        with pytest.raises(NotFound):
            hazards.record(world.worker, world.a, data(request_id=number))
    assert rows(db, Hazard) == 1


def test_a_grid_worker_inspects_only_their_grid_and_a_failed_item_opens_a_hazard(db, world):
    other = grids.create_grid(world.worker, world.a, "第二网格")
    with pytest.raises(PermissionDenied):
        inspections.inspect(world.grid_worker, other, dict.fromkeys(ITEM_KIND, True))
    with pytest.raises(PermissionDenied):
        inspections.inspect(world.worker, world.grid, dict.fromkeys(ITEM_KIND, True))  # the committee reads, it does not inspect
    with pytest.raises(RuleViolation):
        inspections.inspect(world.grid_worker, world.grid, {"drains_clear": True})
    with pytest.raises(RuleViolation, match="不在本网格"):
        inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, True), building="9")
    assert rows(db, Inspection) == 0
    results = dict.fromkeys(ITEM_KIND, True) | {"no_ebike_in_stairwell": False}
    inspection = inspections.inspect(world.grid_worker, world.grid, results, building="3号楼")
    assert inspection.building == "3" and rows(db, InspectionItem) == len(ITEM_KIND)
    with pytest.raises(RuleViolation, match="不合格项"):
        inspections.open_hazard(world.grid_worker, inspection, "drains_clear", data())
    hazard = inspections.open_hazard(world.grid_worker, inspection, "no_ebike_in_stairwell", data(building=None))
    assert (hazard.kind, hazard.grid_id, hazard.building, hazard.inspection_id) == (
        "ebike_charging",
        world.grid.id,
        "3",
        inspection.id,
    )
    with pytest.raises(Conflict):
        inspections.open_hazard(world.grid_worker, inspection, "no_ebike_in_stairwell", data())
    with pytest.raises(NotFound):
        inspections.open_hazard(world.grid_worker, inspection, "teleporter_ok", data())
    assert rows(db, Hazard) == 1


def test_overdue_hazards_reach_the_to_do_list_and_the_street(db, world, clock, app):
    late = hazards.record(world.worker, world.a, data(due_on=local_now().date()))
    fixed = hazards.record(world.worker, world.a, data(due_on=local_now().date()))
    hazards.step(world.worker, fixed, "start")
    hazards.step(world.worker, fixed, "fix")
    assert hazard_queries.overdue(world.a.id) == []  # due today is not late yet
    clock.advance(days=2)
    assert hazard_queries.overdue(world.a.id) == [late]  # a fixed one waits for its check, it is not late
    street = hazard_queries.street_overdue(world.street.id)
    assert [(row.community.id, row.hazards) for row in street] == [(world.a.id, [late])]


def test_the_public_summary_counts_by_kind_and_status(db, world):
    hazards.record(world.worker, world.a, data())
    second = hazards.record(world.worker, world.a, data())
    hazards.step(world.worker, second, "start")
    hazards.record(world.worker, world.a, data(kind="flooding"))
    summary = hazard_queries.summary(world.a.id)
    assert summary["fire_lane"] == {"open": 1, "fixing": 1, "fixed": 0, "checked": 0}
    assert summary["flooding"]["open"] == 1 and summary["gas_smell"] == dict.fromkeys(("open", "fixing", "fixed", "checked"), 0)
    assert hazard_queries.summary(world.b.id)["fire_lane"]["open"] == 0


def test_emergency_points(db, world):
    sent = dict(
        name="应急服务站",
        place="居委会一楼",
        opening="24小时",
        open_at_night=True,
        keeper_name="李师傅",
        keeper_phone="010-62001111",
    )
    point = stations.add_point(world.worker, world.a, **sent, counts={"aed": 1, "sandbags": 200, "stretcher": 0})
    assert [(i.item, i.count) for _p, held in hazard_queries.points_of(world.a.id) for i in held] == [
        ("aed", 1),
        ("sandbags", 200),
    ]
    with pytest.raises(Conflict):
        stations.add_point(world.worker, world.a, **sent, counts={})
    with pytest.raises(RuleViolation):
        stations.add_point(world.worker, world.a, **(sent | {"name": "二号站", "keeper_phone": "call me"}), counts={})
    with pytest.raises(RuleViolation):
        stations.add_point(world.worker, world.a, **(sent | {"name": "二号站"}), counts={"aed": 5000})
    with pytest.raises(PermissionDenied):
        stations.add_point(world.grid_worker, world.a, **(sent | {"name": "二号站"}), counts={})
    with pytest.raises(PermissionDenied):
        stations.remove_point(world.other_worker, point)
    assert (rows(db, EmergencyPoint), rows(db, EmergencyPointItem)) == (1, 2)
    stations.remove_point(world.worker, point)
    assert (rows(db, EmergencyPoint), rows(db, EmergencyPointItem)) == (0, 0)


def test_a_drill_earns_points_like_any_activity(db, world, clock):
    drill = world.factory.activity(
        world, starts_in=timedelta(minutes=20), hours=2, kind="drill", points_per_hour=10, title="防汛应急演练"
    )
    assert drill.kind == "drill"
    activities.sign_up(world.party, drill)
    attendance = activities.check_in(world.party, drill, activities.checkin_code(drill))
    clock.advance(hours=3)
    activities.confirm_minutes(world.worker, drill, attendance, 120)
    entries = list(db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.user_id == world.party.id)))
    assert [(e.delta, e.reason, e.source_type) for e in entries] == [(20, "attendance", "attendance")]
    assert balance(db, world.party, world.a) == 20
