"""Seed a benchmark database: one street whose communities received 100,000 resident requests
(接诉即办) in one month, in every state of the table in consult/requests/policy.py.

Rows go in with SQLAlchemy Core bulk inserts (executemany; batched VALUES on psycopg), built as
``consult.requests.reporting`` and ``services`` would have made them: due times from
``clocks.response_due`` and the street's targets (a department's own after a dispatch, the
original ones kept), every request's timeline in ``request_events`` ending in its state and
holder, accepted/resolved/confirmed/closed times in order and never after the seeding moment,
satisfaction only with a confirmation, merged ones pointing at an earlier look-alike of the same
community, category and building, reminders set where ``flask tick`` would have set them.
Every CHECK constraint of consult/requests/models.py holds (the database refuses otherwise).

    python bench/seed_requests.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_requests
    python bench/seed_requests.py --database-url sqlite:////tmp/bench_requests.db --out /tmp/seed.json

It migrates the database first (``flask db upgrade``), refuses one that already has requests,
and prints (and writes to ``--out`` as JSON) the slugs, ids and data sizes the benchmark uses.
Not seeded: audit entries, notifications and photos (the benchmarked pages do not read them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from consult import create_app  # noqa: E402
from consult.accounts.models import User  # noqa: E402
from consult.core import search  # noqa: E402
from consult.core.clock import month_bounds, month_of, now, previous_month, site_zone  # noqa: E402
from consult.extensions import db  # noqa: E402
from consult.places.models import Community, Department, Residence, StaffAppointment, Street  # noqa: E402
from consult.requests.clocks import DEFAULT_TARGETS, reminder_at, response_due  # noqa: E402
from consult.requests.models import DEFAULT_CATEGORIES, Request, RequestCategory, RequestEvent  # noqa: E402
from consult.requests.queries import SEARCH  # noqa: E402
from consult.requests.targets import DEPARTMENT_RESPONSE  # noqa: E402

STREET = "bench-street"
DEPARTMENTS = ("城管执法队", "房屋管理所", "市场监管所", "环境卫生所", "交通管理大队")
TARGETS = DEFAULT_TARGETS
DEPT_TARGETS = TARGETS.__class__(response=DEPARTMENT_RESPONSE)

#: the state each request is headed for; a request reported late in the month may not have got there yet
#: (the open ones stay open whenever they were reported: the stuck and the overdue)
FATE = {
    "closed": 0.49,
    "confirmed": 0.20,
    "resolved": 0.09,
    "in_progress": 0.04,
    "accepted": 0.02,
    "submitted": 0.02,
    "merged": 0.08,
    "out_of_scope": 0.06,
}
#: (category key, share, texts)
CATEGORIES = {
    "property": (
        0.20,
        ["电梯停运，老人上下楼困难。", "单元门禁坏了，陌生人随意进出。", "物业费收支没有公示。", "楼道堆满杂物无人清理。"],
    ),
    "sanitation": (0.16, ["垃圾桶满了没人清运，气味很大。", "楼前绿化带有大量垃圾。", "下水道堵塞，污水外溢。"]),
    "parking": (0.15, ["消防通道被私家车占用。", "电动车在楼道充电，存在隐患。", "地下车库车位被长期占用。"]),
    "noise": (0.10, ["楼上每晚十点后装修，影响休息。", "广场舞音响声音太大。", "商铺夜间施工噪音扰民。"]),
    "repairs": (0.18, ["楼道声控灯坏了。", "外墙渗水，家里墙面发霉。", "小区健身器材损坏，有安全隐患。", "屋顶漏雨。"]),
    "safety": (0.07, ["外墙瓷砖松动，有掉落危险。", "井盖缺失，夜间很危险。", "楼道灭火器过期。"]),
    "neighbours": (0.05, ["邻居在公共区域养鸽子。", "楼上漏水到我家，协商不成。"]),
    "policy": (0.05, ["想咨询居住证办理流程。", "残疾人两项补贴怎么申请？", "老年卡在哪里办理？"]),
    "other": (0.04, ["建议增设快递柜。", "小区路灯不亮。"]),
}
CHANNELS = (("web", 0.50), ("phone", 0.14), ("visit", 0.08), ("kiosk", 0.04), ("hotline", 0.20), ("open311", 0.04))
RECORDED = ("phone", "visit", "hotline")
NOTES = ("已电话联系居民。", "已上门查看情况。", "已通知物业处理。", "已约定上门时间。")
RESOLUTIONS = ("物业已维修完毕。", "已协调相关单位处理完毕。", "已清理完毕，恢复正常。", "已与当事人沟通解决。")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬斌宇浩凯健俊帆旭宁龙林欣"


def pick(rng: random.Random, pairs) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def insert(table, rows) -> None:
    for start in range(0, len(rows), 20000):  # bounded parameter batches
        db.session.execute(sa.insert(table.__table__), rows[start : start + 20000])


def insert_returning(table, rows) -> list[int]:
    t = table.__table__
    return list(db.session.execute(sa.insert(t).returning(t.c.id, sort_by_parameter_order=True), rows).scalars())


class Seeder:
    def __init__(self, *, communities: int, residents: int, requests: int, month: str, seed: int):
        self.rng = random.Random(seed)
        self.n_communities, self.n_residents, self.n_requests = communities, residents, requests
        self.month = month
        self.start, self.end = (moment.astimezone(UTC) for moment in month_bounds(month))
        self.moment = now()  # nothing happens after this
        self.zone = site_zone()
        self.sizes: Counter = Counter()

    # --- the street, its communities, staff and residents -------------------------------------

    def people(self) -> None:
        rng, t0 = self.rng, self.start - timedelta(days=900)
        self.street_id = insert_returning(Street, [{"slug": STREET, "name": "基准街道", "created_at": t0}])[0]
        self.communities = insert_returning(
            Community,
            [
                {
                    "street_id": self.street_id,
                    "slug": f"bench-c{i:02d}",
                    "name": f"基准社区{i:02d}",
                    "member_count": self.n_residents,
                    "created_at": t0,
                }
                for i in range(self.n_communities)
            ],
        )
        self.departments = insert_returning(
            Department, [{"street_id": self.street_id, "name": name, "created_at": t0} for name in DEPARTMENTS]
        )

        def user(name: str, display: str) -> dict:
            return {
                "username": name,
                "display_name": display,
                "phone": f"139{rng.randrange(10**8):08d}",
                "password_hash": "x",
                "language": "zh_CN",
                "large_text": rng.random() < 0.1,
                "active": True,
                "created_at": t0,
            }

        def person() -> str:
            return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))

        staff = [user("bench-street-admin", "街道王主任")]
        staff += [user(f"bench-w{c:02d}-{k}", person()) for c in range(self.n_communities) for k in range(3)]
        staff += [user(f"bench-d{d}-{k}", person()) for d in range(len(DEPARTMENTS)) for k in range(2)]
        ids = insert_returning(User, staff)
        self.street_admin = ids[0]
        self.workers = {cid: ids[1 + 3 * i : 4 + 3 * i] for i, cid in enumerate(self.communities)}
        first = 1 + 3 * self.n_communities
        self.members = {d: ids[first + 2 * i : first + 2 * i + 2] for i, d in enumerate(self.departments)}

        def appointment(user_id: int, role: str, **scope) -> dict:
            blank = {"community_id": None, "street_id": None, "department_id": None}
            return {"user_id": user_id, "role": role, "created_at": t0, **blank, **scope}

        appointments = [appointment(self.street_admin, "street_admin", street_id=self.street_id)]
        appointments += [appointment(w, "worker", community_id=cid) for cid, ws in self.workers.items() for w in ws]
        appointments += [appointment(m, "department", department_id=d) for d, ms in self.members.items() for m in ms]
        insert(StaffAppointment, appointments)
        self.residents: dict[int, list[tuple[int, str, str]]] = {}
        for index, cid in enumerate(self.communities):
            rows = [user(f"bench-r{index:02d}-{n:05d}", person()) for n in range(self.n_residents)]
            uids = insert_returning(User, rows)
            homes, household = [], None
            for _ in uids:
                if household is None or rng.random() < 0.4:  # ~2.5 people a household
                    household = (str(rng.randint(1, 40)), str(rng.randint(1, 3)), f"{rng.randint(1, 18)}{rng.randint(1, 4):02d}")
                homes.append(household)
            insert(
                Residence,
                [
                    {
                        "user_id": uid,
                        "community_id": cid,
                        "building": b,
                        "unit": u,
                        "room": r,
                        "status": "confirmed",
                        "created_at": t0,
                        "confirmed_at": t0 + timedelta(days=1),
                        "decided_by_id": self.workers[cid][0],
                    }
                    for uid, (b, u, r) in zip(uids, homes, strict=True)
                ],
            )
            self.residents[cid] = [(uid, b, u) for uid, (b, u, _r) in zip(uids, homes, strict=True)]
        self.sizes["users"] = len(staff) + self.n_residents * self.n_communities
        self.sizes["residences"] = self.n_residents * self.n_communities
        cats = [
            {"community_id": cid, "key": key, "name": name, "position": p, "active": True}
            for cid in self.communities
            for p, (key, name) in enumerate(DEFAULT_CATEGORIES)
        ]
        insert(RequestCategory, cats)
        self.categories = {
            (cid, key): cat_id
            for cid, key, cat_id in db.session.execute(
                sa.select(RequestCategory.community_id, RequestCategory.key, RequestCategory.id)
            ).tuples()
        }

    # --- requests -----------------------------------------------------------------------------

    def reported_at(self) -> datetime:
        """A moment in the month, most of them in the daytime (site time)."""
        rng = self.rng
        day = rng.randrange((self.end - self.start).days)
        hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 10, 9, 9, 10, 10, 10, 9, 8, 8, 7, 5, 3, 2])[0]
        local = (self.start.astimezone(self.zone) + timedelta(days=day)).replace(hour=hour) + timedelta(
            seconds=rng.randrange(3600)
        )
        return local.astimezone(UTC)

    def requests(self) -> None:
        rng = self.rng
        next_id = (db.session.scalar(sa.select(sa.func.max(Request.id))) or 0) + 1
        per_community = self.n_requests // self.n_communities
        cat_keys = list(CATEGORIES)
        cat_weights = [CATEGORIES[k][0] for k in cat_keys]
        fates, fate_weights = list(FATE), list(FATE.values())
        rows: list[dict] = []
        events: list[dict] = []
        for index, cid in enumerate(self.communities):
            count = per_community + (1 if index < self.n_requests % self.n_communities else 0)
            plans = sorted((self.reported_at(), rng.choices(fates, fate_weights)[0]) for _ in range(count))
            recent: dict[tuple[int, str | None], dict] = {}  # (category, building) -> the last mergeable request
            for created, fate in plans:
                key = rng.choices(cat_keys, cat_weights)[0]
                reporter, home_building, home_unit = rng.choice(self.residents[cid])
                building = home_building if rng.random() < 0.8 else (str(rng.randint(1, 40)) if rng.random() < 0.5 else None)
                row, steps = self.request(next_id, cid, key, reporter, building, home_unit, created, fate, recent)
                rows.append(row)
                events.extend(self.timeline(next_id, row, steps))
                if row["status"] not in ("merged", "out_of_scope") and building is not None:
                    recent[(row["category_id"], building)] = row
                self.sizes[f"status {row['status']}"] += 1
                next_id += 1
        insert(Request, rows)
        if db.engine.dialect.name == "postgresql":
            db.session.execute(sa.text("SELECT setval(pg_get_serial_sequence('requests', 'id'), (SELECT max(id) FROM requests))"))
        insert(RequestEvent, events)
        # bulk rows bypass the ORM's flush, which keeps the search index in step: index them here
        search.store(db.session.connection(), SEARCH, [(r["id"], r.get("resolution_note"), r["description"]) for r in rows])
        self.sizes["requests"], self.sizes["request_events"] = len(rows), len(events)
        self.sample = {
            "request_id": next(r["id"] for r in rows if r["status"] == "closed" and r["department_id"] is not None),
            "community_id": self.communities[0],
        }

    #: the state after each kind of step (None: unchanged)
    AFTER = {
        "submitted": "submitted",
        "accepted": "accepted",
        "assigned": "in_progress",
        "escalated": "in_progress",
        "dispatched": "in_progress",
        "resolved": "resolved",
        "reopened": "in_progress",
        "confirmed": "confirmed",
        "called_back": "confirmed",
        "closed": "closed",
        "merged": "merged",
        "out_of_scope": "out_of_scope",
    }

    def timeline(self, rid: int, row: dict, steps: list) -> list[dict]:
        """The events as the services write them: the state and who held it after each step
        (escalation to the street, a dispatch to a department, which keeps it through resolution)."""
        status, holder, department, assignee, out = "submitted", "community", None, None, []
        for at, actor, kind, note in steps:
            status = self.AFTER.get(kind) or status
            if kind == "assigned":
                assignee = row["assignee_id"]
            elif kind == "escalated":
                holder, assignee = "street", None
            elif kind == "dispatched":
                holder, department = "department", row["department_id"]
            out.append(
                {
                    "request_id": rid,
                    "at": at,
                    "actor_id": actor,
                    "kind": kind,
                    "status": status,
                    "holder": holder,
                    "assignee_id": assignee,
                    "department_id": department,
                    "note": note,
                }
            )
        return out

    def request(self, rid, cid, key, reporter, building, unit, created, fate, recent) -> tuple[dict, list]:
        rng, moment = self.rng, self.moment
        workers = self.workers[cid]
        worker = rng.choice(workers)
        channel = pick(rng, CHANNELS)
        recorded = rng.choice(workers) if channel in RECORDED else None
        respond_by = response_due(created, TARGETS, self.zone)
        solve_by = created + TARGETS.resolution
        row = {
            "id": rid,
            "community_id": cid,
            "category_id": self.categories[(cid, key)],
            "reporter_id": reporter,
            "recorded_by_id": recorded,
            "channel": channel,
            "description": rng.choice(CATEGORIES[key][1]),
            "building": building,
            "unit": unit if building and rng.random() < 0.6 else None,
            "place": rng.choice(("楼道", "单元门口", "地下车库", "小区东门", None, None)),
            "may_call": rng.random() < 0.7,
            "status": "submitted",
            "created_at": created,
            "holder": "community",
            "assignee_id": None,
            "held_since": created,
            "department_id": None,
            "department_accepted_at": None,
            "response_due_at": respond_by,
            "original_response_due_at": respond_by,
            "resolution_due_at": solve_by,
            "original_resolution_due_at": solve_by,
            "response_reminded_at": None,
            "resolution_reminded_at": None,
            "accepted_at": None,
            "accepted_by_id": None,
            "resolved_at": None,
            "resolved_by_id": None,
            "resolution_note": None,
            "confirmed_at": None,
            "called_back_by_id": None,
            "satisfaction": None,
            "solved": None,
            "reopened_at": None,
            "closed_at": None,
            "merged_into_id": None,
            "out_of_scope_reason": None,
            "go_instead": None,
        }
        steps = [(created, recorded or reporter, "submitted", None)]

        def done(at: datetime) -> bool:
            return at <= moment

        if fate == "merged":
            target = recent.get((row["category_id"], building))
            at = created + timedelta(hours=rng.uniform(0.2, 6))
            if target is not None and created - target["created_at"] <= timedelta(days=14) and done(at):
                row.update(status="merged", merged_into_id=target["id"], closed_at=at)
                steps.append((at, worker, "merged", f"#{target['id']}"))
                return row, steps
            fate = "closed"
        # The answer (响应): most in time, some late, a few never (still submitted).
        late = rng.random() < 0.12
        answer_in = (respond_by - created) * rng.uniform(1.05, 3.0) if late else (respond_by - created) * rng.uniform(0.05, 0.95)
        accepted = created + answer_in
        if fate == "out_of_scope":
            at = (accepted if rng.random() < 0.5 else created + answer_in * 0.5) + timedelta(minutes=5)
            if done(at):
                if at > accepted:
                    row.update(status="accepted", accepted_at=accepted, accepted_by_id=worker)
                    steps.append((accepted, worker, "accepted", rng.choice(NOTES)))
                row.update(
                    status="out_of_scope",
                    out_of_scope_reason="不属于居委会职责范围。",
                    go_instead="请到街道便民服务中心办理。",
                    closed_at=at,
                )
                steps.append((at, worker, "out_of_scope", row["out_of_scope_reason"]))
                return row, steps
            fate = "submitted"
        if fate == "submitted" or not done(accepted):
            return self._reminded(row, steps), steps
        row.update(status="accepted", accepted_at=accepted, accepted_by_id=worker)
        steps.append((accepted, worker, "accepted", rng.choice(NOTES)))
        if fate == "accepted":
            return self._reminded(row, steps), steps
        # Handling: assigned to a worker, or escalated to the street (and often dispatched to a department).
        t = accepted + timedelta(hours=rng.uniform(0.2, 8))
        route = rng.choices(("assign", "self", "street", "department"), weights=(45, 35, 6, 14))[0]
        resolver = worker
        if route == "assign" and done(t):
            row.update(status="in_progress", assignee_id=worker, held_since=t)
            steps.append((t, worker, "assigned", None))
        elif route in ("street", "department") and done(t):
            row.update(status="in_progress", holder="street", held_since=t)
            steps.append((t, worker, "escalated", "需要街道协调。"))
            resolver = self.street_admin
            t2 = t + timedelta(hours=rng.uniform(1, 20))
            if route == "department" and done(t2):
                dept = rng.choice(self.departments)
                respond = max(response_due(t2, DEPT_TARGETS, self.zone), row["original_response_due_at"])
                solve = max(t2 + DEPT_TARGETS.resolution, row["original_resolution_due_at"])
                row.update(
                    holder="department", department_id=dept, held_since=t2, response_due_at=respond, resolution_due_at=solve
                )
                steps.append((t2, self.street_admin, "dispatched", None))
                resolver = rng.choice(self.members[dept])
                t3 = t2 + (respond - t2) * rng.uniform(0.1, 1.3)
                if done(t3):
                    row["department_accepted_at"] = t3
                    steps.append((t3, resolver, "department_accepted", "已派人现场核实。"))
                t = t3
            else:
                t = t2
        elif fate == "in_progress" and done(t):
            row.update(status="in_progress", assignee_id=worker, held_since=t)
            steps.append((t, worker, "assigned", None))
        if fate == "in_progress" or not done(t) or (row["holder"] == "department" and not row["department_accepted_at"]):
            if row["status"] == "in_progress" and rng.random() < 0.15:
                moved = row["resolution_due_at"] + timedelta(days=rng.choice((3, 7, 14)))
                at = min(moment, row["resolution_due_at"] - timedelta(hours=1))
                if at > steps[-1][0]:
                    row["resolution_due_at"] = moved
                    steps.append((at, worker, "due_moved", "需要等待配件。"))
            return self._reminded(row, steps), steps
        # The solution (解决): most within the target, some late.
        target = row["original_resolution_due_at"] - created
        solved_in = target * (rng.uniform(1.05, 2.5) if rng.random() < 0.15 else rng.uniform(0.05, 0.95))
        resolved = max(created + solved_in, t + timedelta(minutes=30))
        if not done(resolved):
            if row["status"] == "accepted" and done(t):
                row.update(status="in_progress", assignee_id=worker, held_since=t)
                steps.append((t, worker, "assigned", None))
            return self._reminded(row, steps), steps
        note = rng.choice(RESOLUTIONS)
        row.update(status="resolved", resolved_at=resolved, resolved_by_id=resolver, resolution_note=note)
        steps.append((resolved, resolver, "resolved", note))
        if fate == "resolved":
            return row, steps
        # The answer of the resident, or a worker's call-back (回访); a few say "not solved" once.
        answered = resolved + timedelta(hours=rng.uniform(2, 72))
        if not done(answered):
            return row, steps
        if rng.random() < 0.05:
            again = answered + timedelta(hours=rng.uniform(4, 48))
            if not done(again + timedelta(hours=30)):
                row.update(status="in_progress", reopened_at=answered, resolved_at=None, held_since=answered)
                steps.append((answered, reporter, "reopened", None))
                return row, steps
            row.update(reopened_at=answered, resolved_at=again)
            steps.append((answered, reporter, "reopened", None))
            steps.append((again, resolver, "resolved", note))
            answered = again + timedelta(hours=rng.uniform(2, 24))
        called_back = rng.random() < 0.45
        solved = rng.random() < 0.93
        level = rng.choices(("satisfied", "basically", "unsatisfied"), weights=(72, 20, 8))[0] if solved else "unsatisfied"
        row.update(
            status="confirmed",
            confirmed_at=answered,
            solved=solved,
            satisfaction=level,
            called_back_by_id=worker if called_back else None,
        )
        steps.append((answered, worker if called_back else reporter, "called_back" if called_back else "confirmed", None))
        closed = answered + timedelta(hours=rng.uniform(1, 48))
        if fate == "confirmed" or not done(closed):
            return row, steps
        row.update(status="closed", closed_at=closed)
        steps.append((closed, worker, "closed", None))
        return row, steps

    def _reminded(self, row: dict, steps: list) -> dict:
        """What ``flask tick`` has done by now: remind at 75 % of the time to answer or to solve."""
        waiting = row["status"] == "submitted" or (row["holder"] == "department" and not row["department_accepted_at"])
        start = row["held_since"] if row["holder"] == "department" else row["created_at"]
        if waiting:
            at = reminder_at(start, row["response_due_at"])
            if at <= self.moment and at > steps[-1][0]:
                row["response_reminded_at"] = at
                steps.append((at, None, "reminded", "response"))
        elif row["status"] in ("accepted", "in_progress"):
            at = reminder_at(row["created_at"], row["resolution_due_at"])
            if at <= self.moment and at > steps[-1][0]:
                row["resolution_reminded_at"] = at
                steps.append((at, None, "reminded", "resolution"))
        return row

    def check(self) -> None:
        """What the services keep in step: each timeline ends in its request's state and holder."""
        last = (
            sa.select(RequestEvent.request_id, sa.func.max(RequestEvent.id).label("last_id"))
            .group_by(RequestEvent.request_id)
            .subquery()
        )
        wrong = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Request)
            .join(last, last.c.request_id == Request.id)
            .join(RequestEvent, RequestEvent.id == last.c.last_id)
            .where(
                sa.or_(
                    RequestEvent.status != Request.status,
                    RequestEvent.holder != Request.holder,
                    RequestEvent.at > self.moment,
                    Request.created_at < self.start,
                    Request.created_at >= self.end,
                )
            )
        )
        if wrong:
            raise SystemExit(f"{wrong} requests whose timeline does not end in their state: not committed")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"), help="default: $DATABASE_URL")
    parser.add_argument("--communities", type=int, default=20)
    parser.add_argument("--residents", type=int, default=3000, help="confirmed residents per community")
    parser.add_argument("--requests", type=int, default=100_000, help="requests in the month, over all communities")
    parser.add_argument("--month", help="YYYY-MM (default: the month before this one)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--out", help="write the slugs, ids and sizes here as JSON")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": os.environ.get("SECRET_KEY", "bench")})
    started = time.monotonic()
    with app.app_context():
        upgrade()
        if db.session.scalar(sa.select(sa.func.count()).select_from(Request)):
            raise SystemExit("this database already has requests; seed a fresh one")
        month = args.month or previous_month(month_of(now()))
        seeder = Seeder(
            communities=args.communities, residents=args.residents, requests=args.requests, month=month, seed=args.seed
        )
        seeder.people()
        seeder.requests()
        seeder.check()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        community = db.session.get(Community, seeder.communities[0])
        result = {
            "month": month,
            "street": STREET,
            "street_id": seeder.street_id,
            "community": community.slug,
            "community_ids": seeder.communities,
            "request_id": seeder.sample["request_id"],
            "street_admin": seeder.street_admin,
            "worker": seeder.workers[community.id][0],
            "seconds": round(time.monotonic() - started, 1),
            "sizes": dict(seeder.sizes),
        }
    print(json.dumps(result, ensure_ascii=False))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
