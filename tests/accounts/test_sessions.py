"""Sessions end when a person says so: logging out, a password change or reset, "log out
everywhere", a worker after a lost phone; "keep me logged in" rotates and expires.

The regression tests copy a browser's cookies (a thief's copy) and replay them in a second
client after the session should have ended.
"""

import threading

import pytest
import sqlalchemy as sa

from consult.accounts import sessions
from consult.accounts.auth import REMEMBER_COOKIE, SESSION_KEY
from consult.accounts.models import UserSession
from consult.core.audit import AuditEntry
from consult.core.errors import NotFound, PermissionDenied
from consult.places import residents
from consult.places.queries import active_residence
from tests.conftest import Client
from tests.factories import PASSWORD, Factory


def log_in(app, username="resident", password=PASSWORD, remember=False):
    client = Client(app)
    data = {"username": username, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/auth/login", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def stolen_copy(app, client):
    """A second client holding a copy of every cookie of ``client`` (what a thief would keep)."""
    thief = Client(app)
    for name in ("session", REMEMBER_COOKIE, "remember_token"):
        cookie = client.raw.get_cookie(name)
        if cookie is not None:
            thief.raw.set_cookie(name, cookie.value)
    return thief


def only_remember_cookie(app, client):
    """A client holding just the remember cookie (the browser was closed, the session cookie gone)."""
    copy = Client(app)
    for name in (REMEMBER_COOKIE, "remember_token"):
        cookie = client.raw.get_cookie(name)
        if cookie is not None:
            copy.raw.set_cookie(name, cookie.value)
    return copy


def logged_in(client) -> bool:
    return client.get("/me/").status_code == 200


# --- replaying old cookies (the regressions of issue 9) ------------------------------------


def test_old_session_cookie_after_logout_is_not_logged_in(app, world, db):
    client = log_in(app)
    thief = stolen_copy(app, client)
    assert logged_in(thief)
    client.post("/auth/logout", token_from="/me/")
    assert not logged_in(client)
    assert not logged_in(thief)


def test_old_remember_cookie_after_logout_is_not_logged_in(app, world, db):
    client = log_in(app, remember=True)
    copy = only_remember_cookie(app, client)
    client.post("/auth/logout", token_from="/me/")
    assert not logged_in(copy)


def test_password_change_ends_every_other_session(app, world, db):
    other_device = log_in(app, remember=True)
    old_session, old_remember = stolen_copy(app, other_device), only_remember_cookie(app, other_device)
    here = log_in(app)
    response = here.post(
        "/me/password",
        {"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"},
        token_from="/me/password",
    )
    assert response.status_code == 302
    assert logged_in(here), "the device that changed the password stays logged in"
    assert not logged_in(other_device)
    assert not logged_in(old_session)
    assert not logged_in(old_remember)


def test_reset_with_a_code_ends_every_session(app, world, db):
    phone = log_in(app, remember=True)
    old_session, old_remember = stolen_copy(app, phone), only_remember_cookie(app, phone)
    code = residents.issue_reset_code(world.worker, world.resident, world.a)
    fresh = Client(app)
    response = fresh.post(
        "/auth/reset", {"username": "resident", "code": code, "password": "new-password-1", "confirm": "new-password-1"}
    )
    assert response.status_code == 302
    assert logged_in(fresh)
    assert not logged_in(phone) and not logged_in(old_session) and not logged_in(old_remember)


def test_worker_ends_every_session_of_a_resident_audited(app, world, db, login_as):
    phone = log_in(app, remember=True)
    old_session, old_remember = stolen_copy(app, phone), only_remember_cookie(app, phone)
    residence = active_residence(world.resident)
    worker = login_as(world.worker)
    response = worker.post(
        f"/manage/c/{world.a.slug}/residences/{residence.id}/end-sessions", {}, token_from=f"/manage/c/{world.a.slug}/residents/"
    )
    assert response.status_code == 302
    assert not logged_in(phone) and not logged_in(old_session) and not logged_in(old_remember)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "account.sessions_ended"))
    assert entry.actor_id == world.worker.id and entry.target_id == world.resident.id and entry.community_id == world.a.id
    assert entry.after["sessions"] == 1


def test_end_all_from_my_page_keeps_this_device(app, world, db):
    lost_phone = log_in(app, remember=True)
    old_remember = only_remember_cookie(app, lost_phone)
    here = log_in(app)
    page = here.get("/me/").get_data(as_text=True)
    assert page.count("/me/sessions/") >= 2  # the other device's button and "all other devices"
    assert here.post("/me/sessions/end-others", {}, token_from="/me/").status_code == 302
    assert logged_in(here)
    assert not logged_in(lost_phone) and not logged_in(old_remember)


def test_end_one_device_from_my_page(app, world, db):
    lost_phone = log_in(app)
    here = log_in(app)
    row = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == world.resident.id).order_by(UserSession.id)
    ).first()
    assert here.post(f"/me/sessions/{row.id}/end", {}, token_from="/me/").status_code == 302
    assert logged_in(here) and not logged_in(lost_phone)


def test_ending_this_device_from_my_page_logs_out(app, world, db):
    here = log_in(app)
    row = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == world.resident.id)).one()
    assert here.post(f"/me/sessions/{row.id}/end", {}, token_from="/me/").status_code == 302
    assert not logged_in(here)


def test_nobody_ends_another_persons_device(app, world, db, login_as):
    victim = log_in(app)
    row = db.session.scalars(sa.select(UserSession).where(UserSession.user_id == world.resident.id)).one()
    other = login_as(world.party)
    assert other.post(f"/me/sessions/{row.id}/end", {}, token_from="/me/").status_code == 404
    assert logged_in(victim)


def test_closing_the_account_ends_every_session(app, world, db):
    phone = log_in(app, remember=True)
    old_remember = only_remember_cookie(app, phone)
    here = log_in(app)
    assert here.post("/me/close", {"password": PASSWORD, "understand": "y"}, token_from="/me/close").status_code == 302
    assert not logged_in(phone) and not logged_in(old_remember) and not logged_in(here)


# --- remember cookie: random, rotating, expiring -----------------------------------------


def test_remember_cookie_is_random_and_rotates_on_use(app, world, db):
    first = log_in(app, remember=True)
    second = log_in(app, remember=True)
    value = first.raw.get_cookie(REMEMBER_COOKIE).value
    assert value != second.raw.get_cookie(REMEMBER_COOKIE).value
    assert str(world.resident.id) + "|" not in value
    assert first.raw.get_cookie("remember_token") is None  # Flask-Login's user-id cookie is never set

    browser = only_remember_cookie(app, first)
    assert logged_in(browser), "the remember cookie logs a closed-and-reopened browser back in"
    rotated = browser.raw.get_cookie(REMEMBER_COOKIE).value
    assert rotated != value
    assert logged_in(browser)  # now through the new session cookie
    replay = Client(app)
    replay.raw.set_cookie(REMEMBER_COOKIE, value)
    assert not logged_in(replay), "a remember cookie works once"
    again = Client(app)
    again.raw.set_cookie(REMEMBER_COOKIE, rotated)
    assert logged_in(again)


def test_remember_cookie_expires(app, world, db, clock):
    client = log_in(app, remember=True)
    clock.advance(days=31)
    assert not logged_in(only_remember_cookie(app, client))


def test_session_without_remember_ends_when_idle(app, world, db, clock):
    client = log_in(app)
    clock.advance(hours=11)
    assert logged_in(client)
    clock.advance(hours=11)  # seen 11 hours ago: the idle limit moved on
    assert logged_in(client)
    clock.advance(hours=13)
    assert not logged_in(client)


def test_session_is_rotated_at_log_in(app, world, db):
    client = Client(app)
    client.get("/auth/login")
    with client.raw.session_transaction() as before:
        before_token = before.get("csrf_token")
    client.post("/auth/login", {"username": "resident", "password": PASSWORD})
    with client.raw.session_transaction() as first:
        first_sid = first[SESSION_KEY]
        assert first.get("csrf_token") != before_token
    client.post("/auth/login", {"username": "party", "password": PASSWORD})
    with client.raw.session_transaction() as second:
        assert second[SESSION_KEY] != first_sid and second["_user_id"] == str(world.party.id)


def test_forged_user_id_without_a_session_token_is_not_logged_in(app, world, db):
    """The old session cookie format (only the user id) opens nothing."""
    client = Client(app)
    with client.raw.session_transaction() as session:
        session["_user_id"] = str(world.resident.id)
        session["_fresh"] = True
    assert not logged_in(client)


def test_my_page_lists_devices(app, world, db):
    world.resident.language = "en"
    log_in(app)
    client = Client(app)
    client.post(
        "/auth/login",
        {"username": "resident", "password": PASSWORD},
        headers={"User-Agent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"},
    )
    page = client.get("/me/").get_data(as_text=True)
    assert "Chrome · Android" in page and "This device" in page and "Log out all other devices" in page


# --- the rules, without HTTP ---------------------------------------------------------------


def test_start_keeps_only_hashes(db, world):
    row, token, remember = sessions.start(world.resident, remember=True, user_agent="Mozilla/5.0 (iPhone) Safari/605")
    assert row.token_hash == sessions.hash_token(token) and token not in row.token_hash
    assert remember.startswith(f"{row.id}.") and row.remember_hash == sessions.hash_token(remember.split(".", 1)[1])
    assert row.user_agent == "Safari · iPhone"


def test_check_refuses_ended_expired_and_mismatched(db, world, clock):
    row, token, _ = sessions.start(world.resident)
    assert sessions.check(str(world.resident.id), token)[1] is row
    assert sessions.check(str(world.party.id), token) is None
    assert sessions.check(str(world.resident.id), "not-the-token") is None
    sessions.end(row, sessions.EndReason.LOGOUT)
    assert sessions.check(str(world.resident.id), token) is None
    other, other_token, _ = sessions.start(world.resident)
    clock.advance(hours=13)
    assert sessions.check(str(world.resident.id), other_token) is None


def test_resume_rejects_garbage(db, world):
    for value in (None, "", "abc", "1.", ".x", "99999999999999999999999.x", "1.wrong"):
        assert sessions.resume(value) is None


def test_end_all_keeps_the_device_asked(db, world):
    a, _, _ = sessions.start(world.resident)
    b, _, _ = sessions.start(world.resident)
    c, _, _ = sessions.start(world.party)
    assert sessions.end_all(world.resident, sessions.EndReason.PASSWORD, keep=b) == 1
    db.session.refresh(a), db.session.refresh(b), db.session.refresh(c)
    assert a.ended_at is not None and a.end_reason == "password"
    assert b.ended_at is None and c.ended_at is None
    assert sessions.open_sessions(world.resident) == [b]


def test_worker_may_end_sessions_only_of_own_residents(db, world):
    sessions.start(world.resident)
    with pytest.raises(PermissionDenied):
        residents.end_all_by_worker(world.other_worker, world.resident, world.a)
    with pytest.raises(PermissionDenied):
        residents.end_all_by_worker(world.other_worker, world.resident, world.b)
    with pytest.raises(PermissionDenied):  # staff are logged out by a site administrator
        residents.end_all_by_worker(world.worker, world.worker, world.a)
    assert residents.end_all_by_worker(world.worker, world.resident, world.a) == 1


def test_site_admin_ends_staff_sessions(db, world, login_as):
    sessions.start(world.worker)
    with pytest.raises(PermissionDenied):
        residents.end_all_by_site_admin(world.street_admin, world.worker)
    assert residents.end_all_by_site_admin(world.site_admin, world.worker) == 1
    client = login_as(world.site_admin)
    assert (
        client.post("/manage/site/end-sessions", {"sessions-username": "worker"}, token_from="/manage/site/").status_code == 302
    )
    assert (
        client.post("/manage/site/end-sessions", {"sessions-username": "nobody"}, token_from="/manage/site/").status_code == 404
    )


def test_end_own_refuses_other_peoples_rows(db, world):
    row, _, _ = sessions.start(world.party)
    with pytest.raises(NotFound):
        sessions.end_own(world.resident, row.id)


@pytest.mark.postgresql
def test_a_remember_cookie_used_twice_at_once_logs_in_once(app, committed_db):
    """The rotation locks the row: of parallel requests with one remember cookie, one gets in."""

    user = Factory(committed_db.session).user(username="twice")
    _row, _token, cookie = sessions.start(user, remember=True)
    committed_db.session.commit()
    n = 8
    barrier = threading.Barrier(n)
    statuses = [0] * n

    def run(i):
        client = app.test_client()
        client.set_cookie(REMEMBER_COOKIE, cookie)
        barrier.wait()
        statuses[i] = client.get("/me/").status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses.count(200) == 1 and statuses.count(302) == n - 1


def test_only_the_residents_committee_ends_their_sessions(app, world, db, login_as):
    phone = log_in(app)
    residence = active_residence(world.resident)
    url = f"/manage/c/{world.a.slug}/residences/{residence.id}/end-sessions"
    for person in (world.other_worker, world.party, world.other_street_admin):
        client = login_as(person)
        assert client.post(url, {}).status_code == 403
    client = login_as(world.other_worker)
    assert client.post(f"/manage/c/{world.b.slug}/residences/{residence.id}/end-sessions", {}).status_code == 404
    assert logged_in(phone)
    assert login_as(world.street_admin).post(url, {}).status_code == 302
    assert not logged_in(phone)
