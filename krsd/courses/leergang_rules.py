"""The pure rules of a programme (the Leergang): a module's status, completion, diploma codes.

A module is passed when the person completed any edition of its course (attendance, passed
and voldoende; self-study editions count), in any order. The diploma follows when every
module is passed.
"""

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass


class ModuleStatus(enum.StrEnum):
    PASSED = "passed"
    ENROLLED = "enrolled"
    WAITING = "waiting"
    NOT_PASSED = "not_passed"
    NOT_STARTED = "not_started"


MODULE_STATUS_LABELS = {
    ModuleStatus.PASSED: "Behaald (voldoende)",
    ModuleStatus.ENROLLED: "Ingeschreven",
    ModuleStatus.WAITING: "Op de wachtlijst",
    ModuleStatus.NOT_PASSED: "Niet behaald",
    ModuleStatus.NOT_STARTED: "Nog niet begonnen",
}


@dataclass(frozen=True)
class Attempt:
    """One enrolment in an edition of a module's course."""

    #: "seated", "waiting" or "cancelled" (the enrolment's state)
    state: str
    #: the recorded "passed" answer (None: no final result yet)
    passed: bool | None
    completed: bool


def module_status(attempts: Iterable[Attempt]) -> ModuleStatus:
    """Passed if any attempt completed; else a running seat, a waiting place, a failed try."""
    attempts = [a for a in attempts if a.state != "cancelled"]
    if any(a.completed for a in attempts):
        return ModuleStatus.PASSED
    if any(a.state == "seated" and a.passed is None for a in attempts):
        return ModuleStatus.ENROLLED
    if any(a.state == "waiting" for a in attempts):
        return ModuleStatus.WAITING
    if any(a.state == "seated" for a in attempts):
        return ModuleStatus.NOT_PASSED
    return ModuleStatus.NOT_STARTED


def programme_completed(statuses: Iterable[ModuleStatus], module_count: int) -> bool:
    """Every one of the programme's ``module_count`` modules passed."""
    statuses = list(statuses)
    return len(statuses) == module_count and all(s == ModuleStatus.PASSED for s in statuses)


# Crockford's base32, as on certificates: no I, L, O or U, so a code survives being typed.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_diploma_code() -> str:
    """A random code of 60 bits in three groups of four: 7KQ2-M9XD-4T8P."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[0:4]}-{raw[4:8]}-{raw[8:12]}"


def normalise_diploma_code(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}"
