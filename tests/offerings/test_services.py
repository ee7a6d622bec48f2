"""The service list through its services, without HTTP: every rule, and bad input writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from consult.core.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from consult.offerings import hours as hours_rules, neighbours, providers, queries, services
from consult.offerings.models import NeighbourLink, Provider, Service, ServiceHours
from consult.offerings.policy import ServicePolicy
from consult.places import queries as places
from consult.places.models import StaffAppointment
from tests.test_registry import database_rows


def fields(**overrides) -> services.ServiceFields:
    values = {"kind": "welfare", "title": "老年人助浴", "place": "社区服务中心一楼", "hours": week("08:00-12:00")}
    return services.ServiceFields(**(values | overrides))


def week(text: str, days=range(7)) -> list[hours_rules.Interval]:
    return [i for d in days for i in hours_rules.parse_day(d, text)]


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# --- providers -------------------------------------------------------------------------------


def test_the_committee_adds_confirms_and_ends_a_provider(db, world, factory):
    provider = providers.create_provider(world.worker, world.a, "organisation", "夕阳红志愿队", "010-6512 3456")
    assert provider in queries.providers_of(world.a.id)
    service = services.add_service(world.worker, provider, fields())
    assert ServicePolicy(service).state == "hidden"  # waits for the provider's confirmation
    assert service not in [r.service for _b, rows in queries.service_list(world.a).groups for r in rows]
    providers.confirm_provider(world.worker, provider)
    assert ServicePolicy(service).state == "listed"
    helper = factory.user()
    providers.appoint_staff(world.worker, provider, helper)
    assert provider.id in places.roles_of(helper).provider_of
    providers.end_provider(world.worker, provider)
    assert ServicePolicy(service).state == "ended"
    places.forget_roles()
    assert provider.id not in places.roles_of(helper).provider_of  # the staff appointment ended with it


def test_only_the_committee_adds_and_confirms_providers(db, world):
    for person in (world.resident, world.other_worker, world.provider_staff, world.other_street_admin):
        with pytest.raises(PermissionDenied):
            providers.create_provider(person, world.a, "unit", "某公司")
    pending = providers.create_provider(world.street_admin, world.a, "unit", "某公司")
    for person in (world.resident, world.other_worker, world.provider_staff):
        with pytest.raises(PermissionDenied):
            providers.confirm_provider(person, pending)
    providers.confirm_provider(world.worker, pending)
    with pytest.raises(Conflict):
        providers.confirm_provider(world.worker, pending)


@pytest.mark.parametrize(
    "kind, name, phone, field",
    [
        ("unit", "", None, "name"),
        ("unit", "x" * 61, None, "name"),
        ("shop", "小卖部", None, "kind"),
        ("unit", "小卖部", "call me", "phone"),
    ],
)
def test_a_bad_provider_is_refused_on_its_field(db, world, kind, name, phone, field):
    with pytest.raises(RuleViolation) as refused:
        providers.create_provider(world.worker, world.a, kind, name, phone)
    assert refused.value.field == field


def test_a_provider_name_is_unique_in_its_community(db, world):
    with pytest.raises(Conflict):
        providers.create_provider(world.worker, world.a, "unit", world.provider.name)
    providers.create_provider(world.other_worker, world.b, "unit", world.provider.name)  # another community may


def test_staff_are_appointed_only_to_a_confirmed_provider_and_once(db, world, factory):
    pending = providers.create_provider(world.worker, world.a, "unit", "某诊所")
    with pytest.raises(Conflict):
        providers.appoint_staff(world.worker, pending, factory.user())
    with pytest.raises(Conflict):
        providers.appoint_staff(world.worker, world.provider, world.provider_staff)  # already
    with pytest.raises(PermissionDenied):
        providers.appoint_staff(world.other_worker, world.provider, factory.user())


def test_the_committee_ends_a_staff_appointment_of_its_provider_only(db, world):
    appointment = db.session.scalar(sa.select(StaffAppointment).where(StaffAppointment.user_id == world.provider_staff.id))
    other = providers.create_provider(world.worker, world.a, "unit", "另一家")
    providers.confirm_provider(world.worker, other)
    with pytest.raises(RuleViolation):
        providers.end_staff(world.worker, other, appointment.id)
    with pytest.raises(PermissionDenied):
        providers.end_staff(world.other_worker, world.provider, appointment.id)
    providers.end_staff(world.worker, world.provider, appointment.id)
    assert appointment.ended_at is not None


# --- services ----------------------------------------------------------------------------------


def test_a_provider_staff_member_keeps_only_their_own_providers_services(db, world, factory):
    own = services.add_service(world.provider_staff, world.provider, fields(title="家庭医生签约"))
    services.edit_service(world.provider_staff, own, fields(title="家庭医生签约（周末）"))
    assert own.title == "家庭医生签约（周末）" and own.updated_by_id == world.provider_staff.id
    other = factory.provider(world.a, name="另一家")
    theirs = factory.service(other)
    with pytest.raises(PermissionDenied):
        services.add_service(world.provider_staff, other, fields())
    with pytest.raises(PermissionDenied):
        services.edit_service(world.provider_staff, theirs, fields())
    with pytest.raises(PermissionDenied):
        services.withdraw_service(world.provider_staff, theirs)
    for person in (world.resident, world.other_worker, world.department_member):
        with pytest.raises(PermissionDenied):
            services.edit_service(person, own, fields())


def test_a_withdrawn_service_leaves_the_list_and_cannot_be_edited(db, world, factory):
    service = factory.service(world.provider)
    services.withdraw_service(world.worker, service)
    assert ServicePolicy(service).state == "withdrawn"
    assert service.id not in [r.service.id for _b, rows in queries.service_list(world.a).groups for r in rows]
    with pytest.raises(Conflict):
        services.edit_service(world.worker, service, fields())
    with pytest.raises(NotFound):
        ServicePolicy(service).require("view", world.resident)
    ServicePolicy(service).require("view", world.worker)  # the committee still sees it


def test_editing_replaces_the_weekly_pattern_and_closed_days(db, world, factory):
    service = factory.service(world.provider)
    services.edit_service(world.worker, service, fields(hours=week("22:00-02:00+1", [4]), closed_days=[date(2027, 1, 1)] * 2))
    db.session.expire_all()
    service = queries.service_or_404(service.id)
    assert [(h.weekday, h.opens, h.closes, h.overnight) for h in service.hours] == [(4, 1320, 120, True)]
    assert [d.day for d in service.closed_days] == [date(2027, 1, 1)]


BAD_FIELDS = [
    ({"hours": [hours_rules.Interval(0, 600, 540)]}, "hours_mon"),  # ends before it starts, not overnight
    ({"hours": week("08:00-12:00", [2]) + week("11:00-13:00", [2])}, "hours_wed"),  # overlapping
    ({"hours": [hours_rules.Interval(0, 1320, 120, True), hours_rules.Interval(1, 60, 180)]}, "hours_mon"),  # into Tuesday
    ({"hours": [hours_rules.Interval(7, 480, 600)]}, "hours_mon"),  # more than seven days
    ({"title": ""}, "title"),
    ({"title": "x" * 81}, "title"),
    ({"place": ""}, "place"),
    ({"kind": "massage"}, "kind"),
    ({"walk_minutes": 121}, "walk_minutes"),
    ({"walk_minutes": -1}, "walk_minutes"),
    ({"price_kind": "fixed", "price_fen": None}, "price"),
    ({"price_kind": "fixed", "price_fen": 0}, "price"),
    ({"price_kind": "barter"}, "price_kind"),
    ({"phone": "ring ring"}, "phone"),
    ({"hours_note": "第一行\n第二行"}, "hours_note"),
    ({"description": "x\u202ey"}, "description"),
    ({"closed_days": [date(2027, 1, 1) + (date(2027, 1, 2) - date(2027, 1, 1)) * n for n in range(121)]}, "closed_days"),
]


@pytest.mark.parametrize("overrides, field", BAD_FIELDS)
def test_bad_input_is_refused_on_its_field_and_nothing_is_written(db, world, overrides, field):
    db.session.commit()
    before = database_rows(db.session)
    with pytest.raises(RuleViolation) as refused:
        services.add_service(world.worker, world.provider, fields(**overrides))
    db.session.rollback()
    assert refused.value.field == field and refused.value.message
    assert database_rows(db.session) == before


def test_the_message_of_bad_hours_says_which_and_how_to_mark_overnight(db, world):
    with pytest.raises(RuleViolation) as refused:
        services.add_service(world.worker, world.provider, fields(hours=[hours_rules.Interval(0, 1320, 120)]))
    assert "22:00" in refused.value.message and "+1" in refused.value.message


def test_a_fixed_price_is_kept_and_other_prices_drop_the_amount(db, world):
    fixed = services.add_service(world.worker, world.provider, fields(price_kind="fixed", price_fen=1250))
    free = services.add_service(world.worker, world.provider, fields(price_kind="free", price_fen=1250))
    assert (fixed.price_fen, free.price_fen) == (1250, None)


# --- the 15-minute circle ------------------------------------------------------------------------


def test_neighbours_services_within_fifteen_minutes_join_the_list_grouped_by_minutes(db, world, factory):
    own = factory.service(world.provider, title="本社区服务", walk_minutes=12)
    b_provider = factory.provider(world.b, name="杏花社区食堂")
    near = factory.service(b_provider, title="老年餐桌", walk_minutes=3)  # 6 + 3 = 9
    edge = factory.service(b_provider, title="理发", walk_minutes=9)  # 6 + 9 = 15
    far = factory.service(b_provider, title="维修", walk_minutes=10)  # 16: outside
    neighbours.link_neighbour(world.worker, world.a, world.b, 6)
    listing = queries.service_list(world.a)
    groups = {band: [(r.service.id, r.minutes) for r in rows] for band, rows in listing.groups}
    assert groups == {10: [(near.id, 9)], 15: [(own.id, 12), (edge.id, 15)]}
    assert far.id not in [sid for rows in groups.values() for sid, _m in rows]
    # one direction: b's list does not show a's services until b's committee links a
    assert own.id not in [r.service.id for _b, rows in queries.service_list(world.b).groups for r in rows]


def test_linking_again_changes_the_minutes(db, world):
    neighbours.link_neighbour(world.worker, world.a, world.b, 6)
    neighbours.link_neighbour(world.worker, world.a, world.b, 14)
    assert [link.walk_minutes for link, _c in queries.neighbour_links(world.a.id)] == [14]


@pytest.mark.parametrize("minutes", [0, 16, None])
def test_a_neighbour_outside_the_circle_is_refused(db, world, minutes):
    with pytest.raises(RuleViolation) as refused:
        neighbours.link_neighbour(world.worker, world.a, world.b, minutes)
    assert refused.value.field == "walk_minutes"
    assert count(db, NeighbourLink) == 0


def test_only_the_committee_links_and_never_itself(db, world):
    with pytest.raises(PermissionDenied):
        neighbours.link_neighbour(world.other_worker, world.a, world.b, 5)
    with pytest.raises(PermissionDenied):
        neighbours.link_neighbour(world.provider_staff, world.a, world.b, 5)
    with pytest.raises(RuleViolation):
        neighbours.link_neighbour(world.worker, world.a, world.a, 5)
    link = neighbours.link_neighbour(world.worker, world.a, world.b, 5)
    with pytest.raises(PermissionDenied):
        neighbours.unlink_neighbour(world.resident, world.a, link.id)
    with pytest.raises(RuleViolation):
        neighbours.unlink_neighbour(world.other_worker, world.b, link.id)  # not b's link
    neighbours.unlink_neighbour(world.worker, world.a, link.id)
    assert count(db, NeighbourLink) == 0


def test_open_now_filter_keeps_only_open_services(db, world, factory, clock):
    clock.set(2026, 12, 1, 2, 0)  # Tuesday 10:00 in Beijing
    morning = factory.service(world.provider, title="上午", hours="08:00-12:00")
    evening = factory.service(world.provider, title="晚上", hours="18:00-21:00")
    rows = [r for _b, rs in queries.service_list(world.a, open_now=True).groups for r in rs]
    assert [r.service.id for r in rows] == [morning.id]
    everything = {r.service.id: r for _b, rs in queries.service_list(world.a).groups for r in rs}
    assert everything[evening.id].next_opening.hour == 18 and not everything[evening.id].open_now


def test_the_list_reads_a_fixed_number_of_statements(db, world, factory, count_queries):
    for n in range(6):
        factory.service(world.provider, title=f"服务{n}")
    neighbours.link_neighbour(world.worker, world.a, world.b, 5)
    factory.service(factory.provider(world.b), title="邻居服务")
    db.session.commit()
    db.session.expire_all()
    with count_queries() as q:
        listing = queries.service_list(world.a)
    # the community (expired above), its links, the services, their hours, their closed days: never one per service
    assert listing.count == 7 and q.count <= 5, q.statements


def test_service_hours_rows_exist_per_interval(db, world, factory):
    service = factory.service(world.provider, hours="08:00-12:00, 14:00-17:00")
    assert db.session.scalar(sa.select(sa.func.count()).where(ServiceHours.service_id == service.id)) == 14
    assert db.session.get(Service, service.id).provider_id == world.provider.id
    assert db.session.get(Provider, world.provider.id).confirmed_at is not None
