"""Retention, two duties of ``flask krsd daily``; idempotent, batched, each batch committed.

1. Evidence files of an activity are removed ``KRSD_RETENTION_YEARS`` after the end of the
   cycle in which they were used: the end (``valid_until``) of the certificate issued on
   the application that holds the activity. An activity no application holds (never
   submitted, or its application was rejected or withdrawn) counts from its own date.
   Activities of an application still open or under review keep their files.
2. Accounts without any certificate and without any sign of life for as long (no login,
   no activity, application or enrolment) are erased as on request (krsd.privacy.erasure).
   Accounts with a staff role (trainer, reviewer, registerbureau) are left to the bureau.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from flask import current_app
from sqlalchemy import and_, delete, exists, or_, select

from krsd import audit, storage
from krsd.auth.models import LoginAttempt, User, UserRole
from krsd.auth.rules import RoleName
from krsd.certification.models import Application, Certificate
from krsd.courses.models import Enrolment
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from krsd.privacy import erasure

BATCH = 500
ACCOUNT_BATCH = 50


@dataclass(frozen=True)
class RetentionReport:
    evidence_removed: int
    accounts_erased: int


def retention_years() -> int:
    return int(current_app.config.get("RETENTION_YEARS", 7))


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def run_retention(today: date) -> RetentionReport:
    years = retention_years()
    cutoff = years_before(today, years)
    return RetentionReport(
        evidence_removed=remove_old_evidence(cutoff, years),
        accounts_erased=erase_dormant_accounts(today, cutoff, years),
    )


def _expired_evidence(cutoff: date):
    cycle_ended = exists().where(
        Certificate.application_id == Activity.locked_by_application_id,
        Certificate.valid_until < cutoff,
    )
    expired = or_(
        and_(Activity.locked_by_application_id.is_(None), Activity.activity_date < cutoff),
        and_(Activity.locked_by_application_id.is_not(None), cycle_ended),
    )
    return (
        select(Evidence.id, Evidence.stored_name, Evidence.activity_id)
        .join(Activity, Activity.id == Evidence.activity_id)
        .where(expired)
        .order_by(Evidence.id)
        .limit(BATCH)
    )


def remove_old_evidence(cutoff: date, years: int) -> int:
    """Remove evidence past its retention, a batch per transaction; how many files.

    The DELETE's RETURNING names the rows this run removed: a node running the job at the
    same moment waits for the row locks, then deletes (and audits) none of them again.
    """
    removed = 0
    while found := db.session.execute(_expired_evidence(cutoff)).all():
        rows = db.session.execute(
            delete(Evidence)
            .where(Evidence.id.in_([r.id for r in found]))
            .returning(Evidence.stored_name, Evidence.activity_id)
            .execution_options(synchronize_session=False)
        ).all()
        if rows:
            audit.record(
                "privacy.retention_evidence_removed",
                object_type="evidence",
                reason=f"Bewaartermijn van {years} jaar na het einde van de cyclus verstreken.",
                count=len(rows),
                activities=sorted({r.activity_id for r in rows}),
            )
        db.session.commit()
        storage.remove(r.stored_name for r in rows)  # only after the commit
        removed += len(rows)
    return removed


def _dormant(cutoff: date) -> tuple:
    """SQL: the account shows no sign of life since the cutoff (and may be erased)."""
    since = datetime.combine(cutoff, time(), tzinfo=UTC)
    staff = (RoleName.ADMIN, RoleName.REVIEWER, RoleName.TRAINER)
    return (
        User.created_at < since,
        ~User.email.endswith("@" + erasure.ERASED_DOMAIN),
        ~exists().where(UserRole.user_id == User.id, UserRole.role.in_(staff)),
        ~exists().where(Certificate.holder_id == User.id),
        ~exists().where(
            Application.applicant_id == User.id, Application.open_applicant_id.is_not(None)
        ),
        ~exists().where(
            Application.applicant_id == User.id,
            or_(Application.submitted_at >= since, Application.decided_at >= since),
        ),
        ~exists().where(
            Activity.owner_id == User.id,
            or_(Activity.updated_at >= since, Activity.activity_date >= cutoff),
        ),
        ~exists().where(Enrolment.user_id == User.id, Enrolment.enrolled_at >= since),
        ~exists().where(
            LoginAttempt.email == User.email,
            LoginAttempt.succeeded.is_(True),
            LoginAttempt.at >= since,
        ),
    )


def _dormant_accounts(cutoff: date, skip: set[int]):
    query = select(User.id).where(*_dormant(cutoff)).order_by(User.id).limit(ACCOUNT_BATCH)
    if skip:
        query = query.where(User.id.not_in(skip))
    return query


def erase_dormant_accounts(today: date, cutoff: date, years: int) -> int:
    """Erase accounts past retention, one transaction each; how many."""
    erased, skip = 0, set()
    while ids := db.session.scalars(_dormant_accounts(cutoff, skip)).all():
        for user_id in ids:
            user = _claim_dormant(user_id, cutoff)
            if user is None:  # erased by a run on another node, or active again
                db.session.rollback()
                skip.add(user_id)
                continue
            try:
                result = erasure.erase_for_retention(user, today, years)
            except erasure.ErasureError:
                db.session.rollback()
                skip.add(user_id)
                continue
            db.session.commit()
            storage.remove(result.stored_names)
            erased += 1
    return erased


def _claim_dormant(user_id: int, cutoff: date) -> User | None:
    """Lock the account, then ask again whether it is dormant: the batch was read before,
    and a run on another node may have erased it in between (it would be erased twice)."""
    db.session.get(User, user_id, with_for_update=True, populate_existing=True)
    return db.session.scalar(select(User).where(User.id == user_id, *_dormant(cutoff)))
