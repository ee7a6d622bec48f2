"""A generated community's activities, sign-ups, check-ins and ratings, and its points ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from consult.generate import texts
from consult.generate.common import FIXED, MONTHS, PER_COMMUNITY, Place, _between, _p, _share
from consult.points.ledger import points_for


class ActivitiesPart:
    """Mixed into City: uses its rng, writer (w), moment, places, usernames and manifest."""

    def activities(self, place: Place) -> list[tuple]:
        """Activities over twelve months (a tenth still to come); returns the ledger's earnings."""
        rng, w, m = self.rng, self.w, self.moment
        earnings: list[tuple] = []  # (at, user, delta, reason, source_type, source_id, actor, note)
        n = PER_COMMUNITY["activities"]
        kinds = [rng.choice(texts.ACTIVITIES) for _ in range(n)]
        caps = [len(place.party) if kind == "party" else 60 for kind, _ in kinds]
        signups = _share(rng, PER_COMMUNITY["signups"], [rng.uniform(0.5, 1.5) for _ in range(n)], caps)
        specials: list[str | None] = [None] * n
        if place is self.places[0]:
            signups.append(FIXED["activity_signups"])
            specials.append("bench")
            kinds.append(("volunteer", "{p}环境清洁志愿服务"))
        for k, special, (kind, template) in zip(signups, specials, kinds, strict=True):
            party_only = kind == "party"
            pool = place.party if party_only else place.residents
            k = min(k, len(pool))
            upcoming = special == "bench" or rng.random() < 0.1
            starts = (m + _p(rng, 1, 30)) if upcoming else (m - _p(rng, 1, 30 * MONTHS))
            starts = starts.replace(minute=0, second=0, microsecond=0)
            hours = rng.choice((1, 2, 2, 3, 4))
            ends = starts + timedelta(hours=hours)
            if not upcoming and ends > m:
                starts, ends = starts - timedelta(days=1), ends - timedelta(days=1)
            aid = w.next_id("activities")
            organiser = rng.choice(place.workers)
            rate = 10 if kind != "meeting" else 5
            people = rng.sample(pool, k)
            cancelled = [u for u in people if rng.random() < 0.05]
            active = [u for u in people if u not in cancelled]
            capacity = max(len(active), rng.randint(len(active), len(active) + 20), 1)
            created = starts - _p(rng, 5, 20)
            w.add(
                "activities",
                {
                    "id": aid,
                    "community_id": place.id,
                    "title": template.format(p=rng.choice(texts.PLACES))[:80],
                    "description": "".join(rng.sample(texts.SENTENCES, 3)),
                    "kind": kind,
                    "starts_at": starts,
                    "ends_at": ends,
                    "place": rng.choice(texts.PLACES),
                    "capacity": capacity,
                    "points_per_hour": rate,
                    "checkin_minutes_before": 30,
                    "waitlist_cutoff_at": starts - timedelta(hours=2),
                    "organiser_id": organiser,
                    "party_only": party_only,
                    "created_by_id": organiser,
                    "created_at": created,
                    "signup_count": len(active),
                    "waitlist_count": 0,
                },
            )
            if special:
                self.manifest["activity"] = aid
            for uid in people:
                at = _between(rng, created, min(starts - timedelta(hours=3), m))
                gone = uid in cancelled
                w.add(
                    "activity_signups",
                    {
                        "id": w.next_id("activity_signups"),
                        "activity_id": aid,
                        "user_id": uid,
                        "status": "cancelled" if gone else "confirmed",
                        "created_at": at,
                        "cancelled_at": _between(rng, at, min(starts - timedelta(hours=2), m)) if gone else None,
                        "cancelled_by_id": uid if gone else None,
                    },
                )
            if upcoming:
                continue
            for uid in active:
                if rng.random() < 0.12:  # did not come
                    continue
                minutes = hours * 60 - rng.choice((0, 0, 0, 15, 30))
                confirmed_at = ends + _p(rng, 0.05, 2)
                if confirmed_at > m:
                    confirmed_at = m
                att = w.next_id("activity_attendances")
                w.add(
                    "activity_attendances",
                    {
                        "id": att,
                        "activity_id": aid,
                        "user_id": uid,
                        "checked_in_at": starts - timedelta(minutes=rng.randint(0, 25)),
                        "checked_out_at": ends - timedelta(minutes=hours * 60 - minutes),
                        "minutes": minutes,
                        "confirmed_at": confirmed_at,
                        "confirmed_by_id": organiser,
                    },
                )
                delta = points_for(minutes, rate)
                if delta:
                    earnings.append((confirmed_at, uid, delta, "attendance", "attendance", att, organiser, None))
                if rng.random() < 0.25 and ends + timedelta(days=7) < m:
                    w.add(
                        "activity_ratings",
                        {
                            "id": w.next_id("activity_ratings"),
                            "activity_id": aid,
                            "user_id": uid,
                            "level": rng.choices(["satisfied", "basically", "unsatisfied"], weights=[7, 2, 1])[0],
                            "comment": "组织得很好。" if rng.random() < 0.2 else None,
                            "created_at": _between(rng, ends, ends + timedelta(days=6)),
                        },
                    )
        return earnings

    def bonus(self, start: datetime, uid: int, worker: int) -> tuple:
        """A bonus entry (志愿服务补录) some time since ``start``."""
        rng = self.rng
        return (_between(rng, start, self.moment), uid, rng.choice((5, 10, 20)), "bonus", None, None, worker, "志愿服务补录")

    def ledger(self, place: Place, earnings: list[tuple]) -> None:
        """The community's ledger: earnings, bonuses up to its share, redemptions; running balances."""
        rng, w, m = self.rng, self.w, self.moment
        start = m - timedelta(days=30 * MONTHS)
        entries = list(earnings)
        bonus = max(0, PER_COMMUNITY["ledger_entries"] - len(entries))
        redeem = bonus // 10
        for _ in range(bonus - redeem):
            entries.append(self.bonus(start, rng.choice(place.residents), rng.choice(place.workers)))
        if place is self.places[0]:
            member = place.member
            assert member is not None  # noqa: S101  # the first community has the fixed member
            self.manifest["member"] = self.usernames[member]
            for _ in range(FIXED["member_entries"] - 300):
                entries.append(self.bonus(start, member, place.workers[0]))
            redeem += 300
            wanted = {member: 300}
        else:
            wanted = {}
        # Redemptions: a resident with enough points takes a reward now and then.
        rewards = []
        for name, price in texts.REWARDS:
            rid = w.next_id("rewards")
            rewards.append((rid, price))
            w.add(
                "rewards",
                {
                    "id": rid,
                    "community_id": place.id,
                    "name": name,
                    "price": price,
                    "stock": 10_000,
                    "active": True,
                    "created_at": start,
                },
            )
        entries.sort(key=lambda e: e[0])
        balances: dict[int, int] = defaultdict(int)
        last: dict[int, datetime] = {}
        rows = []
        left = redeem - sum(wanted.values())
        for at, uid, delta, reason, source_type, source_id, actor, note in entries:
            rows.append((at, uid, delta, reason, source_type, source_id, actor, note, None))
            balances[uid] += delta
            reward = rng.choice(rewards)
            if balances[uid] >= reward[1] and (wanted.get(uid, 0) > 0 or (left > 0 and uid not in wanted and rng.random() < 0.5)):
                if uid in wanted:
                    wanted[uid] -= 1
                else:
                    left -= 1
                rows.append((at + timedelta(minutes=5), uid, -reward[1], "redemption", "redemption", None, None, None, reward))
                balances[uid] -= reward[1]
        balances.clear()
        # Redemptions that found no balance to take from become bonuses at the end: the counts stay exact.
        for uid, k in list(wanted.items()) + [(None, left)]:
            for _ in range(max(0, k)):
                who = uid if uid is not None else rng.choice(place.residents)
                rows.append((m - _p(rng, 0, 1), who, 5, "bonus", None, None, place.workers[0], "志愿服务补录", None))
        rows.sort(key=lambda r: r[0])
        for at, uid, delta, reason, source_type, source_id, actor, note, reward in rows:
            balances[uid] += delta
            eid = w.next_id("ledger_entries")
            if reward is not None:
                source_id = w.next_id("redemptions")
            w.add(
                "ledger_entries",
                {
                    "id": eid,
                    "user_id": uid,
                    "community_id": place.id,
                    "delta": delta,
                    "reason": reason,
                    "source_type": source_type,
                    "source_id": source_id,
                    "note": note,
                    "balance_after": balances[uid],
                    "created_by_id": actor,
                    "created_at": at,
                },
            )
            last[uid] = at
            if reward is not None:
                w.add(
                    "redemptions",
                    {
                        "id": source_id,
                        "user_id": uid,
                        "community_id": place.id,
                        "reward_id": reward[0],
                        "price": reward[1],
                        "status": "handed_over" if at < m - timedelta(days=1) else "pending",
                        "entry_id": eid,
                        "created_at": at,
                        "handed_over_at": at + timedelta(hours=2) if at < m - timedelta(days=1) else None,
                        "handed_over_by_id": place.workers[0] if at < m - timedelta(days=1) else None,
                    },
                )
        for uid, balance in balances.items():
            w.add("point_balances", {"user_id": uid, "community_id": place.id, "balance": balance, "updated_at": last[uid]})
