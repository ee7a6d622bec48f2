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

staff_appointed = _signals.signal(
    "staff-appointed",
    doc="""Someone was appointed staff (worker, street admin, site admin).

    sender: the appointed ``User``; keyword arguments: ``actor``.
    Listeners: accounts revokes their unused reset codes (``consult/accounts/registrations.py``).
    """,
)
