"""Activity, check-in, micro-wish, 报到 and record pages through HTTP."""

import re
from datetime import timedelta

import sqlalchemy as sa

from consult.activities import checkin as checkins, queries, signups
from consult.activities.models import Activity, Attendance, PartyRegistration, Wish
from consult.core import documents
from consult.core.clock import local_now
from consult.points import settings as points
from tests.factories import PASSWORD


def test_create_activity_page(login_as, world, db):
    points.update_settings(world.worker, world.a, default_points_per_hour=15, wish_points=5)
    client = login_as(world.worker)
    assert 'value="15"' in client.get(f"/manage/c/{world.a.slug}/activities/new").get_data(as_text=True)
    start = local_now().replace(tzinfo=None) + timedelta(days=2)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "敬老院志愿服务",
        "description": "陪老人聊天",
        "kind": "volunteer",
        "starts_at": start.strftime(fmt),
        "ends_at": (start + timedelta(hours=2)).strftime(fmt),
        "place": "敬老院",
        "capacity": 5,
        "points_per_hour": 10,
        "checkin_minutes_before": 30,
    }
    assert client.post(f"/manage/c/{world.a.slug}/activities/new", {**data, "ends_at": start.strftime(fmt)}).status_code == 400
    assert client.post(f"/manage/c/{world.a.slug}/activities/new", {**data, "capacity": -1}).status_code == 400
    assert client.post(f"/manage/c/{world.a.slug}/activities/new", {**data, "organiser": "nobody"}).status_code == 404
    assert client.post(f"/manage/c/{world.a.slug}/activities/new", data).status_code == 302
    activity = db.session.scalar(sa.select(Activity).where(Activity.title == "敬老院志愿服务"))
    assert activity.starts_at.astimezone(local_now().tzinfo).replace(tzinfo=None) == start.replace(second=0, microsecond=0)
    assert login_as(world.other_worker).post(f"/manage/c/{world.a.slug}/activities/new", data).status_code == 403


def test_signup_and_cancel_pages(login_as, world, db):
    activity = world.factory.activity(world, capacity=1)
    client = login_as(world.resident)
    assert client.post(f"/activities/{activity.id}/signup", {}).status_code == 302
    assert client.post(f"/activities/{activity.id}/signup", {}).status_code == 409
    party = login_as(world.party)
    assert party.post(f"/activities/{activity.id}/signup", {}).status_code == 302
    assert queries.active_signup(world.party, activity).status == "waitlisted"
    assert login_as(world.resident).post(f"/activities/{activity.id}/cancel", {}).status_code == 302
    db.session.refresh(activity)
    assert activity.signup_count == 1 and activity.waitlist_count == 0
    assert login_as(world.pending).post(f"/activities/{activity.id}/signup", {}).status_code == 403


def test_kiosk_and_checkin_through_pages(login_as, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    kiosk = login_as(world.worker).get(f"/activities/{activity.id}/kiosk").get_data(as_text=True)
    code = re.search(r'id="kiosk-code"[^>]*>(\d{6})<', kiosk).group(1)
    assert "<svg" in kiosk and 'http-equiv="refresh"' in kiosk
    state = login_as(world.worker).get(f"/activities/{activity.id}/kiosk.json").get_json()
    assert state["code"] == code and state["url"].endswith(f"/activities/{activity.id}/checkin?code={code}")
    assert login_as(world.party).get(f"/activities/{activity.id}/kiosk").status_code == 403
    client = login_as(world.party)
    page = client.get(f"/activities/{activity.id}/checkin?code={code}")
    assert page.status_code == 200
    assert queries.attendance_of(world.party, activity) is None  # opening the link checks nobody in
    assert (
        client.post(f"/activities/{activity.id}/checkin", {"code": ""}, token_from=f"/activities/{activity.id}").status_code
        == 302
    )  # the code opened a minute ago counts
    assert queries.attendance_of(world.party, activity) is not None
    assert client.post(f"/activities/{activity.id}/checkin", {"code": code}).status_code == 409


def test_code_kept_through_login(client, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    code = checkins.checkin_code(activity)
    response = client.get(f"/activities/{activity.id}/checkin?code={code}")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    client.post("/auth/login", {"username": "party", "password": PASSWORD, "next": f"/activities/{activity.id}/checkin"})
    clock.advance(minutes=5)  # the code on the screen has rotated five times meanwhile
    assert (
        client.post(f"/activities/{activity.id}/checkin", {"code": ""}, token_from=f"/activities/{activity.id}").status_code
        == 302
    )
    assert queries.attendance_of(world.party, activity) is not None


def test_wrong_or_expired_code_page(login_as, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    client = login_as(world.party)
    response = client.post(f"/activities/{activity.id}/checkin", {"code": "abc"}, token_from=f"/activities/{activity.id}")
    assert response.status_code == 400
    old = checkins.checkin_code(activity)
    clock.advance(minutes=3)
    assert client.post(f"/activities/{activity.id}/checkin", {"code": old}).status_code == 400
    assert queries.attendance_of(world.party, activity) is None


def test_attendance_page_mark_and_confirm(login_as, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    signups.sign_up(world.resident, activity, recorded_by=world.worker)
    checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    client = login_as(world.worker)
    assert (
        client.post(f"/manage/c/{world.a.slug}/activities/{activity.id}/attendance/{world.resident.id}/mark", {}).status_code
        == 302
    )
    clock.advance(hours=3)
    page = client.get(f"/manage/c/{world.a.slug}/activities/{activity.id}/").get_data(as_text=True)
    assert 'value="120"' in page
    attendance = db.session.scalar(sa.select(Attendance).where(Attendance.user_id == world.party.id))
    url = f"/manage/c/{world.a.slug}/activities/{activity.id}/attendance/{attendance.id}/confirm"
    assert client.post(url, {"minutes": 500}).status_code == 400
    assert client.post(url, {"minutes": "abc"}).status_code == 400
    assert client.post(url, {"minutes": 110}).status_code == 302
    assert client.post(url, {"minutes": 100}).status_code == 409
    other = world.factory.activity(world)
    assert (
        client.post(
            f"/manage/c/{world.a.slug}/activities/{other.id}/attendance/{attendance.id}/confirm", {"minutes": 1}
        ).status_code
        == 404
    )
    assert login_as(world.other_worker).post(url, {"minutes": 1}).status_code == 403


def test_party_registration_pages(login_as, world, db):
    client = login_as(world.resident)
    assert client.post("/me/party", {"work_unit": "", "party_branch": "x"}).status_code == 400
    assert client.post("/me/party", {"work_unit": "区教育局", "party_branch": "机关支部"}).status_code == 302
    registration = db.session.scalar(sa.select(PartyRegistration).where(PartyRegistration.user_id == world.resident.id))
    worker = login_as(world.worker)
    assert "居民李" in worker.get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)  # on the to-do page
    assert worker.post(f"/manage/c/{world.a.slug}/party/{registration.id}/reject", {"reason": ""}).status_code == 400
    assert worker.post(f"/manage/c/{world.a.slug}/party/{registration.id}/confirm", {}).status_code == 302
    assert login_as(world.other_worker).post(f"/manage/c/{world.b.slug}/party/{registration.id}/confirm", {}).status_code == 404
    assert login_as(world.pending).post("/me/party", {"work_unit": "x", "party_branch": "y"}).status_code == 400


def test_members_list_filter_and_csv(login_as, world, db):
    client = login_as(world.worker)
    page = client.get(f"/manage/c/{world.a.slug}/party/?unit=区税务局").get_data(as_text=True)
    assert "党员张" in page
    assert "党员张" not in client.get(f"/manage/c/{world.a.slug}/party/?unit=别的单位").get_data(as_text=True)
    response = client.get(f"/manage/c/{world.a.slug}/party/?format=csv")
    assert response.mimetype == "text/csv" and response.data.startswith("\ufeff".encode())
    assert "党员张" in response.data.decode("utf-8-sig")


def test_wish_pages(login_as, world, db):
    client = login_as(world.resident)
    assert client.post(f"/c/{world.a.slug}/wishes/", {"title": "", "description": "x"}).status_code == 400
    assert client.post(f"/c/{world.a.slug}/wishes/", {"title": "帮忙修水龙头", "description": "漏水"}).status_code == 302
    wish = db.session.scalar(sa.select(Wish).where(Wish.title == "帮忙修水龙头"))
    assert login_as(None).get(f"/wishes/{wish.id}").status_code == 404  # not public before approval
    assert login_as(world.worker).post(f"/manage/c/{world.a.slug}/wishes/{wish.id}/approve", {}).status_code == 302
    party = login_as(world.party)
    assert party.post(f"/wishes/{wish.id}/claim", {}).status_code == 302
    assert party.post(f"/wishes/{wish.id}/claim", {}).status_code == 409
    assert party.post(f"/wishes/{wish.id}/fulfil", {}).status_code == 302
    resident = login_as(world.resident)
    assert resident.post(f"/wishes/{wish.id}/confirm", {"rating": "wonderful"}).status_code == 400
    assert resident.post(f"/wishes/{wish.id}/confirm", {"rating": "satisfied", "comment": "很及时"}).status_code == 302
    assert login_as(world.pending).post(f"/c/{world.a.slug}/wishes/", {"title": "x", "description": "y"}).status_code == 403


def test_record_pages_csv_document_and_verify(login_as, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10), title="清理楼道")
    signups.sign_up(world.party, activity)
    attendance = checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    clock.advance(hours=3)
    checkins.confirm_minutes(world.worker, activity, attendance, 100)
    client = login_as(world.party)
    year = clock.now().year
    assert "清理楼道" in client.get(f"/me/record?year={year}").get_data(as_text=True)
    assert client.get("/me/record?year=1900").status_code == 400
    assert client.get(f"/me/record?year={year}&quarter=9").status_code == 400
    csv = client.get(f"/me/record?year={year}&format=csv")
    assert csv.mimetype == "text/csv" and "清理楼道" in csv.data.decode("utf-8-sig")
    issued = client.post("/me/record", {"year": year}, token_from="/me/record")
    assert issued.status_code == 302 and "/documents/SR-" in issued.headers["Location"]
    printable = client.get(issued.headers["Location"]).get_data(as_text=True)
    assert "<svg" in printable and "清理楼道" in printable and "/verify/SR-" in printable
    number = re.search(r"/documents/(SR-[\d-]+)", issued.headers["Location"]).group(1)
    code = documents.check_code(number)
    visitor = login_as(None)
    page = visitor.get(f"/verify/{number}?c={code}").get_data(as_text=True)
    assert "清理楼道" in page and "100" in page
    assert visitor.get(f"/verify/{number}").status_code == 404
    assert visitor.get(f"/verify/{number}?c=FORGED").status_code == 404
    worker = login_as(world.worker)
    assert (
        worker.post(f"/manage/c/{world.a.slug}/documents/{number}/revoke", {"c": code, "reason": "重新开具"}).status_code == 302
    )
    assert "重新开具" in login_as(None).get(f"/verify/{number}?c={code}").get_data(as_text=True)
    assert login_as(world.resident).get(f"/manage/c/{world.a.slug}/party/{world.party.id}/record").status_code == 403
    assert login_as(world.worker).get(f"/manage/c/{world.a.slug}/party/{world.party.id}/record?year={year}").status_code == 200


def test_unknown_ids(login_as, world):
    client = login_as(world.worker)
    assert client.get("/activities/999999").status_code == 404
    assert client.get("/wishes/999999").status_code == 404
    assert client.get(f"/manage/c/{world.a.slug}/activities/999999/").status_code == 404
    assert client.post(f"/manage/c/{world.a.slug}/wishes/999999/approve", {}).status_code == 404


def test_guessing_codes_is_rate_limited(login_as, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHECKIN_LIMIT", "3 per minute")
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    client = login_as(world.party)
    token_page = f"/activities/{activity.id}"
    statuses = [
        client.post(f"/activities/{activity.id}/checkin", {"code": f"{n:06d}"}, token_from=token_page).status_code
        for n in range(4)
    ]
    assert statuses[-1] == 429 and queries.attendance_of(world.party, activity) is None


def _without_token(html: str, code: str) -> str:
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]*"', "", html)
    return html.replace(code, "CODE")


def test_opening_a_link_says_nothing_about_the_code(login_as, world, db, clock):
    clock.set(clock.now().replace(second=5))
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    signups.sign_up(world.party, activity)
    right = checkins.checkin_code(activity)
    wrong = "000000" if right != "000000" else "111111"
    client = login_as(world.party)
    pages = {code: client.get(f"/activities/{activity.id}/checkin?code={code}") for code in (wrong, right)}
    assert {p.status_code for p in pages.values()} == {200}
    assert _without_token(pages[wrong].get_data(as_text=True), wrong) == _without_token(
        pages[right].get_data(as_text=True), right
    )
    assert f'value="{right}"' in pages[right].get_data(as_text=True)  # prefilled, to confirm with one press
    client.get(f"/activities/{activity.id}/checkin?code={wrong}")
    assert (
        client.post(f"/activities/{activity.id}/checkin", {"code": ""}, token_from=f"/activities/{activity.id}").status_code
        == 400
    )
    assert queries.attendance_of(world.party, activity) is None


def test_guessing_through_links_is_rate_limited_per_person(login_as, world, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "CHECKIN_LIMIT", "3 per minute")
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    client = login_as(world.party)
    assert client.get(f"/activities/{activity.id}/checkin").status_code == 200  # no code: not a guess
    statuses = [client.get(f"/activities/{activity.id}/checkin?code={n:06d}").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert (
        client.post(f"/activities/{activity.id}/checkin", {"code": "123456"}, token_from=f"/activities/{activity.id}").status_code
        == 429
    )  # the same budget for both paths


def test_guessing_is_rate_limited_per_address(login_as, client, world, db, app, monkeypatch, factory):
    monkeypatch.setitem(app.config, "CHECKIN_ADDRESS_LIMIT", "3 per minute")
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10))
    statuses = []
    for n in range(4):  # a new account for each guess, all from one address
        statuses.append(login_as(factory.resident(world.a)).get(f"/activities/{activity.id}/checkin?code={n:06d}").status_code)
    assert statuses == [200, 200, 200, 429]
    assert login_as(None).get(f"/activities/{activity.id}/checkin?code=123456").status_code == 429  # visitors too
