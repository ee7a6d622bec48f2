"""Large exports built in the background: a person asks, a job writes the CSV, they download it.

A list that can run to hundreds of thousands of rows (a street's points ledger for a year) is not
built inside a web request: that would hold a worker for as long as it takes and lose everything
when the connection drops. ``ask`` records an ``ExportFile`` and enqueues ``exports.build``
(consult.core.jobs: on the RQ queue with ``REDIS_URL``, inline after the commit without it); the
job reads the rows in batches, writes them gzip-compressed **into the database** (so any app
process can serve it: nothing is kept on one machine's disk), and notifies the person. The file is
theirs alone: only its owner may download it, and only while they may still have it (the kind's
``allowed`` is asked again at download: a worker who lost the post loses the file). Files are
deleted seven days after they are ready (``flask tick``); a person closing their account loses
theirs at once. Rules: docs/operations.md, "Background jobs".
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import force_locale, gettext as _
from sqlalchemy.orm import Mapped, deferred, joinedload, mapped_column, relationship

from consult.core import jobs, notifications, registries
from consult.core.clock import now
from consult.core.errors import Conflict, Gone, NotFound, PermissionDenied
from consult.core.exports import safe_cell
from consult.extensions import Model, db

#: How long a file is kept once ready.
KEEP_FOR = timedelta(days=7)
#: How many exports one person may have waiting at once.
MAX_WAITING = 3
#: The same export asked again within this time gives the one already asked for.
SAME_WITHIN = timedelta(minutes=10)
STATUSES = ("queued", "ready", "failed", "expired")


class ExportFile(Model):
    """One export a person asked for, and (once built) its file."""

    __tablename__ = "export_files"
    __table_args__ = (
        sa.Index("ix_export_files_owner_created", "owner_id", "created_at"),
        sa.CheckConstraint("status IN ('queued', 'ready', 'failed', 'expired')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    scope: Mapped[str] = mapped_column(sa.String(80))
    params: Mapped[str] = mapped_column(sa.String(200), default="{}")
    #: the language the person used when asking: the file's headings are in it
    locale: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(8), default="queued")
    filename: Mapped[str | None] = mapped_column(sa.String(120))
    rows: Mapped[int | None]
    size: Mapped[int | None]  #: bytes of the CSV before compression
    error: Mapped[str | None] = mapped_column(sa.String(300))
    content: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))  #: gzip of the CSV
    created_at: Mapped[datetime] = mapped_column(default=now)
    ready_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    #: the person (core names accounts' model by its name only: core imports no domain)
    owner = relationship("User", lazy="raise_on_sql")

    @property
    def title(self) -> str:
        kind = registries.export_kinds.get(self.kind)
        return kind.title() if kind else self.kind

    @property
    def downloadable(self) -> bool:
        """Ready and not yet deleted: its owner may download it (if still allowed)."""
        return self.status == "ready" and (self.expires_at is None or self.expires_at > now())

    @property
    def state_text(self) -> str:
        """Where the export is, for its owner's list (when it is not downloadable)."""
        return {
            "queued": _("Being prepared"),
            "failed": _("Could not be prepared; it is tried again, or ask for it once more."),
        }.get(self.status, _("Deleted after seven days"))

    @property
    def parameters(self) -> dict:
        return json.loads(self.params or "{}")


registries.not_personal(
    {"export_files.owner_id": "a file the person asked for: the records of a street or community, not theirs; kept 7 days"}
)


def _kind(name: str) -> registries.ExportKind:
    kind = registries.export_kinds.get(name)
    if kind is None:
        raise NotFound(_("There is no such export."))
    return kind


def ask(owner, kind_name: str, scope: str, params: dict[str, Any], *, locale: str) -> ExportFile:
    """Ask for an export: it is built in the background and the person notified when it is ready.

    The same export asked again within ``SAME_WITHIN`` gives the one already asked for; a person
    may have ``MAX_WAITING`` waiting at once."""
    kind = _kind(kind_name)
    if not kind.allowed(owner, scope, params):
        raise PermissionDenied(_("You may not have this export."))
    text = json.dumps(params, sort_keys=True)
    same = db.session.scalar(
        sa.select(ExportFile)
        .where(
            ExportFile.owner_id == owner.id,
            ExportFile.kind == kind_name,
            ExportFile.scope == scope,
            ExportFile.params == text,
            ExportFile.status.in_(("queued", "ready")),
            ExportFile.created_at > now() - SAME_WITHIN,
        )
        .order_by(ExportFile.id.desc())
        .limit(1)
    )
    if same is not None:
        return same
    waiting = db.session.scalar(sa.select(sa.func.count()).where(ExportFile.owner_id == owner.id, ExportFile.status == "queued"))
    if (waiting or 0) >= MAX_WAITING:
        raise Conflict(_("You have %(num)d exports being prepared; please wait until one is ready.", num=waiting))
    export = ExportFile(owner_id=owner.id, kind=kind_name, scope=scope, params=text, locale=locale, status="queued")
    db.session.add(export)
    db.session.flush()
    jobs.enqueue("exports.build", export_id=export.id)
    return export


def _csv_gzip(header, batches) -> tuple[bytes, int, int]:
    """The CSV (UTF-8 with a BOM, formula cells neutralised) gzip-compressed; its rows and size."""
    packed = io.BytesIO()
    rows = size = 0
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as out:
        counter = _Counting(out)
        writer = csv.writer(counter, lineterminator="\r\n")
        counter.write("\ufeff")
        writer.writerow([safe_cell(h) for h in header])
        for batch in batches:
            for row in batch:
                writer.writerow([safe_cell(cell) for cell in row])
                rows += 1
        size = counter.size
    return packed.getvalue(), rows, size


class _Counting:
    """A text stream that counts the UTF-8 bytes written through it."""

    def __init__(self, out) -> None:
        self.out, self.size = out, 0

    def write(self, text: str) -> int:
        self.size += len(text.encode("utf-8"))
        return self.out.write(text)


@registries.job("exports.build")
def build(export_id: int) -> str:
    """Build the file of an export asked for (the job ``exports.build``); notify its owner."""
    export = db.session.scalar(sa.select(ExportFile).where(ExportFile.id == export_id).options(joinedload(ExportFile.owner)))
    if export is None or export.status in ("ready", "expired"):
        return "nothing to do"
    owner = export.owner
    kind = registries.export_kinds.get(export.kind)
    if kind is None or owner is None or not kind.allowed(owner, export.scope, export.parameters):
        export.status, export.error = "failed", "no longer allowed"
        return "refused"
    try:
        with force_locale(export.locale):
            filename, header, batches = kind.build(export.scope, export.parameters)
            content, rows, size = _csv_gzip(header, batches)
    except Exception as error:
        # Kept as failed with its error (the owner sees it); raised again so the queue retries it.
        db.session.rollback()
        failed = db.session.get(ExportFile, export_id)
        if failed is not None:
            failed.status, failed.error = "failed", f"{type(error).__name__}: {error}"[:300]
            db.session.commit()
        raise
    export.filename, export.content, export.rows, export.size = filename, content, rows, size
    export.status, export.error, export.ready_at, export.expires_at = "ready", None, now(), now() + KEEP_FOR
    notifications.notify(
        export.owner_id,
        f"export:{export.id}",
        notifications.N_("Your export “%(title)s” is ready to download."),
        link=f"/me/exports/{export.id}",
        title=export.filename,
    )
    return "ready"


def mine(owner_id: int) -> list[ExportFile]:
    """A person's exports, newest first (the file itself is not read)."""
    return list(
        db.session.scalars(sa.select(ExportFile).where(ExportFile.owner_id == owner_id).order_by(ExportFile.id.desc()).limit(50))
    )


def download(user, export_id: int) -> tuple[str, bytes]:
    """The file name and the CSV of a ready export, for its owner while they may still have it."""
    export = db.session.get(ExportFile, export_id)
    if export is None or export.owner_id != user.id:
        raise NotFound(_("There is no such export."))
    kind = registries.export_kinds.get(export.kind)
    if kind is None or not kind.allowed(user, export.scope, export.parameters):
        raise PermissionDenied(_("You may no longer have this export."))
    if export.status == "expired" or (export.expires_at is not None and export.expires_at <= now()):
        raise Gone(_("This export was deleted after seven days; please ask for it again."))
    if export.status != "ready" or export.content is None:
        raise Conflict(_("This export is not ready yet."))
    return export.filename or "export.csv", gzip.decompress(export.content)


@registries.tick("exports.expire")
def expire() -> int:
    """Delete the files of exports ready for longer than ``KEEP_FOR`` (their rows stay, marked expired)."""
    result = db.session.execute(
        sa.update(ExportFile)
        .where(ExportFile.status == "ready", ExportFile.expires_at <= now())
        .values(status="expired", content=None)
    )
    return getattr(result, "rowcount", 0) or 0


@registries.closing("exports")
def forget(user) -> None:
    """A closed account's exports go with it."""
    db.session.execute(sa.delete(ExportFile).where(ExportFile.owner_id == user.id))
