"""Pure rules for accounts and access: no Flask, no database."""

import enum
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
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


class Province(enum.StrEnum):
    """The twelve provinces: where one works (for the registerbureau's figures)."""

    GRONINGEN = "groningen"
    FRIESLAND = "friesland"
    DRENTHE = "drenthe"
    OVERIJSSEL = "overijssel"
    FLEVOLAND = "flevoland"
    GELDERLAND = "gelderland"
    UTRECHT = "utrecht"
    NOORD_HOLLAND = "noord-holland"
    ZUID_HOLLAND = "zuid-holland"
    ZEELAND = "zeeland"
    NOORD_BRABANT = "noord-brabant"
    LIMBURG = "limburg"


PROVINCE_LABELS = {
    Province.GRONINGEN: "Groningen",
    Province.FRIESLAND: "Fryslân",
    Province.DRENTHE: "Drenthe",
    Province.OVERIJSSEL: "Overijssel",
    Province.FLEVOLAND: "Flevoland",
    Province.GELDERLAND: "Gelderland",
    Province.UTRECHT: "Utrecht",
    Province.NOORD_HOLLAND: "Noord-Holland",
    Province.ZUID_HOLLAND: "Zuid-Holland",
    Province.ZEELAND: "Zeeland",
    Province.NOORD_BRABANT: "Noord-Brabant",
    Province.LIMBURG: "Limburg",
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


class Throttle(enum.StrEnum):
    """Why a login is refused before the password is even checked."""

    ACCOUNT = "account"
    ADDRESS = "address"


@dataclass(frozen=True)
class ThrottleState:
    """Failed logins within the window, counted three ways."""

    #: for this account from anywhere, since its last successful login or password reset
    failures_for_account: int
    #: for this account from this address, since its last success from here or its reset
    failures_for_address_and_account: int
    #: from this address for any account (a whole office behind one NAT address)
    failures_for_address: int


@dataclass(frozen=True)
class ThrottleLimits:
    #: failures allowed per account and per (address, account)
    per_account: int
    #: failures allowed from one address over all accounts; much higher
    per_address: int


def login_is_throttled(state: ThrottleState, limits: ThrottleLimits) -> Throttle | None:
    """Which ceiling a login has reached, or None while it may still try.

    The address comes first: when a whole network is refused, a new password does not help.
    """
    if state.failures_for_address >= limits.per_address:
        return Throttle.ADDRESS
    if (
        state.failures_for_account >= limits.per_account
        or state.failures_for_address_and_account >= limits.per_account
    ):
        return Throttle.ACCOUNT
    return None


def throttle_message(throttle: Throttle, minutes: int, limits: ThrottleLimits) -> str:
    """What the person can do about it, in Dutch."""
    if throttle is Throttle.ADDRESS:
        return (
            f"Te veel mislukte inlogpogingen vanaf dit netwerk: in de afgelopen {minutes} "
            f"minuten mislukten er {limits.per_address} of meer, voor verschillende accounts. "
            f"Wacht {minutes} minuten en probeer het dan opnieuw. Gebeurt dit vaker, meld het "
            "dan aan uw ICT-afdeling of het registerbureau."
        )
    return (
        f"Te veel mislukte inlogpogingen voor dit account. Wacht {minutes} minuten en probeer "
        "het dan opnieuw, of vraag een nieuw wachtwoord aan: daarmee kunt u meteen weer inloggen."
    )


#: roles that log in with a second factor (TOTP or a recovery code)
SECOND_FACTOR_ROLES = frozenset({RoleName.REVIEWER, RoleName.ADMIN})
#: minutes between a correct password and the second factor before one starts again
SECOND_FACTOR_PENDING_MINUTES = 5
#: how many recovery codes a person gets at a time
RECOVERY_CODE_COUNT = 10
#: TOTP steps either side of now whose code is accepted (clock drift, slow typing)
TOTP_WINDOW = 1
TOTP_STEP_SECONDS = 30


def needs_second_factor(roles: set[RoleName] | frozenset[RoleName]) -> bool:
    """Reviewers and the registerbureau prove a second factor after their password."""
    return bool(SECOND_FACTOR_ROLES.intersection(roles))


def totp_steps_around(now_seconds: float) -> list[int]:
    """The time steps whose codes are accepted at ``now_seconds`` (Unix time), newest first."""
    current = int(now_seconds // TOTP_STEP_SECONDS)
    return [current + offset for offset in range(TOTP_WINDOW, -TOTP_WINDOW - 1, -1)]


def usable_totp_step(matching_steps: list[int], last_used_step: int | None) -> int | None:
    """The step a correct code counts for, or None when it was used already.

    Steps only move forward: a code is good once, and so is any older code after it.
    """
    fresh = [s for s in matching_steps if last_used_step is None or s > last_used_step]
    return max(fresh) if fresh else None


def normalise_code(text: str) -> str:
    """A typed code without spaces and dashes, lower-case (``12 34 56``, ``ABCDE-FGHJK``)."""
    return "".join(ch for ch in text if ch not in " -\t").lower()


def looks_like_totp(code: str) -> bool:
    """Six digits: an authenticator code rather than a recovery code."""
    return len(code) == 6 and code.isascii() and code.isdigit()


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
    elif is_common_password(password):
        problems.append(
            "Dit wachtwoord staat op de lijst van veelgebruikte wachtwoorden die aanvallers "
            "als eerste proberen. Kies iets anders, bijvoorbeeld een zin van een paar woorden."
        )
    return problems


@cache
def _common_passwords() -> frozenset[str]:
    lines = Path(__file__).with_name("common_passwords.txt").read_text().splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def is_common_password(password: str) -> bool:
    """A listed password, also with digits or punctuation added or in other capitals
    (Welkom2026!, WACHTWOORD123)."""
    common = _common_passwords()
    lowered = password.strip().lower()
    bare = re.sub(r"[\d\W_]+$", "", lowered)  # welkom2026! -> welkom
    bare = re.sub(r"^[\d\W_]+", "", bare)
    return lowered in common or (bare != "" and bare in common)
