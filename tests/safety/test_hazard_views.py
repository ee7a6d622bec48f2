"""The hazard ledger's pages over HTTP: the committee's ledger with a photo, steps and plan, CSV,
inspections by grid workers (their grids only), emergency points, the public page without places,
the to-do page and the street page; bad input gives a clear message, the right status, nothing written."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEntry
from consult.core.clock import local_now
from consult.core.errors import RuleViolation
from consult.requests import reporting
from consult.safety import grids, hazards, inspections
from consult.safety.hazard_models import ITEM_KIND, EmergencyPoint, Hazard, Inspection
from tests.requests.test_photos import gps_exif, picture


def rows(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def sent(**more) -> dict:
    due = (local_now().date() + timedelta(days=5)).isoformat()
    return {
        "kind": "ebike_charging",
        "severity": "high",
        "building": "3",
        "place": "2单元一楼楼道",
        "description": "三辆电动车在楼道充电",
        "owner_name": "物业服务中心",
        "due_on": due,
    } | more


def test_the_committee_records_a_hazard_with_a_photo_and_exports_the_ledger(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/hazards/"
    response = client.post(
        page,
        sent(photos=(io.BytesIO(picture(exif=gps_exif())), "IMG_1.jpg")),
        token_from=page,
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    hazard = db.session.scalar(sa.select(Hazard))
    assert response.headers["Location"].endswith(f"/manage/hazards/{hazard.id}/")
    shown = client.get(f"/manage/hazards/{hazard.id}/photo")
    assert shown.status_code == 200 and b"PhoneMaker" not in shown.data
    html = client.get(page).get_data(as_text=True)
    assert "2单元一楼楼道" in html and "电动车" in html
    csv = client.get(f"{page}ledger.csv")
    assert csv.status_code == 200 and "2单元一楼楼道" in csv.get_data(as_text=True)
    assert login_as(world.other_worker).get(f"{page}ledger.csv").status_code == 403
    assert login_as(world.resident).get(f"/manage/hazards/{hazard.id}/photo").status_code == 403


def test_bad_input_on_the_ledger_writes_nothing(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/hazards/"
    before = (rows(db, Hazard), rows(db, AuditEntry))
    yesterday = (local_now().date() - timedelta(days=1)).isoformat()
    early = client.post(page, sent(due_on=yesterday), token_from=page)
    assert early.status_code == 400 and "不能早于" in early.get_data(as_text=True)
    assert client.post(page, sent(due_on=""), token_from=page).status_code == 400
    assert client.post(page, sent(kind="meteor"), token_from=page).status_code == 400
    not_a_photo = client.post(
        page, sent(photos=(io.BytesIO(b"GIF89a"), "x.gif")), token_from=page, content_type="multipart/form-data"
    )
    assert not_a_photo.status_code == 400
    unknown = client.post(page, sent(request_id="999999"), token_from=page)
    assert unknown.status_code == 404
    assert client.post(page, sent(owner_username="nobody-here"), token_from=page).status_code == 404
    assert (rows(db, Hazard), rows(db, AuditEntry)) == before


def test_steps_and_plan_over_http(db, world, login_as):
    hazard = hazards.record(world.worker, world.a, hazards.HazardInput(**{**_input(), "building": "3"}))
    url = f"/manage/hazards/{hazard.id}/"
    grid_worker = login_as(world.grid_worker)
    assert grid_worker.post(f"{url}steps/start", {}, token_from=url).status_code == 302
    assert grid_worker.post(f"{url}steps/check", {}, token_from=url).status_code == 409
    assert grid_worker.post(f"{url}steps/explode", {}, token_from=url).status_code == 404
    assert grid_worker.post(f"{url}plan", {"owner_name": "我", "due_on": "2099-01-01"}, token_from=url).status_code == 403
    assert grid_worker.post(f"{url}steps/fix", {}, token_from=url).status_code == 302
    assert "复查通过" not in grid_worker.get(url).get_data(as_text=True)  # no check button for the fixer
    assert grid_worker.post(f"{url}steps/check", {}, token_from=url).status_code == 403  # the fixer
    worker = login_as(world.worker)
    too_early = worker.post(f"{url}plan", {"owner_name": "物业", "due_on": "2000-01-01"}, token_from=url)
    assert too_early.status_code == 409  # a fixed hazard's plan no longer changes
    assert worker.post(f"{url}steps/check", {}, token_from=url).status_code == 302
    db.session.refresh(hazard)
    assert hazard.status == "checked" and hazard.checked_by_id == world.worker.id
    assert login_as(world.other_worker).get(url).status_code == 403
    assert login_as(world.resident).post(f"{url}steps/start", {}, token_from="/").status_code == 403


def _input() -> dict:
    return dict(
        kind="flooding",
        severity="medium",
        place="地下车库入口",
        description="雨后积水",
        owner_name="物业",
        due_on=local_now().date() + timedelta(days=2),
    )


def test_a_grid_worker_inspects_their_grid_only(db, world, login_as):
    client = login_as(world.grid_worker)
    page = f"/manage/grids/{world.grid.id}/inspections/"
    assert client.get(page).status_code == 200
    answers = {f"item_{item}": "pass" for item in ITEM_KIND} | {"item_drains_clear": "fail", "building": "3"}
    response = client.post(page, answers, token_from=page)
    assert response.status_code == 302
    inspection = db.session.scalar(sa.select(Inspection))
    detail = response.headers["Location"]
    html = client.get(detail).get_data(as_text=True)
    assert "排水" in html
    due = (local_now().date() + timedelta(days=3)).isoformat()
    form = {"drains_clear-severity": "high", "drains_clear-place": "东门雨水口", "drains_clear-description": "落叶堵住",
            "drains_clear-owner_name": "物业", "drains_clear-due_on": due}  # fmt: skip
    token = client.csrf_token(detail)
    opened = client.post(
        f"/manage/inspections/{inspection.id}/items/drains_clear/hazard", form | {"drains_clear-csrf_token": token}, csrf=False
    )
    assert opened.status_code == 302
    hazard = db.session.scalar(sa.select(Hazard))
    assert (hazard.kind, hazard.inspection_id, hazard.grid_id) == ("flooding", inspection.id, world.grid.id)
    passed = client.post(
        f"/manage/inspections/{inspection.id}/items/basement_dry/hazard",
        {k.replace("drains_clear", "basement_dry"): v for k, v in form.items()} | {"basement_dry-csrf_token": token},
        csrf=False,
    )
    assert passed.status_code == 400
    other = grids.create_grid(world.worker, world.a, "第二网格")
    assert client.get(f"/manage/grids/{other.id}/inspections/").status_code == 403
    assert client.post(f"/manage/grids/{other.id}/inspections/", answers, token_from=page).status_code == 403
    committee = login_as(world.worker)
    assert committee.get(page).status_code == 200 and committee.get(detail).status_code == 200
    assert committee.post(page, answers, token_from=page).status_code == 403
    assert login_as(world.other_worker).get(detail).status_code == 403
    assert rows(db, Inspection) == 1 and rows(db, Hazard) == 1


def test_emergency_points_are_listed_and_public(db, world, login_as, client):
    worker = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/emergency-points/"
    point = {"name": "社区应急站", "place": "居委会一楼", "opening": "24小时", "open_at_night": "y", "keeper_name": "李师傅",
             "keeper_phone": "010-62001111", "count_aed": "1", "count_sandbags": "200"}  # fmt: skip
    assert worker.post(page, point, token_from=page).status_code == 302
    assert worker.post(page, point, token_from=page).status_code == 409
    assert worker.post(page, point | {"name": "二站", "count_aed": "-3"}, token_from=page).status_code == 400
    assert worker.post(page, point | {"name": "二站", "keeper_phone": "打给我"}, token_from=page).status_code == 400
    assert rows(db, EmergencyPoint) == 1
    assert login_as(world.grid_worker).get(page).status_code == 403
    hazards.record(world.worker, world.a, hazards.HazardInput(**{**_input(), "building": "3", "place": "秘密角落"}))
    public = login_as(None).get(f"/c/{world.a.slug}/safety/").get_data(as_text=True)
    assert "社区应急站" in public and "010-62001111" in public and "沙袋" in public
    assert "秘密角落" not in public and "雨后积水" not in public
    assert "安全" in login_as(None).get(f"/c/{world.a.slug}/").get_data(as_text=True)


def test_overdue_hazards_on_the_to_do_page_and_the_street_page(db, world, login_as, clock):
    hazard = hazards.record(world.worker, world.a, hazards.HazardInput(**_input()))
    clock.advance(days=4)
    todo = login_as(world.worker).get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)
    assert f"/manage/hazards/{hazard.id}/" in todo and "逾期隐患" in todo
    street = login_as(world.street_admin).get(f"/manage/streets/{world.street.slug}/").get_data(as_text=True)
    assert f"/manage/hazards/{hazard.id}/" in street


def test_an_inspection_hazard_for_a_building_outside_the_grid_is_refused(db, world):
    inspection = inspections.inspect(world.grid_worker, world.grid, dict.fromkeys(ITEM_KIND, False))
    data = hazards.HazardInput(**{**_input(), "building": "5"})
    with pytest.raises(RuleViolation) as refused:
        inspections.open_hazard(world.grid_worker, inspection, "drains_clear", data)
    assert refused.value.field == "building" and rows(db, Hazard) == 0


def test_a_request_page_leads_the_committee_to_a_filled_hazard_form(db, world, login_as):
    request = reporting.report(world.resident, world.a, category="repairs", description="楼道堆满纸箱，堵住出口", building="3")
    worker = login_as(world.worker)
    page = worker.get(f"/requests/{request.id}").get_data(as_text=True)
    link = f"/manage/c/{world.a.slug}/hazards/?request_id={request.id}#new-hazard-h"
    assert link in page
    form = worker.get(link.split("#")[0]).get_data(as_text=True)
    assert "楼道堆满纸箱，堵住出口" in form and f'value="{request.id}"' in form
    assert worker.post(f"/manage/c/{world.a.slug}/hazards/", sent(request_id=str(request.id)), token_from=link).status_code == 302
    assert db.session.scalar(sa.select(Hazard.request_id)) == request.id
    assert worker.get(f"/manage/c/{world.a.slug}/hazards/?request_id=999999999999").status_code == 200  # ignored
    assert "隐患台账" not in login_as(world.resident).get(f"/requests/{request.id}").get_data(as_text=True)
