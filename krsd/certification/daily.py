"""The daily job (``flask krsd daily``): everything that depends on the register's day.

One function per duty. Each selects only its candidates in SQL, works in batches of
BATCH certificates with a constant number of queries per batch, and commits per batch.
Every duty is idempotent and safe on several machines at once: a reminder or an expiry
mail is queued only when its row in ``certificate_notices`` was inserted (ON CONFLICT DO
NOTHING, in the same transaction); a suspension ends with a conditional UPDATE whose
RETURNING names the certificates this run ended.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, case, func, literal, select, update

from krsd import audit
from krsd.certification import cycle, progress
from krsd.certification.daily_sql import (
    batches,
    candidates,
    notice_sent,
    record_notices,
    renewal_closed,
    succeeded,
)
from krsd.certification.models import Certificate, CertificateNotice
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import send_many
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import (
    ActivityType,
    Category,
    Entry,
    Progress,
    RegulationTerms,
    compute_progress,
)
from krsd.urls import external_url

EXPIRED = "expired"
#: the summed hours of a category enter compute_progress as entries of this type
SUM_TYPES = {Category.ACCREDITED: ActivityType.ACCREDITED_COURSE, Category.FREE: ActivityType.OTHER}
CENT = Decimal("0.01")


@dataclass
class DailyReport:
    """What one run did, counted per duty."""

    today: date
    #: reminders sent, per number of days before the end
    reminders: Counter = field(default_factory=Counter)
    expiries: int = 0
    suspensions_ended: int = 0


def run_daily(today: date) -> DailyReport:
    """Every duty of the day, in turn; each commits its own batches."""
    return DailyReport(
        today,
        reminders=send_reminders(today),
        expiries=notify_expiries(today),
        suspensions_ended=end_suspensions(today),
    )


def _links() -> dict[str, str]:
    """The links the job's mails carry (built once per duty, not per mail)."""
    return {
        "portfolio_link": external_url("portfolio.dashboard"),
        "certification_link": external_url("certification.overview"),
    }


def reminder_kind(days_before: int) -> str:
    return f"reminder_{days_before}"


# --- Duty: reminders (rule 5) --------------------------------------------------------


def send_reminders(today: date) -> Counter:
    """Mail holders whose end is 180, 90 or 30 days away (the regulation's reminder_days)
    what they still miss; only the latest reminder that fell due, each once per certificate.

    Not for a certificate that is not valid today (suspended, revoked), that has a pending
    renewal, or whose holder already has the next certificate.
    """
    regulation = progress.regulation_on(today)
    terms = progress.cycle_terms(regulation)
    counting = regulation.terms
    links = _links()
    bands = cycle.reminder_bands(today, terms.reminder_days)
    sent = Counter()
    if not bands:
        return sent
    due_kind = case(
        *[(Certificate.valid_until <= last, literal(reminder_kind(d))) for d, _, last in bands]
    )

    def query_after(last_id: int) -> Select:
        return candidates(
            Certificate.id > last_id,
            Certificate.valid_until.between(today, bands[-1][2]),
            Certificate.valid_on(today),
            ~Certificate.renewal_pending_clause(),
            ~succeeded(),
            ~notice_sent(due_kind),
        )

    for rows in batches(query_after):
        already = _reminders_sent([row.id for row in rows])
        due = {}
        for row in rows:
            days = cycle.reminder_due(row.valid_until, today, terms.reminder_days, already[row.id])
            if days is not None:
                due[row.id] = days
        taken = record_notices({cid: reminder_kind(d) for cid, d in due.items()}, today)
        mailed = [row for row in rows if row.id in taken]
        progresses = renewal_progress(mailed, today, counting)
        send_many(
            [_reminder(row, due[row.id], progresses[row.id], today, terms, links) for row in mailed]
        )
        sent.update(due[row.id] for row in mailed)
        db.session.commit()
    return sent


def _reminders_sent(certificate_ids: list[int]) -> dict[int, set[int]]:
    """Per certificate, the reminders (days before the end) already sent."""
    sent = defaultdict(set)
    rows = db.session.execute(
        select(CertificateNotice.certificate_id, CertificateNotice.kind).where(
            CertificateNotice.certificate_id.in_(certificate_ids),
            CertificateNotice.kind.like("reminder_%"),
        )
    )
    for certificate_id, kind in rows:
        sent[certificate_id].add(int(kind.removeprefix("reminder_")))
    return sent


def renewal_progress(rows, today: date, terms: RegulationTerms, *criteria) -> dict[int, Progress]:
    """Per certificate, the progress over its renewal window up to today, in one query.

    The hours are summed in SQL per certificate and category, an accredited course once
    (its most hours: rule 10); activities an application holds do not count (an approved
    one used them already). The sums go through the portfolio's own rule, compute_progress.
    ``rows`` carry id, valid_from and valid_until; ``criteria`` select the same certificates
    in SQL when a list of ids would be too long (the worklist's export); default: their ids.
    """
    windows = {
        row.id: cycle.renewal_hours_window(row.valid_from, row.valid_until, today) for row in rows
    }
    entries = defaultdict(list)
    if rows:
        hours = case(
            (Activity.accreditation_id.is_(None), func.sum(Activity.hours)),
            else_=func.max(Activity.hours),
        )
        query = (
            select(Certificate.id, Activity.category, Activity.accreditation_id, hours)
            .join(Activity, Activity.owner_id == Certificate.holder_id)
            .where(
                *(criteria or (Certificate.id.in_(list(windows)),)),
                Activity.locked_by_application_id.is_(None),
                Activity.activity_date >= Certificate.valid_from,
                Activity.activity_date <= Certificate.valid_until,
                Activity.activity_date <= today,
            )
            .group_by(Certificate.id, Activity.category, Activity.accreditation_id)
        )
        for cid, category, accreditation_id, total in db.session.execute(query):
            category = Category(category)
            entries[cid].append(
                # The type only matters for per-type totals, which reminders do not show.
                Entry(
                    category,
                    SUM_TYPES[category],
                    Decimal(total).quantize(CENT),
                    windows[cid].end,
                    once=accreditation_id,
                )
            )
    return {cid: compute_progress(entries[cid], terms, window) for cid, window in windows.items()}


def _reminder(row, days_before: int, result: Progress, today: date, terms, links) -> tuple:
    return (
        row.email,
        f"Herinnering: uw KRSD-certificaat loopt af op {nl_date(row.valid_until)}",
        "renewal_reminder",
        dict(
            name=row.name,
            registration_number=row.registration_number,
            days_before=days_before,
            end=row.valid_until,
            opens=cycle.renewal_opens(row.valid_until, terms),
            today=today,
            result=result,
            **links,
        ),
    )


# --- Duty: expiry (rule 6) -----------------------------------------------------------


def notify_expiries(today: date) -> int:
    """Tell holders, once, that their certificate expired (the day after its end, without a
    pending renewal). Not for a revoked certificate nor one succeeded by a renewal.

    The expiry itself is derived (Certificate.status_on); an extended certificate expires
    after its extended end, because ``valid_until`` holds it.
    """
    terms = progress.regulation_on(today).terms
    links = _links()
    recent = today - timedelta(days=cycle.EXPIRY_NOTICE_DAYS)
    closed = renewal_closed()

    def query_after(last_id: int) -> Select:
        return candidates(
            Certificate.id > last_id,
            Certificate.valid_until < today,
            (Certificate.valid_until >= recent) | closed,
            Certificate.revoked_at.is_(None),
            ~Certificate.renewal_pending_clause(),
            ~succeeded(),
            ~notice_sent(EXPIRED),
            extra=(closed.label("renewal_closed"),),
        )

    count = 0
    for rows in batches(query_after):
        due = [
            row
            for row in rows
            if cycle.expiry_notice_due(
                row.valid_until,
                today,
                renewal_pending=False,
                renewal_closed=bool(row.renewal_closed),
            )
        ]
        taken = record_notices({row.id: EXPIRED for row in due}, today)
        send_many([_expiry(row, terms, links) for row in due if row.id in taken])
        count += len(taken)
        db.session.commit()
    return count


def _expiry(row, terms: RegulationTerms, links) -> tuple:
    return (
        row.email,
        "Uw KRSD-certificaat is verlopen",
        "certificate_expired",
        dict(
            name=row.name,
            registration_number=row.registration_number,
            end=row.valid_until,
            terms=terms,
            **links,
        ),
    )


# --- Duty: ends of suspensions -------------------------------------------------------


def end_suspensions(today: date) -> int:
    """Lift suspensions whose end date has passed: audited without an actor, mailed once.

    The UPDATE repeats the conditions, so a suspension that another run (or the
    registerbureau) ended meanwhile is not ended, audited or mailed twice.
    """

    def query_after(last_id: int) -> Select:
        return candidates(
            Certificate.id > last_id,
            Certificate.suspended_at.is_not(None),
            Certificate.suspended_until < today,
            Certificate.revoked_at.is_(None),
            extra=(
                Certificate.suspended_at,
                Certificate.suspended_until,
                Certificate.suspension_reason,
                Certificate.current_on(today).label("current"),
            ),
        )

    links = _links()
    count = 0
    for rows in batches(query_after):
        ended = set(
            db.session.scalars(
                update(Certificate)
                .where(
                    Certificate.id.in_([row.id for row in rows]),
                    Certificate.suspended_at.is_not(None),
                    Certificate.suspended_until < today,
                    Certificate.revoked_at.is_(None),
                )
                .values(suspended_at=None, suspension_reason=None, suspended_until=None)
                .returning(Certificate.id)
                .execution_options(synchronize_session=False)
            )
        )
        send_many([_end_suspension(row, today, links) for row in rows if row.id in ended])
        count += len(ended)
        db.session.commit()
    return count


def _end_suspension(row, today: date, links) -> tuple:
    """Audit the end of one suspension; the mail to queue."""
    audit.record(
        "register.suspension_ended",
        object_type=Certificate.audit_type,
        object_id=row.id,
        registration_number=row.registration_number,
        suspended_at=row.suspended_at.isoformat(),
        suspended_until=row.suspended_until.isoformat(),
        suspension_reason=row.suspension_reason,
        day=today.isoformat(),
    )
    return (
        row.email,
        "De schorsing van uw KRSD-certificaat is voorbij",
        "suspension_ended",
        dict(
            name=row.name,
            registration_number=row.registration_number,
            suspended_until=row.suspended_until,
            end=row.valid_until,
            current=bool(row.current),
            today=today,
            **links,
        ),
    )
