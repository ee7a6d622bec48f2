"""Seed a benchmark database: one street, one community of ~2000 confirmed residents, ~5000
topics in every status of the table in docs/design.md, and one "big" topic open for voting with ~1500
comments (with replies) and ~1500 secret ballots.

Rows go in with SQLAlchemy Core bulk inserts, built so that everything the services keep in
step stays in step: Topic.support_count / comment_count / ballot_count and Vote.ballot_count
equal the rows behind them, Community.member_count equals the confirmed residences, every
topic's history ends in its status, ballot tokens are the services' HMAC of the voter, and no
time-driven change is due (``services.settle_due()`` finds nothing). The checks at the end
refuse to commit otherwise.

Run inside the app's environment (DATABASE_URL, SECRET_KEY, ...) on a freshly migrated
database:

    python bench/seed_topics.py --out /tmp/bench.json

It prints, and writes to ``--out`` as JSON, the community slug, the big topic's id and the
data sizes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.core.clock import now  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.places.models import Community, Residence, StaffAppointment, Street  # noqa: E402
from consult.topics import services  # noqa: E402
from consult.topics.models import (  # noqa: E402
    Ballot,
    BallotChoice,
    Category,
    Comment,
    Follow,
    Outcome,
    OutcomeRating,
    OutcomeUpdate,
    Support,
    Topic,
    TopicEvent,
    TopicSettings,
    TopicStatus,
    Vote,
    VoteOption,
    VoteParticipation,
)

S = TopicStatus
SLUG = "bench-community"
THRESHOLD = 50  # supports needed (a count), as the committee set it
SUPPORT_DAYS = 14

#: How the ~5000 topics are spread over the statuses (the big topic comes on top, in voting).
STATUS_SHARE = {
    S.DRAFT: 0.04,
    S.PENDING_REVIEW: 0.02,
    S.REJECTED: 0.06,
    S.WITHDRAWN: 0.04,
    S.COLLECTING_SUPPORT: 0.06,
    S.NOT_ENOUGH_SUPPORT: 0.30,
    S.READY_FOR_VOTE: 0.02,
    S.VOTE_SCHEDULED: 0.01,
    S.VOTING: 0.02,
    S.CLOSED: 0.03,
    S.OUTCOME_PUBLISHED: 0.40,
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁龙林欣淑建国建华志强海燕春梅晓东"
PLACES = [
    "1号楼",
    "3号楼",
    "5号楼",
    "7号楼",
    "12号楼",
    "东门",
    "西门",
    "南门",
    "北区",
    "中心花园",
    "地下车库",
    "菜市场旁",
    "幼儿园门口",
    "篮球场",
    "老年活动室",
    "物业楼",
    "2单元",
    "消防通道",
    "健身广场",
    "垃圾站",
]
TITLES = {
    "parking": [
        "{p}停车难，建议夜间开放临时车位",
        "{p}电动车乱停放问题",
        "{p}增设非机动车停车棚",
        "规范{p}机动车停车秩序",
        "{p}共享单车占道，建议划定停放区",
        "地下车库车位分配方案征求意见",
    ],
    "environment": [
        "{p}垃圾分类投放点改造",
        "{p}绿化带缺乏养护",
        "增设{p}垃圾分类督导员",
        "{p}污水井异味",
        "{p}宠物粪便清理倡议",
    ],
    "elderly": ["老年食堂增加午餐品种", "{p}加装扶手方便老人", "为独居老人开展定期探访", "{p}增设休息座椅", "周末便民理发服务"],
    "property": ["{p}加装电梯意见征集", "{p}外墙渗水维修", "物业费公示不清", "{p}门禁系统经常失灵", "{p}屋顶防水翻新"],
    "safety": ["{p}楼道灯经常不亮", "{p}消防通道被占用", "{p}增设监控探头", "{p}路面结冰防滑", "{p}电动车楼道充电隐患"],
    "culture": ["{p}广场舞音量扰民", "{p}健身器材维修", "组织社区读书会", "暑期少儿托管活动", "{p}开放乒乓球台"],
    "other": ["{p}增设快递柜", "{p}信报箱更换", "{p}公告栏更新不及时", "{p}增设便民雨伞架", "社区公众号发布信息太少"],
}
SENTENCES = [
    "这个问题已经存在很长时间了，很多邻居都有同感。",
    "晚上下班回来经常找不到车位，只能停在路边。",
    "老人和孩子出入很不方便，存在安全隐患。",
    "建议居委会和物业一起研究一个解决方案。",
    "可以先试行三个月，再根据大家的意见调整。",
    "周边小区已经有类似的做法，效果不错。",
    "希望能在下次居民议事会上讨论。",
    "费用可以从公共收益中列支，并按季度公示。",
    "停车收费标准建议公开征求意见。",
    "雨天积水严重，电动车只能推着走。",
    "物业说需要业主大会同意，请居委会协调。",
    "夜里噪音比较大，影响休息。",
    "建议设置告示牌并安排志愿者引导。",
    "我愿意参加志愿服务，帮助落实。",
]
COMMENTS = [
    "支持！",
    "同意楼主的意见。",
    "这个问题我也遇到过，希望尽快解决。",
    "我觉得可以先试点，看看效果。",
    "费用怎么分摊需要说清楚。",
    "停车位本来就紧张，这样会不会更挤？",
    "建议分时段开放。",
    "物业应该出面协调。",
    "老人多的楼栋更需要。",
    "赞成，但要注意噪音。",
    "能不能先公示一下方案细节？",
    "去年也提过，没有下文。",
    "谢谢居委会的回复。",
    "我们单元的邻居都同意。",
    "反对，理由是占用了绿地。",
    "希望投票前能开个说明会。",
]
REPLIES = ["同意你的看法。", "我补充一点：晚上更严重。", "说得对。", "这个要看具体方案。", "已经反映给物业了。", "+1"]
DECISIONS = ["同意实施，由物业负责具体落实。", "部分采纳，先行试点三个月。", "采纳居民意见，纳入年度计划。"]
RESPONSIBLE = ["物业服务中心", "居委会", "业委会", "街道城管科", "社区志愿者服务队"]


def _p(rng: random.Random, lo: float, hi: float) -> timedelta:
    return timedelta(days=rng.uniform(lo, hi))


def _between(rng: random.Random, start, end):
    if end <= start:
        return start
    return start + (end - start) * rng.random()


def insert(table, rows, returning: bool = False):
    """Bulk insert ``rows`` into ``table`` (executemany; batched VALUES on psycopg)."""
    if not rows:
        return []
    t = table.__table__
    if returning:
        return list(db.session.execute(sa.insert(t).returning(t.c.id, sort_by_parameter_order=True), rows).scalars())
    db.session.execute(sa.insert(t), rows)
    return []


class Seeder:
    def __init__(self, *, residents: int, topics: int, big_comments: int, big_ballots: int, seed: int):
        self.rng = random.Random(seed)
        self.n_residents, self.n_topics = residents, topics
        self.big_comments, self.big_ballots = big_comments, big_ballots
        self.moment = now()
        self.topics: list[dict] = []  # topic rows (without id) in insertion order
        self.plans: list[dict] = []  # per topic: events, supports, vote, outcome, comments

    # --- people and places --------------------------------------------------------------------

    def people(self) -> None:
        rng, t0 = self.rng, self.moment - timedelta(days=1600)
        street_id = insert(Street, [{"slug": "bench-street", "name": "基准街道", "created_at": t0}], returning=True)[0]
        self.community_id = insert(
            Community,
            [{"street_id": street_id, "slug": SLUG, "name": "基准社区", "member_count": self.n_residents, "created_at": t0}],
            returning=True,
        )[0]
        users = [
            {
                "username": "benchworker",
                "display_name": "居委会小周",
                "phone": "13800000000",
                "password_hash": "x",
                "language": "zh_CN",
                "large_text": False,
                "active": True,
                "created_at": t0,
            }
        ]
        for i in range(self.n_residents):
            users.append(
                {
                    "username": f"r{i:05d}",
                    "display_name": rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2)))),
                    "phone": f"139{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None,
                    "password_hash": "x",
                    "language": "zh_CN" if rng.random() < 0.95 else "en",
                    "large_text": rng.random() < 0.1,
                    "active": True,
                    "created_at": t0 + _p(rng, 1, 100),
                }
            )
        ids = insert(User, users, returning=True)
        self.worker_id, self.residents = ids[0], ids[1:]
        insert(
            StaffAppointment,
            [
                {
                    "user_id": self.worker_id,
                    "role": "worker",
                    "community_id": self.community_id,
                    "street_id": None,
                    "created_at": t0,
                }
            ],
        )
        residences, household = [], None
        for uid, user in zip(self.residents, users[1:], strict=True):
            if household is None or rng.random() < 0.4:  # ~2.5 people a household
                household = (
                    f"{rng.randint(1, 40)}号楼",
                    f"{rng.randint(1, 3)}单元",
                    f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}",
                )
            created = user["created_at"] + _p(rng, 0, 5)
            residences.append(
                {
                    "user_id": uid,
                    "community_id": self.community_id,
                    "building": household[0],
                    "unit": household[1],
                    "room": household[2],
                    "status": "confirmed",
                    "created_at": created,
                    "confirmed_at": created + _p(rng, 0.1, 3),
                    "decided_by_id": self.worker_id,
                }
            )
        insert(Residence, residences)
        db.session.add(
            TopicSettings(
                community_id=self.community_id, threshold_kind="count", threshold_value=THRESHOLD, support_days=SUPPORT_DAYS
            )
        )
        db.session.flush()
        self.categories = dict(db.session.execute(sa.select(Category.key, Category.id).where(Category.key.is_not(None))).all())
        if not self.categories:
            raise SystemExit("no default categories: run `flask db upgrade` first")
        own = insert(Category, [{"community_id": self.community_id, "name": "加装电梯", "position": 100}], returning=True)[0]
        self.category_keys = list(self.categories) + ["lift"]
        self.categories["lift"] = own

    # --- topics --------------------------------------------------------------------------------

    def text(self, key: str) -> tuple[str, str, str | None]:
        rng = self.rng
        place = rng.choice(PLACES)
        pool = TITLES.get(key, TITLES["property"])
        title = rng.choice(pool).format(p=place)
        paragraphs = ["".join(rng.sample(SENTENCES, rng.randint(2, 4))) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.3:
            paragraphs.append("\n".join(f"- {s}" for s in rng.sample(SENTENCES, 3)))
        return title, "\n\n".join(paragraphs), place if rng.random() < 0.6 else None

    def plan_topic(self, status: str, big: bool = False) -> None:
        """One topic's row and its history, timed so that nothing is left for the clock to settle."""
        rng, m, worker = self.rng, self.moment, self.worker_id
        committee = rng.random() < 0.08 and status not in (S.REJECTED, S.WITHDRAWN)
        author = worker if committee else rng.choice(self.residents)
        key = rng.choice(self.category_keys)
        title, body, place = self.text("property" if key == "lift" else key)
        if big:
            committee, author, key, place = False, self.residents[0], "parking", "地下车库"
            title = "地下车库改造与停车位重新分配方案表决"
            body = "\n\n".join("".join(rng.sample(SENTENCES, 4)) for _ in range(5))
        events: list[tuple] = []  # (from, to, actor, reason, at)
        row = {
            "community_id": self.community_id,
            "author_id": author,
            "committee_initiated": committee,
            "title": title,
            "body": body,
            "category_id": self.categories[key],
            "place": place,
            "status": status,
            "submitted_at": None,
            "decided_at": None,
            "reject_reason": None,
            "support_threshold": None,
            "support_deadline": None,
            "closes_at": None,
            "support_count": 0,
            "comment_count": 0,
            "ballot_count": 0,
        }
        plan = {"events": events, "supports": [], "vote": None, "outcome": None, "comments": 0, "big": big}

        # The committee's decision (approve / reject / straight to a vote) fixes the timeline; live
        # statuses are recent, finished ones spread over four years.
        if big:
            decided = m - timedelta(days=19)
        elif status == S.COLLECTING_SUPPORT:
            decided = m - _p(rng, 0.05, SUPPORT_DAYS - 0.1)
        elif status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING):
            decided = m - _p(rng, 12, 40)
        elif status == S.CLOSED:
            decided = m - _p(rng, 25, 60)
        elif status in (S.DRAFT, S.PENDING_REVIEW):
            decided = None
        else:
            decided = m - _p(rng, 30, 1400)
        if status == S.DRAFT:
            created = m - _p(rng, 0.05, 60)
        elif status == S.PENDING_REVIEW:
            created = m - _p(rng, 0.05, 10)
        else:
            created = decided - _p(rng, 0.1, 4)
        row["created_at"] = created
        events.append((None, S.DRAFT, author, None, created))
        if status == S.DRAFT:
            return self.add(row, plan)
        submitted = created + _p(rng, 0.0005, 0.04)
        row["submitted_at"] = submitted
        events.append((S.DRAFT, S.PENDING_REVIEW, author, None, submitted))
        plan["comment_from"] = submitted
        if status == S.PENDING_REVIEW:
            plan["comments"], plan["comment_until"] = rng.choice((0, 0, 1, 2)), m
            return self.add(row, plan)
        if status == S.REJECTED:
            reason = rng.choice(
                ["属于物业日常报修，已转交物业处理。", "与已有议题重复，请到原议题附议。", "不属于本社区议事范围。"]
            )
            row.update(decided_at=decided, reject_reason=reason)
            events.append((S.PENDING_REVIEW, S.REJECTED, worker, reason, decided))
            return self.add(row, plan)
        if status == S.WITHDRAWN and rng.random() < 0.5:
            events.append((S.PENDING_REVIEW, S.WITHDRAWN, author, None, decided))
            return self.add(row, plan)
        row["decided_at"] = decided
        voted = status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING, S.CLOSED, S.OUTCOME_PUBLISHED)
        if voted and not big and (committee or rng.random() < 0.15):
            # Sent straight to a vote by the committee (its own topics always are).
            events.append((S.PENDING_REVIEW, S.READY_FOR_VOTE, worker, None, decided))
            ready_at = decided
        else:
            deadline = decided + timedelta(days=SUPPORT_DAYS)
            row.update(support_threshold=THRESHOLD, support_deadline=deadline)
            events.append((S.PENDING_REVIEW, S.COLLECTING_SUPPORT, worker, None, decided))
            if status == S.COLLECTING_SUPPORT:
                row["closes_at"] = deadline
                self.supports(row, plan, rng.randint(0, THRESHOLD - 1), decided, m)
                plan["comments"], plan["comment_until"] = rng.randint(0, 6), m
                return self.add(row, plan)
            if status == S.WITHDRAWN:
                at = _between(rng, decided, deadline)
                self.supports(row, plan, rng.randint(0, 10), decided, at)
                events.append((S.COLLECTING_SUPPORT, S.WITHDRAWN, author, None, at))
                return self.add(row, plan)
            if status == S.NOT_ENOUGH_SUPPORT:
                self.supports(row, plan, min(THRESHOLD - 1, int(rng.expovariate(1 / 15))), decided, deadline)
                events.append((S.COLLECTING_SUPPORT, S.NOT_ENOUGH_SUPPORT, None, None, deadline))
                plan["comments"], plan["comment_until"] = rng.randint(0, 6), deadline + timedelta(days=30)
                return self.add(row, plan)
            # The support that reaches the threshold moves it to "ready for vote" (nobody's action).
            ready_at = m - timedelta(days=10) if big else _between(rng, decided + timedelta(days=1), decided + timedelta(days=9))
            self.supports(row, plan, THRESHOLD, decided, ready_at, last_at=ready_at)
            events.append((S.COLLECTING_SUPPORT, S.READY_FOR_VOTE, None, None, ready_at))
        if status == S.READY_FOR_VOTE:
            plan["comments"], plan["comment_until"] = rng.randint(0, 8), m
            return self.add(row, plan)

        # The committee set up a vote: it opens at once or later, and runs 5 to 14 days.
        scheduled_at = ready_at + _p(rng, 0.2, 2)
        if big:
            scheduled_at, opens, closes = m - timedelta(days=8), m - timedelta(days=5), m + timedelta(days=5)
        elif status == S.VOTE_SCHEDULED:
            opens = m + _p(rng, 0.5, 10)
            closes = opens + _p(rng, 5, 14)
        elif status == S.VOTING:
            opens = _between(rng, scheduled_at, m - timedelta(hours=2))
            closes = m + _p(rng, 1, 7)
        else:
            opens = scheduled_at + (timedelta(0) if rng.random() < 0.4 else _p(rng, 0.5, 3))
            closes = min(opens + _p(rng, 5, 14), m - _p(rng, 0.5, 5))
            if closes <= opens + timedelta(days=1):
                raise AssertionError("vote window too short; widen the decided range")
        if opens <= scheduled_at:
            events.append((S.READY_FOR_VOTE, S.VOTING, worker, None, scheduled_at))
            opens = scheduled_at
        else:
            events.append((S.READY_FOR_VOTE, S.VOTE_SCHEDULED, worker, None, scheduled_at))
            if status != S.VOTE_SCHEDULED:
                events.append((S.VOTE_SCHEDULED, S.VOTING, None, None, opens))
        choices = not big and rng.random() < 0.2
        plan["vote"] = {
            "kind": "choices" if choices else "yes_no",
            "max_choices": rng.choice((1, 1, 2)) if choices else 1,
            "scope": "resident",
            "opens_at": opens,
            "closes_at": closes,
            "quorum_percent": 30 if big else rng.choice((None, None, 2, 5)),
            "live_results": True if big else rng.random() < 0.3,
            "created_by_id": worker,
            "created_at": scheduled_at,
            "closed_at": None,
            "eligible_count": None,
            "ballot_count": 0,
            "options": rng.sample(["方案一", "方案二", "方案三", "方案四"], rng.randint(2, 4)) if choices else [None] * 3,
            "ballots": 0 if status == S.VOTE_SCHEDULED else (self.big_ballots if big else rng.randint(3, 60)),
        }
        if status in (S.VOTE_SCHEDULED, S.VOTING):
            row["closes_at"] = closes
            plan["comments"], plan["comment_until"] = (self.big_comments if big else rng.randint(0, 10)), m
            return self.add(row, plan)
        plan["vote"].update(closed_at=closes, eligible_count=self.n_residents)
        events.append((S.VOTING, S.CLOSED, None, None, closes))
        plan["comments"], plan["comment_until"] = rng.randint(0, 12), closes + timedelta(days=10)
        if status == S.CLOSED:
            return self.add(row, plan)
        published = min(closes + _p(rng, 1, 20), m - timedelta(hours=1))
        events.append((S.CLOSED, S.OUTCOME_PUBLISHED, worker, None, published))
        plan["outcome"] = {"published_at": published, "due": (published + _p(rng, 20, 90)).date()}
        return self.add(row, plan)

    def supports(self, row, plan, count: int, start, end, last_at=None) -> None:
        rng = self.rng
        people = rng.sample([r for r in self.residents[:1200] if r != row["author_id"]], count)
        times = sorted(_between(rng, start, end) for _ in people)
        if last_at is not None and times:
            times[-1] = last_at
        plan["supports"] = list(zip(people, times, strict=True))
        row["support_count"] = count

    def add(self, row, plan) -> None:
        self.topics.append(row)
        self.plans.append(plan)

    def all_topics(self) -> None:
        counts = {s: round(self.n_topics * share) for s, share in STATUS_SHARE.items()}
        counts[S.OUTCOME_PUBLISHED] += self.n_topics - sum(counts.values())
        statuses = [s for s, n in counts.items() for _ in range(n)]
        self.rng.shuffle(statuses)
        # Topics go in roughly oldest first, as they would have been created.
        for status in statuses:
            self.plan_topic(status)
        self.plan_topic(S.VOTING, big=True)
        order = sorted(range(len(self.topics)), key=lambda i: self.topics[i]["created_at"])
        self.topics = [self.topics[i] for i in order]
        self.plans = [self.plans[i] for i in order]
        ids = insert(Topic, self.topics, returning=True)
        for topic_id, plan in zip(ids, self.plans, strict=True):
            plan["id"] = topic_id
            if plan["big"]:
                self.big_id = topic_id
        rows, follows, supports = [], [], []
        for row, plan in zip(self.topics, self.plans, strict=True):
            for before, after, actor, reason, at in plan["events"]:
                rows.append(
                    {
                        "topic_id": plan["id"],
                        "from_status": before,
                        "to_status": after,
                        "actor_id": actor,
                        "reason": reason,
                        "created_at": at,
                    }
                )
            follows.append({"topic_id": plan["id"], "user_id": row["author_id"], "created_at": row["created_at"]})
            supports += [{"topic_id": plan["id"], "user_id": u, "created_at": at} for u, at in plan["supports"]]
        big_author = self.topics[[p["big"] for p in self.plans].index(True)]["author_id"]
        follows += [
            {"topic_id": self.big_id, "user_id": u, "created_at": self.moment - _p(self.rng, 0, 15)}
            for u in self.rng.sample([r for r in self.residents if r != big_author], 150)
        ]
        insert(TopicEvent, rows)
        insert(Follow, follows)
        insert(Support, supports)

    # --- comments --------------------------------------------------------------------------------

    def comments(self) -> None:
        rng, m = self.rng, self.moment
        tops, plans_of_top, counts = [], [], {}
        reply_plans = []
        for _row, plan in zip(self.topics, self.plans, strict=True):
            n = plan["comments"]
            if not n:
                continue
            start, end = plan["comment_from"], min(plan["comment_until"], m)
            n_replies = n // 3 if plan["big"] else sum(rng.random() < 0.3 for _ in range(n))
            n_top = max(1, n - n_replies)
            n_replies = n - n_top
            times = sorted(_between(rng, start, end) for _ in range(n_top))
            for at in times:
                author = rng.choice(self.residents) if rng.random() > 0.05 else self.worker_id
                hidden = rng.random() < 0.01
                tops.append(
                    {
                        "topic_id": plan["id"],
                        "author_id": author,
                        "parent_id": None,
                        "body": "".join(rng.sample(COMMENTS, rng.randint(1, 3))),
                        "created_at": at,
                        "edited_at": min(at + timedelta(minutes=3), m) if rng.random() < 0.05 else None,
                        "hidden_at": min(at + timedelta(hours=5), m) if hidden else None,
                        "hidden_by_id": self.worker_id if hidden else None,
                        "hidden_reason": "含有人身攻击内容。" if hidden else None,
                        "flag_count": 0,
                    }
                )
                plans_of_top.append(plan)
            reply_plans.append((plan, n_top, n_replies, end))
            counts[plan["id"]] = n
        top_ids = insert(Comment, tops, returning=True)
        by_topic: dict[int, list[tuple[int, object]]] = {}
        for cid, row in zip(top_ids, tops, strict=True):
            by_topic.setdefault(row["topic_id"], []).append((cid, row["created_at"]))
        replies = []
        for plan, _n_top, n_replies, end in reply_plans:
            parents = by_topic[plan["id"]]
            for _ in range(n_replies):
                parent_id, parent_at = rng.choice(parents)
                at = _between(rng, parent_at, min(parent_at + timedelta(days=3), end))
                replies.append(
                    {
                        "topic_id": plan["id"],
                        "author_id": rng.choice(self.residents),
                        "parent_id": parent_id,
                        "body": rng.choice(REPLIES),
                        "created_at": at,
                        "edited_at": None,
                        "hidden_at": None,
                        "hidden_by_id": None,
                        "hidden_reason": None,
                        "flag_count": 0,
                    }
                )
        insert(Comment, replies)
        for topic_id, n in counts.items():
            self.topics[self._index(topic_id)]["comment_count"] = n
        db.session.execute(
            sa.update(Topic.__table__).where(Topic.__table__.c.id == sa.bindparam("tid")).values(comment_count=sa.bindparam("n")),
            [{"tid": tid, "n": n} for tid, n in counts.items()],
        )
        self.comment_rows = len(tops) + len(replies)

    def _index(self, topic_id: int) -> int:
        if not hasattr(self, "_ids"):
            self._ids = {p["id"]: i for i, p in enumerate(self.plans)}
        return self._ids[topic_id]

    # --- votes and ballots ---------------------------------------------------------------------------

    def votes(self) -> None:
        rng = self.rng
        planned = [(plan, plan["vote"]) for plan in self.plans if plan["vote"]]
        vote_rows = [
            {k: v for k, v in spec.items() if k not in ("options", "ballots")} | {"topic_id": plan["id"]}
            for plan, spec in planned
        ]
        vote_ids = insert(Vote, vote_rows, returning=True)
        options = []
        for vid, (_plan, spec) in zip(vote_ids, planned, strict=True):
            keys = ("for", "against", "abstain")
            for i, label in enumerate(spec["options"]):
                options.append(
                    {
                        "vote_id": vid,
                        "key": keys[i] if spec["kind"] == "yes_no" else None,
                        "label": label if spec["kind"] == "choices" else None,
                        "position": i,
                    }
                )
        option_ids = insert(VoteOption, options, returning=True)
        options_of: dict[int, list[int]] = {}
        for oid, row in zip(option_ids, options, strict=True):
            options_of.setdefault(row["vote_id"], []).append(oid)
        ballots, marks, participations, counts = [], [], [], []
        for vid, (plan, spec) in zip(vote_ids, planned, strict=True):
            n = spec["ballots"]
            if not n:
                continue
            opts = options_of[vid]
            weights = [0.62, 0.28, 0.10] if spec["kind"] == "yes_no" else None
            end = min(spec["closes_at"], self.moment)
            for uid in rng.sample(self.residents, n):
                paper = rng.random() < 0.04
                ballots.append({"vote_id": vid, "token": services._token(SimpleNamespace(id=vid), f"u:{uid}"), "paper": paper})
                k = rng.randint(1, spec["max_choices"])
                chosen = sorted(set(rng.choices(opts, weights=weights, k=k)))
                marks.append(chosen)
                participations.append(
                    {
                        "vote_id": vid,
                        "user_id": uid,
                        "household": None,
                        "paper": paper,
                        "recorded_by_id": self.worker_id if paper else None,
                        "created_at": _between(rng, spec["opens_at"], end),
                    }
                )
            counts.append((plan["id"], vid, n))
        # Ballots carry no time and no person (voters were drawn in random order); participations keep who and when.
        ballot_ids = insert(Ballot, ballots, returning=True)
        insert(
            BallotChoice,
            [{"ballot_id": bid, "option_id": o} for bid, chosen in zip(ballot_ids, marks, strict=True) for o in chosen],
        )
        insert(VoteParticipation, participations)
        t, v = Topic.__table__, Vote.__table__
        if counts:
            db.session.execute(
                sa.update(t).where(t.c.id == sa.bindparam("tid")).values(ballot_count=sa.bindparam("n")),
                [{"tid": tid, "n": n} for tid, _vid, n in counts],
            )
            db.session.execute(
                sa.update(v).where(v.c.id == sa.bindparam("vid")).values(ballot_count=sa.bindparam("n")),
                [{"vid": vid, "n": n} for _tid, vid, n in counts],
            )
        self.vote_rows, self.ballot_rows, self.choice_rows = len(vote_ids), len(ballots), sum(map(len, marks))

    # --- outcomes ---------------------------------------------------------------------------------------

    def outcomes(self) -> None:
        rng, m = self.rng, self.moment
        planned = [plan for plan in self.plans if plan["outcome"]]
        rows, later = [], []
        for plan in planned:
            spec = plan["outcome"]
            published, due = spec["published_at"], spec["due"]
            history = []  # (status, at, old_due, new_due)
            if due < m.date():
                fate = rng.random()
                if fate < 0.8:
                    history = [
                        ("in_progress", _between(rng, published, published + timedelta(days=10))),
                        ("done", _between(rng, published + timedelta(days=10), min(m, published + timedelta(days=80)))),
                    ]
                elif fate < 0.88:
                    history = [("not_feasible", _between(rng, published, m))]
                elif fate < 0.95:
                    history = [("in_progress", _between(rng, published, m))]
            elif rng.random() < 0.5:
                history = [("in_progress", _between(rng, published, m))]
            status = history[-1][0] if history else "planned"
            moved = status in ("planned", "in_progress") and rng.random() < 0.2
            rows.append(
                {
                    "topic_id": plan["id"],
                    "decision": rng.choice(DECISIONS),
                    "responsible": rng.choice(RESPONSIBLE),
                    "actions": "1. 制定方案\n2. 公示\n3. 组织实施",
                    "original_due_date": due,
                    "due_date": due + timedelta(days=30) if moved else due,
                    "status": status,
                    "published_at": published,
                    "published_by_id": self.worker_id,
                    "done_at": history[-1][1] if status == "done" else None,
                }
            )
            later.append((history, moved, due))
        outcome_ids = insert(Outcome, rows, returning=True)
        updates, ratings = [], []
        raters = self.residents
        for oid, row, (history, moved, due) in zip(outcome_ids, rows, later, strict=True):
            for i, (status, at) in enumerate(history):
                move = moved and i == len(history) - 1
                updates.append(
                    {
                        "outcome_id": oid,
                        "status": status,
                        "note": "按计划推进。" if status != "done" else "已完成。",
                        "old_due_date": due if move else None,
                        "new_due_date": due + timedelta(days=30) if move else None,
                        "created_by_id": self.worker_id,
                        "created_at": at,
                    }
                )
            if moved and not history:
                updates.append(
                    {
                        "outcome_id": oid,
                        "status": "planned",
                        "note": "因施工队排期，延后一个月。",
                        "old_due_date": due,
                        "new_due_date": due + timedelta(days=30),
                        "created_by_id": self.worker_id,
                        "created_at": _between(rng, row["published_at"], m),
                    }
                )
            if row["status"] == "done":
                for uid in rng.sample(raters, rng.randint(0, 12)):
                    at = _between(rng, row["done_at"], m)
                    ratings.append(
                        {
                            "outcome_id": oid,
                            "user_id": uid,
                            "level": rng.choices(["satisfied", "basically", "unsatisfied"], weights=[6, 3, 1])[0],
                            "comment": "效果不错" if rng.random() < 0.2 else None,
                            "version": 1,
                            "first_given_at": at,
                            "created_at": at,
                            "superseded_at": None,
                        }
                    )
        insert(OutcomeUpdate, updates)
        insert(OutcomeRating, ratings)
        self.outcome_rows = len(rows)

    # --- checks ------------------------------------------------------------------------------------

    def check(self) -> None:
        """Refuse to commit data the services could not have produced."""

        def bad(sql: str) -> int:
            return db.session.execute(sa.text(sql)).scalar()

        problems = {
            "support_count": bad(
                "SELECT count(*) FROM topics t WHERE support_count <> "
                "(SELECT count(*) FROM topic_supports s WHERE s.topic_id = t.id)"
            ),
            "comment_count": bad(
                "SELECT count(*) FROM topics t WHERE comment_count <> "
                "(SELECT count(*) FROM topic_comments c WHERE c.topic_id = t.id)"
            ),
            "topic.ballot_count": bad(
                "SELECT count(*) FROM topics t WHERE ballot_count <> coalesce("
                "(SELECT count(*) FROM ballots b JOIN votes v ON v.id = b.vote_id WHERE v.topic_id = t.id), 0)"
            ),
            "vote.ballot_count": bad(
                "SELECT count(*) FROM votes v WHERE ballot_count <> (SELECT count(*) FROM ballots b WHERE b.vote_id = v.id)"
            ),
            "participations": bad(
                "SELECT count(*) FROM votes v WHERE ballot_count <> "
                "(SELECT count(*) FROM vote_participations p WHERE p.vote_id = v.id)"
            ),
            "member_count": bad(
                "SELECT count(*) FROM communities c WHERE member_count <> "
                "(SELECT count(*) FROM residences r WHERE r.community_id = c.id AND r.status = 'confirmed')"
            ),
            "history": bad(
                "SELECT count(*) FROM topics t WHERE status <> (SELECT to_status FROM topic_events e "
                "WHERE e.topic_id = t.id ORDER BY created_at DESC, id DESC LIMIT 1)"
            ),
            "reply_depth": bad(
                "SELECT count(*) FROM topic_comments c JOIN topic_comments p ON p.id = c.parent_id "
                "WHERE p.parent_id IS NOT NULL OR p.topic_id <> c.topic_id"
            ),
            "ballot_tokens": bad("SELECT count(*) FROM ballots WHERE length(token) <> 64"),
            "threshold": bad(
                "SELECT count(*) FROM topics WHERE status = 'collecting_support' AND support_count >= support_threshold"
            ),
        }
        due = services.settle_due()
        problems["due_for_tick"] = due
        wrong = {k: v for k, v in problems.items() if v}
        if wrong:
            raise SystemExit(f"seed is inconsistent: {wrong}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residents", type=int, default=2000)
    parser.add_argument("--topics", type=int, default=5000)
    parser.add_argument("--big-comments", type=int, default=1500)
    parser.add_argument("--big-ballots", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--out", help="write the slug, big topic id and sizes here as JSON")
    args = parser.parse_args()
    if args.big_ballots > args.residents:
        parser.error("--big-ballots cannot exceed --residents (one ballot per resident)")

    app = create_app()
    started = time.monotonic()
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count()).select_from(Topic)):
            raise SystemExit("the database already has topics: seed a fresh one")
        seeder = Seeder(
            residents=args.residents,
            topics=args.topics,
            big_comments=args.big_comments,
            big_ballots=args.big_ballots,
            seed=args.seed,
        )
        seeder.people()
        seeder.all_topics()
        seeder.comments()
        seeder.votes()
        seeder.outcomes()
        db.session.flush()
        seeder.check()
        db.session.commit()
        # Statistics and visibility map as autovacuum would have left them on a live site.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE" if db.engine.dialect.name == "sqlite" else "VACUUM ANALYZE")

        count = lambda model: db.session.scalar(sa.select(sa.func.count()).select_from(model))  # noqa: E731
        big = db.session.get(Topic, seeder.big_id)
        listed = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Topic)
            .where(
                Topic.status.in_(
                    [
                        "collecting_support",
                        "not_enough_support",
                        "ready_for_vote",
                        "vote_scheduled",
                        "voting",
                        "closed",
                        "outcome_published",
                    ]
                )
            )
        )
        by_status = dict(db.session.execute(sa.select(Topic.status, sa.func.count()).group_by(Topic.status)).all())
        top_level = db.session.scalar(
            sa.select(sa.func.count()).select_from(Comment).where(Comment.topic_id == big.id, Comment.parent_id.is_(None))
        )
        info = {
            "slug": SLUG,
            "big_topic_id": big.id,
            "sizes": {
                "residents": count(Residence),
                "users": count(User),
                "topics": count(Topic),
                "listed_topics": listed,
                "topics_by_status": by_status,
                "topic_events": count(TopicEvent),
                "supports": count(Support),
                "follows": count(Follow),
                "comments": count(Comment),
                "votes": count(Vote),
                "ballots": count(Ballot),
                "ballot_choices": count(BallotChoice),
                "vote_participations": count(VoteParticipation),
                "outcomes": count(Outcome),
                "outcome_updates": count(OutcomeUpdate),
                "ratings": count(OutcomeRating),
                "big_topic": {
                    "status": big.status,
                    "comments": big.comment_count,
                    "top_level_comments": top_level,
                    "ballots": big.ballot_count,
                    "supports": big.support_count,
                },
            },
            "seconds": round(time.monotonic() - started, 1),
        }
    print(json.dumps(info, ensure_ascii=False, indent=1))
    if args.out:
        Path(args.out).write_text(json.dumps(info, ensure_ascii=False))


if __name__ == "__main__":
    main()
