"""A generated community's resident requests (接诉即办) over twelve months, each with its timeline."""

from __future__ import annotations

from datetime import timedelta

from consult.generate import texts
from consult.generate.common import MONTHS, PER_COMMUNITY, REQUEST_FATE, Place, _between
from consult.requests.clocks import DEFAULT_TARGETS, reminder_at, response_due


class RequestsPart:
    """Mixed into City: uses its rng, writer (w), moment and zone."""

    def requests(self, place: Place) -> None:
        rng, w, m = self.rng, self.w, self.moment
        keys = list(texts.REQUEST_TEXTS)
        fates, weights = [f for f, _ in REQUEST_FATE], [x for _, x in REQUEST_FATE]
        start = m - timedelta(days=30 * MONTHS)
        for created in sorted(_between(rng, start, m - timedelta(hours=1)) for _ in range(PER_COMMUNITY["requests"])):
            fate = rng.choices(fates, weights)[0]
            if fate == "in_progress" and created < m - timedelta(days=20):
                fate = "closed"  # the open ones are recent
            key = rng.choice(keys)
            reporter = rng.choice(place.residents)
            worker = rng.choice(place.workers)
            rid = w.next_id("requests")
            respond_by = response_due(created, DEFAULT_TARGETS, self.zone)
            solve_by = created + DEFAULT_TARGETS.resolution
            row = {
                "id": rid,
                "community_id": place.id,
                "category_id": place.request_categories[key],
                "reporter_id": reporter,
                "channel": rng.choice(("web", "web", "web", "hotline", "kiosk")),
                "description": rng.choice(texts.REQUEST_TEXTS[key]),
                "building": place.households[reporter].split("/")[0],
                "may_call": rng.random() < 0.7,
                "status": "submitted",
                "created_at": created,
                "holder": "community",
                "held_since": created,
                "response_due_at": respond_by,
                "original_response_due_at": respond_by,
                "resolution_due_at": solve_by,
                "original_resolution_due_at": solve_by,
            }
            steps: list[tuple] = [(created, reporter, "submitted", None, "submitted")]

            def event(at, actor, kind, note=None, status=None, _steps=steps):
                _steps.append((at, actor, kind, note, status))

            accepted = created + (respond_by - created) * rng.uniform(0.1, 1.2)
            if fate == "out_of_scope":
                at = min(accepted, m)
                row.update(status="out_of_scope", out_of_scope_reason="属于司法程序，请通过法院解决。")
                event(at, worker, "out_of_scope", row["out_of_scope_reason"], "out_of_scope")
            elif accepted < m:
                row.update(status="accepted", accepted_at=accepted, accepted_by_id=worker)
                event(accepted, worker, "accepted", None, "accepted")
                assigned = accepted + timedelta(minutes=rng.randint(5, 120))
                if assigned < m:
                    row.update(status="in_progress", assignee_id=worker, held_since=assigned)
                    event(assigned, worker, "assigned", None, "in_progress")
                resolved = created + (solve_by - created) * rng.uniform(0.1, 1.3)
                if fate != "in_progress" and resolved < m and resolved > assigned:
                    note = rng.choice(texts.RESOLUTIONS)
                    row.update(status="resolved", resolved_at=resolved, resolved_by_id=worker, resolution_note=note)
                    event(resolved, worker, "resolved", note, "resolved")
                    answered = resolved + timedelta(hours=rng.uniform(2, 72))
                    if fate in ("confirmed", "closed") and answered < m:
                        level = rng.choices(("satisfied", "basically", "unsatisfied"), weights=(72, 20, 8))[0]
                        row.update(status="confirmed", confirmed_at=answered, solved=level != "unsatisfied", satisfaction=level)
                        event(answered, reporter, "confirmed", None, "confirmed")
                        closed = answered + timedelta(hours=rng.uniform(1, 48))
                        if fate == "closed" and closed < m:
                            row.update(status="closed", closed_at=closed)
                            event(closed, worker, "closed", None, "closed")
            if row["status"] == "submitted":
                at = reminder_at(created, respond_by)
                if at <= m:
                    row["response_reminded_at"] = at
                    event(at, None, "reminded", "response", "submitted")
            elif row["status"] in ("accepted", "in_progress"):
                at = reminder_at(created, row["resolution_due_at"])
                if at <= m and at > steps[-1][0]:
                    row["resolution_reminded_at"] = at
                    event(at, None, "reminded", "resolution", row["status"])
            w.add("requests", row)
            assignee = None
            for at, actor, kind, note, status in steps:
                if kind == "assigned":
                    assignee = worker
                w.add(
                    "request_events",
                    {
                        "id": w.next_id("request_events"),
                        "request_id": rid,
                        "at": at,
                        "actor_id": actor,
                        "kind": kind,
                        "status": status,
                        "holder": "community",
                        "assignee_id": assignee,
                        "note": note,
                    },
                )
