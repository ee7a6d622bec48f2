"""Registries each domain adds to: the worker's to-do list, personal data, `flask tick` jobs, closing an
account, background jobs, labels and template helpers, the page header's data, permission checks core needs, and the
sources of the evaluation's figures.

The idiom: domains add to core, core never imports a domain (an import-linter contract in
pyproject.toml checks it). A domain registers its part when its ``registrations`` or ``sources``
module is imported (in ``create_app``); core calls what was registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from consult.core.clock import now


@dataclass(frozen=True)
class TodoItem:
    """A pending item on a worker's to-do page."""

    kind: str  #: translated kind label, e.g. "Residence to confirm"
    title: str
    since: datetime
    link: str
    target: timedelta = timedelta(hours=48)

    @property
    def age(self) -> timedelta:
        return now() - self.since

    @property
    def overdue(self) -> bool:
        return self.age > self.target


#: name -> function(community) -> list[TodoItem]
todo_providers: dict[str, Callable] = {}
#: name -> function(user) -> JSON-able data about that person
personal_data: dict[str, Callable] = {}
#: "table.column" (a foreign key to users.id) -> (exporter name, key of its output holding one entry per row;
#: "" when the output itself is that list). tests/accounts/test_personal_data.py checks the counts.
personal_columns: dict[str, tuple[str, str]] = {}
#: "table.column" (a foreign key to users.id) -> why "download my data" leaves it out
not_personal_columns: dict[str, str] = {}

#: A reason shared by every column naming the staff member who acted on someone else's record.
STAFF_ACTION = "the staff member who acted on another person's record: it is that person's data; the action is in the audit log"
#: name -> function() -> int (records changed); each must be idempotent
tick_jobs: dict[str, Callable[[], int]] = {}
#: name -> function(**arguments) run by consult.core.jobs, on the queue's worker or inline after the
#: enqueuing transaction commits; its arguments are JSON (ids and strings, never ORM objects) and
#: it runs in its own transaction (jobs.py commits or rolls back). Tick jobs run as "tick:<name>".
job_functions: dict[str, Callable[..., object]] = {}
#: name -> function(user) -> None: what a domain cancels or releases when a person closes their
#: account (run in name order, in the closing transaction, before the account is anonymised)
closing_account: dict[str, Callable] = {}


def todo(name: str):
    """Register a to-do provider."""

    def decorator(fn):
        todo_providers[name] = fn
        return fn

    return decorator


def personal(name: str, covers: dict[str, str] | None = None):
    """Register a personal-data exporter for "download my data".

    ``covers`` maps each "table.column" referencing users.id that the exporter reads to the key
    of its output listing one entry per such row ("" when the output is that list itself).
    """

    def decorator(fn):
        personal_data[name] = fn
        for column, key in (covers or {}).items():
            personal_columns[column] = (name, key)
        return fn

    return decorator


def not_personal(reasons: dict[str, str]) -> None:
    """Say why each "table.column" referencing users.id is left out of "download my data"."""
    not_personal_columns.update(reasons)


def tick(name: str):
    """Register a time-driven job run by `flask tick`."""

    def decorator(fn):
        tick_jobs[name] = fn
        return fn

    return decorator


def job(name: str):
    """Register a background job under ``name`` (enqueued with ``consult.core.jobs.enqueue``)."""

    def decorator(fn):
        job_functions[name] = fn
        return fn

    return decorator


def closing(name: str):
    """Register what a domain cancels or releases when a person closes their account."""

    def decorator(fn):
        closing_account[name] = fn
        return fn

    return decorator


#: status or action key -> lazily translated label, shown by status_label / action_label
labels: dict[str, object] = {}


def add_labels(mapping: dict[str, object]) -> None:
    """Register translated labels for statuses and audit actions."""
    labels.update(mapping)


#: name -> function(user id column) -> scalar subquery, read in the session check's own statement;
#: the values land in ``g.session_reads`` (the urgent-notice banner asks whether it has anything)
session_reads: dict[str, Callable] = {}


def session_read(name: str):
    """Register a value read along with every request's session check (no statement of its own)."""

    def decorator(fn):
        session_reads[name] = fn
        return fn

    return decorator


#: name -> callable available in every template (domains add their label helpers)
template_globals: dict[str, Callable] = {}
#: name -> function(community, user) -> dict | None: a panel on the community's home page,
#: rendered from templates/<name>/_community_panel.html with that dict as its context
community_panels: dict[str, Callable] = {}


def template_global(fn):
    """Make ``fn`` available in every template under its own name."""
    template_globals[fn.__name__] = fn
    return fn


#: name -> template filter a domain (or a core module) adds
template_filters: dict[str, Callable] = {}


def template_filter(name: str):
    """Make ``fn`` a template filter under ``name``."""

    def decorator(fn):
        template_filters[name] = fn
        return fn

    return decorator


def community_panel(name: str):
    """Register a panel on the community home page."""

    def decorator(fn):
        community_panels[name] = fn
        return fn

    return decorator


#: name -> function(user) -> value: what the page header needs about the signed-in person (places
#: adds "roles"); every template sees each name, None when nobody is signed in
header_values: dict[str, Callable] = {}


def header_value(name: str):
    """Register a value every page's header can read under ``name``."""

    def decorator(fn):
        header_values[name] = fn
        return fn

    return decorator


#: name -> function(user, community_id) -> bool: a permission core must check without knowing the
#: domain that grants it (places adds "manage_community", used to revoke a document)
permissions: dict[str, Callable[..., bool]] = {}


def permission(name: str):
    """Register the check behind a permission core asks about."""

    def decorator(fn):
        permissions[name] = fn
        return fn

    return decorator


def allowed(name: str, user, community_id: int) -> bool:
    """Whether ``user`` holds the permission ``name`` in the community (False if none is registered)."""
    check = permissions.get(name)
    return bool(check and check(user, community_id))


# --- the evaluation's figures -------------------------------------------------------------------
# Evaluation reads the other domains only through these: each domain registers, in its
# ``sources.py``, the SQL of its part of a figure (evaluation orders the records by kind). Every
# function takes (community_ids, start, end, moment) and returns rows:
#   "response":      (kind, record_id, community_id, submitted_at, decided_at, withdrawn)
#   "resolution":    (kind, record_id, community_id, due_date, done_at)
#   "satisfaction":  (kind, record_id, community_id, level)
#   "participation": (kind, record_id, community_id, voters: set of user ids, eligible: int); one
#                    row per record, ``eligible`` being the community's count (the same on each row)
#   "volunteer_minutes", "party_services": (kind, record_id, community_id, minutes)
#   "wishes_fulfilled": (kind, record_id, community_id)

#: figure -> name -> function(community_ids, start, end, moment) -> rows (see above)
evaluation_sources: dict[str, dict[str, Callable]] = {}
#: record kind -> function(ids) -> {id: {"title", "endpoint", "args", "level", "comment", "at"}}:
#: what a record behind a figure is, never who is behind it (absent keys stay None)
evaluation_records: dict[str, Callable] = {}


def evaluation_source(figure: str, name: str):
    """Register a domain's part of an evaluation figure."""

    def decorator(fn):
        evaluation_sources.setdefault(figure, {})[name] = fn
        return fn

    return decorator


def evaluation_record(*kinds: str):
    """Register how records of ``kinds`` are described on a figure's records page."""

    def decorator(fn):
        for kind in kinds:
            evaluation_records[kind] = fn
        return fn

    return decorator


@dataclass(frozen=True)
class ExportKind:
    """A large export built in the background (consult.core.export_files): a domain says what it
    is called, who may have it and how its rows are read."""

    #: the file's title in lists and notifications, translated when called
    title: Callable[[], str]
    #: (user, scope, params) -> whether this person may have this file now (asked again at download)
    allowed: Callable[..., bool]
    #: (scope, params) -> (file name, header, batches of rows): read in batches, in constant memory
    build: Callable[..., tuple]


#: kind -> ExportKind; scope is a string the kind understands (e.g. a street's slug)
export_kinds: dict[str, ExportKind] = {}


def export_kind(name: str, kind: ExportKind) -> None:
    """Register a background export under ``name``."""
    export_kinds[name] = kind


#: kind -> function(record_id) -> {"community_id", "title", "building", "place", "endpoint", "args"} or
#: None: one record of a domain that another domain links to without importing it (safety turns a
#: resident request into a hazard and links both)
linked_records: dict[str, Callable[[int], dict | None]] = {}


def linked_record(kind: str):
    """Register how a record of ``kind`` is found by id for a link from another domain."""

    def decorator(fn):
        linked_records[kind] = fn
        return fn

    return decorator
