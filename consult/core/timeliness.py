"""What a domain's evaluation source says about each item's timing: facts at a moment.

The evaluation (``consult/evaluation/figures.py``) decides what counts; each source says, for
every item, whether it was answered or done, whether that was in time, and whether its due time
has passed at the moment the figures are computed. A source with many rows (requests) states
these facts in SQL; the others compute them here from the item's times.
"""

from __future__ import annotations

from datetime import date, datetime

from consult.core.clock import local


def answered(answered_at: datetime | None, due: datetime, moment: datetime) -> tuple[bool, bool, bool]:
    """(answered, answered by ``due``, ``due`` reached at ``moment``)."""
    return answered_at is not None, answered_at is not None and answered_at <= due, due <= moment


def done_by_date(done_at: datetime | None, due: date, moment: datetime) -> tuple[bool, bool]:
    """(done by the end of the due day in the site's zone, the due day over at ``moment``)."""
    return done_at is not None and local(done_at).date() <= due, due < local(moment).date()
