"""Who sits in an edition and who waits: for the trainer's page and the CSV/XLSX downloads."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from krsd import spreadsheets
from krsd.clock import local_date
from krsd.courses.enrolment import queue_position
from krsd.courses.models import Enrolment, EnrolmentState
from krsd.courses.signals import registration_numbers
from krsd.extensions import db

COLUMNS = [
    "Naam",
    "E-mailadres",
    "Registratienummer",
    "Functie",
    "Werkgever",
    "Status",
    "Positie wachtlijst",
    "Ingeschreven op",
]


@dataclass(frozen=True)
class Participant:
    name: str
    email: str
    registration_number: str
    function: str
    employer: str
    state: str
    #: place on the waiting list; None when seated
    position: int | None
    enrolled_on: date


@dataclass(frozen=True)
class Participants:
    seated: list[Participant]
    waiting: list[Participant]

    @property
    def everyone(self) -> list[Participant]:
        return [*self.seated, *self.waiting]


def participants(edition_id: int) -> Participants:
    """The seated participants by name and the waiting list in order, in two queries."""
    rows = db.session.execute(
        select(Enrolment, queue_position())
        .where(
            Enrolment.edition_id == edition_id,
            Enrolment.state.in_([EnrolmentState.SEATED, EnrolmentState.WAITING]),
        )
        .options(joinedload(Enrolment.user))
        .order_by(Enrolment.queued_at, Enrolment.id)
    ).all()
    numbers = registration_numbers(e.user_id for e, _ in rows)
    seated, waiting = [], []
    for enrolment, position in rows:
        is_waiting = enrolment.state == EnrolmentState.WAITING
        user = enrolment.user
        person = Participant(
            name=user.name,
            email=user.email,
            registration_number=numbers.get(user.id, ""),
            function=user.function_label,
            employer=user.employer,
            state=enrolment.state_label,
            position=position if is_waiting else None,
            enrolled_on=local_date(enrolment.enrolled_at),
        )
        (waiting if is_waiting else seated).append(person)
    seated.sort(key=lambda p: (p.name.casefold(), p.email))
    return Participants(seated, waiting)


def _frame(people: Participants):
    # pandas takes half a second to import: only the downloads need it.
    import pandas as pd

    frame = pd.DataFrame(
        [
            [
                p.name,
                p.email,
                p.registration_number,
                p.function,
                p.employer,
                p.state,
                p.position,
                p.enrolled_on,
            ]
            for p in people.everyone
        ],
        columns=COLUMNS,
    )
    # whole numbers with gaps for the seated, and dates kept as dates (real date cells)
    frame["Positie wachtlijst"] = frame["Positie wachtlijst"].astype("Int64")
    return frame


def as_csv(people: Participants) -> bytes:
    return spreadsheets.csv_bytes(_frame(people))


def as_xlsx(people: Participants, title: str) -> bytes:
    return spreadsheets.xlsx_bytes(_frame(people), "Deelnemers", title)
