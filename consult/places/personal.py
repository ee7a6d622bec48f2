"""What places adds to "download my data": residences and staff appointments."""

from __future__ import annotations

from consult.accounts.models import User
from consult.places import queries


def export_residences(user: User) -> list[dict]:
    return [
        {
            "community": r.community.name,
            "building": r.building,
            "unit": r.unit,
            "room": r.room,
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            "ended_at": r.ended_at.isoformat() if r.ended_at else None,
            "end_reason": r.end_reason,
            "reason": r.reason,
        }
        for r in queries.residences_of(user.id)
    ]


def export_appointments(user: User) -> list[dict]:
    return [
        {
            "role": a.role,
            "community_id": a.community_id,
            "street_id": a.street_id,
            "grid_id": a.grid_id,
            "work_phone": a.work_phone,
            "created_at": a.created_at.isoformat(),
            "ended_at": a.ended_at.isoformat() if a.ended_at else None,
        }
        for a in queries.appointments_of_user(user.id)
    ]
