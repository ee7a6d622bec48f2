"""Service list pages over HTTP: the public list, filters, a service, the print, CSV and API; the
committee's and a provider's pages; bad input gets a clear message, the right status, nothing written."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from consult.offerings import neighbours
from consult.offerings.models import NeighbourLink, Provider, Service
from tests.test_registry import database_rows

SERVICE_FORM = {
    "kind": "government",
    "title": "居住证明开具",
    "description": "**携带**材料到窗口办理",
    "bring": "身份证、户口本",
    "place": "社区服务中心一楼",
    "walk_minutes": "0",
    "hours_mon": "08:30-12:00, 14:00-17:30",
    "hours_tue": "",
    "hours_wed": "",
    "hours_thu": "",
    "hours_fri": "22:00-02:00+1",
    "hours_sat": "",
    "hours_sun": "",
    "closed_days": "2027-01-01",
    "hours_note": "节假日另行通知",
    "phone": "010-6512 3456",
    "price_kind": "free",
    "price": "",
}


def add(client, world, **overrides):
    url = f"/manage/c/{world.a.slug}/services/new?provider={world.provider.id}"
    return client.post(url, SERVICE_FORM | overrides, token_from=url)


def test_the_committee_adds_a_service_and_everyone_reads_it(db, world, login_as):
    worker = login_as(world.worker)
    sent = add(worker, world)
    assert sent.status_code == 302
    service = db.session.scalar(sa.select(Service).order_by(Service.id.desc()))
    page = login_as(None).get(f"/services/{service.id}").get_data(as_text=True)
    assert "居住证明开具" in page and "<strong>携带</strong>" in page and "身份证、户口本" in page
    assert "22:00–02:00（次日）" in page and "2027-01-01" in page and "免费" in page
    assert "全天不开放" in page and "已办结" not in page  # a day without hours, not a request's "closed"
    listing = login_as(None).get(f"/c/{world.a.slug}/services/").get_data(as_text=True)
    assert "居住证明开具" in listing and "政务服务" in listing


def test_markdown_is_sanitised(db, world, login_as):
    add(login_as(world.worker), world, description="<script>alert(1)</script>[x](javascript:alert(1))")
    service = db.session.scalar(sa.select(Service).order_by(Service.id.desc()))
    page = login_as(None).get(f"/services/{service.id}").get_data(as_text=True)
    body = page[page.index('<div class="body">') :]
    assert "<script>" not in body and 'href="javascript' not in body


def test_hours_that_end_before_they_start_are_refused_on_their_day(db, world, login_as):
    worker = login_as(world.worker)
    db.session.commit()
    before = database_rows(db.session)
    sent = add(worker, world, hours_wed="22:00-02:00")
    assert sent.status_code == 400
    body = sent.get_data(as_text=True)
    assert 'id="hours_wed-error"' in body and "+1" in body
    assert database_rows(db.session) == before


def test_overlapping_hours_and_bad_dates_and_price_are_refused(db, world, login_as):
    worker = login_as(world.worker)
    db.session.commit()
    before = database_rows(db.session)
    for overrides, field in [
        ({"hours_mon": "08:00-12:00, 11:00-13:00"}, "hours_mon"),
        ({"hours_sun": "23:00-03:00+1", "hours_mon": "02:00-05:00"}, "hours_mon"),  # names both days
        ({"hours_tue": "早上八点"}, "hours_tue"),
        ({"closed_days": "明天"}, "closed_days"),
        ({"price_kind": "fixed", "price": "abc"}, "price"),
        ({"price_kind": "fixed", "price": "1e30"}, "price"),
        ({"walk_minutes": "500"}, "walk_minutes"),
        ({"title": ""}, "title"),
    ]:
        sent = add(worker, world, **overrides)
        assert sent.status_code == 400, (overrides, sent.status_code)
        assert f'id="{field}-error"' in sent.get_data(as_text=True), overrides
    assert database_rows(db.session) == before


def test_a_provider_staff_member_edits_their_own_services_and_nothing_else(db, world, factory, login_as):
    own = factory.service(world.provider, title="家庭医生签约")
    other = factory.service(factory.provider(world.a, name="别家"), title="别家服务")
    db.session.commit()
    staff = login_as(world.provider_staff)
    assert staff.get("/manage/", follow_redirects=False).headers["Location"].endswith(f"/manage/providers/{world.provider.id}/")
    home = staff.get(f"/manage/providers/{world.provider.id}/").get_data(as_text=True)
    assert "家庭医生签约" in home and "别家服务" not in home
    url = f"/manage/providers/{world.provider.id}/services/{own.id}/edit"
    assert staff.post(url, SERVICE_FORM | {"title": "家庭医生签约（新）"}, token_from=url).status_code == 302
    db.session.expire_all()
    assert db.session.get(Service, own.id).title == "家庭医生签约（新）"
    assert staff.get(f"/manage/providers/{world.provider.id}/services/{other.id}/edit").status_code == 404
    other_provider = db.session.get(Service, other.id).provider_id
    assert staff.get(f"/manage/providers/{other_provider}/").status_code == 403
    assert staff.post(f"/manage/services/{other.id}/withdraw", {}, token_from=f"/services/{other.id}").status_code == 403
    assert staff.get(f"/manage/c/{world.a.slug}/services/").status_code == 403
    assert db.session.get(Service, other.id).withdrawn_at is None


def test_the_committee_adds_confirms_a_provider_and_appoints_its_staff(db, world, factory, login_as):
    person = factory.user(username="xiaoli")
    db.session.commit()
    worker = login_as(world.worker)
    base = f"/manage/c/{world.a.slug}/services/"
    assert (
        worker.post(
            base + "providers", {"kind": "organisation", "name": "夕阳红志愿队", "phone": ""}, token_from=base
        ).status_code
        == 302
    )
    provider = db.session.scalar(sa.select(Provider).where(Provider.name == "夕阳红志愿队"))
    assert provider.confirmed_at is None
    page = f"{base}providers/{provider.id}"
    # staff only for a confirmed provider: 409 and nothing written
    assert worker.post(page + "/staff", {"username": "xiaoli"}, token_from=page).status_code == 409
    assert worker.post(f"{page}/confirm", {}, token_from=base).status_code == 302
    assert worker.post(page + "/staff", {"username": "nobody"}, token_from=page).status_code == 404
    assert worker.post(page + "/staff", {"username": "xiaoli"}, token_from=page).status_code == 302
    assert "xiaoli" in worker.get(page).get_data(as_text=True)
    assert login_as(person).get(f"/manage/providers/{provider.id}/").status_code == 200


def test_the_committee_links_a_neighbour_and_the_list_groups_by_minutes(db, world, factory, login_as):
    factory.service(world.provider, title="本社区助浴", walk_minutes=2)
    factory.service(factory.provider(world.b, name="杏花食堂"), title="老年餐桌", walk_minutes=4)
    db.session.commit()
    worker = login_as(world.worker)
    base = f"/manage/c/{world.a.slug}/services/"
    assert worker.post(base + "neighbours", {"neighbour": world.b.slug, "walk_minutes": "20"}, token_from=base).status_code == 400
    assert worker.post(base + "neighbours", {"neighbour": world.c.slug, "walk_minutes": "5"}, token_from=base).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NeighbourLink)) == 0
    assert worker.post(base + "neighbours", {"neighbour": world.b.slug, "walk_minutes": "6"}, token_from=base).status_code == 302
    page = login_as(None).get(f"/c/{world.a.slug}/services/").get_data(as_text=True)
    assert page.index("5分钟") < page.index("本社区助浴") < page.index("10分钟") < page.index("老年餐桌")
    assert "杏花社区" in page


def test_the_kind_and_open_now_filters(db, world, factory, login_as, clock):
    clock.set(2026, 12, 1, 2, 0)  # Tuesday 10:00 in Beijing
    factory.service(world.provider, title="上午政务", kind="government", hours="08:00-12:00")
    factory.service(world.provider, title="晚间便民", kind="convenience", hours="18:00-21:00")
    db.session.commit()
    visitor = login_as(None)
    assert "晚间便民" not in visitor.get(f"/c/{world.a.slug}/services/?kind=government").get_data(as_text=True)
    open_now = visitor.get(f"/c/{world.a.slug}/services/?open=1").get_data(as_text=True)
    assert "上午政务" in open_now and "晚间便民" not in open_now
    everything = visitor.get(f"/c/{world.a.slug}/services/?kind=nonsense").get_data(as_text=True)
    assert "上午政务" in everything and "晚间便民" in everything and "18:00" in everything


def test_print_has_the_qr_code_of_the_list(db, world, factory, login_as):
    factory.service(world.provider, title="家庭医生签约")
    db.session.commit()
    page = login_as(None).get(f"/c/{world.a.slug}/services/print").get_data(as_text=True)
    assert "<svg" in page and f"/c/{world.a.slug}/services/" in page and "家庭医生签约" in page and "notice.css" in page


def test_csv_and_api_list_the_same_services(db, world, factory, login_as):
    service = factory.service(world.provider, title="=HYPERLINK(1)", price_kind="fixed", price_fen=1250)
    neighbours.link_neighbour(world.worker, world.a, world.b, 5)
    far = factory.service(factory.provider(world.b), title="远处", walk_minutes=11)
    db.session.commit()
    client = login_as(None)
    data = client.get(f"/api/v1/communities/{world.a.slug}/services").get_json()
    assert [i["id"] for i in data["items"]] == [service.id] and data["items"][0]["price_yuan"] == "12.50"
    assert data["items"][0]["hours"][0] == {"weekday": 0, "opens": "08:00", "closes": "12:00", "overnight": False}
    assert far.id not in [i["id"] for i in data["items"]]  # 5 + 11 > 15
    text = client.get(f"/api/v1/communities/{world.a.slug}/services?format=csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["title"] for r in rows] == ["'=HYPERLINK(1)"]


def test_a_withdrawn_or_hidden_service_is_not_found_for_the_public(db, world, factory, login_as):
    hidden = factory.service(factory.provider(world.a, confirmed=False))
    withdrawn = factory.service(world.provider)
    db.session.commit()
    worker = login_as(world.worker)
    assert worker.post(f"/manage/services/{withdrawn.id}/withdraw", {}, token_from=f"/services/{withdrawn.id}").status_code == 302
    for service in (hidden, withdrawn):
        assert login_as(world.resident).get(f"/services/{service.id}").status_code == 404
        assert login_as(world.worker).get(f"/services/{service.id}").status_code == 200
    assert login_as(None).get("/services/999999").status_code == 404


def test_a_provider_waiting_for_confirmation_is_on_the_committees_to_do_page(db, world, factory, login_as):
    factory.provider(world.a, name="书法兴趣协会", confirmed=False)
    db.session.commit()
    page = login_as(world.worker).get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)
    assert "书法兴趣协会" in page and "待确认的服务提供方" in page


def test_the_audit_log_tells_what_was_done_to_the_list(db, world, factory, login_as):
    add(login_as(world.worker), world)
    page = login_as(world.worker).get(f"/manage/c/{world.a.slug}/audit").get_data(as_text=True)
    assert "添加服务：居住证明开具" in page or "添加了服务居住证明开具" in page
