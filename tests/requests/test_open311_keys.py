"""Open311 API keys: issued by a site administrator for one street, stored as a hash only,
shown once, revocable, audited; and a request sent with one has no resident account."""

from __future__ import annotations

import hashlib
import re

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEntry
from consult.core.errors import PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.extensions import db
from consult.requests import api_keys, common, reporting, services
from consult.requests.models import Open311Key, Request, RequestStatus
from consult.requests.policy import RequestPolicy
from tests.test_registry import database_rows


def _every_value() -> str:
    """Every value of every table, as text: a key stored in clear would be found here."""
    return repr([db.session.execute(sa.select(table)).all() for table in db.metadata.sorted_tables])


def test_a_key_is_issued_for_one_street_and_stored_only_as_its_hash(world):
    row, key = api_keys.issue(world.site_admin, world.street, "12345 热线 integration")
    assert len(key) >= 40 and row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (row.street_id, row.holder, row.issued_by_id, row.last_used_at) == (
        world.street.id,
        "12345 热线 integration",
        world.site_admin.id,
        None,
    )
    assert key not in _every_value()
    assert api_keys.valid_key(key) is row
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "open311_key.issued"))
    assert (entry.actor_id, entry.target_id, entry.street_id) == (world.site_admin.id, row.id, world.street.id)
    assert key not in repr(entry.after)


def test_two_keys_differ(world):
    assert api_keys.issue(world.site_admin, world.street, "甲")[1] != api_keys.issue(world.site_admin, world.street, "乙")[1]


@pytest.mark.parametrize("role", ["street_admin", "worker", "resident", "department_member"])
def test_only_a_site_administrator_issues_and_revokes(world, role):
    row, _key = api_keys.issue(world.site_admin, world.street, "12345")
    with pytest.raises(PermissionDenied):
        api_keys.issue(getattr(world, role), world.street, "mine")
    with pytest.raises(PermissionDenied):
        api_keys.revoke(getattr(world, role), row)


def test_a_holder_is_named(world):
    with pytest.raises(RuleViolation):
        api_keys.issue(world.site_admin, world.street, "  ")


def test_a_revoked_key_stops_working_and_the_revocation_is_audited(world):
    row, key = api_keys.issue(world.site_admin, world.street, "12345")
    api_keys.revoke(world.site_admin, row)
    assert row.revoked_at is not None and row.revoked_by_id == world.site_admin.id
    assert api_keys.valid_key(key) is None
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "open311_key.revoked")).target_id == row.id
    with pytest.raises(RuleViolation):
        api_keys.revoke(world.site_admin, row)
    with pytest.raises(PermissionDenied):
        reporting.report_from_api(
            row, world.a, category="repairs", description="灯坏了", place="1号楼", contact=reporting.Contact()
        )


def test_a_key_reports_only_to_its_own_streets_communities(world):
    row, _key = api_keys.issue(world.site_admin, world.street, "12345")
    with pytest.raises(PermissionDenied):
        reporting.report_from_api(
            row, world.c, category="repairs", description="灯坏了", place="1号楼", contact=reporting.Contact()
        )
    assert reporting.report_from_api(
        row, world.b, category="repairs", description="灯坏了", place="1号楼", contact=reporting.Contact()
    )


def test_an_empty_or_unknown_key_is_no_key(world):
    api_keys.issue(world.site_admin, world.street, "12345")
    assert api_keys.valid_key("") is None and api_keys.valid_key("nope") is None


@pytest.fixture
def api_request(world):
    row, _key = api_keys.issue(world.site_admin, world.street, "12345 热线")
    request = reporting.report_from_api(
        row,
        world.a,
        category="repairs",
        description="路灯坏了",
        place="3号楼东侧",
        contact=reporting.Contact(name="王", phone="13700001111"),
    )
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "已换灯泡")
    return request


def test_nobody_confirms_a_request_without_a_resident_account(world, api_request):
    for person in (world.resident, world.worker, world.street_admin, world.site_admin):
        for action in ("confirm", "not_solved"):
            assert not RequestPolicy(api_request).can(action, person)
    with pytest.raises(PermissionDenied, match="no resident account"):
        services.confirm(world.resident, api_request, solved=True, level="satisfied")


def test_the_call_back_confirms_it(world, api_request):
    services.call_back(world.worker, api_request, solved=True, level="basically", note="电话回访王先生，已修好")
    assert (api_request.status, api_request.called_back_by_id, api_request.satisfaction) == (
        RequestStatus.CONFIRMED,
        world.worker.id,
        "basically",
    )


def test_no_notification_goes_to_nobody(world, monkeypatch):
    """Every step of a request without a reporter account notifies no one: not even an attempt
    (a notification to no one would only fail quietly in its savepoint)."""
    recipients = []
    real = common.notify
    monkeypatch.setattr(
        common, "notify", lambda recipient_id, *a, **k: recipients.append(recipient_id) or real(recipient_id, *a, **k)
    )
    row, _key = api_keys.issue(world.site_admin, world.street, "12345 热线")
    request = reporting.report_from_api(
        row, world.a, category="noise", description="吵", place="1号楼", contact=reporting.Contact()
    )
    services.accept(world.worker, request)
    services.resolve(world.worker, request, "已劝导")
    services.call_back(world.worker, request, solved=True, level="satisfied", note="回访")
    services.close(world.worker, request)
    assert None not in recipients
    assert not db.session.scalars(sa.select(Notification).where(Notification.link == f"/requests/{request.id}")).all()


def test_only_an_open311_request_may_have_no_reporter(world, api_request):
    """The CHECK: reporter_id IS NOT NULL OR channel = 'open311'."""
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Request).where(Request.id == api_request.id).values(channel="web"))


def test_tokens_are_unique_in_the_database(world, api_request):
    other = reporting.report_from_api(
        db.session.get(Open311Key, api_request.api_key_id),
        world.a,
        category="noise",
        description="吵",
        place="1号楼",
        contact=reporting.Contact(),
    )
    assert other.token != api_request.token
    with pytest.raises(sa.exc.IntegrityError), db.session.begin_nested():
        db.session.execute(sa.update(Request).where(Request.id == other.id).values(token=api_request.token))


# --- the page --------------------------------------------------------------------------------

KEY_RE = re.compile(r"<code>([A-Za-z0-9_-]{40,})</code>")


def test_the_site_admin_issues_a_key_on_the_page_sees_it_once_and_revokes_it(login_as, world):
    client = login_as(world.site_admin)
    page = client.get("/manage/site/open311-keys")
    assert page.status_code == 200 and f'<option value="{world.street.slug}">' in page.get_data(as_text=True)
    response = client.post(
        "/manage/site/open311-keys",
        {"holder": "12345 热线 integration", "street": world.street.slug},
        token_from="/manage/site/open311-keys",
    )
    assert response.status_code == 200
    key = KEY_RE.search(response.get_data(as_text=True)).group(1)
    assert 'value="12345 热线 integration"' not in response.get_data(as_text=True)  # no second key by one more click
    row = api_keys.valid_key(key)
    assert row.holder == "12345 热线 integration" and row.street_id == world.street.id
    again = client.get("/manage/site/open311-keys").get_data(as_text=True)
    assert key not in again and "12345 热线 integration" in again
    response = client.post(f"/manage/site/open311-keys/{row.id}/revoke", token_from="/manage/site/open311-keys")
    assert response.status_code == 302
    assert api_keys.valid_key(key) is None


def test_a_bad_issue_form_writes_nothing(login_as, world):
    client = login_as(world.site_admin)
    token = client.csrf_token("/manage/site/open311-keys")
    for form in (
        {"holder": "", "street": world.street.slug},
        {"holder": "x", "street": "nowhere"},
        {"holder": "长" * 101, "street": world.street.slug},
    ):
        before = database_rows(db.session)
        response = client.post("/manage/site/open311-keys", form | {"csrf_token": token})
        assert response.status_code in (400, 404)
        assert database_rows(db.session) == before


def test_a_street_admin_cannot_issue_or_revoke(login_as, world):
    row, key = api_keys.issue(world.site_admin, world.street, "12345")
    client = login_as(world.street_admin)
    token = client.csrf_token()
    before = database_rows(db.session)
    assert (
        client.post("/manage/site/open311-keys", {"holder": "x", "street": world.street.slug, "csrf_token": token}).status_code
        == 403
    )
    assert client.post(f"/manage/site/open311-keys/{row.id}/revoke", {"csrf_token": token}).status_code == 403
    assert database_rows(db.session) == before and api_keys.valid_key(key) is not None
