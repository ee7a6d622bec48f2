"""What places tell other domains. Every listener is connected in a ``registrations.py``
(``grep -rn "residence_ended.connect"`` finds them all)."""

from blinker import Namespace

_signals = Namespace()

residence_ended = _signals.signal(
    "residence-ended",
    doc="""A residence ended (moved out, removed by the committee, account closed).

    sender: the ``Residence``; keyword arguments: ``actor``.
    Listeners: activities ends that person's 报到 there (``consult/activities/registrations.py``).
    """,
)
