"""Departments (部门报到): the street hands a request to one of its departments, which answers,
solves it or sends it back, within its own targets; the original due times never move."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core.errors import Conflict, PermissionDenied, RuleViolation
from consult.core.notifications import Notification
from consult.places import departments, queries, services as places
from consult.places.models import Department
from consult.requests import reminders, reporting, services
from consult.requests.models import Holder, RequestEvent, RequestStatus as S


def at_street(world):
    request = reporting.report(world.resident, world.a, category="repairs", description="路灯坏了", building="3")
    services.accept(world.worker, request)
    services.escalate(world.worker, request, "需要街道")
    return request


def events(db, request) -> list[str]:
    return list(
        db.session.scalars(sa.select(RequestEvent.kind).where(RequestEvent.request_id == request.id).order_by(RequestEvent.id))
    )


def test_dispatch_accept_resolve_by_the_department(db, world, clock):
    clock.set(2026, 12, 1, 2, 0)  # 10:00 in Beijing
    request = at_street(world)
    original = (request.original_response_due_at, request.original_resolution_due_at)
    first_accepted = request.accepted_at
    clock.advance(hours=1)
    services.dispatch(world.street_admin, request, world.department, "请城管科处理")
    assert (request.holder, request.department_id) == (Holder.DEPARTMENT, world.department.id)
    assert request.response_due_at == clock.now() + timedelta(minutes=240)  # the department's own target
    assert request.resolution_due_at == clock.now() + timedelta(days=7)
    assert (request.original_response_due_at, request.original_resolution_due_at) == original
    assert request.due_at == request.response_due_at  # waiting for the department's answer
    assert db.session.scalar(sa.select(Notification.id).where(Notification.recipient_id == world.department_member.id))
    services.accept(world.department_member, request)
    assert request.department_accepted_at is not None and request.accepted_at == first_accepted
    assert request.due_at == request.resolution_due_at
    with pytest.raises(RuleViolation):
        services.accept(world.department_member, request)  # once
    services.resolve(world.department_member, request, "已修好")
    assert request.status == S.RESOLVED and request.resolved_by_id == world.department_member.id
    assert events(db, request)[-3:] == ["dispatched", "department_accepted", "resolved"]


def test_the_department_sends_it_back_to_the_street(db, world):
    request = at_street(world)
    services.dispatch(world.street_admin, request, world.department)
    services.send_back(world.department_member, request, "不归我科")
    assert (request.holder, request.department_id) == (Holder.STREET, None)
    services.send_back(world.street_admin, request, "请社区处理")
    assert request.holder == Holder.COMMUNITY


def test_a_department_not_holding_it_is_refused_and_nothing_is_written(db, world, factory):
    other = Department(street_id=world.street.id, name="房管科")
    db.session.add(other)
    db.session.flush()
    outsider = factory.department_member(other, username="other-dept")
    request = at_street(world)
    services.dispatch(world.street_admin, request, world.department)
    before = events(db, request)
    for step in (
        lambda: services.accept(outsider, request),
        lambda: services.resolve(outsider, request, "修好了"),
        lambda: services.send_back(outsider, request, "退回"),
    ):
        with pytest.raises(PermissionDenied) as refused:
            step()
        assert refused.value.status == 403
    assert events(db, request) == before and request.holder == Holder.DEPARTMENT
    with pytest.raises(PermissionDenied):
        services.accept(world.department_member, at_street(world))  # not dispatched: the street holds it


def test_dispatch_needs_the_street_and_a_department_of_its_street(db, world):
    request = at_street(world)
    with pytest.raises(RuleViolation):  # the committee no longer holds it
        services.dispatch(world.worker, request, world.department)
    with pytest.raises(PermissionDenied):
        services.dispatch(world.department_member, request, world.department)
    elsewhere = departments.create_department(world.other_street_admin, world.other_street, "城管科")
    with pytest.raises(RuleViolation):
        services.dispatch(world.street_admin, request, elsewhere)
    assert request.holder == Holder.STREET


def test_department_members_are_reminded(db, world, clock):
    clock.set(2026, 12, 1, 2, 0)
    request = at_street(world)
    services.dispatch(world.street_admin, request, world.department)
    clock.advance(hours=3, minutes=1)  # past 75 % of 4 hours
    assert reminders.remind_due() >= 1
    notes = db.session.scalars(sa.select(Notification.event_key).where(Notification.recipient_id == world.department_member.id))
    assert any(kind.startswith("request.remind.response") for kind in notes)


def test_street_admin_creates_departments_and_appoints_members(db, world, factory):
    department = departments.create_department(world.street_admin, world.street, "  房管科 ")
    assert department.name == "房管科"
    with pytest.raises(Conflict):
        departments.create_department(world.street_admin, world.street, "房管科")
    with pytest.raises(PermissionDenied):
        departments.create_department(world.other_street_admin, world.street, "水务科")
    person = factory.user(username="newdept")
    appointment = departments.appoint_department_member(world.street_admin, person, department)
    with pytest.raises(PermissionDenied):
        departments.appoint_department_member(world.other_street_admin, factory.user(), department)
    assert department.id in queries.roles_of(person).department_of
    with pytest.raises(PermissionDenied):
        places.end_appointment(world.other_street_admin, appointment)
    places.end_appointment(world.street_admin, appointment)
    queries.forget_roles()
    assert department.id not in queries.roles_of(person).department_of


def test_the_department_works_through_its_pages(db, world, login_as):
    request = at_street(world)
    db.session.commit()
    street = login_as(world.street_admin)
    offered = street.get(f"/requests/{request.id}").get_data(as_text=True)
    assert f'<option value="{world.department.id}">城管科</option>' in offered
    url = f"/manage/c/{world.a.slug}/requests/{request.id}/dispatch"
    assert street.post(url, {"department": world.department.id}, token_from=f"/requests/{request.id}").status_code == 302
    dispatched = street.get(f"/manage/streets/{world.street.slug}/requests/").get_data(as_text=True)
    assert f"/requests/{request.id}" in dispatched.split("部门")[-1]  # listed under the departments' heading
    member = login_as(world.department_member)
    queue = member.get(f"/manage/departments/{world.department.id}/requests/").get_data(as_text=True)
    assert f"/requests/{request.id}" in queue
    page = member.get(f"/requests/{request.id}").get_data(as_text=True)
    assert "路灯坏了" in page and f"/manage/departments/{world.department.id}/requests/{request.id}/accept" in page
    url = f"/manage/departments/{world.department.id}/requests/{request.id}/resolve"
    assert member.post(url, {"note": "已修好"}, token_from=f"/requests/{request.id}").status_code == 302
    db.session.refresh(request)
    assert request.status == S.RESOLVED
    assert "城管科" in login_as(world.street_admin).get(f"/requests/{request.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    "name, message",
    [("", "请填写此项"), ("科" * 61, "最多填写 60 个字符"), ("bad\x07name", "看不见的控制字符")],
)
def test_a_bad_department_name_gets_a_clear_message_and_writes_nothing(db, world, login_as, name, message):
    street = login_as(world.street_admin)
    page = f"/manage/streets/{world.street.slug}/departments/"
    before = db.session.scalar(sa.select(sa.func.count(Department.id)))
    response = street.post(page, {"name": name}, token_from=page)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Department.id))) == before


def test_the_departments_page_links_nowhere_its_street_admin_is_refused(db, world, login_as):
    street = login_as(world.street_admin)
    page = street.get(f"/manage/streets/{world.street.slug}/departments/").get_data(as_text=True)
    assert world.department.name in page
    for link in set(re.findall(r'href="(/manage/[^"]+)"', page)):
        assert street.get(link).status_code == 200, link


def test_appointing_on_the_page_explains_a_wrong_person_or_department(db, world, factory, login_as):
    other = departments.create_department(world.other_street_admin, world.other_street, "水务科")
    person = factory.user(username="deptpage")
    db.session.commit()
    street = login_as(world.street_admin)
    page = f"/manage/streets/{world.street.slug}/departments/"
    url = page + "members"
    for data, message in [
        ({"username": "nobody-here", "department": world.department.id}, "没有这个用户名"),
        ({"username": person.username, "department": other.id}, "没有这个部门"),
    ]:
        response = street.post(url, data, token_from=page)
        assert response.status_code == 404 and message in response.get_data(as_text=True)
    assert person.id not in departments.members_of(other.id)
    assert street.post(url, {"username": person.username, "department": world.department.id}, token_from=page).status_code == 302
    assert person.id in departments.members_of(world.department.id)
