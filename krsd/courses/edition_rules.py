"""Pure rules of editions, sessions and the waiting list: data in, a value or a reason out.

The waiting list is ordered by arrival: ``(queued_at, id)``. A newcomer gets a seat only
while one is free, and a free seat never stays free while someone waits.
"""

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True)
class Problem:
    """Why input is refused: a Dutch message and the form field it belongs to."""

    field: str
    message: str


def edition_problems(
    starts_on: date, ends_on: date, deadline: date, sessions: list[date]
) -> list[Problem]:
    """What is wrong with an edition's dates (its sessions must stay within them)."""
    problems = []
    if ends_on < starts_on:
        problems.append(Problem("ends_on", "De einddatum ligt vóór de begindatum."))
    if deadline > starts_on:
        problems.append(
            Problem("enrolment_deadline", "De inschrijfdeadline ligt uiterlijk op de begindatum.")
        )
    if ends_on >= starts_on and any(not starts_on <= day <= ends_on for day in sessions):
        problems.append(
            Problem(
                "starts_on",
                "Er zijn bijeenkomsten buiten deze data; verplaats of verwijder die eerst.",
            )
        )
    return problems


def capacity_problem(capacity: int, seats_taken: int) -> Problem | None:
    """Lowering the capacity below the seats already taken is refused."""
    if capacity < seats_taken:
        taken = "is al 1 plaats" if seats_taken == 1 else f"zijn al {seats_taken} plaatsen"
        return Problem(
            "capacity",
            f"Er {taken} bezet; de capaciteit kan niet lager dan {seats_taken}.",
        )
    return None


def session_problems(
    day: date, starts_at: time, ends_at: time, starts_on: date, ends_on: date, self_study: bool
) -> list[Problem]:
    """What is wrong with a session of an edition running from ``starts_on`` to ``ends_on``."""
    if self_study:
        return [Problem("day", "Een zelfstudie-uitvoering heeft geen bijeenkomsten.")]
    problems = []
    if not starts_on <= day <= ends_on:
        problems.append(Problem("day", "De dag ligt buiten de data van de uitvoering."))
    if ends_at <= starts_at:
        problems.append(Problem("ends_at", "De eindtijd ligt niet na de begintijd."))
    return problems


def open_for_changes(deadline: date, today: date) -> bool:
    """Enrolling and cancelling are possible up to and including the deadline."""
    return today <= deadline


def gets_seat(capacity: int, seats_taken: int, waiting: int) -> bool:
    """A newcomer is seated when a seat is free and nobody waits for it."""
    return seats_taken < capacity and waiting == 0
