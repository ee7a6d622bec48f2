"""Demo 报到, activities past and upcoming, and micro-wishes, made through the services."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from consult.activities import checkin, party as parties, planning, queries, signups, wishes
from consult.core import clock


def seed(world: dict) -> None:
    community, worker, party, resident = world["community"], world["worker"], world["party"], world["resident"]
    neighbours = world["residents"]
    real_now = clock.now()
    frozen = clock.frozen_at()  # put back as it was: running in production, frozen in a test

    def at(days_ago: float):
        clock.set_now(real_now - timedelta(days=days_ago))

    def daytime(days: int, hour: int):
        """``days`` from today (negative: ago) at ``hour`` o'clock in the site's time zone, as UTC."""
        day = clock.local(real_now).date() + timedelta(days=days)
        return datetime.combine(day, time(hour), tzinfo=clock.site_zone()).astimezone(UTC)

    try:
        # 报到: the demo party member and two neighbours (one still waiting).
        at(100)
        registration = parties.register_party_member(party, community, work_unit="区税务局", party_branch="机关第一党支部")
        parties.confirm_registration(worker, registration)
        other = parties.register_party_member(neighbours[8], community, work_unit="市第一医院", party_branch="医院第三党支部")
        parties.confirm_registration(worker, other)
        at(1)
        parties.register_party_member(neighbours[9], community, work_unit="区教育局", party_branch="机关第二党支部")

        # Past activities with check-ins and confirmed minutes.
        for days_ago, title, kind, hours, hour in (
            (50, "敬老院陪伴服务", "party", 2, 9),
            (20, "楼道杂物清理", "volunteer", 3, 14),
        ):
            at(days_ago + 5)
            starts = daytime(-days_ago, hour)
            activity = planning.create_activity(
                worker,
                community,
                title=title,
                description="欢迎居民和在职党员参加。",
                kind=kind,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                place="社区活动中心",
                capacity=10,
                points_per_hour=10,
            )
            for person in [party, neighbours[8], resident]:
                signups.sign_up(person, activity)
            clock.set_now(activity.starts_at + timedelta(minutes=2))
            for person in [party, neighbours[8]]:
                checkin.check_in(person, activity, checkin.checkin_code(activity))
            checkin.mark_attendance(worker, activity, resident)
            clock.set_now(activity.ends_at + timedelta(hours=1))
            for attendance_user in (party, neighbours[8], resident):
                attendance = queries.attendance_of(attendance_user, activity)
                assert attendance is not None  # checked in or marked just above
                checkin.confirm_minutes(worker, activity, attendance, checkin.suggested_minutes(activity, attendance) - 5)

        # Upcoming: one with places, one full with a waitlist, one for party members only.
        at(2)
        planning.create_activity(
            worker,
            community,
            title="社区议事会：加装电梯",
            description="讨论 5 号楼加装电梯方案。",
            kind="meeting",
            starts_at=daytime(3, 15),
            ends_at=daytime(3, 17),
            place="居委会会议室",
            capacity=30,
            points_per_hour=5,
        )
        planning.create_activity(  # a drill (演练) earns points like any activity (docs/safety.md)
            worker,
            community,
            title="汛期应急疏散演练",
            description="演练暴雨预警时的楼栋疏散和沙袋封堵地下车库入口。",
            kind="drill",
            starts_at=daytime(4, 9),
            ends_at=daytime(4, 11),
            place="社区广场",
            capacity=40,
            points_per_hour=10,
        )
        full = planning.create_activity(
            worker,
            community,
            title="周末义务理发",
            description="为老人义务理发。",
            kind="volunteer",
            starts_at=daytime(5, 9),
            ends_at=daytime(5, 12),
            place="社区活动中心",
            capacity=2,
            points_per_hour=10,
        )
        for person in neighbours[:4]:
            signups.sign_up(person, full)
        planning.create_activity(
            worker,
            community,
            title="在职党员垃圾分类督导",
            description="早高峰垃圾分类督导。",
            kind="party",
            starts_at=daytime(7, 8),
            ends_at=daytime(7, 10),
            place="东门垃圾站",
            capacity=6,
            points_per_hour=15,
            party_only=True,
        )

        # Micro-wishes in several states.
        at(30)
        done = wishes.post_wish(neighbours[0], community, title="帮忙更换厨房灯泡", description="老人独居，够不着。")
        wishes.approve_wish(worker, done)
        wishes.claim_wish(party, done)
        at(28)
        wishes.fulfil_wish(party, done)
        wishes.confirm_wish(neighbours[0], done, "satisfied", "很及时，谢谢！")
        at(6)
        claimed = wishes.post_wish(neighbours[1], community, title="陪同去医院复查", description="下周二上午。")
        wishes.approve_wish(worker, claimed)
        wishes.claim_wish(neighbours[8], claimed)
        at(3)
        wishes.approve_wish(worker, wishes.post_wish(neighbours[2], community, title="代取药品", description="每月一次。"))
        at(0.5)
        wishes.post_wish(resident, community, title="帮忙调试电视机顶盒", description="换了新机顶盒不会用。")
    finally:
        clock.set_now(frozen)
