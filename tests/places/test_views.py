"""Committee, street and site pages: actions, scoping and bad input."""

import re

import sqlalchemy as sa

from consult.accounts.models import User
from consult.places import queries, services
from consult.places.models import Community, StaffAppointment, Street


def test_public_pages_show_places(client, world):
    assert world.street.name in client.get("/").get_data(as_text=True)
    assert world.a.name in client.get("/?q=和平").get_data(as_text=True)
    street = client.get(f"/streets/{world.street.slug}/").get_data(as_text=True)
    assert world.a.name in street and world.b.name in street
    page = client.get(f"/c/{world.a.slug}/").get_data(as_text=True)
    assert "工作者周" in page and world.street.name in page


def h1(response) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", response.get_data(as_text=True), re.S).group(1)


def test_unknown_slugs_are_404_in_both_languages(client, world):
    response = client.get("/c/no-such-place/")
    assert response.status_code == 404 and re.search(r"[\u4e00-\u9fff]", h1(response))
    client.raw.set_cookie("lang", "en")
    assert "Page not found" in client.get("/streets/nowhere/").get_data(as_text=True)
    assert client.get("/manage/c/nowhere/").status_code in (302, 404)


def test_todo_lists_pending_residences_with_age(clock, login_as, world):
    clock.advance(hours=50)
    client = login_as(world.worker)
    client.raw.set_cookie("lang", "en")
    world.worker.language = "en"
    page = client.get(f"/manage/c/{world.a.slug}/").get_data(as_text=True)
    assert "新居民" in page and "overdue" in page and "2 days" in page


def test_confirm_and_reject_through_pages(login_as, world, db):
    client = login_as(world.worker)
    residence = queries.active_residence(world.pending)
    url = f"/manage/c/{world.a.slug}/residences/{residence.id}"
    assert client.post(f"{url}/reject", {"reason": ""}, token_from=f"/manage/c/{world.a.slug}/residents/").status_code == 400
    assert client.post(f"{url}/confirm", {}).status_code == 302
    db.session.refresh(residence)
    assert residence.status == "confirmed"
    assert client.post(f"{url}/confirm", {}).status_code == 409


def test_worker_of_another_community_gets_403_acting_here(login_as, world, db):
    residence = queries.active_residence(world.pending)
    client = login_as(world.other_worker)
    assert client.post(f"/manage/c/{world.a.slug}/residences/{residence.id}/confirm", {}).status_code == 403
    # Their own community's URL with this community's residence id: not found there.
    assert client.post(f"/manage/c/{world.b.slug}/residences/{residence.id}/confirm", {}).status_code == 404
    db.session.refresh(residence)
    assert residence.status == "pending"


def test_tampered_residence_ids(login_as, world):
    client = login_as(world.worker)
    for bad in ["999999", "0"]:
        assert client.post(f"/manage/c/{world.a.slug}/residences/{bad}/confirm", {}).status_code == 404
    assert client.post(f"/manage/c/{world.a.slug}/residences/abc/confirm", {}).status_code == 404


def test_reset_code_page_shows_code_once(login_as, world, db):
    residence = queries.active_residence(world.resident)
    client = login_as(world.worker)
    response = client.post(f"/manage/c/{world.a.slug}/residences/{residence.id}/reset-code", {})
    assert response.status_code == 200
    assert "resident" in response.get_data(as_text=True)


def test_end_residence_page(login_as, world, db):
    residence = queries.active_residence(world.resident)
    response = login_as(world.worker).post(f"/manage/c/{world.a.slug}/residences/{residence.id}/end", {"reason": ""})
    assert response.status_code == 302
    db.session.refresh(residence)
    assert residence.status == "ended"


def test_record_resident_page(login_as, world, db):
    client = login_as(world.worker)
    response = client.post(
        f"/manage/c/{world.a.slug}/residents/new",
        {"username": "grandpa", "display_name": "王大爷", "building": "1", "unit": "", "room": "101"},
    )
    assert response.status_code == 302
    residents = client.get(f"/manage/c/{world.a.slug}/residents/").get_data(as_text=True)
    assert "王大爷" in residents and "工作者周" in residents
    duplicate = client.post(f"/manage/c/{world.a.slug}/residents/new", {"username": "grandpa", "display_name": "另一个"})
    assert duplicate.status_code == 409


def test_audit_log_readable_by_the_communitys_workers(login_as, world, db):
    services.confirm_residence(world.worker, queries.active_residence(world.pending))
    page = login_as(world.worker).get(f"/manage/c/{world.a.slug}/audit").get_data(as_text=True)
    assert "确认新居民为本社区居民。" in page and "工作者周" in page  # a sentence, not raw database text
    assert login_as(world.other_worker).get(f"/manage/c/{world.a.slug}/audit").status_code == 403


def test_street_admin_appoints_and_removes_workers(login_as, world, factory, db):
    person = factory.user(username="helper")
    client = login_as(world.street_admin)
    response = client.post(f"/manage/streets/{world.street.slug}/workers", {"username": "helper", "community": world.b.slug})
    assert response.status_code == 302
    assert queries.can_manage_community(person, world.b)
    unknown = client.post(f"/manage/streets/{world.street.slug}/workers", {"username": "nobody", "community": world.b.slug})
    assert unknown.status_code == 404
    elsewhere = client.post(f"/manage/streets/{world.street.slug}/workers", {"username": "helper", "community": world.c.slug})
    assert elsewhere.status_code == 404
    twice = client.post(f"/manage/streets/{world.street.slug}/workers", {"username": "helper", "community": world.b.slug})
    assert twice.status_code == 409
    appointment = db.session.scalar(sa.select(StaffAppointment).where(StaffAppointment.user_id == person.id))
    assert client.post(f"/manage/streets/{world.street.slug}/appointments/{appointment.id}/end", {}).status_code == 302
    assert (
        login_as(world.other_street_admin)
        .post(f"/manage/streets/{world.street.slug}/appointments/{appointment.id}/end", {})
        .status_code
        == 403
    )


def test_site_admin_creates_places_and_street_admins(login_as, world, factory, db):
    factory.user(username="newadmin")
    client = login_as(world.site_admin)
    assert client.post("/manage/site/streets", {"street-name": "新街道", "street-slug": "xin-street"}).status_code == 302
    assert client.post("/manage/site/streets", {"street-name": "重复", "street-slug": "xin-street"}).status_code == 409
    assert client.post("/manage/site/streets", {"street-name": "坏", "street-slug": "坏 slug"}).status_code == 400
    assert (
        client.post(
            "/manage/site/communities",
            {"community-name": "新社区", "community-slug": "xin-one", "community-street": "xin-street"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            "/manage/site/communities", {"community-name": "x", "community-slug": "xin-two", "community-street": "nowhere"}
        ).status_code
        == 404
    )
    assert (
        client.post("/manage/site/street-admins", {"admin-username": "newadmin", "admin-street": "xin-street"}).status_code == 302
    )
    street = db.session.scalar(sa.select(Street).where(Street.slug == "xin-street"))
    assert db.session.scalar(sa.select(Community).where(Community.slug == "xin-one")).street_id == street.id
    newadmin = db.session.scalar(sa.select(User).where(User.username == "newadmin"))
    assert queries.can_manage_street(newadmin, street)


def test_manage_index_sends_each_person_to_theirs(login_as, world, factory):
    assert login_as(world.worker).get("/manage/").headers["Location"] == f"/manage/c/{world.a.slug}/"
    assert login_as(world.street_admin).get("/manage/").headers["Location"] == f"/manage/streets/{world.street.slug}/"
    assert login_as(world.site_admin).get("/manage/").headers["Location"] == "/manage/site/"
    factory.appoint(world.worker, "worker", community=world.b)
    page = login_as(world.worker).get("/manage/")
    assert page.status_code == 200 and world.b.name in page.get_data(as_text=True)
    assert login_as(world.resident).get("/manage/").status_code == 403
