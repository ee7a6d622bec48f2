"""Demo requests in every state, two of them overdue, one solved by a department and one waiting at
one, made through the services at past moments."""

from __future__ import annotations

import io
from datetime import UTC, datetime, time, timedelta

from PIL import Image, ImageDraw

from consult.core import clock
from consult.requests import reporting, services


def _photo(colour: str) -> bytes:
    """A small drawn picture (a demo has no real photos)."""
    image = Image.new("RGB", (480, 360), colour)
    ImageDraw.Draw(image).rectangle((140, 90, 340, 270), outline="white", width=8)
    out = io.BytesIO()
    image.save(out, format="JPEG")
    return out.getvalue()


def seed(world: dict) -> None:
    community, worker, resident, party = world["community"], world["worker"], world["resident"], world["party"]
    neighbours = world["residents"]
    street_admin = world["street_admin"]
    real_now = clock.now()
    frozen = clock.frozen_at()

    def daytime(days_ago: int, hour: int) -> None:
        """Move the clock to ``hour`` o'clock, ``days_ago`` days ago, in the site's time zone."""
        day = clock.local(real_now).date() - timedelta(days=days_ago)
        clock.set_now(datetime.combine(day, time(hour), tzinfo=clock.site_zone()).astimezone(UTC))

    def report(person, days_ago: int, hour: int, category: str, description: str, building: str, **extra):
        daytime(days_ago, hour)
        return reporting.report(person, community, category=category, description=description, building=building, **extra)

    def later(hours: float) -> None:
        clock.advance(timedelta(hours=hours))

    try:
        # Closed: reported, answered, solved, confirmed "satisfied", closed.
        lift = report(resident, 20, 9, "repairs", "3号楼2单元电梯停在5楼不动了。", "3", unit="2", photos=[_photo("steelblue")])
        later(1)
        services.accept(worker, lift, "已电话联系居民，通知物业维修。")
        later(26)
        services.resolve(worker, lift, "物业已更换电梯控制板，运行正常。", photos=[_photo("seagreen")])
        later(5)
        services.confirm(resident, lift, solved=True, level="satisfied")
        later(24)
        services.close(worker, lift)

        # Confirmed by a call-back (回访): 基本满意.
        noise = report(neighbours[0], 12, 21, "noise", "楼上每晚十点后装修，影响休息。", "1", may_call=True)
        daytime(11, 9)
        services.accept(worker, noise, "已上门了解情况。")
        later(30)
        services.resolve(worker, noise, "已与装修住户沟通，约定晚上八点后停工。")
        later(48)
        services.call_back(worker, noise, solved=True, level="basically", note="回访：基本解决，偶尔还有声响。")

        # Escalated to the street, which sent it back with what to do; now in progress.
        parking = report(neighbours[1], 6, 10, "parking", "小区东门消防通道常年被车辆占用。", "6")
        later(1.5)
        services.accept(worker, parking, "已现场查看。")
        later(2)
        services.escalate(worker, parking, "需要街道协调城管和交警。")
        later(20)
        services.send_back(street_admin, parking, "已协调交警每周巡查，请社区设置提示牌。")

        # Escalated and held by the street now.
        facade = report(neighbours[2], 3, 11, "safety", "2号楼外墙瓷砖松动，有掉落危险。", "2")
        later(0.5)
        services.accept(worker, facade, "已拉警戒线。")
        services.escalate(worker, facade, "需要街道协调房屋安全鉴定。")

        # 街道吹哨、部门报到: passed to the street, handed to 城管执法队, which took it up and solved it;
        # the worker's call-back recorded 基本满意. Its page shows every hand-over and who held it.
        (enforcement, enforcer), (housing, _) = world["departments"]
        stalls = report(neighbours[7], 10, 9, "sanitation", "小区南门外流动摊贩占道经营，晚上堵住人行道。", "1")
        later(1)
        services.accept(worker, stalls, "已电话联系居民，到南门现场核实。")
        later(2)
        services.escalate(worker, stalls, "占道经营需要执法，请街道协调城管。")
        later(3)
        services.dispatch(street_admin, stalls, enforcement, "请城管执法队处理南门占道经营。")
        later(1)
        services.accept(enforcer, stalls, "已到南门查看，联系了摊主。")
        later(22)
        services.resolve(enforcer, stalls, "已劝离占道摊贩，南门设为每晚巡查点。")
        later(24)
        services.call_back(worker, stalls, solved=True, level="basically", note="回访：摊贩不再占道，基本满意，希望继续巡查。")
        later(2)
        services.close(worker, stalls)

        # Resolved, waiting for the resident's answer.
        light = report(party, 4, 15, "repairs", "5号楼楼道声控灯坏了。", "5")
        later(1)
        services.accept(worker, light)
        later(20)
        services.resolve(worker, light, "已更换声控灯。")

        # Merged with the lift request; out of scope with where to go instead.
        again = report(neighbours[3], 20, 10, "repairs", "电梯又坏了，困在楼里。", "3", unit="2")
        services.merge(worker, again, lift)
        subsidy = report(neighbours[4], 2, 14, "policy", "想问残疾人两项补贴怎么申请。", "4")
        services.out_of_scope(worker, subsidy, "补贴由街道残联办理。", "街道便民服务中心二楼残联窗口，工作日9:00–17:00。")

        # Overdue: one never answered (reported yesterday afternoon), one not solved in seven days.
        report(neighbours[5], 1, 14, "sanitation", "垃圾分类点的厨余垃圾桶满了没人清。", "4")
        stuck = report(neighbours[6], 9, 9, "property", "地下车库漏水，车位上积水。", "B1")
        later(1)
        services.accept(worker, stuck, "已通知物业。")
        services.assign(worker, stuck, worker)
        # Passed to the street two days ago and handed to 房管所 half an hour ago: waiting for its answer.
        roof = report(neighbours[8], 2, 10, "repairs", "4号楼楼顶防水层老化，顶楼住户家里下雨就漏水。", "4")
        later(1)
        services.accept(worker, roof, "已上门查看漏水情况。")
        later(1)
        services.escalate(worker, roof, "屋面大修需要房管所安排维修资金。")
        clock.set_now(real_now - timedelta(minutes=30))
        services.dispatch(street_admin, roof, housing, "请房管所评估屋面维修。")
        # A fresh one, just reported.
        clock.set_now(real_now - timedelta(minutes=20))
        reporting.report(resident, community, category="sanitation", description="3号楼前的路灯不亮。", building="3")
    finally:
        clock.set_now(frozen)
