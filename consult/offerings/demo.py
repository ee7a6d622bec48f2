"""Demo service list: providers of each kind in 和平社区, services with hours (some open at any hour,
one overnight, one with closed days), a provider waiting for confirmation, the neighbour 杏花社区
six minutes away with services inside and outside the 15-minute circle, and the provider staff
account ``provider`` (卫生服务站)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from consult.accounts.models import User
from consult.core import clock
from consult.extensions import db
from consult.offerings import appointment_demo, hours as hours_rules, neighbours, providers, services
from consult.offerings.services import ServiceFields
from consult.places import queries as places

WEEKDAYS_ONLY = range(5)
EVERY_DAY = range(7)


def _week(text: str, days=EVERY_DAY) -> list[hours_rules.Interval]:
    return [i for d in days for i in hours_rules.parse_day(d, text)]


def _holidays() -> list[date]:
    """The coming New Year's Day and National Day (closed days in the future, whatever the date)."""
    today = clock.local_now().date()
    days = [date(today.year + 1, 1, 1), date(today.year, 10, 1)]
    return [d if d >= today else d.replace(year=d.year + 1) for d in days]


def seed(world: dict, make_user: Callable) -> None:
    community, worker = world["community"], world["worker"]
    committee = providers.create_provider(worker, community, "committee", "和平社区居委会", "010-6512 0001")
    volunteers = providers.create_provider(worker, community, "organisation", "夕阳红志愿服务队")
    clinic = providers.create_provider(worker, community, "unit", "和平社区卫生服务站", "010-6512 0120")
    school = providers.create_provider(worker, community, "unit", "和平小学")
    providers.create_provider(worker, community, "organisation", "书法兴趣协会")  # waits for confirmation
    for provider in (committee, volunteers, clinic, school):
        providers.confirm_provider(worker, provider)
    staff, _created = make_user("provider", "卫生服务站 李医生")
    providers.appoint_staff(worker, clinic, staff)

    add = services.add_service
    add(worker, committee, ServiceFields(
        kind="government", title="居住证明开具", place="社区服务中心一楼政务窗口",
        description="为辖区居民开具居住证明，**当场办结**。", bring="身份证、户口本或房屋租赁合同",
        hours=_week("08:30-12:00, 14:00-17:30", WEEKDAYS_ONLY), closed_days=_holidays(),
        hours_note="法定节假日不办公", phone="010-6512 0001",
    ))  # fmt: skip
    add(worker, committee, ServiceFields(
        kind="convenience", title="24小时自助服务终端", place="社区服务中心门厅",
        description="打印证明、查询积分、报告问题。", hours=_week("00:00-24:00"),
    ))  # fmt: skip
    add(worker, volunteers, ServiceFields(
        kind="welfare", title="卧床老人上门理发", place="居民家中", walk_minutes=5,
        description="为行动不便的老人上门理发，请提前一天预约。", price_kind="fixed", price_fen=1000,
        hours=_week("09:00-11:30", [5]), takes_appointments=True, phone="139 0000 0002",
    ))  # fmt: skip
    add(worker, volunteers, ServiceFields(
        kind="safety", title="平安志愿巡逻", place="各楼栋", description="夜间巡逻，发现问题可随时联系。",
        hours=_week("19:00-07:00+1"), phone="139 0000 0003",
    ))  # fmt: skip
    doctor = add(staff, clinic, ServiceFields(
        kind="welfare", title="家庭医生签约", place="卫生服务站二楼", walk_minutes=4, takes_appointments=True,
        bring="身份证、医保卡", hours=_week("08:00-12:00, 13:30-17:00", range(6)), phone="010-6512 0120",
    ))  # fmt: skip
    add(worker, school, ServiceFields(
        kind="welfare", title="课后托管", place="和平小学多功能厅", walk_minutes=8, price_kind="ask",
        hours=_week("15:30-18:00", WEEKDAYS_ONLY),
    ))  # fmt: skip
    _neighbour(world, worker)
    appointment_demo.seed(world, doctor, staff)


def _neighbour(world: dict, worker) -> None:
    """杏花社区, six minutes away: its canteen and parcel station are in the circle, its repair shop is not."""
    community = world["community"]
    xinghua = next(c for c in places.communities_of_street(community.street_id) if c.name == "杏花社区")
    their_worker = db.session.get_one(User, places.workers_of(xinghua.id)[0].user_id)
    canteen = providers.create_provider(their_worker, xinghua, "organisation", "杏花社区老年食堂")
    repairs = providers.create_provider(their_worker, xinghua, "unit", "杏花家电维修部")
    for provider in (canteen, repairs):
        providers.confirm_provider(their_worker, provider)
    services.add_service(their_worker, canteen, ServiceFields(
        kind="convenience", title="老年餐桌", place="杏花社区服务中心", walk_minutes=3, price_kind="fixed", price_fen=1200,
        hours=_week("11:00-13:00, 17:00-19:00"),
    ))  # fmt: skip
    services.add_service(their_worker, canteen, ServiceFields(
        kind="convenience", title="快递代收", place="杏花社区南门", walk_minutes=5, hours=_week("07:00-22:00"),
    ))  # fmt: skip
    services.add_service(their_worker, repairs, ServiceFields(
        kind="convenience", title="家电维修", place="杏花路18号", walk_minutes=12, price_kind="ask",
        hours=_week("09:00-18:00", range(6)),
    ))  # fmt: skip
    neighbours.link_neighbour(worker, community, xinghua, 6)
