"""Demo courses for `make run`: Jan de Vries teaches the Leergang and 'ondersteuners'.

One edition is full with a waiting list, one has free seats, one is self-study, one ended
three days ago with its attendance still to enter (Fatima sits in it: recorded as passed
she gets 16 accredited hours and is no longer short). A draft course waits for the
registerbureau's accreditation decision. All through the real services.
"""

from datetime import date, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from krsd.auth.models import User
from krsd.courses import accreditation, catalogue, editions, enrolment
from krsd.courses.models import Course, CourseFormat, CourseTrainer, TargetGroup
from krsd.extensions import db

LEERGANG_DESCRIPTION = (
    "Module {n} van de Leergang Leerplicht/RMC: {topic} De modules volgt u in elke "
    "volgorde; wie alle drie met een voldoende afrondt, krijgt het diploma."
)
TOPICS = {
    1: "de Leerplichtwet, de RMC-regelgeving en de jurisprudentie die u in uw werk gebruikt.",
    2: "wie doet wat rond een jongere: school, zorg, wijkteam, OM en RMC, en hoe u samenwerkt.",
    3: "van melding tot aanpak: gesprekstechniek, handelingsplan en verslaglegging.",
}
ONDERSTEUNERS = "Leerplicht en RMC voor ondersteuners"
MORNING, NOON, AFTERNOON = time(9, 30), time(12, 30), time(16, 30)
PLACE = "Utrecht, Ingrado Academie, Maliebaan 10"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _course(title_start: str) -> Course:
    return db.session.scalar(select(Course).where(Course.title.startswith(title_start)))


def _teach(course: Course, trainer: User, data: catalogue.CourseInput) -> None:
    """The registerbureau entered these courses; it hands them to their trainer."""
    db.session.add(CourseTrainer(course_id=course.id, user_id=trainer.id))
    db.session.commit()
    catalogue.update_course(course.id, data, trainer)


def _edition(course, trainer, start, end, deadline, capacity, place, self_study=False, days=()):
    edition = editions.create_edition(
        course,
        editions.EditionData(start, end, deadline, capacity, place, self_study),
        trainer,
    )
    for day in days:
        editions.add_session(edition.id, editions.SessionData(day, MORNING, AFTERNOON, ""), trainer)
    return edition


def seed_courses(admin: User, today: date) -> None:
    trainer = _user("trainer@krsd-demo.nl")
    modules = {}
    for n in (1, 2, 3):
        course = _course(f"Leergang Leerplicht/RMC — Module {n}")
        _teach(
            course,
            trainer,
            catalogue.CourseInput(
                title=course.title,
                provider=course.provider,
                description=LEERGANG_DESCRIPTION.format(n=n, topic=TOPICS[n]),
                format=CourseFormat.KLASSIKAAL,
                study_load_hours=course.accreditations[0].hours,
                target_groups=[TargetGroup.LEERPLICHT, TargetGroup.RMC],
                graded=True,
            ),
        )
        accreditation.set_module(course.id, n, "Demodata: module van de Leergang", admin)
        modules[n] = course
    support = _course(ONDERSTEUNERS)
    _teach(
        support,
        trainer,
        catalogue.CourseInput(
            title=support.title,
            provider=support.provider,
            description="Een dag over leerplicht, kwalificatieplicht en RMC voor "
            "administratief en juridisch ondersteuners. Populair: de wachtlijst loopt snel vol.",
            format=CourseFormat.KLASSIKAAL,
            study_load_hours=Decimal(6),
            target_groups=[TargetGroup.ONDERSTEUNERS],
            graded=False,
        ),
    )

    # Ended three days ago, attendance still to enter: Fatima and Şükrü took part.
    start = today - timedelta(days=10)
    ended = _edition(
        modules[3], trainer, start, today - timedelta(days=3), start - timedelta(days=7), 16,
        PLACE, days=(start, today - timedelta(days=3)),
    )  # fmt: skip
    for email in ("fatima@krsd-demo.nl", "sukru@krsd-demo.nl"):
        enrolment.enrol(ended.id, _user(email), today=start - timedelta(days=14))

    # Full, with a waiting list of two.
    start = today + timedelta(days=30)
    full = _edition(
        support, trainer, start, start, start - timedelta(days=7), 3, PLACE, days=(start,)
    )
    for email in (
        "commissie@krsd-demo.nl",
        "ingrid@krsd-demo.nl",
        "kees@krsd-demo.nl",
        "priya@krsd-demo.nl",
        "sven@krsd-demo.nl",
    ):
        enrolment.enrol(full.id, _user(email), today=today)

    # Free seats: module 3 again, in six weeks, two days.
    start = today + timedelta(days=42)
    free = _edition(
        modules[3], trainer, start, start + timedelta(days=7), start - timedelta(days=7), 16,
        PLACE, days=(start, start + timedelta(days=7)),
    )  # fmt: skip
    enrolment.enrol(free.id, _user("lukasz@krsd-demo.nl"), today=today)

    # Self-study: module 1 and module 2, online, three months to finish from the start.
    start = today + timedelta(days=14)
    for n in (1, 2):
        _edition(
            modules[n], trainer, start, start + timedelta(days=90), start, 50,
            "Online (zelfstudie)", self_study=True,
        )  # fmt: skip
    start = today + timedelta(days=21)
    _edition(modules[2], trainer, start, start, start - timedelta(days=5), 20, PLACE, days=(start,))

    # A new course of the trainer that waits for the registerbureau's decision.
    draft = catalogue.create_course(
        catalogue.CourseInput(
            title="Intervisie voor leerplichtambtenaren",
            provider="Ingrado Academie",
            description="Vier bijeenkomsten intervisie volgens de incidentmethode, met "
            "casussen uit de eigen praktijk.",
            format=CourseFormat.KLASSIKAAL,
            study_load_hours=Decimal(10),
            target_groups=[TargetGroup.LEERPLICHT, TargetGroup.RMC],
            graded=False,
        ),
        trainer,
    )
    accreditation.request_accreditation(
        draft.id,
        accreditation.RequestInput(
            hours_requested=Decimal(8),
            programme_text="Vier bijeenkomsten van twee uur: kennismaking en methode, "
            "drie rondes casuïstiek met de incidentmethode, evaluatie.",
            learning_goals="De deelnemer brengt een eigen casus in, stelt open vragen en "
            "vertaalt de adviezen van de groep naar een volgende stap in de eigen aanpak.",
        ),
        [],
        trainer,
    )
