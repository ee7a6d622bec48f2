"""The topics of a generated community: the timelines of bench/seed_topics.py (every state of
docs/design.md's table), supports, follows, events and comments."""

from __future__ import annotations

from datetime import datetime, timedelta

from consult.generate import texts
from consult.generate.common import (
    COMMENT_WEIGHT,
    FIXED,
    PER_COMMUNITY,
    STATUS_SHARE,
    SUPPORT_DAYS,
    THRESHOLD,
    Place,
    S,
    _between,
    _p,
    _share,
)


class TopicsPart:
    """Mixed into City: uses its rng, writer (w), moment, categories and manifest."""

    def topics(self, place: Place) -> None:
        rng = self.rng
        n = PER_COMMUNITY["topics"]
        counts = {s: round(n * share) for s, share in STATUS_SHARE.items()}
        counts[S.OUTCOME_PUBLISHED] += n - sum(counts.values())
        statuses = [s for s, k in counts.items() for _ in range(k)]
        rng.shuffle(statuses)
        plans = [self.plan_topic(place, status) for status in statuses]
        special = None
        if place is self.places[0]:
            busy = self.plan_topic(place, S.OUTCOME_PUBLISHED, special="busy")
            vote = self.plan_topic(place, S.VOTING, special="vote")
            plans += [busy, vote]
            special = (busy, vote)
        # Comments and ballots: the community's totals, shared out by status.
        weights = [0.0 if p["special"] else COMMENT_WEIGHT.get(p["row"]["status"], 1.0) for p in plans]
        for plan, k in zip(plans, _share(rng, PER_COMMUNITY["comments"], weights, [10**6] * len(plans)), strict=True):
            if not plan["special"]:
                plan["comments"] = k
        voted = [p for p in plans if p["vote"] and p["vote"]["ballots"] is None]
        electorate = len(place.residents)
        shares = _share(rng, PER_COMMUNITY["ballots"], [rng.uniform(0.3, 1.7) for _ in voted], [electorate // 2] * len(voted))
        for plan, k in zip(voted, shares, strict=True):
            plan["vote"]["ballots"] = k
        plans.sort(key=lambda p: p["row"]["created_at"])
        for plan in plans:
            self.write_topic(place, plan)
        if special:
            busy, vote = special
            self.manifest.update(busy_topic=busy["row"]["id"], vote_topic=vote["row"]["id"])

    def plan_topic(self, place: Place, status: str, special: str | None = None) -> dict:
        rng, m = self.rng, self.moment
        worker = rng.choice(place.workers)
        committee = special is None and rng.random() < 0.08 and status not in (S.REJECTED, S.WITHDRAWN)
        author = worker if committee else rng.choice(place.residents)
        key = rng.choice(list(self.categories))
        title, body, where = texts.topic_text(rng, key)
        if special == "busy":
            key, title, where = "parking", "地下车库改造与停车位重新分配方案", "地下车库"
        elif special == "vote":
            key, title, where = "property", "3号楼加装电梯方案表决", "3号楼"
        events: list[tuple] = []
        row = {
            "community_id": place.id,
            "author_id": author,
            "committee_initiated": committee,
            "title": title,
            "body": body,
            "category_id": self.categories[key],
            "place": where,
            "status": status,
            "support_count": 0,
            "comment_count": 0,
            "ballot_count": 0,
        }
        plan = {"row": row, "events": events, "supports": [], "vote": None, "outcome": None, "comments": 0, "special": special}
        if special:
            decided = m - timedelta(days=40 if special == "busy" else 19)
        elif status == S.COLLECTING_SUPPORT:
            decided = m - _p(rng, 0.05, SUPPORT_DAYS - 0.1)
        elif status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING):
            decided = m - _p(rng, 12, 40)
        elif status == S.CLOSED:
            decided = m - _p(rng, 25, 60)
        elif status in (S.DRAFT, S.PENDING_REVIEW):
            decided = None
        else:
            decided = m - _p(rng, 30, 400)
        if status == S.DRAFT:
            created = m - _p(rng, 0.05, 60)
        elif status == S.PENDING_REVIEW:
            created = m - _p(rng, 0.05, 10)
        else:
            created = decided - _p(rng, 0.1, 4)  # type: ignore[operator]
        row["created_at"] = created
        events.append((None, S.DRAFT, author, None, created))
        if status == S.DRAFT:
            return plan
        submitted = created + _p(rng, 0.0005, 0.04)
        row["submitted_at"] = submitted
        events.append((S.DRAFT, S.PENDING_REVIEW, author, None, submitted))
        plan["comment_from"], plan["comment_until"] = submitted, m
        if status == S.PENDING_REVIEW:
            return plan
        if status == S.REJECTED:
            reason = rng.choice(texts.REJECT_REASONS)
            row.update(decided_at=decided, reject_reason=reason)
            events.append((S.PENDING_REVIEW, S.REJECTED, worker, reason, decided))
            return plan
        if status == S.WITHDRAWN and rng.random() < 0.5:
            events.append((S.PENDING_REVIEW, S.WITHDRAWN, author, None, decided))
            return plan
        row["decided_at"] = decided
        voted = status in (S.READY_FOR_VOTE, S.VOTE_SCHEDULED, S.VOTING, S.CLOSED, S.OUTCOME_PUBLISHED)
        if voted and not special and (committee or rng.random() < 0.15):
            events.append((S.PENDING_REVIEW, S.READY_FOR_VOTE, worker, None, decided))
            ready_at = decided
        else:
            deadline = decided + timedelta(days=SUPPORT_DAYS)
            row.update(support_threshold=THRESHOLD, support_deadline=deadline)
            events.append((S.PENDING_REVIEW, S.COLLECTING_SUPPORT, worker, None, decided))
            if status == S.COLLECTING_SUPPORT:
                row["closes_at"] = deadline
                self.supports(place, plan, rng.randint(0, THRESHOLD - 1), decided, m)
                return plan
            if status == S.WITHDRAWN:
                at = _between(rng, decided, deadline)
                self.supports(place, plan, rng.randint(0, 10), decided, at)
                events.append((S.COLLECTING_SUPPORT, S.WITHDRAWN, author, None, at))
                return plan
            if status == S.NOT_ENOUGH_SUPPORT:
                self.supports(place, plan, min(THRESHOLD - 1, int(rng.expovariate(1 / 15))), decided, deadline)
                events.append((S.COLLECTING_SUPPORT, S.NOT_ENOUGH_SUPPORT, None, None, deadline))
                plan["comment_until"] = deadline + timedelta(days=30)
                return plan
            ready_at = _between(rng, decided + timedelta(days=1), decided + timedelta(days=9))
            if special == "vote":
                ready_at = m - timedelta(days=10)
            self.supports(place, plan, THRESHOLD, decided, ready_at, last_at=ready_at)
            events.append((S.COLLECTING_SUPPORT, S.READY_FOR_VOTE, None, None, ready_at))
        if status == S.READY_FOR_VOTE:
            return plan
        scheduled_at = ready_at + _p(rng, 0.2, 2)
        if special == "vote":
            scheduled_at, opens, closes = m - timedelta(days=8), m - timedelta(days=5), m + timedelta(days=20)
        elif status == S.VOTE_SCHEDULED:
            opens = m + _p(rng, 0.5, 10)
            closes = opens + _p(rng, 5, 14)
        elif status == S.VOTING:
            opens = _between(rng, scheduled_at, m - timedelta(hours=2))
            closes = m + _p(rng, 1, 7)
        else:
            opens = scheduled_at + (timedelta(0) if rng.random() < 0.4 else _p(rng, 0.5, 3))
            closes = min(opens + _p(rng, 5, 14), m - _p(rng, 0.5, 5))
        if opens <= scheduled_at:
            events.append((S.READY_FOR_VOTE, S.VOTING, worker, None, scheduled_at))
            opens = scheduled_at
        else:
            events.append((S.READY_FOR_VOTE, S.VOTE_SCHEDULED, worker, None, scheduled_at))
            if status != S.VOTE_SCHEDULED:
                events.append((S.VOTE_SCHEDULED, S.VOTING, None, None, opens))
        choices = not special and rng.random() < 0.2
        plan["vote"] = {
            "kind": "choices" if choices else "yes_no",
            "max_choices": rng.choice((1, 1, 2)) if choices else 1,
            "scope": "resident",
            "opens_at": opens,
            "closes_at": closes,
            "quorum_percent": rng.choice((None, None, 2, 5)),
            "live_results": rng.random() < 0.3,
            "created_by_id": worker,
            "created_at": scheduled_at,
            "closed_at": None,
            "eligible_count": None,
            "options": rng.sample(["方案一", "方案二", "方案三", "方案四"], rng.randint(2, 4)) if choices else [None] * 3,
            "ballots": 0 if status == S.VOTE_SCHEDULED else (200 if special else None),
        }
        if status in (S.VOTE_SCHEDULED, S.VOTING):
            row["closes_at"] = closes
            return plan
        plan["vote"].update(closed_at=closes, eligible_count=len(place.residents) + len(place.voters))
        events.append((S.VOTING, S.CLOSED, None, None, closes))
        plan["comment_until"] = min(closes + timedelta(days=10), m)
        if status == S.CLOSED:
            return plan
        published = min(closes + _p(rng, 1, 20), m - timedelta(hours=1))
        events.append((S.CLOSED, S.OUTCOME_PUBLISHED, worker, None, published))
        plan["outcome"] = {"published_at": published, "due": (published + _p(rng, 20, 90)).date(), "worker": worker}
        if special == "busy":
            plan["comment_from"] = published - timedelta(days=30)
        return plan

    def supports(self, place: Place, plan: dict, count: int, start, end, last_at=None) -> None:
        rng = self.rng
        people = [u for u in rng.sample(place.residents, count + 1) if u != plan["row"]["author_id"]][:count]
        times = sorted(_between(rng, start, end) for _ in people)
        if last_at is not None and times:
            times[-1] = last_at
        plan["supports"] = list(zip(people, times, strict=True))
        plan["row"]["support_count"] = count

    def write_topic(self, place: Place, plan: dict) -> None:
        w, row = self.w, plan["row"]
        tid = row["id"] = w.next_id("topics")
        if plan["special"] == "busy":
            plan["comments"] = FIXED["busy_comments"]
        row["comment_count"] = plan["comments"]
        row["ballot_count"] = (plan["vote"]["ballots"] or 0) if plan["vote"] else 0
        w.add("topics", row)
        if plan["comments"]:
            self.comments(place, plan)
        if plan["vote"]:
            self.vote(place, plan)
        for before, after, actor, reason, at in plan["events"]:
            w.add(
                "topic_events",
                {
                    "id": w.next_id("topic_events"),
                    "topic_id": tid,
                    "from_status": before,
                    "to_status": after,
                    "actor_id": actor,
                    "reason": reason,
                    "created_at": at,
                },
            )
        w.add("topic_follows", {"topic_id": tid, "user_id": row["author_id"], "created_at": row["created_at"]})
        for uid, at in plan["supports"]:
            w.add("topic_supports", {"id": w.next_id("topic_supports"), "topic_id": tid, "user_id": uid, "created_at": at})
        if plan["outcome"]:
            self.outcome(place, plan)

    def comments(self, place: Place, plan: dict) -> int:
        rng, w, m = self.rng, self.w, self.moment
        n, tid = plan["comments"], plan["row"]["id"]
        start, end = plan["comment_from"], min(plan["comment_until"], m)
        n_replies = n // 5 if plan["special"] else sum(rng.random() < 0.3 for _ in range(n))
        n_top = max(1, n - n_replies)
        tops: list[tuple[int, datetime]] = []
        for at in sorted(_between(rng, start, end) for _ in range(n_top)):
            hidden = rng.random() < 0.01
            cid = w.next_id("topic_comments")
            tops.append((cid, at))
            w.add(
                "topic_comments",
                {
                    "id": cid,
                    "topic_id": tid,
                    "author_id": rng.choice(place.residents) if rng.random() > 0.05 else place.workers[0],
                    "body": "".join(rng.sample(texts.COMMENTS, rng.randint(1, 3))),
                    "created_at": at,
                    "edited_at": min(at + timedelta(minutes=3), m) if rng.random() < 0.05 else None,
                    "hidden_at": min(at + timedelta(hours=5), m) if hidden else None,
                    "hidden_by_id": place.workers[0] if hidden else None,
                    "hidden_reason": "含有人身攻击内容。" if hidden else None,
                    "flag_count": 0,
                },
            )
        for _ in range(n - n_top):
            parent, parent_at = rng.choice(tops)
            w.add(
                "topic_comments",
                {
                    "id": w.next_id("topic_comments"),
                    "topic_id": tid,
                    "author_id": rng.choice(place.residents),
                    "parent_id": parent,
                    "body": rng.choice(texts.REPLIES),
                    "created_at": _between(rng, parent_at, min(parent_at + timedelta(days=3), end)),
                    "flag_count": 0,
                },
            )
        return n
