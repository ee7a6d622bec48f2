"""Request pages over HTTP: report with photos, the staff steps, the answer, privacy, bad input."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from consult.requests.models import Request, RequestPhoto, RequestStatus as S
from tests.requests.test_photos import gps_exif, picture


def report(client, world, **extra):
    data = {
        "category": "repairs",
        "description": "3号楼电梯停了，老人下不了楼",
        "building": "3",
        "unit": "2",
        "place": "302室门口",
    }
    return client.post(
        f"/c/{world.a.slug}/requests/new",
        data | extra,
        token_from=f"/c/{world.a.slug}/requests/new",
        content_type="multipart/form-data",
    )


def step(client, world, request_id, action, **data):
    return client.post(
        f"/manage/c/{world.a.slug}/requests/{request_id}/{action}",
        data,
        token_from=f"/requests/{request_id}",
        content_type="multipart/form-data",
    )


def test_report_take_up_resolve_and_answer(db, world, login_as):
    resident = login_as(world.resident)
    sent = report(resident, world, photos=[(io.BytesIO(picture(exif=gps_exif())), "IMG_0001.jpg")], may_call="y")
    assert sent.status_code == 302
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    photo = db.session.scalar(sa.select(RequestPhoto).where(RequestPhoto.request_id == request.id))
    assert b"PhoneMaker" not in resident.get(f"/requests/{request.id}/photos/{photo.key}").data

    worker = login_as(world.worker)
    page = worker.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "302室门口" in page and "/accept" in page and "/resolve" not in page
    assert step(worker, world, request.id, "accept", note="已电话联系").status_code == 302
    assert step(worker, world, request.id, "escalate", note="需要街道").status_code == 302
    street = login_as(world.street_admin)
    assert step(street, world, request.id, "send_back", note="请社区处理").status_code == 302
    held = street.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "承办经过" in held and held.count("<td>街道</td>") == 1 and held.count("<td>居委会</td>") == 2
    worker = login_as(world.worker)
    assert step(worker, world, request.id, "resolve", note="").status_code == 400  # a note is needed
    assert (
        step(worker, world, request.id, "resolve", note="已修好", photos=[(io.BytesIO(picture("PNG")), "x.png")]).status_code
        == 302
    )
    db.session.refresh(request)
    assert request.status == S.RESOLVED

    resident = login_as(world.resident)
    answered = resident.post(
        f"/requests/{request.id}/answer", {"solved": "yes", "level": "basically"}, token_from=f"/requests/{request.id}"
    )
    assert answered.status_code == 302
    db.session.refresh(request)
    assert (request.status, request.satisfaction) == (S.CONFIRMED, "basically")


def test_the_public_sees_no_name_room_description_or_photo(db, world, login_as):
    resident = login_as(world.resident)
    report(resident, world, photos=[(io.BytesIO(picture()), "a.jpg")])
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    photo = db.session.scalar(sa.select(RequestPhoto).where(RequestPhoto.request_id == request.id))
    for viewer in (None, world.party, world.other_worker):
        client = login_as(viewer)
        for url in (f"/c/{world.a.slug}/requests/", f"/requests/{request.id}"):
            body = client.get(url).get_data(as_text=True)
            assert "302室" not in body and "电梯停了" not in body and world.resident.display_name not in body
            assert "3" in body  # the building is public
        assert client.get(f"/requests/{request.id}/photos/{photo.key}").status_code == 404


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (lambda: {"photos": [(io.BytesIO(b"%PDF-1.7"), "a.pdf")]}, "不是 JPEG、PNG 或 WebP"),
        (lambda: {"photos": [(io.BytesIO(picture()), f"{i}.jpg") for i in range(4)]}, "最多上传 3 张"),
        (lambda: {"category": "elsewhere"}, "不是有效的选择"),
        (lambda: {"description": ""}, "请描述问题"),
    ],
    ids=["pdf", "four-photos", "unknown-category", "no-description"],
)
def test_bad_reports_keep_the_form_and_write_nothing(db, world, login_as, extra, message):
    """(Each case builds its files afresh: a sent file is closed, and the suite runs on two databases.)"""
    resident = login_as(world.resident)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Request))
    response = report(resident, world, **extra())
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body and "302室门口" in body  # the message, and what was typed is kept
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Request)) == before


def test_files_are_refused_where_no_form_takes_them(db, world, login_as):
    client = login_as(world.resident)
    response = client.post(
        "/me/edit",
        {"display_name": "x", "photos": (io.BytesIO(picture()), "a.jpg")},
        token_from="/me/edit",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    sneaky = report(client, world, other=(io.BytesIO(picture()), "a.jpg"))
    assert sneaky.status_code == 400


def test_steps_out_of_order_or_by_the_wrong_person(db, world, login_as):
    resident = login_as(world.resident)
    report(resident, world)
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    worker = login_as(world.worker)
    assert step(worker, world, request.id, "close").status_code == 400  # not confirmed yet
    assert step(worker, world, request.id, "fly").status_code == 404
    other = login_as(world.other_worker)
    assert step(other, world, request.id, "accept").status_code == 403  # community b's worker
    db.session.refresh(request)
    assert request.status == S.SUBMITTED


def test_a_worker_records_a_request_for_a_resident_who_phoned(db, world, login_as):
    worker = login_as(world.worker)
    data = {"username": world.resident.username, "channel": "phone", "category": "noise", "description": "楼上夜里装修"}
    response = worker.post(
        f"/manage/c/{world.a.slug}/requests/new",
        data,
        token_from=f"/manage/c/{world.a.slug}/requests/new",
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    assert (request.reporter_id, request.recorded_by_id, request.channel) == (world.resident.id, world.worker.id, "phone")
    assert "楼上夜里装修" not in worker.get(f"/manage/c/{world.a.slug}/requests/").get_data(as_text=True)
    assert f"/requests/{request.id}" in worker.get(f"/manage/c/{world.a.slug}/requests/").get_data(as_text=True)


def test_recurring_problems_and_merging_look_alikes(db, world, login_as):
    neighbour = world.factory.resident(world.a)
    for person in (world.resident, neighbour):
        login_as(person)
        report(login_as(person), world)
    earlier, later = db.session.scalars(sa.select(Request).order_by(Request.id.desc()).limit(2)).all()[::-1]
    worker = login_as(world.worker)
    page = worker.get(f"/manage/c/{world.a.slug}/requests/recurring").get_data(as_text=True)
    assert "设施维修" in page and f"/requests/{later.id}/merge" in page
    merged = worker.post(
        f"/manage/c/{world.a.slug}/requests/{later.id}/merge",
        {"into": str(earlier.id)},
        token_from=f"/manage/c/{world.a.slug}/requests/recurring",
    )
    assert merged.status_code == 302
    db.session.refresh(later)
    assert (later.status, later.merged_into_id) == (S.MERGED, earlier.id)
    street = login_as(world.street_admin).get(f"/manage/streets/{world.street.slug}/requests/recurring?days=90")
    assert street.status_code == 200 and "设施维修" in street.get_data(as_text=True)


def test_categories_and_targets_pages(db, world, login_as):
    worker = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/requests/categories"
    assert worker.post(url, {"name": "电梯", "resolution_days": "2", "active": "y"}, token_from=url).status_code == 302
    assert "电梯" in worker.get(url).get_data(as_text=True)
    refused = worker.post(url, {"name": "电梯", "active": "y"}, token_from=url)
    assert refused.status_code == 400 and "本社区已有同名类别" in refused.get_data(as_text=True)
    street = login_as(world.street_admin)
    url = f"/manage/streets/{world.street.slug}/requests/settings"
    data = {
        "response_minutes": "60",
        "service_start": "09:00",
        "service_end": "18:00",
        "next_morning": "10:00",
        "resolution_days": "5",
        "department_response_minutes": "480",
        "department_resolution_days": "10",
    }
    assert street.post(url, data, token_from=url).status_code == 302
    bad = street.post(url, data | {"service_end": "08:00"}, token_from=url)
    assert bad.status_code == 400 and "服务结束时间必须晚于开始时间" in bad.get_data(as_text=True)


def test_a_lost_photo_file_is_a_404_not_an_error(db, world, login_as, photo_folder):
    resident = login_as(world.resident)
    report(resident, world, photos=[(io.BytesIO(picture()), "a.jpg")])
    photo = db.session.scalar(sa.select(RequestPhoto).order_by(RequestPhoto.id.desc()))
    (photo_folder / photo.key).unlink()
    assert resident.get(f"/requests/{photo.request_id}/photos/{photo.key}").status_code == 404


def test_a_step_with_bad_input_says_what_is_wrong_on_its_own_form(db, world, login_as):
    report(login_as(world.resident), world)
    request = db.session.scalar(sa.select(Request).order_by(Request.id.desc()))
    worker = login_as(world.worker)
    for into, message in (("abc", "整数"), ("99999", "请选择本社区另一件未办结的诉求")):
        response = step(worker, world, request.id, "merge", into=into)
        body = response.get_data(as_text=True)
        assert response.status_code == 400 and message in body, (into, response.status_code)
    db.session.refresh(request)
    assert request.status == S.SUBMITTED
