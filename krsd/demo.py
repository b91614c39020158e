"""Demo data for `make run`: accredited courses, portfolios, applications, a certificate.

Everything goes through the real services, so the demo shows what users would make.
Dates are relative to today, so the demo stays current.
"""

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from krsd import storage
from krsd.auth.models import User
from krsd.auth.rules import Function, Province, RoleName
from krsd.auth.services import Registration, create_user
from krsd.certification import appeals, progress
from krsd.certification import services as certification
from krsd.courses.models import Accreditation
from krsd.courses.services import AccreditedCourse, save_accredited_course
from krsd.demo_courses import seed_courses
from krsd.demo_cycle import seed_cycle
from krsd.demo_files import evidence_pdf
from krsd.extensions import db
from krsd.portfolio import services as portfolio
from krsd.portfolio.rules import ActivityType, Category

PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - documented demo accounts only
INGRADO = "Ingrado Academie"

COURSES = (
    ("Leergang Leerplicht/RMC — Module 1 Wet- en regelgeving", INGRADO, "8"),
    ("Leergang Leerplicht/RMC — Module 2 Het netwerk in beeld", INGRADO, "12"),
    ("Leergang Leerplicht/RMC — Module 3 Methodisch handelen", INGRADO, "16"),
    ("Leerplicht basisopleiding", INGRADO, "24"),
    ("BOA PHB Domein III (Onderwijs)", "Opleidingscentrum Handhaving", "32"),
    ("Leerplicht en RMC voor ondersteuners", INGRADO, "6"),
    ("Training intervisie begeleiden", "Bureau Intervisie Nederland", "8"),
)

FREE = {
    ActivityType.INTERVISIE: ("Intervisiegroep leerplicht regio", "Intervisiegroep Utrecht-West"),
    ActivityType.CONGRES: ("Landelijk congres Leerplicht en RMC", "Ingrado"),
    ActivityType.VAKLITERATUUR: ("Vakliteratuur: ‘Thuiszitters in beeld’", "Eigen studie"),
    ActivityType.WEBINAR: ("Webinar verzuimaanpak in het mbo", "Ingrado"),
    ActivityType.CASUISTIEK: ("Casuïstiekbespreking met het wijkteam", "Wijkteam Noord"),
    ActivityType.WORKSHOP: ("Workshop motiverende gespreksvoering", "Centrum voor Gespreksvoering"),
    ActivityType.NON_ACCREDITED_COURSE: ("Cursus Meldcode huiselijk geweld", "Augeo Academy"),
}

PEOPLE = (
    # email, name, function, employer, accredited course indexes, free hours per type
    (
        "fatima@krsd-demo.nl",
        "Fatima el Amrani",
        Function.LEERPLICHTAMBTENAAR,
        "Gemeente Utrecht",
        (0, 1),
        (16, 8, 12, 4, 20, 12, 8),
    ),
    (
        "sukru@krsd-demo.nl",
        "Şükrü Çelik",
        Function.DOORSTROOMCOACH,
        "RMC-regio Utrecht",
        (3, 0),
        (16, 8, 10, 4, 16, 8, 8),
    ),
    (
        "lukasz@krsd-demo.nl",
        "Łukasz Nowak",
        Function.DOORSTROOMCOACH,
        "RMC-regio Rijk van Nijmegen",
        (4,),
        (12, 8, 10, 6, 12, 8, 8),
    ),
    (
        "daan@krsd-demo.nl",
        "Daan Visser",
        Function.DOORSTROOMCOACH,
        "RMC-regio Twente",
        (4,),
        (12, 8, 10, 6, 12, 8, 8),
    ),
    (
        "anouk@krsd-demo.nl",
        "Anouk Jansen",
        Function.LEERPLICHTAMBTENAAR,
        "Gemeente Amersfoort",
        (0, 1, 2),
        (16, 8, 12, 4, 12, 8, 12),
    ),
)

#: the province each demo employer works in (for the registerbureau's dashboard)
EMPLOYER_PROVINCES = {
    "Gemeente Utrecht": Province.UTRECHT,
    "RMC-regio Utrecht": Province.UTRECHT,
    "Gemeente Amersfoort": Province.UTRECHT,
    "RMC-regio Rijk van Nijmegen": Province.GELDERLAND,
    "RMC-regio Twente": Province.OVERIJSSEL,
    "Gemeente Zwolle": Province.OVERIJSSEL,
    "Gemeente Amsterdam": Province.NOORD_HOLLAND,
    "RMC-regio Haaglanden": Province.ZUID_HOLLAND,
    "Gemeente Rotterdam": Province.ZUID_HOLLAND,
    "Gemeente Groningen": Province.GRONINGEN,
    "RMC-regio Friesland": Province.FRIESLAND,
    "Gemeente Maastricht": Province.LIMBURG,
}


def _provinces() -> None:
    """Give the demo people the province of their employer (those who did not choose one)."""
    for employer, province in EMPLOYER_PROVINCES.items():
        db.session.execute(
            update(User)
            .where(User.employer == employer, User.province.is_(None))
            .values(province=province)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()


def _accreditations(admin: User, today: date) -> list[Accreditation]:
    made = []
    for n, (title, provider, hours) in enumerate(COURSES, start=1):
        data = AccreditedCourse(
            title=title,
            provider=provider,
            description=f"{title}, aangeboden door {provider}.",
            number=f"KRSD-A-{today.year - 3}-{n:03d}",
            hours=Decimal(hours),
            valid_from=date(today.year - 7, 1, 1),
            valid_until=date(today.year + 2, 12, 31),
        )
        made.append(save_accredited_course(data, admin, "Demodata: accreditatie verleend"))
    return made


def _portfolio(user: User, accreditations, course_ids, free_hours, today: date) -> None:
    day = today - timedelta(days=700)
    for index in course_ids:
        accreditation = accreditations[index]
        data = portfolio.ActivityInput(
            category=Category.ACCREDITED,
            activity_date=day,
            reflection_learned="Ik heb de actuele wet- en regelgeving opgefrist, vooral de "
            "termijnen rond de verzuimmelding.",
            reflection_applied="Ik pas de regels toe in mijn gesprekken met ouders en scholen "
            "en leg ze nu beter uit.",
            accreditation_id=accreditation.id,
        )
        with storage.staged([evidence_pdf(accreditation.course.title, user.name, day)]) as files:
            portfolio.log_activity(
                user,
                data,
                files,
                today,
                progress.first_window(today, progress.regulation_on(today)),
            )
        day += timedelta(days=61)
    for (kind, (title, provider)), hours in zip(FREE.items(), free_hours, strict=True):
        data = portfolio.ActivityInput(
            category=Category.FREE,
            activity_date=day,
            reflection_learned="Een andere kijk op verzuim: als signaal van een vraag, niet "
            "alleen als overtreding.",
            reflection_applied="Ik gebruik het in mijn casusoverleg en bij het eerste gesprek "
            "met een jongere.",
            reflection_change="Ik vraag eerst naar de reden voordat ik over de regels begin.",
            type=kind,
            title=title,
            provider=provider,
            hours=Decimal(hours),
        )
        with storage.staged([evidence_pdf(title, user.name, day)]) as files:
            portfolio.log_activity(
                user,
                data,
                files,
                today,
                progress.first_window(today, progress.regulation_on(today)),
            )
        day += timedelta(days=53)


def seed_portfolios_and_applications(today: date) -> bool:
    """Load the demo portfolios once; returns False when they were there already."""
    if db.session.scalar(select(Accreditation.id).limit(1)):
        return False
    admin = db.session.scalar(select(User).where(User.email == "bureau@krsd-demo.nl"))
    reviewer = db.session.scalar(select(User).where(User.email == "commissie@krsd-demo.nl"))
    accreditations = _accreditations(admin, today)
    users = {}
    for email, name, function, employer, course_ids, free_hours in PEOPLE:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(
                Registration(name, email, PASSWORD, function, employer, True),
                {RoleName.PROFESSIONAL},
            )
            db.session.commit()
        _portfolio(user, accreditations, course_ids, free_hours, today)
        users[email] = user

    # Şükrü waits in the queue; Łukasz is in review; Anouk is certified and listed.
    certification.submit_application(users["sukru@krsd-demo.nl"], today)
    in_review = certification.submit_application(users["lukasz@krsd-demo.nl"], today)
    certification.claim(in_review.id, reviewer)
    first = in_review.items[0]
    certification.judge(
        in_review, first.id, reviewer, certification.Judgement(first.verdict.ACCEPTED, None, "")
    )
    certified = certification.submit_application(users["anouk@krsd-demo.nl"], today)
    certification.claim(certified.id, reviewer)
    for item in certified.items:
        certification.judge(
            certified, item.id, reviewer, certification.Judgement(item.verdict.ACCEPTED, None, "")
        )
    certification.decide(
        certified,
        reviewer,
        True,
        "Alle activiteiten zijn aangetoond met passende bewijsstukken; de uren voldoen aan het "
        "reglement.",
        today,
    )
    _seed_appeal(users["daan@krsd-demo.nl"], reviewer, today)
    seed_cycle(admin, reviewer, today)
    seed_courses(admin, today)
    _provinces()
    return True


def _seed_appeal(user: User, reviewer: User, today: date) -> None:
    """Daan's application was rejected; he objected (bezwaar), waiting for a second member."""
    rejected = certification.submit_application(user, today)
    certification.claim(rejected.id, reviewer)
    item = rejected.items[-1]
    certification.judge(
        rejected,
        item.id,
        reviewer,
        certification.Judgement(
            item.verdict.REJECTED, None, "Het bewijs noemt een andere deelnemer."
        ),
    )
    certification.decide(
        rejected,
        reviewer,
        False,
        "Zonder de afgewezen activiteit voldoen de uren niet aan het reglement.",
        today,
    )
    appeals.lodge(
        rejected.id,
        user,
        "Het bewijsstuk is op mijn naam; de opleider heeft een verkeerde naam gedrukt en dat "
        "schriftelijk bevestigd. Ik voeg die bevestiging toe.",
        today,
    )
