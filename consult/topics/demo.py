"""Demo topics in every state of the table in docs/design.md, made through the services as people would,
with the clock moved back so that windows have ended and ratings fall in past months."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from consult.core import clock
from consult.core.scales import SATISFACTION_LEVELS
from consult.extensions import db
from consult.topics import ballots, deadlines, outcomes, policy, proposals, review, settings, support, votes
from consult.topics.models import Category, VoteOption

TOPICS = [
    (
        "小区停车难，建议夜间开放临时车位",
        "晚上下班回来经常找不到车位，建议在东侧空地施划夜间临时车位。\n\n- 晚上 7 点到早上 7 点\n- 由物业登记车牌",
        "parking",
    ),
    ("3 号楼楼道灯经常不亮", "3 号楼 2 单元楼道的声控灯坏了两个月，老人晚上上下楼很不方便。", "safety"),
    ("增设垃圾分类督导员", "早晚高峰垃圾桶旁边乱丢的情况比较多，建议增设志愿督导员。", "environment"),
    ("老年食堂增加午餐品种", "老年食堂的午餐品种比较单一，希望每周能换换花样。", "elderly"),
    ("广场舞音量扰民", "晚上 9 点以后广场舞音乐还很大声，影响休息。", "culture"),
    ("加装电梯意见征集", "5 号楼居民提出加装电梯，请大家发表意见。", "property"),
    ("小区东门增设快递柜", "东门附近没有快递柜，取件要绕到西门。", "other"),
    ("健身器材维修", "中心花园的两台健身器材坏了。", "culture"),
    ("绿化带改造方案选择", "居委会征集绿化带改造方案，请在三个方案中选择。", "environment"),
    ("宠物粪便清理倡议", "倡议遛狗时随手清理。", "environment"),
    ("周末便民理发服务", "希望每月组织一次便民理发。", "elderly"),
]


def _category(key: str) -> int:
    return db.session.scalar(sa.select(Category.id).where(Category.key == key))


def seed(world: dict) -> None:
    """Topics for the first community; ``world`` holds the demo users by username and the community."""
    community, worker = world["community"], world["worker"]
    residents = world["residents"]
    real_now = clock.now()
    frozen = clock.frozen_at()  # put back as it was: running in production, frozen in a test

    def at(days_ago: float):
        clock.set_now(real_now - timedelta(days=days_ago))

    def propose(index: int, author, submit=True):
        title, body, key = TOPICS[index]
        return proposals.propose(author, community, title=title, body=body, category_id=_category(key), submit=submit)

    def options(topic):
        vote_id = policy.vote_of(topic).id
        return list(
            db.session.scalars(sa.select(VoteOption.id).where(VoteOption.vote_id == vote_id).order_by(VoteOption.position))
        )

    try:
        settings.ensure_default_categories()
        settings.update_settings(worker, community, threshold_kind="count", threshold_value=5, support_days=14)
        resident, party = world["resident"], world["party"]

        # A draft and one waiting for review.
        at(1)
        propose(10, resident, submit=False)
        at(0.5)
        propose(6, party)
        # Rejected, withdrawn.
        at(20)
        rejected = propose(9, residents[0])
        at(19)
        review.reject(worker, rejected, "属于文明倡议，已转交物业张贴。")
        withdrawn = propose(7, residents[1])
        proposals.withdraw(residents[1], withdrawn)
        # Collecting support, with a few supports.
        at(3)
        collecting = propose(2, resident)
        review.approve(worker, collecting)
        for person in residents[:3]:
            support.support(person, collecting)
        # Not enough support: the window ended three weeks ago.
        at(40)
        lapsed = propose(4, residents[2])
        review.approve(worker, lapsed)
        support.support(residents[3], lapsed)
        # Ready for a vote through supports.
        at(10)
        ready = propose(3, residents[3])
        review.approve(worker, ready)
        for person in [resident, party] + residents[4:7]:
            support.support(person, ready)
        # A vote scheduled for tomorrow (committee-initiated).
        at(2)
        scheduled = proposals.propose(worker, community, title=TOPICS[5][0], body=TOPICS[5][1], category_id=_category("property"))
        review.send_to_vote(worker, scheduled)
        votes.schedule_vote(
            worker,
            scheduled,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="household",
            opens_at=real_now + timedelta(days=1),
            closes_at=real_now + timedelta(days=8),
            quorum_percent=50,
            live_results=False,
        )
        # Voting now: the topic's own choices, with live results.
        at(4)
        voting = proposals.propose(worker, community, title=TOPICS[8][0], body=TOPICS[8][1], category_id=_category("environment"))
        review.send_to_vote(worker, voting)
        votes.schedule_vote(
            worker,
            voting,
            kind="choices",
            options=["方案一：草坪", "方案二：花境", "方案三：菜园"],
            max_choices=1,
            scope="resident",
            opens_at=real_now - timedelta(days=3),
            closes_at=real_now + timedelta(days=4),
            quorum_percent=None,
            live_results=True,
        )
        choice = options(voting)
        for i, person in enumerate(residents[:6]):
            at(3 - i * 0.3)
            ballots.cast_ballot(person, voting, [choice[i % 3]])
        # Closed, waiting for its outcome.
        at(25)
        closed = propose(1, party)
        review.send_to_vote(worker, closed)
        votes.schedule_vote(
            worker,
            closed,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="resident",
            opens_at=real_now - timedelta(days=24),
            closes_at=real_now - timedelta(days=2),
            quorum_percent=30,
            live_results=False,
        )
        for i, person in enumerate([resident] + residents[:5]):
            at(20 - i)
            ballots.cast_ballot(person, closed, [options(closed)[0 if i % 4 else 1]])
        # Outcome published and done, rated over two months; and one still in progress.
        at(70)
        done = propose(0, resident)
        review.approve(worker, done)
        for person in [party] + residents[:4]:
            support.support(person, done)
        votes.schedule_vote(
            worker,
            done,
            kind="yes_no",
            options=None,
            max_choices=1,
            scope="resident",
            opens_at=real_now - timedelta(days=68),
            closes_at=real_now - timedelta(days=61),
            quorum_percent=None,
            live_results=False,
        )
        for i, person in enumerate([resident, party] + residents[:8]):
            at(67 - i * 0.5)
            ballots.cast_ballot(person, done, [options(done)[0 if i % 5 else 2]])
        at(60)
        deadlines.settle(done)
        outcome = outcomes.publish_outcome(
            worker,
            done,
            decision="同意在东侧空地施划 20 个夜间临时车位。",
            responsible="物业服务中心",
            actions="1. 施划车位\n2. 设置告示牌\n3. 物业登记车牌",
            due_date=(real_now - timedelta(days=30)).date(),
        )
        at(45)
        outcomes.add_progress(worker, outcome, status="in_progress", note="车位已施划一半。")
        at(33)
        outcomes.add_progress(worker, outcome, status="done", note="20 个车位全部施划完成，告示牌已设置。")
        good, fair, poor = SATISFACTION_LEVELS
        levels = [good, good, fair, poor, good, fair, good]
        for i, person in enumerate([resident, party] + residents[:5]):
            at(32 - i * 4)
            outcomes.rate(person, outcome, levels[i], "车位够用了" if i == 0 else None)
        clock.set_now(frozen)
        deadlines.settle_due()
    finally:
        clock.set_now(frozen)
