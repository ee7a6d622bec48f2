"""Pages for workers finishing things for residents without phones, changing and calling off
activities, micro-wish contact and state, and issued documents — through HTTP."""

import re
from datetime import timedelta

import sqlalchemy as sa

from consult.activities import checkin as checkins, queries, records, signups, wishes as wish_rules
from consult.activities.models import Activity, Wish
from consult.activities.records import issue_certificate
from consult.core import documents
from consult.core.clock import local_now


def test_worker_cancels_a_sign_up_from_the_attendance_page(login_as, world, db):
    activity = world.factory.activity(world)
    signups.sign_up(world.resident, activity, recorded_by=world.worker)
    worker = login_as(world.worker)
    page = worker.get(f"/manage/c/{world.a.slug}/activities/{activity.id}/").get_data(as_text=True)
    url = f"/manage/c/{world.a.slug}/activities/{activity.id}/signups/{world.resident.id}/cancel"
    assert f'action="{url}"' in page
    assert login_as(world.other_worker).post(url, {}).status_code == 403
    assert login_as(world.worker).post(url, {}).status_code == 302
    assert queries.active_signup(world.resident, activity) is None
    assert login_as(world.worker).post(url, {}).status_code == 409


def test_no_cancel_button_after_check_in(login_as, world, db, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=20))
    signups.sign_up(world.party, activity)
    cancel = f'action="/activities/{activity.id}/cancel"'
    assert cancel in login_as(world.party).get(f"/activities/{activity.id}").get_data(as_text=True)
    checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    page = login_as(world.party).get(f"/activities/{activity.id}").get_data(as_text=True)
    assert cancel not in page and f'action="/activities/{activity.id}/checkout"' in page
    staff = login_as(world.worker).get(f"/manage/c/{world.a.slug}/activities/{activity.id}/").get_data(as_text=True)
    assert "/signups/" not in staff  # started and checked in: no cancel button for the worker either


def test_edit_and_call_off_pages(login_as, world, db):
    activity = world.factory.activity(world, capacity=3)
    signups.sign_up(world.resident, activity)
    client = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/activities/{activity.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert activity.title in form and 'value="3"' in form
    start = local_now().replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=3)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "title": "改期的活动",
        "description": "d",
        "kind": "volunteer",
        "starts_at": start.strftime(fmt),
        "ends_at": (start + timedelta(hours=2)).strftime(fmt),
        "place": "社区礼堂",
        "capacity": 3,
        "points_per_hour": 10,
        "checkin_minutes_before": 30,
        "organiser": "worker",
    }
    assert client.post(url, {**data, "capacity": 0}).status_code == 400
    assert client.post(url, {**data, "ends_at": data["starts_at"]}).status_code == 400
    assert login_as(world.other_worker).post(url, data).status_code == 403
    assert login_as(world.worker).post(url, data).status_code == 302
    db.session.refresh(activity)
    assert activity.title == "改期的活动" and activity.place == "社区礼堂"
    cancel = f"/manage/c/{world.a.slug}/activities/{activity.id}/cancel"
    assert login_as(world.worker).post(cancel, {"reason": ""}).status_code == 400
    assert login_as(world.worker).post(cancel, {"reason": "场地维修"}).status_code == 302
    public = login_as(world.resident).get(f"/activities/{activity.id}").get_data(as_text=True)
    assert "场地维修" in public and f'action="/activities/{activity.id}/signup"' not in public
    assert login_as(world.worker).post(url, data).status_code == 409
    assert db.session.get(Activity, activity.id).cancelled_at is not None


def test_worker_posts_a_wish_for_a_resident(login_as, world, db):
    client = login_as(world.worker)
    url = f"/manage/c/{world.a.slug}/wishes/new"
    assert client.get(url).status_code == 200
    assert client.post(url, {"username": "nobody", "title": "买菜", "description": "腿脚不便"}).status_code == 404
    assert client.post(url, {"username": "resident", "title": "", "description": "腿脚不便"}).status_code == 400
    assert (
        login_as(world.other_worker).post(url, {"username": "resident", "title": "买菜", "description": "x"}).status_code == 403
    )
    assert (
        login_as(world.worker).post(url, {"username": "resident", "title": "买菜", "description": "腿脚不便"}).status_code == 302
    )
    wish = db.session.scalar(sa.select(Wish).where(Wish.title == "买菜"))
    assert wish.recorded_by_id == world.worker.id and wish.status == "open"
    page = login_as(None).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "工作者周" in page  # recorded by …


def test_committee_releases_a_claim_from_the_wish_page(login_as, world, db):
    wish = wish_rules.post_wish(world.resident, world.a, title="修门锁", description="门锁坏了")
    wish_rules.approve_wish(world.worker, wish)
    wish_rules.claim_wish(world.party, wish)
    url = f"/manage/c/{world.a.slug}/wishes/{wish.id}/release"
    assert f'action="{url}"' in login_as(world.worker).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert f'action="{url}"' not in login_as(world.party).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert login_as(world.worker).post(url, {"reason": ""}).status_code == 400
    assert login_as(world.resident).post(url, {"reason": "x"}).status_code == 403
    assert login_as(world.worker).post(url, {"reason": "两周未联系"}).status_code == 302
    assert db.session.get(Wish, wish.id).status == "open"


def test_claimer_sees_how_to_reach_the_resident(login_as, world, db):
    world.resident.phone = "13800138000"
    wish = wish_rules.post_wish(world.resident, world.a, title="修门锁", description="门锁坏了")
    wish_rules.approve_wish(world.worker, wish)
    assert "138****8000" not in login_as(world.party).get(f"/wishes/{wish.id}").get_data(as_text=True)
    wish_rules.claim_wish(world.party, wish)
    page = login_as(world.party).get(f"/wishes/{wish.id}").get_data(as_text=True)
    shown = re.sub(r'datetime="[^"]*"', "", page)  # machine-readable times may hold any digits
    assert "138****8000" in page and "13800138000" not in page and "301" not in shown  # masked; no room
    assert re.search(r"3\D[^<]*2", page.split("contact-h")[2])  # building 3, unit 2
    other = login_as(world.worker).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert "contact-h" not in other  # only the claimer gets the box (the committee has the record)


def test_wish_pages_show_the_state_as_of_now(login_as, world, db, clock):
    wish = wish_rules.post_wish(world.resident, world.a, title="修门锁", description="门锁坏了")
    wish_rules.approve_wish(world.worker, wish)
    wish_rules.claim_wish(world.party, wish)
    wish_rules.fulfil_wish(world.party, wish)
    assert f'action="/wishes/{wish.id}/confirm"' in login_as(world.resident).get(f"/wishes/{wish.id}").get_data(as_text=True)
    clock.advance(days=7, minutes=1)
    page = login_as(world.resident).get(f"/wishes/{wish.id}").get_data(as_text=True)
    assert f'action="/wishes/{wish.id}/confirm"' not in page
    assert "已确认" in page or "confirmed" in page.lower()
    listing = login_as(None).get(f"/c/{world.a.slug}/wishes/").get_data(as_text=True)
    assert "已完成，等待确认" not in listing and "fulfilled, waiting" not in listing
    assert login_as(world.resident).post(f"/wishes/{wish.id}/confirm", {"rating": "satisfied"}).status_code == 409


def _issue(world, clock):
    activity = world.factory.activity(world, starts_in=timedelta(minutes=10), title="清理楼道")
    signups.sign_up(world.party, activity)
    attendance = checkins.check_in(world.party, activity, checkins.checkin_code(activity))
    clock.advance(hours=3)
    checkins.confirm_minutes(world.worker, activity, attendance, 100)
    return records.issue_service_record(world.party, world.party, world.a, clock.now().year)


def test_documents_page_lists_and_revokes(login_as, world, db, clock):
    document = _issue(world, clock)
    url = f"/manage/c/{world.a.slug}/documents/"
    page = login_as(world.worker).get(url).get_data(as_text=True)
    assert document.number in page and "党员张" in page
    assert login_as(world.other_worker).get(url).status_code == 403
    assert document.number not in login_as(world.other_worker).get(f"/manage/c/{world.b.slug}/documents/").get_data(as_text=True)
    revoke = f"/manage/c/{world.a.slug}/documents/{document.number}/revoke"
    code = documents.check_code(document.number)
    assert login_as(world.worker).post(revoke, {"c": code, "reason": ""}).status_code == 400
    assert (
        login_as(world.other_worker)
        .post(f"/manage/c/{world.b.slug}/documents/{document.number}/revoke", {"c": code, "reason": "x"})
        .status_code
        == 404
    )
    assert login_as(world.worker).post(revoke, {"c": code, "reason": "信息有误"}).status_code == 302
    assert "信息有误" in login_as(world.worker).get(url).get_data(as_text=True)
    assert login_as(world.worker).post(revoke, {"c": code, "reason": "again"}).status_code == 409


def test_verify_page_says_who_issued_it(login_as, world, db, clock):
    document = _issue(world, clock)  # the member issued their own record
    page = login_as(None).get(f"/verify/{document.number}?c={documents.check_code(document.number)}").get_data(as_text=True)
    assert "党员张" in page and "居委会" not in page.split("<main")[1].split("</main>")[0].split("note")[1][:200]
    by_worker = records.issue_service_record(world.worker, world.party, world.a, clock.now().year)
    page = login_as(None).get(f"/verify/{by_worker.number}?c={documents.check_code(by_worker.number)}").get_data(as_text=True)
    assert "工作者周" in page and "和平社区" in page


def test_printed_service_record_has_a_blank_for_the_id_number(login_as, world, db, clock):
    document = _issue(world, clock)
    page = (
        login_as(world.party)
        .get(f"/documents/{document.number}?c={documents.check_code(document.number)}")
        .get_data(as_text=True)
    )
    assert 'class="fill"' in page and ("身份证号" in page or "ID number" in page)


def test_issued_certificate_page_leads_somewhere_and_says_full_name(login_as, world, db, clock):
    _issue(world, clock)
    document = issue_certificate(world.party, world.party, world.a, clock.now().year)
    page = (
        login_as(world.party)
        .get(f"/documents/{document.number}?c={documents.check_code(document.number)}")
        .get_data(as_text=True)
    )
    nav = page.split('class="doc-nav"')[1].split("</nav>")[0]
    assert 'href="/"' in nav and 'href="/me/certificate"' in nav and "/verify/VC-" in nav
    assert "data-print" in nav and "/static/js/print.js" in page
    assert '<th scope="row">姓名</th>' in page and "名称" not in page
    record = _issue_record = records.issue_service_record(world.party, world.party, world.a, clock.now().year)
    page = login_as(world.party).get(f"/documents/{record.number}?c={documents.check_code(record.number)}").get_data(as_text=True)
    assert 'href="/me/record"' in page and "data-print" in page and _issue_record.number in page
