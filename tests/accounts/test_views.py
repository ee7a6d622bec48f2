"""Account pages: the forms, their bad input, log-in limits."""

import pytest
import sqlalchemy as sa

from consult.accounts import services
from consult.accounts.models import User
from consult.core.notifications import N_, notify, unread_count
from consult.places import queries, residents, services as places_services
from tests.factories import PASSWORD


def registration(world, **overrides):
    data = {
        "community": world.a.slug,
        "username": "newbie",
        "display_name": "新居民王",
        "phone": "13912345678",
        "building": "8",
        "unit": "1",
        "room": "402",
        "password": "a-good-password",
        "confirm": "a-good-password",
    }
    data.update(overrides)
    return data


def count_users(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_register_flow_logs_in_with_a_pending_residence(client, world, db):
    page = client.get(f"/auth/register?street={world.street.slug}").get_data(as_text=True)
    assert world.a.name in page and world.b.name in page
    response = client.post(f"/auth/register?community={world.a.slug}", registration(world))
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    user = services.user_by_username("newbie")
    assert queries.active_residence(user).status == "pending"
    me = client.get("/me/").get_data(as_text=True)
    assert "新居民王" in me and world.a.name in me


def test_register_search_finds_communities(client, world):
    page = client.get("/auth/register?q=杏花").get_data(as_text=True)
    assert world.b.name in page and f"community={world.b.slug}" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"username": "resident"}, "That username is taken"),
        ({"confirm": "something-else"}, "The two passwords are not the same"),
        ({"username": "x" * 33}, "Use 3 to 32 characters"),
        ({"display_name": "名" * 41}, "Use at most 40 characters"),
        ({"display_name": "bad\x07name"}, "invisible control characters"),
        ({"display_name": "bad\x00name"}, "characters that cannot be stored"),  # NUL: refused at the edge (core/guard.py)
        ({"display_name": "evil\u202ename"}, "invisible control characters"),
        ({"username": "no spaces"}, "Use letters, digits"),
        ({"phone": "call me"}, "Enter digits only"),
        ({"password": "short", "confirm": "short"}, "Use 8 to 128 characters"),
        ({"building": "楼" * 21}, "Use at most 20 characters"),
    ],
)
def test_register_bad_input_gets_a_clear_message_and_writes_nothing(client, world, db, overrides, message):
    client.raw.set_cookie("lang", "en")
    before = count_users(db)
    response = client.post(f"/auth/register?community={world.a.slug}", registration(world, **overrides))
    assert response.status_code == (409 if "taken" in message else 400)
    assert message in response.get_data(as_text=True)
    assert count_users(db) == before


def test_register_messages_in_chinese_by_default(client, world):
    response = client.post(f"/auth/register?community={world.a.slug}", registration(world, username="resident"))
    assert response.status_code == 409
    assert "用户名" in response.get_data(as_text=True)


def test_register_unknown_community(client, world, db):
    assert client.get("/auth/register?community=no-such-place").status_code == 404
    before = count_users(db)
    response = client.post("/auth/register?community=no-such-place", registration(world, community="no-such-place"))
    assert response.status_code == 400
    assert count_users(db) == before


def test_login_and_logout(client, world):
    response = client.post("/auth/login", {"username": "Resident", "password": PASSWORD, "next": "/me/"})
    assert response.status_code == 302 and response.headers["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    client.post("/auth/logout", token_from="/me/")
    assert client.get("/me/").status_code == 302


def test_login_refuses_open_redirects(client, world):
    for target in ["//evil.example/", "https://evil.example/", "\\\\evil"]:
        response = client.post("/auth/login", {"username": "resident", "password": PASSWORD, "next": target})
        assert response.headers["Location"] == "/"
        client.logout()


def test_wrong_password_is_401_with_a_message(client, world):
    client.raw.set_cookie("lang", "en")
    response = client.post("/auth/login", {"username": "resident", "password": "nope"})
    assert response.status_code == 401
    assert "username or password is not right" in response.get_data(as_text=True)


def test_login_limit_keys_on_username_first(client, world, app):
    for _ in range(5):
        assert client.post("/auth/login", {"username": "resident", "password": "nope"}).status_code == 401
    limited = client.post("/auth/login", {"username": "resident", "password": PASSWORD})
    assert limited.status_code == 429
    assert "请" in limited.get_data(as_text=True)
    # Another person in the same meeting room is not locked out.
    assert client.post("/auth/login", {"username": "party", "password": PASSWORD}).status_code == 302


def test_login_limit_keys_on_address_second(client, world, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "3 per 15 minutes")
    for name in ["a1", "a2", "a3"]:
        assert client.post("/auth/login", {"username": name, "password": "nope"}).status_code == 401
    assert client.post("/auth/login", {"username": "a4", "password": "nope"}).status_code == 429


def test_successful_logins_do_not_count(client, world):
    for _ in range(7):
        assert client.post("/auth/login", {"username": "resident", "password": PASSWORD}).status_code == 302
        client.logout()


def test_reset_with_code(client, world, db, clock):
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    client.raw.set_cookie("lang", "en")
    bad = client.post(
        "/auth/reset", {"username": "resident", "code": "WRONG123", "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert bad.status_code == 401 and "not right or has expired" in bad.get_data(as_text=True)
    good = client.post(
        "/auth/reset", {"username": "resident", "code": code, "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert good.status_code == 302
    assert services.authenticate("resident", "new-password-1") is not None


def test_expired_reset_code_page(client, world, db, clock):
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    clock.advance(hours=25)
    response = client.post(
        "/auth/reset", {"username": "resident", "code": code, "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert response.status_code == 401


def test_profile_edit_and_language(login_as, world, db):
    client = login_as(world.resident)
    response = client.post("/me/edit", {"display_name": "李秀英", "phone": "", "language": "en", "large_text": "y"})
    assert response.status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.display_name == "李秀英" and world.resident.language == "en" and world.resident.large_text
    page = client.get("/me/").get_data(as_text=True)
    assert '<html lang="en" class="large-text">' in page


def test_profile_overlong_name(login_as, world):
    client = login_as(world.resident)
    assert client.post("/me/edit", {"display_name": "x" * 41, "language": "zh_CN"}).status_code == 400


def test_change_password_view(login_as, world):
    client = login_as(world.resident)
    assert (
        client.post("/me/password", {"current": "wrong", "password": "new-password-1", "confirm": "new-password-1"}).status_code
        == 400
    )
    assert (
        client.post("/me/password", {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"}).status_code
        == 302
    )


def test_download_my_data(login_as, world):
    response = login_as(world.resident).get("/me/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["username"] == "resident"
    assert data["residences"][0]["status"] == "confirmed"


def test_close_account_view(login_as, world, db):
    client = login_as(world.resident)
    assert client.post("/me/close", {"password": PASSWORD}).status_code == 400  # box not ticked
    response = client.post("/me/close", {"password": PASSWORD, "understand": "y"})
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.closed_at is not None


def test_notifications_page_and_mark_read(login_as, world, db):
    notify(
        world.resident.id,
        "test:1",
        N_("Your residence in %(community)s was confirmed. Welcome!"),
        community="和平社区",
        link="/c/x/",
    )
    client = login_as(world.resident)
    page = client.get("/me/notifications").get_data(as_text=True)
    assert "和平社区" in page
    assert client.post("/me/notifications", {}, token_from="/me/notifications").status_code == 302
    assert unread_count(world.resident.id) == 0


def test_apply_again_after_moving_out(login_as, world, db):
    places_services.end_residence(world.worker, queries.active_residence(world.resident), "")
    client = login_as(world.resident)
    assert client.get(f"/me/residence?community={world.b.slug}").status_code == 200
    response = client.post(f"/me/residence?community={world.b.slug}", {"community": world.b.slug, "building": "1"})
    assert response.status_code == 302
    assert queries.active_residence(world.resident).community_id == world.b.id


def test_apply_while_active_shows_the_current_residence(login_as, world):
    page = login_as(world.resident).get(f"/me/residence?community={world.b.slug}")
    assert page.status_code == 200 and world.a.name in page.get_data(as_text=True)


def test_withdraw_someone_elses_application_is_403(login_as, world):
    residence = queries.active_residence(world.pending)
    client = login_as(world.resident)
    assert client.post(f"/me/residence/{residence.id}/withdraw", {}).status_code == 403
    assert client.post("/me/residence/999999/withdraw", {}).status_code == 404


def test_own_reset_code_page_says_another_staff_member_must(login_as, world):
    world.site_admin.language = "en"
    client = login_as(world.site_admin)
    response = client.post("/manage/site/reset-code", {"reset-username": "admin"}, token_from="/manage/site/")
    assert response.status_code == 403
    assert "another staff member must" in response.get_data(as_text=True)
    assert "another site administrator must" in client.get("/manage/site/").get_data(as_text=True)


def test_log_in_keeps_the_choices_made_before(client, world, db):
    client.raw.set_cookie("lang", "en")
    client.raw.set_cookie("display", "large")
    assert client.post("/auth/login", {"username": "resident", "password": PASSWORD}).status_code == 302
    db.session.refresh(world.resident)
    assert world.resident.language == "en" and world.resident.large_text is True
    assert '<html lang="en" class="large-text">' in client.get("/me/").get_data(as_text=True)
