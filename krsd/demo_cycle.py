"""Demo data for the three-year cycle: every state of herregistratie, through the services.

Each person's history is built on the days it would have happened (the services take the
day as a parameter), so that certificates end where the demo needs them relative to today:
a reminder due, a renewal in the queue, a renewal pending past the end, a suspension, an
expiry and an open request for uitstel.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from krsd import storage
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.auth.services import Registration, create_user
from krsd.certification import extensions, progress, standing
from krsd.certification import services as certification
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import ExtensionReason
from krsd.clock import AMSTERDAM
from krsd.courses.models import Accreditation
from krsd.demo_files import evidence_pdf
from krsd.extensions import db
from krsd.formatting import nl_month
from krsd.portfolio import services as portfolio
from krsd.portfolio.rules import ActivityType, Category, add_years

MOTIVATION = "De activiteiten zijn aangetoond met passende bewijsstukken; de uren voldoen."


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    function: Function
    employer: str
    #: the current certificate ends this many days from today
    ends_in: int
    #: hours logged in the current validity: (accredited course indexes, free hours)
    renewal_hours: tuple[tuple[int, ...], tuple[int, ...]]


INGRID = Person(
    "ingrid@krsd-demo.nl",
    "Ingrid Bos",
    Function.LEERPLICHTAMBTENAAR,
    "Gemeente Amsterdam",
    121,
    ((1,), (16, 12, 8)),
)
KEES = Person(
    "kees@krsd-demo.nl",
    "Kees Mulder",
    Function.DOORSTROOMCOACH,
    "RMC-regio Haaglanden",
    60,
    ((3,), (16, 12, 12, 16, 16)),
)
PRIYA = Person(
    "priya@krsd-demo.nl",
    "Priya Ramdin",
    Function.LEERPLICHTAMBTENAAR,
    "Gemeente Rotterdam",
    -10,
    ((3,), (16, 12, 12, 16, 16)),
)
SVEN = Person(
    "sven@krsd-demo.nl",
    "Sven de Boer",
    Function.ONDERSTEUNER,
    "Gemeente Groningen",
    400,
    ((), (8,)),
)
EVA = Person(
    "eva@krsd-demo.nl",
    "Eva Smit",
    Function.DOORSTROOMCOACH,
    "RMC-regio Friesland",
    -5,
    ((), (12,)),
)
OLGA = Person(
    "olga@krsd-demo.nl",
    "Olga Peeters",
    Function.LEERPLICHTAMBTENAAR,
    "Gemeente Maastricht",
    90,
    ((0,), (8,)),
)
PEOPLE = (INGRID, KEES, PRIYA, SVEN, EVA, OLGA)

FREE_ACTIVITY = (ActivityType.INTERVISIE, "Intervisiegroep leerplicht", "Intervisiegroep Oost")


def _log(user: User, day: date, logged_on: date, accreditation=None, hours=None) -> None:
    """One activity on ``day``, logged on ``logged_on`` (the services check against it)."""
    window, _deadline = progress.counting_window(user.id, logged_on)
    reflection = {
        "reflection_learned": "Hoe ik verzuim eerder bespreek met school en ouders.",
        "reflection_applied": "In mijn eerste gesprek met een jongere en in het casusoverleg.",
    }
    if accreditation is not None:
        data = portfolio.ActivityInput(
            category=Category.ACCREDITED,
            activity_date=day,
            **reflection,
            accreditation_id=accreditation.id,
        )
        title = accreditation.course.title
    else:
        kind, title, provider = FREE_ACTIVITY
        data = portfolio.ActivityInput(
            category=Category.FREE,
            activity_date=day,
            **reflection,
            type=kind,
            title=f"{title} ({nl_month(day, full=True)})",
            provider=provider,
            hours=Decimal(hours),
        )
    with storage.staged([evidence_pdf(title, user.name, day)]) as files:
        portfolio.log_activity(user, data, files, logged_on, window)


def _fill(user, start: date, logged_on: date, courses, free_hours, accreditations) -> None:
    """Activities spread from ``start`` up to ``logged_on``."""
    entries = [(accreditations[i], None) for i in courses] + [(None, h) for h in free_hours]
    span = max((logged_on - start).days, 1)
    for n, (accreditation, hours) in enumerate(entries):
        day = start + timedelta(days=span * (n + 1) // (len(entries) + 1))
        _log(user, day, logged_on, accreditation, hours)


def _approve(app: Application, reviewer: User, day: date) -> Certificate:
    certification.claim(app.id, reviewer, declared_no_conflict=True)
    certification.accept_remaining(app, reviewer)
    certificate = certification.decide(app, reviewer, True, MOTIVATION, day)
    # Backdate the application to the days it stands for in the demo's story: submitted
    # three weeks before the decision, decided on ``day``.
    decided = datetime.combine(day, time(11, 0), tzinfo=AMSTERDAM).astimezone(UTC)
    app.decided_at = decided
    app.submitted_at = app.queued_at = decided - timedelta(days=21)
    db.session.commit()
    return certificate


def _certify(person: Person, user: User, reviewer: User, accreditations, today: date):
    """A first certification decided on the day that makes it end ``ends_in`` from today."""
    end = today + timedelta(days=person.ends_in)
    decided_on = add_years(end + timedelta(days=1), -3)
    _fill(
        user,
        add_years(decided_on, -3) + timedelta(days=30),
        decided_on,
        (2, 4),
        (24, 24, 24),
        accreditations,
    )
    app = certification.submit_application(user, decided_on)
    return _approve(app, reviewer, decided_on)


def seed_cycle(admin: User, reviewer: User, today: date) -> None:
    """The cycle's demo people (after the accredited catalogue exists)."""
    accreditations = list(
        db.session.scalars(select(Accreditation).order_by(Accreditation.id)).all()
    )
    certificates = {}
    for person in PEOPLE:
        user = create_user(
            Registration(
                person.name,
                person.email,
                "demo-wachtwoord-2026",
                person.function,
                person.employer,
                True,
            ),
            {RoleName.PROFESSIONAL},
        )
        db.session.commit()
        certificate = _certify(person, user, reviewer, accreditations, today)
        courses, free = person.renewal_hours
        logged_on = min(today, certificate.valid_until)
        if person is PRIYA:
            logged_on = certificate.valid_until - timedelta(days=10)
        _fill(user, certificate.valid_from, logged_on, courses, free, accreditations)
        certificates[person] = (user, certificate, logged_on)

    # Kees: his renewal waits in the commission's queue.
    user, _certificate, logged_on = certificates[KEES]
    certification.submit_application(user, today)
    # Priya: she applied ten days before her end; the decision is still pending today.
    user, _certificate, logged_on = certificates[PRIYA]
    certification.submit_application(user, logged_on)
    # Sven: suspended by the registerbureau.
    _user, certificate, _logged_on = certificates[SVEN]
    standing.suspend(
        certificate.id,
        admin,
        "Lopend onderzoek naar een klacht over de beroepsuitoefening.",
        None,
        today,
    )
    # Olga: asks for uitstel after a long illness.
    user, _certificate, _logged_on = certificates[OLGA]
    extensions.request_extension(
        user,
        extensions.ExtensionInput(
            ExtensionReason.ILLNESS,
            "Ik was van februari tot en met augustus ziek en kon geen opleidingen volgen. "
            "Mijn bedrijfsarts kan dit bevestigen.",
        ),
        None,
        today,
    )
