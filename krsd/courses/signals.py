"""Signals the courses package sends; higher packages connect receivers in the factory.

Receivers run synchronously inside the sender's transaction: what they change commits or
rolls back together with the result that caused it, and an exception they raise refuses it.
"""

from blinker import Namespace

_signals = Namespace()

#: Sent by ``attendance`` with the enrolment as sender after a trainer recorded or corrected
#: a result, before the commit; keywords ``was_completed`` (bool, before the change) and
#: ``actor`` (the trainer). The portfolio credits or withdraws the accredited hours.
result_changed = _signals.signal("course-result-changed")

#: Asked with ``user_ids``; a receiver returns ``{user_id: registration number}`` for those
#: who have one (the register knows them, the courses package may not import it).
registration_numbers_wanted = _signals.signal("registration-numbers-wanted")


class CreditLocked(Exception):
    """A receiver refuses a result change: the credited hours are part of an application.

    The message is Dutch and says why, for the trainer.
    """


def registration_numbers(user_ids) -> dict[int, str]:
    """The registration numbers of these people (those without one are left out)."""
    ids = sorted(set(user_ids))
    numbers: dict[int, str] = {}
    if not ids:
        return numbers
    for _receiver, answer in registration_numbers_wanted.send(None, user_ids=ids):
        numbers.update(answer or {})
    return numbers
