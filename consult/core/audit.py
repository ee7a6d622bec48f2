"""The audit log: who did what to which record, with before and after, and when.

Written by every moderation, confirmation, appointment, points and outcome change. Never
holds a ballot choice (docs/design.md, "Secrecy").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date, format_datetime, gettext as _, lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core import templating  # a module import: templating imports audit too
from consult.core.clock import now
from consult.extensions import Model, db

log = logging.getLogger(__name__)


class AuditEntry(Model):
    """One audited action."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: A dotted action key, e.g. ``residence.confirm``; shown translated.
    action: Mapped[str] = mapped_column(sa.String(60))
    target_type: Mapped[str] = mapped_column(sa.String(40))
    target_id: Mapped[int | None]
    #: The community (or street) whose workers (or admins) may read this entry.
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("streets.id"))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)

    actor = relationship("User", lazy="raise_on_sql")

    __table_args__ = (
        sa.Index("ix_audit_entries_community_created", "community_id", "created_at"),
        sa.Index("ix_audit_entries_street_created", "street_id", "created_at"),
        sa.Index("ix_audit_entries_target", "target_type", "target_id"),
    )


def record(
    actor,
    action: str,
    target: Any,
    *,
    community_id: int | None = None,
    street_id: int | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> AuditEntry:
    """Add an audit entry for ``actor`` doing ``action`` to ``target`` (flushed, not committed)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__ if hasattr(target, "__tablename__") else str(target),
        target_id=getattr(target, "id", None),
        community_id=community_id,
        street_id=street_id,
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(entry)
    db.session.flush()
    log.info("audit %s on %s:%s by user %s", action, entry.target_type, entry.target_id, entry.actor_id)
    return entry


def _jsonable(values: dict | None) -> dict | None:
    if values is None:
        return None
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items()}


def for_community(community_id: int):
    """A select of the audit entries a community's workers may read, newest first."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.community_id == community_id)
        .options(sa.orm.joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


def for_street(street_id: int):
    """A select of the audit entries of a street's own work (appointments), newest first."""
    return (
        sa.select(AuditEntry)
        .where(AuditEntry.street_id == street_id)
        .options(sa.orm.joinedload(AuditEntry.actor))
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
    )


# --- reading the log: each entry as a sentence in the reader's language --------------------

#: action -> sentence with %(field)s placeholders filled from the entry's after (else before)
#: values, formatted; a domain registers the sentences of its actions with describe_actions().
SENTENCES: dict[str, object] = {}
#: field name -> label, for the values the sentence does not use ("原因：…").
FIELD_LABELS: dict[str, object] = {
    "status": _l("Status"),
    "reason": _l("Reason"),
    "end_reason": _l("Reason"),
    "note": _l("Note"),
    "name": _l("Name"),
    "slug": _l("Web address"),
    "username": _l("Username"),
    "address": _l("Address"),
    "user_id": _l("Person"),
    "voter_id": _l("Voter"),
    "subject_id": _l("Person"),
    "delta": _l("Points"),
    "price": _l("Price in points"),
    "stock": _l("In stock"),
    "active": _l("Offered"),
    "title": _l("Title"),
    "starts_at": _l("Starts"),
    "capacity": _l("Places"),
    "points_per_hour": _l("Points per hour"),
    "minutes": _l("Minutes"),
    "number": _l("Number"),
    "due_date": _l("Due date"),
    "responsible": _l("Responsible"),
    "weights": _l("Weights"),
    "response_hours": _l("Response target (hours)"),
    "min_records": _l("Minimum records"),
    "kind": _l("Kind"),
    "value": _l("Threshold"),
    "days": _l("Support window (days)"),
    "default_points_per_hour": _l("Points per hour"),
    "wish_points": _l("Points per micro-wish"),
    "topic_id": _l("Topic"),
    "activity_id": _l("Activity"),
    "attendance_id": _l("Attendance"),
    "wish_id": _l("Micro-wish"),
    "entry_id": _l("Ledger entry"),
    "reversal_id": _l("Reversal"),
}
#: fields holding a person's id: shown as the person's name (one query per page).
PERSON_FIELDS = {"user_id", "voter_id", "subject_id"}
#: fields holding a status or code key: shown with its translated label.
KEY_FIELDS = {"status", "reason_code", "kind", "end_reason"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


#: action -> fields its sentence makes redundant (besides the ones it names, and "status")
HIDDEN_FIELDS: dict[str, set[str]] = {}


def describe_actions(sentences: dict[str, object]) -> None:
    """Register the sentences of audit actions: action -> sentence, or (sentence, fields to leave out).

    ``{"residence.confirm": _l("Confirmed %(user_id)s as a resident.")}``: placeholders name the
    entry's fields; people's ids become names, statuses their labels, empty values hide the
    sentence (the action's label is shown instead). The status is the sentence's to say.
    """
    for action, sentence in sentences.items():
        if isinstance(sentence, tuple):
            sentence, hidden = sentence
            HIDDEN_FIELDS[action] = set(hidden)
        SENTENCES[action] = sentence


@dataclass(frozen=True)
class Description:
    """An audit entry for people: one sentence and the changed values it does not mention."""

    sentence: str
    details: list[str]


def people_names(entries: Iterable[AuditEntry]) -> dict[int, str]:
    """The display names of every person an entry names, in one query."""
    ids = {
        value
        for entry in entries
        for values in (entry.before, entry.after)
        for key, value in (values or {}).items()
        if key in PERSON_FIELDS and isinstance(value, int)
    }
    if not ids:
        return {}
    user = AuditEntry.actor.property.mapper.class_  # the accounts User, without importing a domain
    return {u.id: templating.person(u) for u in db.session.scalars(sa.select(user).where(user.id.in_(ids)))}


def _value(key: str, value: Any, names: dict[int, str]) -> str | None:
    """A stored value as a reader sees it; None for nothing to show."""
    if value is None or value == "" or value == {} or value == []:
        return None
    if key in PERSON_FIELDS and isinstance(value, int):
        return names.get(value) or _("a former user")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        parts = [(templating.label(k), _value(k, v, names)) for k, v in value.items()]
        return _list([_("%(label)s: %(value)s", label=name, value=shown) for name, shown in parts if shown is not None])
    if isinstance(value, str):
        if key in KEY_FIELDS:
            return templating.label(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)?", value):
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return format_datetime(moment, "yyyy-MM-dd HH:mm")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return format_date(date.fromisoformat(value), "yyyy-MM-dd")
        return value
    if key.endswith("_id") and isinstance(value, int):
        return f"#{value}"
    return str(value)


def _list(items: list[str]) -> str:
    """Items joined the way the reader's language does ("甲，乙" / "a, b")."""
    return _(", ").join(items)


def describe(entry: AuditEntry, names: dict[int, str]) -> Description:
    """An entry as a sentence in the reader's language, with the values the sentence leaves out."""
    before, after = entry.before or {}, entry.after or {}
    shown = {key: _value(key, value, names) for key, value in {**before, **after}.items()}
    template = SENTENCES.get(entry.action)
    used: set[str] = set()
    sentence = None
    if template is not None:
        text = str(template)
        used = set(_PLACEHOLDER.findall(text))
        if all(shown.get(key) is not None for key in used):
            sentence = text % {key: shown[key] for key in used}
    if sentence is not None:
        used |= {"status"} | HIDDEN_FIELDS.get(entry.action, set())
    else:
        used = set()
        action = templating.label(entry.action)
        sentence = _("%(action)s.", action=action[:1].upper() + action[1:])
    details = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in used or key == "username":
            continue
        name = str(FIELD_LABELS[key]) if key in FIELD_LABELS else templating.label(key)
        old = _value(key, before.get(key), names) if key in before else None
        new = shown.get(key) if key in after else None
        if key in before and key in after and old == new:
            continue  # unchanged
        if key in before and key in after and old is not None and new is not None:
            details.append(_("%(label)s: %(before)s → %(after)s", label=name, before=old, after=new))
        elif key in after and new is not None:
            details.append(_("%(label)s: %(value)s", label=name, value=new))
        elif key not in after and old is not None:
            details.append(_("%(label)s: %(value)s", label=name, value=old))
    return Description(sentence, details)
