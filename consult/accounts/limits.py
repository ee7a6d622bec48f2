"""Attempt limits for logging in, resetting and registering, counted before the attempt is made.

Flask-Limiter's ``deduct_when`` checks a limit before the view and counts after it, so a burst
of parallel requests all pass the check before any of them is counted (30 parallel wrong
passwords: 21 were tried against a limit of 5). Here each attempt takes its place in the
counter first, atomically (the storage's increment, in memory or in Redis), and only the
attempts that got a place are made. An attempt that must not count (a successful log-in) is
given back afterwards.

The counters are Flask-Limiter's own storage and strategy (fixed window by default; giving
back needs a counter, so only the fixed window is supported) under keys shaped like its own,
so ``limiter.reset()`` and the Redis key prefix apply to them too.

When the storage cannot be reached (Redis away) the attempts are counted in this process's
memory instead, with a warning at most once a minute: the limits still hold per process (a
log-in is never refused, nor a 500 shown, for want of Redis), as Flask-Limiter's own in-memory
fallback does for the limits it checks (``RATELIMIT_IN_MEMORY_FALLBACK_ENABLED``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask_babel import gettext as _
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter, RateLimiter

from consult.core.errors import DomainError
from consult.extensions import limiter


class TooManyAttempts(DomainError):
    """A limit is used up: shown as a 429 page in the person's language."""

    status = 429


@dataclass(frozen=True)
class Rule:
    """One limit: a Flask-Limiter string ("5 per 15 minutes; 20 per day"), a key and a scope."""

    limits: str
    key: str
    scope: str


Taken = list[tuple[RateLimitItem, tuple[str, ...], RateLimiter]]
log = logging.getLogger(__name__)
#: Counts kept in this process while the shared storage is away.
_fallback = FixedWindowRateLimiter(MemoryStorage())
_warned_at = float("-inf")


def _identifiers(rule: Rule) -> tuple[str, ...]:
    prefix = limiter._key_prefix  # the app's RATELIMIT_KEY_PREFIX, as Flask-Limiter uses it
    return (prefix, rule.key, rule.scope) if prefix else (rule.key, rule.scope)


def attempt(*rules: Rule, message: str | None = None) -> Taken:
    """Count one attempt against every rule before it is made.

    Raises :class:`TooManyAttempts` (and counts nothing) when any of them is used up; else
    returns what was taken, for :func:`give_back`.
    """
    try:
        return _attempt(limiter.limiter, rules, message)
    except TooManyAttempts:
        raise
    except Exception as error:  # the storage is away (redis.ConnectionError, a timeout): count here
        _storage_away(error)
        return _attempt(_fallback, rules, message)


def _attempt(strategy: RateLimiter, rules: tuple[Rule, ...], message: str | None) -> Taken:
    taken: Taken = []
    for rule in rules:
        identifiers = _identifiers(rule)
        for item in parse_many(rule.limits):
            taken.append((item, identifiers, strategy))
            if not strategy.hit(item, *identifiers):
                give_back(taken)
                raise TooManyAttempts(message or _("Too many attempts. Please wait a few minutes before trying again."))
    return taken


def give_back(taken: Taken) -> None:
    """Return the attempts taken (the log-in succeeded, so it does not count)."""
    for item, identifiers, strategy in taken:
        try:
            strategy.storage.incr(item.key_for(*identifiers), item.get_expiry(), amount=-1)
        except Exception as error:  # away since the attempt: the count expires with its window
            _storage_away(error)


def _storage_away(error: Exception) -> None:
    global _warned_at
    moment = time.monotonic()
    if moment - _warned_at >= 60:
        _warned_at = moment
        log.warning("rate-limit storage unreachable (%s): attempts are counted in this process", error)
