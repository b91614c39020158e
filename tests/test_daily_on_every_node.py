"""`flask krsd daily` started by cron on every node at once: every duty done once in all."""

import secrets
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from krsd.audit import AuditEntry
from krsd.auth.drafts import FormDraft
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.cli import run_daily_job
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Evidence
from krsd.portfolio.rules import Category
from krsd.privacy import retention
from tests.certification.conftest import add_activity
from tests.certification.test_daily import certify
from tests.clock import TODAY
from tests.courses import result_rows as rows
from tests.races import race

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: long before the retention cutoff (7 years before TODAY)
LONG_AGO = date(2018, 3, 1)


def _old_evidence(owner: User) -> Evidence:
    """An evidence file of an activity no application holds, past its retention."""
    activity = add_activity(owner, Category.FREE, "4", days_ago=(TODAY - LONG_AGO).days)
    evidence = Evidence(
        activity_id=activity.id,
        stored_name=secrets.token_urlsafe(24),
        label="bewijs.pdf",
        kind="pdf",
        size=len(PDF),
        sha256="0" * 64,
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence


def _dormant(make_user, email: str) -> User:
    user = make_user(email=email)
    created = datetime(LONG_AGO.year, LONG_AGO.month, LONG_AGO.day, tzinfo=UTC)
    db.session.execute(update(User).where(User.id == user.id).values(created_at=created))
    db.session.commit()
    return user


def _mails() -> dict[tuple[str, str], int]:
    db.session.expire_all()
    counted = db.session.execute(
        select(OutboxMessage.recipient, OutboxMessage.subject, func.count()).group_by(
            OutboxMessage.recipient, OutboxMessage.subject
        )
    )
    return {(recipient, subject): n for recipient, subject, n in counted}


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def test_two_retention_runs_at_once_remove_and_erase_each_once(app, make_user):
    owner = make_user(email="houder@example.nl")
    certify(owner, TODAY + timedelta(days=500))  # a holder is never dormant
    _old_evidence(owner)
    _dormant(make_user, "slaper@example.nl")

    reports = race(
        app, lambda: retention.run_retention(TODAY), lambda: retention.run_retention(TODAY)
    )

    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sum(r.evidence_removed for r in reports) == 1
    assert sum(r.accounts_erased for r in reports) == 1
    assert _audits("privacy.retention_evidence_removed") == 1
    assert _audits("privacy.erased") == 1
    erased_mails = [key for key in _mails() if key[0] == "slaper@example.nl"]
    assert erased_mails == [("slaper@example.nl", "Uw gegevens zijn verwijderd uit het KRSD")]
    assert _mails()[erased_mails[0]] == 1


def test_two_daily_jobs_at_once_do_every_duty_once(app, make_user):
    reminded, expired, suspended = (
        make_user(email=f"{name}@example.nl") for name in ("herinnerd", "verlopen", "geschorst")
    )
    certify(reminded, TODAY + timedelta(days=90))
    certify(expired, TODAY - timedelta(days=1))
    certify(
        suspended,
        TODAY + timedelta(days=500),
        suspended_at=utcnow(),
        suspension_reason="Onderzoek.",
        suspended_until=TODAY - timedelta(days=1),
    )
    trainer = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    edition = rows.edition(
        rows.course("Intervisie", trainers=[trainer]),
        sessions=[(TODAY - timedelta(days=2), "09:00", "10:00")],
    )
    rows.seat(edition, make_user(email="deelnemer@example.nl"))
    _old_evidence(reminded)
    _dormant(make_user, "slaper@example.nl")
    db.session.add(
        FormDraft(
            user_id=reminded.id,
            path="/portfolio/activiteiten/nieuw",
            fields="[]",
            created_at=utcnow() - timedelta(hours=2),
        )
    )
    db.session.commit()

    runs = race(app, lambda: run_daily_job(TODAY), lambda: run_daily_job(TODAY))

    assert not [r for r in runs if isinstance(r, Exception)], runs
    reports = [run[0] for run in runs]
    assert sum(r.reminders.total() for r in reports) == 1
    assert sum(r.expiries for r in reports) == 1
    assert sum(r.suspensions_ended for r in reports) == 1
    assert sum(run[1] for run in runs) == 1  # the draft
    assert sum(run[2] for run in runs) == 1  # the trainer's reminder
    assert sum(run[3].evidence_removed for run in runs) == 1
    assert sum(run[3].accounts_erased for run in runs) == 1
    mails = _mails()
    assert sorted(recipient for recipient, _subject in mails) == [
        "geschorst@example.nl",
        "herinnerd@example.nl",
        "slaper@example.nl",
        "trainer@example.nl",
        "verlopen@example.nl",
    ]
    assert set(mails.values()) == {1}
    assert _audits("register.suspension_ended") == 1
    assert _audits("privacy.retention_evidence_removed") == 1
    assert _audits("privacy.erased") == 1
