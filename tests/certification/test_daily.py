"""The daily job (``flask krsd daily``): reminders, expiry, ends of suspensions — each once."""

import re
import smtplib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select, update

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import Function
from krsd.certification import cycle, daily
from krsd.certification.models import Application, Certificate, CertificateNotice
from krsd.certification.rules import Kind, State
from krsd.clock import AMSTERDAM
from krsd.courses.models import Accreditation, Course
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Activity, Regulation, regulation_in_force
from krsd.portfolio.rules import ActivityType, Category
from tests.clock import TODAY
from tests.races import race

DAYS = (180, 90, 30)


# --- the pure rules -------------------------------------------------------------------


def test_the_reminder_bands_hold_exactly_the_ends_for_which_each_reminder_is_due():
    bands = cycle.reminder_bands(TODAY, DAYS)
    assert [b[0] for b in bands] == [30, 90, 180]
    for offset in range(-3, 200):
        end = TODAY + timedelta(days=offset)
        band = next((d for d, first, last in bands if first <= end <= last), None)
        assert band == cycle.reminder_due(end, TODAY, DAYS, set()), end


@pytest.mark.parametrize(
    ("days_after_end", "pending", "closed", "due"),
    [
        (0, False, False, False),  # the last valid day
        (1, False, False, True),
        (1, True, False, False),  # a pending renewal keeps it valid
        (30, False, False, True),
        (31, False, False, False),  # history, not news
        (200, False, True, True),  # a renewal that kept it valid was rejected
    ],
)
def test_an_expiry_is_news_from_the_day_after_the_end(days_after_end, pending, closed, due):
    end = date(2026, 3, 31)
    today = end + timedelta(days=days_after_end)
    assert (
        cycle.expiry_notice_due(end, today, renewal_pending=pending, renewal_closed=closed) == due
    )


# --- helpers --------------------------------------------------------------------------


def certify(user: User, valid_until: date, years: int = 3, **columns) -> Certificate:
    """A certificate ending on ``valid_until`` (issued without the review flow)."""
    application = Application(
        applicant_id=user.id,
        kind=Kind.INITIAL,
        state=State.APPROVED,
        window_start=valid_until - timedelta(days=365 * years * 2),
        window_end=valid_until - timedelta(days=365 * years),
        regulation_id=regulation_in_force(TODAY).id,
        decided_at=utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    certificate = Certificate(
        holder_id=user.id,
        application_id=application.id,
        registration_number=f"KRSD-{user.id:06d}",
        valid_from=valid_until.replace(year=valid_until.year - years) + timedelta(days=1),
        valid_until=valid_until,
        verification_code=f"TEST-{user.id:04d}-{application.id:04d}",
        holder_name=user.name,
        holder_function=Function.LEERPLICHTAMBTENAAR,
        **columns,
    )
    db.session.add(certificate)
    db.session.commit()
    return certificate


def renewal(certificate: Certificate, state: State = State.SUBMITTED) -> Application:
    """A renewal of ``certificate``: open (pending) unless another state is given."""
    application = Application(
        applicant_id=certificate.holder_id,
        kind=Kind.RENEWAL,
        state=state,
        window_start=certificate.valid_from,
        window_end=certificate.valid_until,
        regulation_id=regulation_in_force(TODAY).id,
        open_applicant_id=certificate.holder_id if state == State.SUBMITTED else None,
        previous_certificate_id=certificate.id,
    )
    db.session.add(application)
    db.session.commit()
    return application


def activity(
    user: User, category: Category, hours: str, day: date, locked_by=None, accreditation=None
) -> None:
    db.session.add(
        Activity(
            owner_id=user.id,
            category=category,
            type=ActivityType.ACCREDITED_COURSE
            if category == Category.ACCREDITED
            else ActivityType.INTERVISIE,
            title="Activiteit",
            activity_date=day,
            hours=Decimal(hours),
            reflection="Geleerd.",
            locked_by_application_id=locked_by,
            accreditation_id=accreditation.id if accreditation else None,
        )
    )
    db.session.commit()


def mails(to: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if to:
        query = query.where(OutboxMessage.recipient == to)
    return list(db.session.scalars(query))


def notices() -> list[tuple[int, str]]:
    return sorted(
        db.session.execute(select(CertificateNotice.certificate_id, CertificateNotice.kind)).all()
    )


def flat(text: str) -> str:
    return " ".join(text.split())


def run(today: date) -> daily.DailyReport:
    report = daily.run_daily(today)
    db.session.expire_all()
    return report


# --- reminders (rule 5) ---------------------------------------------------------------


def test_a_holder_is_told_how_many_hours_are_missing_per_category_and_until_when(make_user):
    anna = make_user(email="anna@example.nl", name="Anna de Vries")
    end = TODAY + timedelta(days=90)
    certificate = certify(anna, end)
    activity(anna, Category.ACCREDITED, "10", TODAY - timedelta(days=100))
    activity(anna, Category.FREE, "50", TODAY - timedelta(days=50))
    activity(anna, Category.FREE, "4", TODAY - timedelta(days=5))
    # Before this certificate's validity, and used by an approved application: not counted.
    activity(anna, Category.ACCREDITED, "8", certificate.valid_from - timedelta(days=1))
    activity(anna, Category.ACCREDITED, "6", TODAY - timedelta(days=20), certificate.application_id)

    report = run(TODAY)

    assert report.reminders == {90: 1}
    [mail] = mails()
    body = flat(mail.body)
    assert mail.recipient == "anna@example.nl"
    assert nl_date(end) in mail.subject
    assert "geaccrediteerd: 10 van minimaal 24 uur, nog 14 uur nodig" in body
    assert "in totaal: 64 van 96 uur" in body and "nog 32 uur nodig" in body
    assert "Nog nodig: 14 uur geaccrediteerd en 32 uur in totaal." in body
    assert f"tot en met {nl_date(end)}" in body
    assert "http://localhost/portfolio/" in body
    assert "http://localhost/certificering" in body
    assert notices() == [(certificate.id, "reminder_90")]


def test_an_accredited_course_logged_twice_counts_once_in_the_reminder(make_user):
    anna = make_user(email="anna@example.nl")
    certify(anna, TODAY + timedelta(days=90))
    course = Course(title="Leergang Module 1", provider="Ingrado Academie")
    accreditation = Accreditation(
        course=course,
        number="KRSD-A-TEST-1",
        hours=Decimal("16"),
        valid_from=TODAY - timedelta(days=400),
        valid_until=TODAY + timedelta(days=400),
    )
    db.session.add(accreditation)
    db.session.commit()
    for _ in range(2):
        activity(anna, Category.ACCREDITED, "16", TODAY - timedelta(days=9), None, accreditation)
    activity(anna, Category.ACCREDITED, "4", TODAY - timedelta(days=8))

    run(TODAY)

    assert "geaccrediteerd: 20 van minimaal 24 uur, nog 4 uur nodig" in flat(mails()[0].body)


def test_a_holder_with_enough_hours_is_told_to_apply(make_user):
    anna = make_user(email="anna@example.nl")
    certify(anna, TODAY + timedelta(days=30))
    activity(anna, Category.ACCREDITED, "24", TODAY - timedelta(days=100))
    activity(anna, Category.FREE, "80", TODAY - timedelta(days=50))

    run(TODAY)

    body = flat(mails()[0].body)
    assert "in totaal: 96 van 96 uur" in body
    assert "U heeft genoeg uren." in body and "Nog nodig" not in body


def test_a_job_that_did_not_run_sends_only_the_latest_reminder_that_fell_due(make_user):
    certificate = certify(make_user(), TODAY + timedelta(days=20))

    assert run(TODAY).reminders == {30: 1}
    assert notices() == [(certificate.id, "reminder_30")]


def test_each_reminder_goes_once_at_its_day(make_user):
    end = TODAY + timedelta(days=180)
    certificate = certify(make_user(), end)

    sent = {}
    for offset in range(0, 181):
        day = TODAY + timedelta(days=offset)
        report = daily.run_daily(day)
        if report.reminders:
            sent[(end - day).days] = dict(report.reminders)
    assert sent == {180: {180: 1}, 90: {90: 1}, 30: {30: 1}}
    assert run(TODAY + timedelta(days=150)).reminders == {}
    assert [kind for _, kind in notices()] == ["reminder_180", "reminder_30", "reminder_90"]
    assert len(mails()) == 3
    assert {n[0] for n in notices()} == {certificate.id}


def test_a_second_run_on_the_same_day_sends_nothing(make_user):
    certify(make_user(), TODAY + timedelta(days=90))
    certify(make_user(), TODAY - timedelta(days=1))

    first = run(TODAY)
    second = run(TODAY)

    assert (first.reminders, first.expiries) == ({90: 1}, 1)
    assert (second.reminders, second.expiries, second.suspensions_ended) == ({}, 0, 0)
    assert len(mails()) == 2


@pytest.mark.parametrize(
    "situation", ["pending renewal", "suspended", "revoked", "renewed", "not yet started"]
)
def test_no_reminder_for_a_certificate_that_is_not_valid_or_already_renewed(make_user, situation):
    holder = make_user()
    end = TODAY + timedelta(days=90)
    columns = {
        "suspended": {"suspended_at": utcnow(), "suspension_reason": "Onderzoek."},
        "revoked": {"revoked_at": utcnow(), "revocation_reason": "Fraude."},
    }.get(situation, {})
    certificate = certify(holder, end, **columns)
    if situation == "pending renewal":
        renewal(certificate)
    if situation == "renewed":
        renewal(certificate, State.APPROVED)
        certify(holder, end.replace(year=end.year + 3))
    if situation == "not yet started":
        db.session.execute(
            update(Certificate)
            .where(Certificate.id == certificate.id)
            .values(valid_from=TODAY + timedelta(days=1))
        )
        db.session.commit()

    assert run(TODAY).reminders == {}
    assert mails() == []


def test_a_suspension_that_ended_does_not_stop_the_reminder(make_user):
    certify(
        make_user(),
        TODAY + timedelta(days=90),
        suspended_at=utcnow(),
        suspension_reason="Onderzoek.",
        suspended_until=TODAY - timedelta(days=3),
    )

    report = run(TODAY)

    assert report.reminders == {90: 1} and report.suspensions_ended == 1


def test_the_reminder_days_come_from_the_regulation_in_force(make_user):
    db.session.execute(update(Regulation).values(reminder_days="60"))
    db.session.commit()
    certify(make_user(), TODAY + timedelta(days=90))
    later = certify(make_user(), TODAY + timedelta(days=60))

    assert run(TODAY).reminders == {60: 1}
    assert notices() == [(later.id, "reminder_60")]


# --- expiry (rule 6) ------------------------------------------------------------------


def test_the_day_after_the_end_the_holder_gets_one_expiry_mail(make_user):
    bram = make_user(email="bram@example.nl")
    end = TODAY - timedelta(days=1)
    certificate = certify(bram, end)

    last_day = run(TODAY - timedelta(days=1))
    assert (last_day.expiries, last_day.reminders) == (0, {30: 1})  # still valid that day
    assert run(TODAY).expiries == 1
    assert run(TODAY + timedelta(days=1)).expiries == 0

    [reminder, mail] = mails("bram@example.nl")
    body = flat(mail.body)
    assert mail.subject == "Uw KRSD-certificaat is verlopen"
    assert f"geldig tot en met {nl_date(end)}" in body
    assert "eerste certificering" in body and "Uw registratienummer blijft van u." in body
    assert certificate.status_on(TODAY) == "expired"
    assert notices() == [(certificate.id, "expired"), (certificate.id, "reminder_30")]


@pytest.mark.parametrize("situation", ["pending renewal", "revoked", "renewed", "long ago"])
def test_no_expiry_mail_when_it_did_not_expire_or_is_not_news(make_user, situation):
    holder = make_user()
    end = TODAY - timedelta(days=40 if situation == "long ago" else 1)
    columns = {"revoked_at": utcnow(), "revocation_reason": "Fraude."}
    certificate = certify(holder, end, **(columns if situation == "revoked" else {}))
    if situation == "pending renewal":
        renewal(certificate)
    if situation == "renewed":
        renewal(certificate, State.APPROVED)
        certify(holder, end.replace(year=end.year + 3))

    assert run(TODAY).expiries == 0
    assert mails() == []


def test_a_renewal_rejected_after_the_end_brings_the_expiry_mail(make_user):
    certificate = certify(make_user(), TODAY - timedelta(days=60))
    application = renewal(certificate)
    assert run(TODAY).expiries == 0  # valid while the renewal is pending

    application.state = State.REJECTED
    application.open_applicant_id = None
    db.session.commit()

    assert run(TODAY + timedelta(days=1)).expiries == 1
    assert run(TODAY + timedelta(days=2)).expiries == 0


def test_an_extended_certificate_expires_after_its_new_end_without_a_separate_duty(make_user):
    certify(
        make_user(),
        TODAY + timedelta(days=10),
        original_valid_until=TODAY - timedelta(days=20),
    )

    assert run(TODAY).expiries == 0
    assert run(TODAY + timedelta(days=10)).expiries == 0
    assert run(TODAY + timedelta(days=11)).expiries == 1


# --- ends of suspensions --------------------------------------------------------------


def test_a_suspension_whose_end_passed_is_lifted_audited_and_mailed_once(make_user):
    holder = make_user(email="chris@example.nl")
    until = TODAY - timedelta(days=1)
    certificate = certify(
        holder,
        TODAY + timedelta(days=400),
        suspended_at=datetime(2026, 5, 1, 9, tzinfo=UTC),
        suspension_reason="Klacht in onderzoek.",
        suspended_until=until,
    )
    assert run(until).suspensions_ended == 0  # the end date itself is still suspended

    assert run(TODAY).suspensions_ended == 1
    assert run(TODAY).suspensions_ended == 0

    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.suspended_at is None and certificate.suspended_until is None
    assert certificate.suspension_reason is None and certificate.status_on(TODAY) == "valid"
    [entry] = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "register.suspension_ended")
    ).all()
    assert entry.actor_id is None and entry.object_id == str(certificate.id)
    assert entry.details_dict["suspended_until"] == until.isoformat()
    [mail] = mails("chris@example.nl")
    assert f"liep tot en met {nl_date(until)}" in flat(mail.body)
    assert "weer geldig" in mail.body


@pytest.mark.parametrize("situation", ["no end date", "ends today", "revoked"])
def test_other_suspensions_stay(make_user, situation):
    columns = {
        "suspended_at": utcnow(),
        "suspension_reason": "Onderzoek.",
        "suspended_until": {
            "no end date": None,
            "ends today": TODAY,
            "revoked": TODAY - timedelta(days=5),
        }[situation],
    }
    if situation == "revoked":
        columns |= {"revoked_at": utcnow(), "revocation_reason": "Fraude."}
    certificate = certify(make_user(), TODAY + timedelta(days=400), **columns)

    assert run(TODAY).suspensions_ended == 0
    assert db.session.get(Certificate, certificate.id).suspended_at is not None


# --- scale: a constant number of queries per batch -------------------------------------


def _statements_of_a_run(today: date) -> int:
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        daily.run_daily(today)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(statements)


def _certify_many(make_user, count: int, start: int) -> None:
    for n in range(count):
        holder = make_user(email=f"h{start + n}@example.nl")
        certify(holder, TODAY + timedelta(days=[20, 80, 170][n % 3]))
        certify(make_user(email=f"x{start + n}@example.nl"), TODAY - timedelta(days=1))
        activity(holder, Category.FREE, "12", TODAY - timedelta(days=3))


def test_the_job_runs_the_same_number_of_queries_for_3_or_12_certificates(make_user):
    _certify_many(make_user, 3, 0)
    few = _statements_of_a_run(TODAY)
    db.session.execute(CertificateNotice.__table__.delete())
    db.session.commit()
    _certify_many(make_user, 9, 100)
    many = _statements_of_a_run(TODAY)

    assert len(mails()) == 2 * 3 + 2 * 12
    assert few == many


# --- exactly once under concurrency (SQLite and PostgreSQL) ------------------------------


def test_two_jobs_at_the_same_moment_send_each_mail_once(app, make_user):
    holders = [make_user(email=f"r{n}@example.nl") for n in range(4)]
    certify(holders[0], TODAY + timedelta(days=90))
    certify(holders[1], TODAY + timedelta(days=25))
    certify(holders[2], TODAY - timedelta(days=1))
    certify(
        holders[3],
        TODAY + timedelta(days=500),
        suspended_at=utcnow(),
        suspension_reason="Onderzoek.",
        suspended_until=TODAY - timedelta(days=1),
    )

    reports = race(app, lambda: daily.run_daily(TODAY), lambda: daily.run_daily(TODAY))

    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(r.reminders.total() for r in reports) == 2
    assert sum(r.expiries for r in reports) == 1
    assert sum(r.suspensions_ended for r in reports) == 1
    assert sorted(m.recipient for m in mails()) == [f"r{n}@example.nl" for n in range(4)]
    ended = select(func.count()).where(AuditEntry.action == "register.suspension_ended")
    assert db.session.scalar(ended) == 1


# --- the command ---------------------------------------------------------------------


def test_the_command_prints_what_it_did_per_duty(app, make_user):
    certify(make_user(), date(2026, 9, 13))  # 90 days after 15 June
    certify(make_user(), date(2026, 7, 10))  # 25 days
    certify(make_user(), date(2026, 6, 14))  # ended yesterday
    runner = app.test_cli_runner()

    result = runner.invoke(args=["krsd", "daily", "--today", "2026-06-15"])

    assert result.exit_code == 0, result.output
    *lines, duration = result.output.splitlines()
    assert lines == [
        "Dagelijkse taken voor 15 juni 2026:",
        "  herinneringen herregistratie verstuurd: 2 (90 dagen: 1, 30 dagen: 1)",
        "  berichten over verlopen certificaten: 1",
        "  schorsingen beëindigd: 0",
        "  herinneringen aan trainers over ontbrekende aanwezigheid: 0",
        "  bewaarde formulieren na verlopen sessie opgeruimd: 0",
        "  bewijsstukken na de bewaartermijn verwijderd: 0",
        "  accounts na de bewaartermijn verwijderd: 0",
        "  nooit bevestigde accounts verwijderd: 0",
    ]
    assert re.fullmatch(r"Klaar in \d+,\d s\.", duration)
    again = runner.invoke(args=["krsd", "daily", "--today", "2026-06-15"])
    assert "herinneringen herregistratie verstuurd: 0\n" in again.output
    assert "verlopen certificaten: 0" in again.output


def test_a_date_that_is_not_one_is_refused_without_a_traceback(app):
    result = app.test_cli_runner().invoke(args=["krsd", "daily", "--today", "2026-13-01"])

    assert result.exit_code == 2
    assert "--today" in result.output and "Traceback" not in result.output


def test_without_today_the_job_runs_for_the_dutch_day(app, make_user, register_clock):
    # 23:30 UTC on 15 June is 01:30 on 16 June in Amsterdam: the certificate that ended
    # on 15 June has expired there.
    certify(make_user(), date(2026, 6, 15))
    register_clock.move_to(datetime(2026, 6, 15, 23, 30, tzinfo=UTC))

    result = app.test_cli_runner().invoke(args=["krsd", "daily"])

    assert result.exit_code == 0, result.output
    assert "Dagelijkse taken voor 16 juni 2026:" in result.output
    assert "berichten over verlopen certificaten: 1" in result.output


def test_just_before_midnight_in_amsterdam_it_is_still_the_last_valid_day(
    app, make_user, register_clock
):
    certify(make_user(), date(2026, 6, 15))
    register_clock.move_to(datetime(2026, 6, 15, 23, 59, tzinfo=AMSTERDAM))

    result = app.test_cli_runner().invoke(args=["krsd", "daily"])

    assert "Dagelijkse taken voor 15 juni 2026:" in result.output
    assert "berichten over verlopen certificaten: 0" in result.output


# --- mail that arrives ---------------------------------------------------------------


class FakeSMTP:
    sent: list = []

    def __init__(self, host, port, timeout):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


def test_the_reminder_reaches_the_smtp_server_with_date_and_message_id(app, make_user, monkeypatch):
    FakeSMTP.sent = []
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.nl")
    certify(make_user(email="anna@example.nl"), TODAY + timedelta(days=90))

    run(TODAY)

    [message] = FakeSMTP.sent
    assert message["To"] == "anna@example.nl"
    assert message["Date"] and message["Message-ID"].endswith("@krsd.nl>")
    assert mails()[0].sent_at is not None
