"""Writes make cached pages stale: each flush collects the scopes its rows touch, each commit bumps them.

A domain says which scopes a change to one of its rows touches (``scopes_for``, in its
``registrations.py``). Every flush collects them from the rows it inserts, updates and deletes,
and from bulk UPDATE/DELETE/INSERT statements on those models (``WHERE id = …`` finds the row,
``WHERE <owner>_id = …`` and an INSERT's values make a stand-in row, anything else is ``site``).
Once the transaction commits, the versions are replaced (consult.core.cache.Store.bump); a
rollback drops them, and a savepoint released inside a transaction waits for the real commit.
See docs/operations.md, "The page cache".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, BooleanClauseList

from consult.core.cache import SITE, store
from consult.extensions import Session

__all__ = ["SITE", "changed", "scopes_for"]

_PENDING = "cache_pending"  # session.info: scopes changed in the open transaction
_READY = "cache_ready"  # session.info: its transaction committed, to bump now
#: A bulk INSERT whose rows belong to more owners than this changes ``site`` (the city generator).
BULK_OWNERS = 100

#: model class -> function(row) -> the scopes a change to that row touches
_scopes: dict[type, Callable[[Any], Iterable[str]]] = {}


def scopes_for(model: type):
    """Register the function giving the scopes a change to a ``model`` row touches (a domain's registrations)."""

    def register(fn: Callable[[Any], Iterable[str]]):
        _scopes[model] = fn
        return fn

    return register


def changed(row: Any, *attributes: str, new: bool = True) -> bool:
    """Whether the flush changes one of ``attributes`` of ``row``; a new or deleted row counts as ``new``."""
    state = inspect(row)
    if state.transient or state.pending or state.deleted or state.was_deleted:
        return new
    return any(state.attrs[name].history.has_changes() for name in attributes)


def _enabled() -> bool:
    return has_app_context() and store() is not None


def _scopes_of(row: Any) -> Iterable[str]:
    fn = _scopes.get(type(row))
    return fn(row) if fn is not None else ()


@event.listens_for(Session, "after_flush")
def _flushed(session, flush_context) -> None:
    if not _enabled():
        return
    pending = session.info.setdefault(_PENDING, set())
    with session.no_autoflush:
        for row in [*session.new, *session.dirty, *session.deleted]:
            if type(row) in _scopes and (row in session.new or row in session.deleted or session.is_modified(row)):
                pending.update(_scopes_of(row))


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert) or not _enabled():
        return
    mapper = state.bind_arguments.get("mapper")
    model = mapper.class_ if mapper is not None else None
    if model not in _scopes:
        return
    session = state.session
    pending = session.info.setdefault(_PENDING, set())
    with session.no_autoflush:
        pending.update(_bulk_scopes(session, model, state))


def _bulk_scopes(session, model: type, state: ORMExecuteState) -> set[str]:
    """The scopes of a bulk statement's rows: ``WHERE id = …`` finds the row, ``WHERE fk = …`` (and an
    INSERT's values) make a stand-in row for the model's function; anything else changes ``site``."""
    if state.is_insert:
        parameters: Any = state.parameters
        rows: list[Any] = parameters if isinstance(parameters, list) else [parameters or {}]
        # Rows differ by their own ids; what they belong to (``*_id``) is what decides their scopes.
        owners = {tuple(sorted((k, v) for k, v in row.items() if k.endswith("_id"))) for row in rows}
        if not owners or len(owners) > BULK_OWNERS:
            return {SITE}
        found: set[str] = set()
        for owner in owners:
            found.update(_stand_in_scopes(model, dict(owner)))
        return found
    equal = _equalities(getattr(state.statement, "whereclause", None))
    if equal is None:
        return {SITE}
    if "id" in equal:
        row = session.get(model, equal["id"])
        return set(_scopes_of(row)) if row is not None else set()
    return _stand_in_scopes(model, equal)


def _stand_in_scopes(model: type, values: dict) -> set[str]:
    columns: set[str] = {attribute.key for attribute in inspect(model).column_attrs}  # type: ignore[var-annotated]
    try:
        return set(_scopes_of(model(**{k: v for k, v in values.items() if k in columns}))) or {SITE}
    except Exception:  # a stand-in the model's function cannot read: be safe
        return {SITE}


def _equalities(clause) -> dict[str, Any] | None:
    """``{column: value}`` of a WHERE made of ``column = value`` terms joined by AND, else None."""
    if clause is None:
        return None
    is_and = isinstance(clause, BooleanClauseList) and clause.operator is operators.and_
    found: dict[str, Any] = {}
    for term in clause.clauses if is_and else [clause]:
        if not (isinstance(term, BinaryExpression) and term.operator is operators.eq and isinstance(term.right, BindParameter)):
            return None
        found[str(getattr(term.left, "key", ""))] = term.right.effective_value
    return found


@event.listens_for(Session, "after_commit")
def _committed(session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its changes wait for the real commit
        return
    session.info.setdefault(_READY, set()).update(session.info.pop(_PENDING, set()))


@event.listens_for(Session, "after_transaction_end")
def _ended(session, transaction) -> None:
    if transaction.parent is None:  # the root ended without committing: its changes never happened
        session.info.pop(_PENDING, None)


def _bump_committed(session) -> None:
    ready = session.info.pop(_READY, set())
    if ready and _enabled():
        cache = store()
        assert cache is not None
        cache.bump(ready)


Session.after_commit_hooks.append(_bump_committed)
