"""``flask krsd …`` commands for the register office and cron."""

import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from krsd import storage
from krsd.auth import drafts, email_confirmation
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName, needs_second_factor, password_problems
from krsd.auth.second_factor import add_known_secret
from krsd.auth.services import Registration, create_user, normalise_email
from krsd.certification import daily
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.public import reindex_register
from krsd.clock import register_today
from krsd.courses import daily as courses_daily
from krsd.courses.models import RequestAttachment
from krsd.demo import seed_portfolios_and_applications
from krsd.extensions import db
from krsd.formatting import nl_date, nl_plural
from krsd.mail import deliver_pending
from krsd.portfolio.models import Evidence
from krsd.privacy import retention

krsd_cli = AppGroup("krsd", help="KRSD beheeropdrachten.")

DEMO_PASSWORD = "demo-wachtwoord-2026"  # noqa: S105 - documented demo accounts only
#: the demo reviewer's and registerbureau's authenticator secret (base32), printed and documented
DEMO_TOTP_SECRET = "KRSDDEMOKRSDDEMOKRSDDEMOKRSDDEMO"  # noqa: S105 - demo accounts only

DEMO_ACCOUNTS = (
    ("bureau@krsd-demo.nl", "Registerbureau KRSD", Function.OTHER, "KRSD", {RoleName.ADMIN}),
    (
        "commissie@krsd-demo.nl",
        "Marleen Bakker",
        Function.LEERPLICHTAMBTENAAR,
        # not the employer of a demo applicant she judges: that would be a conflict of interest
        "Gemeente Zwolle",
        {RoleName.REVIEWER, RoleName.PROFESSIONAL},
    ),
    (
        "trainer@krsd-demo.nl",
        "Jan de Vries",
        Function.OTHER,
        "Ingrado Academie",
        {RoleName.TRAINER},
    ),
    (
        "fatima@krsd-demo.nl",
        "Fatima el Amrani",
        Function.LEERPLICHTAMBTENAAR,
        "Gemeente Utrecht",
        {RoleName.PROFESSIONAL},
    ),
)


@krsd_cli.command("seed-demo")
def seed_demo() -> None:
    """Load the demo accounts once; running it again changes nothing."""
    created = 0
    for email, name, function, employer, roles in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)):
            continue
        data = Registration(name, email, DEMO_PASSWORD, function, employer, True)
        user = create_user(data, roles)
        if needs_second_factor(roles):
            add_known_secret(user, DEMO_TOTP_SECRET)
        created += 1
    db.session.commit()
    # Mail links are built on PUBLIC_URL; the request context is for the services only.
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"]):
        portfolios = seed_portfolios_and_applications(register_today())
    if created or portfolios:
        accounts = nl_plural(created, "account", "accounts")
        click.echo(f"Demodata geladen: {accounts} (wachtwoord: {DEMO_PASSWORD}).")
    else:
        click.echo("Demodata was al geladen; niets gewijzigd.")
    click.echo(
        "Tweestapsverificatie voor bureau@ en commissie@krsd-demo.nl: voeg de sleutel "
        f"{DEMO_TOTP_SECRET} toe aan een authenticator-app, of maak een code met\n"
        f"  python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    )


@krsd_cli.command("reindex-register")
def reindex_register_command() -> None:
    """Rewrite the public register's search index (once after upgrading to whole numbers)."""
    count = reindex_register()
    db.session.commit()
    people = nl_plural(count, "persoon", "personen")
    click.echo(f"Zoekindex van het register herschreven: {people}.")


@krsd_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in RoleName]),
)
@click.password_option("--password", prompt="Wachtwoord")
def create_user_command(email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account, for example the first registerbureau account in production."""
    problems = password_problems(password, email, name)
    if problems:
        raise click.UsageError(" ".join(problems))
    if db.session.scalar(select(User.id).where(User.email == normalise_email(email))):
        raise click.UsageError(f"Er bestaat al een account voor {email}.")
    data = Registration(name, email, password, Function.OTHER, "", False)
    user = create_user(data, {RoleName(r) for r in roles})
    db.session.commit()
    click.echo(f"Account {user.email} aangemaakt met rollen: {', '.join(sorted(roles))}.")


@krsd_cli.command("send-mail")
def send_mail_command() -> None:
    """Deliver the messages still waiting in the outbox (needs KRSD_MAIL_SERVER)."""
    if not current_app.config.get("MAIL_SERVER"):
        raise click.UsageError(
            "KRSD_MAIL_SERVER is niet ingesteld; berichten blijven in de outbox."
        )
    sent, failed = deliver_pending()
    click.echo(f"{sent} verstuurd, {failed} mislukt.")


def run_daily_job(day) -> tuple:
    """Every duty of ``flask krsd daily``, in turn. Each claims its rows in the database
    (a notice row, a conditional UPDATE or DELETE … RETURNING, a locked re-check), so runs
    started on several nodes at once do every duty once between them."""
    report = daily.run_daily(day)
    drafts_removed = drafts.remove_expired()
    trainers_reminded = courses_daily.remind_missing_attendance(day)
    kept = retention.run_retention(day)
    unconfirmed_removed = email_confirmation.remove_unconfirmed()
    return report, drafts_removed, trainers_reminded, kept, unconfirmed_removed


@krsd_cli.command("daily")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="De dag (JJJJ-MM-DD) waarvoor de taken draaien; standaard vandaag in Nederland.",
)
def daily_command(today) -> None:
    """Everything that depends on the date: reminders, expiries, ends of suspensions.

    Idempotent and safe to start on every node at once (cron).
    """
    day = today.date() if today else register_today()
    started = time.monotonic()
    report, drafts_removed, trainers_reminded, kept, unconfirmed_removed = run_daily_job(day)
    seconds = time.monotonic() - started
    per_reminder = ", ".join(
        f"{days} dagen: {report.reminders[days]}" for days in sorted(report.reminders, reverse=True)
    )
    click.echo(f"Dagelijkse taken voor {nl_date(day)}:")
    click.echo(
        f"  herinneringen herregistratie verstuurd: {report.reminders.total()}"
        + (f" ({per_reminder})" if per_reminder else "")
    )
    click.echo(f"  berichten over verlopen certificaten: {report.expiries}")
    click.echo(f"  schorsingen beëindigd: {report.suspensions_ended}")
    click.echo(f"  herinneringen aan trainers over ontbrekende aanwezigheid: {trainers_reminded}")
    click.echo(f"  bewaarde formulieren na verlopen sessie opgeruimd: {drafts_removed}")
    click.echo(f"  bewijsstukken na de bewaartermijn verwijderd: {kept.evidence_removed}")
    click.echo(f"  accounts na de bewaartermijn verwijderd: {kept.accounts_erased}")
    click.echo(f"  nooit bevestigde accounts verwijderd: {unconfirmed_removed}")
    click.echo(f"Klaar in {seconds:.1f} s.".replace(".", ",", 1))


@krsd_cli.command("check-storage")
@click.option(
    "--repair",
    is_flag=True,
    help="Verwijder weesbestanden (ook van afgebroken uploads) die ouder zijn dan een uur.",
)
def check_storage_command(repair: bool) -> None:
    """Report evidence files that are missing, corrupt (hash mismatch) or orphaned.

    With --repair, orphans older than an hour are removed: a killed upload leaves them.
    """
    records = db.session.execute(select(Evidence.stored_name, Evidence.sha256)).all()
    # Evidence of extension (uitstel) requests lives in the same folder.
    records += db.session.execute(
        select(ExtensionRequest.evidence_stored_name, ExtensionRequest.evidence_sha256).where(
            ExtensionRequest.evidence_stored_name.is_not(None)
        )
    ).all()
    # So do the attachments of accreditation requests.
    records += db.session.execute(
        select(RequestAttachment.stored_name, RequestAttachment.sha256)
    ).all()
    db.session.rollback()  # hashing every file must not hold SQLite's write lock
    report = storage.check([tuple(r) for r in records])
    click.echo(f"{nl_plural(len(records), 'bewijsstuk', 'bewijsstukken')} in de database.")
    for label, names in (
        ("Ontbreekt", report.missing),
        ("Beschadigd (hash klopt niet)", report.corrupt),
        ("Wees (geen database-record)", report.orphaned),
    ):
        click.echo(f"{label}: {len(names)}")
        for name in names:
            click.echo(f"  {name}")
    problem = bool(report.missing or report.corrupt)
    if repair:
        removed = storage.remove_orphans(report.orphaned)
        click.echo(f"Verwijderd (wees, ouder dan een uur): {len(removed)}")
        for name in removed:
            click.echo(f"  {name}")
        # Younger ones may belong to an upload in progress: no fault (yet).
        if kept := len(report.orphaned) - len(removed):
            click.echo(f"Bewaard (jonger dan een uur, mogelijk een lopende upload): {kept}")
    else:
        problem = problem or bool(report.orphaned)
    if problem:
        raise SystemExit(1)
