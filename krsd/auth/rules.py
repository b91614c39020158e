"""Pure rules for accounts and access: no Flask, no database."""

import enum
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit


class RoleName(enum.StrEnum):
    PROFESSIONAL = "professional"
    TRAINER = "trainer"
    REVIEWER = "reviewer"
    ADMIN = "admin"


ROLE_LABELS = {
    RoleName.PROFESSIONAL: "Professional",
    RoleName.TRAINER: "Trainer",
    RoleName.REVIEWER: "Beoordelaar (Commissie Conformiteitsbepaling)",
    RoleName.ADMIN: "Registerbureau",
}


class Function(enum.StrEnum):
    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"
    DOORSTROOMCOACH = "doorstroomcoach"
    ONDERSTEUNER = "ondersteuner"
    OTHER = "other"


FUNCTION_LABELS = {
    Function.LEERPLICHTAMBTENAAR: "Leerplichtambtenaar",
    Function.DOORSTROOMCOACH: "Doorstroomcoach (RMC)",
    Function.ONDERSTEUNER: "Ondersteuner",
    Function.OTHER: "Andere functie in het sociaal domein",
}

MIN_PASSWORD_LENGTH = 10


def safe_next(target: str | None) -> str | None:
    """Return ``target`` when it is a path on this site, otherwise None.

    Browsers forgive a lot (backslashes as slashes, tabs and newlines dropped,
    ``https:evil`` as a relative scheme), so anything that is not plainly a
    local path is refused rather than repaired.
    """
    if not target:
        return None
    for candidate in (target, unquote(target)):
        if "\\" in candidate or any(ord(ch) < 32 or ord(ch) == 127 for ch in candidate):
            return None
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        parts = urlsplit(candidate)
        if parts.scheme or parts.netloc:
            return None
    return target


@dataclass(frozen=True)
class ThrottleState:
    failures_for_account: int
    failures_for_ip: int


def login_is_throttled(state: ThrottleState, max_failures: int) -> bool:
    """True once an account or an address has used up its failed attempts."""
    return state.failures_for_account >= max_failures or state.failures_for_ip >= max_failures


def password_problems(password: str, email: str = "", name: str = "") -> list[str]:
    """Dutch reasons why a new password is not good enough (empty when it is)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens.")
    lowered = password.lower()
    if email and lowered == email.lower():
        problems.append("Uw wachtwoord mag niet gelijk zijn aan uw e-mailadres.")
    if name and lowered == name.lower():
        problems.append("Uw wachtwoord mag niet gelijk zijn aan uw naam.")
    if password and len(set(password)) < 4:
        problems.append("Dit wachtwoord is te eenvoudig te raden.")
    return problems
