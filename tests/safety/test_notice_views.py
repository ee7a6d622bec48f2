"""Urgent notices over HTTP: publishing, the banner on every page until "I know", visits, the
board, the door-to-door list, CSV, first responders; bad input (clear message, right status,
nothing written)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult.core.clock import local_now, now
from consult.safety import grids, notices, responders
from consult.safety.notice_models import Notice, NoticeAcknowledgement, NoticeResponder, NoticeVisit, Responder


def rows(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def later(hours: int = 6) -> str:
    return (local_now() + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def sent(**kw) -> dict:
    return {"level": "yellow", "title": "暴雨黄色预警", "what_to_do": "请不要去地下车库。", "ends_at": later()} | kw


def publish(world, **kw) -> Notice:
    values = {
        "level": "yellow",
        "title": "暴雨黄色预警",
        "what_to_do": "请不要去地下车库。",
        "ends_at": now() + timedelta(hours=6),
    }
    return notices.publish(world.worker, world.a, notices.Draft(**(values | kw)))


def test_the_committee_publishes_and_the_resident_acknowledges_from_any_page(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/notices/"
    answer = client.post(page, sent(grids=[str(world.grid.id)]), token_from=page)
    assert answer.status_code == 302
    notice = db.session.scalar(sa.select(Notice))
    assert notice.recipients == 1  # world.resident: the only confirmed resident of world.grid
    resident = login_as(world.resident)
    home = resident.get("/").get_data(as_text=True)
    assert "暴雨黄色预警" in home and "已知晓" in home and "黄色预警" in home
    ack = resident.post(f"/notices/{notice.id}/ack", {"next": "/me/"}, token_from="/")
    assert ack.status_code == 302 and ack.headers["Location"].endswith("/me/")
    again = resident.post(f"/notices/{notice.id}/ack", {"next": "/"}, token_from=f"/notices/{notice.id}")
    assert again.status_code == 302 and rows(db, NoticeAcknowledgement) == 1
    assert "暴雨黄色预警" not in resident.get("/").get_data(as_text=True)
    assert "您已于" in resident.get(f"/notices/{notice.id}").get_data(as_text=True)


def test_bad_notices_over_http(db, world, login_as):
    client = login_as(world.worker)
    page = f"/manage/c/{world.a.slug}/notices/"
    past = client.post(page, sent(ends_at=(local_now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")), token_from=page)
    assert past.status_code == 400 and "结束时间必须晚于现在" in past.get_data(as_text=True)
    other = grids.create_grid(world.other_worker, world.b, "杏花一格")
    foreign = client.post(page, sent(grids=[str(other.id)]), token_from=page)
    assert foreign.status_code == 404
    nobody = client.post(page, sent(buildings="99号楼"), token_from=page)
    assert nobody.status_code == 400 and "不会送达任何人" in nobody.get_data(as_text=True)
    assert client.post(page, sent(title=""), token_from=page).status_code == 400
    assert rows(db, Notice) == 0
    street = login_as(world.street_admin)
    street_page = f"/manage/streets/{world.street.slug}/notices/"
    elsewhere = street.post(street_page, sent(communities=[str(world.c.id)]), token_from=street_page)
    assert elsewhere.status_code == 404 and rows(db, Notice) == 0
    assert street.post(street_page, sent(), token_from=street_page).status_code == 400  # no community chosen


def test_acknowledging_an_ended_notice_is_refused(db, world, login_as, clock):
    notice = publish(world)
    db.session.commit()
    client = login_as(world.resident)
    clock.advance(hours=7)
    gone = client.post(f"/notices/{notice.id}/ack", {}, token_from=f"/notices/{notice.id}")
    assert gone.status_code == 410 and "已结束" in gone.get_data(as_text=True)
    assert rows(db, NoticeAcknowledgement) == 0
    assert login_as(world.other_worker).post(f"/notices/{notice.id}/ack", {}, token_from="/").status_code == 404


def test_the_grid_worker_records_a_visit_and_the_board_shows_it(db, world, login_as):
    notice = publish(world)
    client = login_as(world.grid_worker)
    board = f"/manage/notices/{notice.id}/"
    html = client.get(board).get_data(as_text=True)
    assert "居民李" in html and "党员张" not in html  # only their grid
    visit = client.post(
        f"{board}visits", {"user_id": world.resident.id, "outcome": "reached", "note": "已告知"}, token_from=board
    )
    assert visit.status_code == 302
    outside = client.post(f"{board}visits", {"user_id": world.party.id, "outcome": "reached"}, token_from=board)
    assert outside.status_code == 403 and "不在您的网格内" in outside.get_data(as_text=True)
    assert rows(db, NoticeVisit) == 1 and rows(db, NoticeAcknowledgement) == 1
    committee = login_as(world.worker).get(board).get_data(as_text=True)
    assert "党员张" in committee and "50 %" in committee and "已当面告知" in committee


def test_the_street_sees_totals_per_community_and_no_names(db, world, login_as):
    notice = publish(world)
    html = login_as(world.street_admin).get(f"/manage/notices/{notice.id}/").get_data(as_text=True)
    assert "和平社区" in html and "居民李" not in html
    csv = login_as(world.street_admin).get(f"/manage/notices/{notice.id}/export.csv").get_data(as_text=True)
    assert "recipients" in csv and "居民李" not in csv


def test_door_to_door_list_and_csv(db, world, login_as):
    notice = publish(world)
    client = login_as(world.worker)
    printed = client.get(f"/manage/notices/{notice.id}/print").get_data(as_text=True)
    assert "居民李" in printed and "doorlist.css" in printed
    csv = client.get(f"/manage/notices/{notice.id}/export.csv")
    assert csv.mimetype == "text/csv" and "居民李" in csv.get_data(as_text=True)
    listing = client.get(f"/manage/c/{world.a.slug}/notices/export.csv").get_data(as_text=True)
    assert "暴雨黄色预警" in listing


def test_a_responder_opts_in_and_answers_a_red_notice(db, world, login_as):
    client = login_as(world.resident)
    ok = client.post("/me/safety/responder", {"first_aid": "y", "grids": [str(world.grid.id)]}, token_from="/me/safety")
    assert ok.status_code == 302 and rows(db, Responder) == 1
    bad = client.post("/me/safety/responder", {"grids": [str(world.grid.id)]}, token_from="/me/safety")
    assert bad.status_code == 400 and "至少勾选一项技能" in bad.get_data(as_text=True)
    notice = publish(world, level="red")
    db.session.commit()
    assert rows(db, NoticeResponder) == 1
    answer = client.post(f"/notices/{notice.id}/answer", {"available": "yes"}, token_from=f"/notices/{notice.id}")
    assert answer.status_code == 302
    board = login_as(world.worker).get(f"/manage/notices/{notice.id}/").get_data(as_text=True)
    assert "第一响应人" in board and "能到场" in board and "持有急救证书" in board
    assert login_as(world.party).post(f"/notices/{notice.id}/answer", {"available": "no"}, token_from="/").status_code == 404
    assert responders.opt_out(world.resident)
