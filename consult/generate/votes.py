"""A generated topic's vote (ballots sealed while open, written out once closed) and outcome."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import datetime, timedelta
from types import SimpleNamespace

from consult.generate import texts
from consult.generate.common import Place, _between
from consult.topics import sealing


class VotesPart:
    """Mixed into City: uses its rng, writer (w) and moment."""

    def vote(self, place: Place, plan: dict) -> None:
        """The vote, its options and ballots: sealed while it is open, written out once it closed."""
        rng, w, spec = self.rng, self.w, plan["vote"]
        vid = w.next_id("votes")
        handle = SimpleNamespace(id=vid)
        options = [w.next_id("vote_options") for _ in spec["options"]]
        n = spec["ballots"] or 0
        weights = [0.62, 0.28, 0.10] if spec["kind"] == "yes_no" else None
        is_open = spec["closed_at"] is None
        cast = []
        tally: Counter[int] = Counter()
        for uid in rng.sample(place.residents, n):
            chosen = sorted(set(rng.choices(options, weights=weights, k=rng.randint(1, spec["max_choices"]))))
            tally.update(chosen)
            cast.append((uid, sealing.token(handle, f"u:{uid}"), chosen))  # type: ignore[arg-type]
        row = {k: v for k, v in spec.items() if k not in ("options", "ballots")}
        row.update(id=vid, topic_id=plan["row"]["id"], ballot_count=n)
        row["sealed_tally"] = sealing.seal_tally(handle, dict(tally)) if is_open and n else None  # type: ignore[arg-type]
        w.add("votes", row)
        keys = ("for", "against", "abstain")
        for i, (oid, label) in enumerate(zip(options, spec["options"], strict=True)):
            w.add(
                "vote_options",
                {
                    "id": oid,
                    "vote_id": vid,
                    "key": keys[i] if spec["kind"] == "yes_no" else None,
                    "label": label if spec["kind"] == "choices" else None,
                    "position": i,
                },
            )
        end = min(spec["closes_at"], self.moment)
        # Ballots carry no person and no time; written in another order than the participations.
        for _uid, token, chosen in sorted(cast, key=lambda c: c[1]):
            if is_open:
                w.add(
                    "sealed_ballots",
                    {
                        "id": secrets.randbits(62) + 1,
                        "vote_id": vid,
                        "slot": sealing.slot(token),
                        "sealed": sealing.seal_ballot(handle, token, chosen),  # type: ignore[arg-type]
                    },
                )
            else:
                bid = secrets.randbits(62) + 1
                w.add("ballots", {"id": bid, "vote_id": vid, "token": token})
                for option in chosen:
                    w.add("ballot_choices", {"ballot_id": bid, "option_id": option})
        for uid, _token, _chosen in cast:
            paper = rng.random() < 0.04
            w.add(
                "vote_participations",
                {
                    "id": w.next_id("vote_participations"),
                    "vote_id": vid,
                    "user_id": uid,
                    "paper": paper,
                    "recorded_by_id": place.workers[0] if paper else None,
                    "created_at": _between(rng, spec["opens_at"], end),
                },
            )

    def outcome(self, place: Place, plan: dict) -> None:
        rng, w, m, spec = self.rng, self.w, self.moment, plan["outcome"]
        published, due = spec["published_at"], spec["due"]
        history: list[tuple[str, datetime]] = []
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
        oid = w.next_id("topic_outcomes")
        w.add(
            "topic_outcomes",
            {
                "id": oid,
                "topic_id": plan["row"]["id"],
                "decision": rng.choice(texts.DECISIONS),
                "responsible": rng.choice(texts.RESPONSIBLE),
                "actions": "1. 制定方案\n2. 公示\n3. 组织实施",
                "original_due_date": due,
                "due_date": due,
                "status": status,
                "published_at": published,
                "published_by_id": spec["worker"],
                "done_at": history[-1][1] if status == "done" else None,
            },
        )
        for state, at in history:
            w.add(
                "topic_outcome_updates",
                {
                    "id": w.next_id("topic_outcome_updates"),
                    "outcome_id": oid,
                    "status": state,
                    "note": "已完成。" if state == "done" else "按计划推进。",
                    "created_by_id": spec["worker"],
                    "created_at": at,
                },
            )
        if status == "done":
            done_at = history[-1][1]
            for uid in rng.sample(place.residents, rng.randint(0, 12)):
                at = _between(rng, done_at, min(m, done_at + timedelta(days=30)))
                w.add(
                    "topic_outcome_ratings",
                    {
                        "id": w.next_id("topic_outcome_ratings"),
                        "outcome_id": oid,
                        "user_id": uid,
                        "level": rng.choices(["satisfied", "basically", "unsatisfied"], weights=[6, 3, 1])[0],
                        "comment": "效果不错" if rng.random() < 0.2 else None,
                        "version": 1,
                        "first_given_at": at,
                        "created_at": at,
                    },
                )
