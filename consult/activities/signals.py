"""What activities tell other domains. Every listener is connected in a ``registrations.py``
(``grep -rn "attendance_confirmed.connect"`` finds them all)."""

from blinker import Namespace

_signals = Namespace()

attendance_confirmed = _signals.signal(
    "attendance-confirmed",
    doc="""A worker confirmed someone's minutes at an activity (once per attendance).

    sender: the ``Attendance``; keyword arguments: ``actor`` (the worker), ``activity``.
    Listeners: points posts the service-hour points (``consult/points/registrations.py``).
    """,
)

wish_confirmed = _signals.signal(
    "wish-confirmed",
    doc="""A micro-wish was confirmed as fulfilled (by its author, a worker, or after the waiting time).

    sender: the ``Wish``; keyword arguments: ``actor``.
    Listeners: points posts the claimer's micro-wish points (``consult/points/registrations.py``).
    """,
)

activity_defaults = _signals.signal(
    "activity-defaults",
    doc="""A worker opens the form for a new activity: listeners may propose starting values.

    sender: the ``Community``; each listener returns a dict of form field -> value.
    Listeners: points proposes ``points_per_hour`` from the community's points rules
    (``consult/points/registrations.py``), so activities never imports points.
    """,
)
