"""Where certification meets the portfolio: the same rules function on frozen activities."""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import aliased

from krsd.certification.cycle import CycleTerms, renewal_hours_window
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Verdict
from krsd.extensions import db
from krsd.formatting import nl_hours
from krsd.portfolio.models import Activity, Regulation, regulation_in_force
from krsd.portfolio.rules import (
    Entry,
    Progress,
    Window,
    compute_progress,
    first_certification_window,
)

ACCEPTING = (Verdict.ACCEPTED, Verdict.ACCEPTED_FEWER)


def regulation_on(day: date) -> Regulation:
    return regulation_in_force(day)


def application_regulation(app: Application) -> Regulation:
    return db.session.get(Regulation, app.regulation_id)


def unlocked_activities(user_id: int, window: Window) -> list[Activity]:
    """The person's activities in the window that no application holds."""
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.owner_id == user_id,
                Activity.locked_by_application_id.is_(None),
                Activity.activity_date >= window.start,
                Activity.activity_date <= window.end,
            )
            .order_by(Activity.activity_date, Activity.id)
        )
    )


def activities_progress(activities, regulation: Regulation, window: Window) -> Progress:
    return compute_progress([a.entry() for a in activities], regulation.terms, window)


def accepted_progress(app: Application) -> Progress:
    """Progress on the hours the reviewers accepted (pending and rejected count nothing)."""
    entries = [
        Entry(
            item.activity.category,
            item.activity.type,
            item.accepted_hours if item.verdict in ACCEPTING else item.activity.hours,
            item.activity.activity_date,
            accepted=item.verdict in ACCEPTING,
            key=item.id,
            once=item.activity.accreditation_id,
        )
        for item in app.items
    ]
    window = Window(app.window_start, app.window_end)
    return compute_progress(entries, application_regulation(app).terms, window)


def missing_message(result: Progress) -> str:
    parts = []
    if result.missing_accredited > 0:
        parts.append(f"{nl_hours(result.missing_accredited)} uur geaccrediteerd")
    if result.missing_total > 0:
        parts.append(f"{nl_hours(result.missing_total)} uur in totaal")
    return "Nog nodig: " + " en ".join(parts) + "." if parts else ""


@dataclass(frozen=True)
class Preview:
    window: Window
    result: Progress
    activities: list[Activity]


def _current_certificate_query(user_id: int, today: date):
    # An alias: the query is used inside statements that select certificates themselves.
    certificate = aliased(Certificate)
    return (
        select(certificate.id)
        .where(certificate.holder_id == user_id, certificate.current_on(today))
        .order_by(certificate.valid_until.desc(), certificate.id.desc())
        .limit(1)
    )


def current_certificate(user_id: int, today: date) -> Certificate | None:
    """The certificate a holder works toward renewing: the latest that is neither expired
    nor revoked on ``today`` (valid, valid past its end while a renewal is pending,
    suspended, or a renewal's certificate that has not started yet). None: not a holder."""
    return db.session.scalar(
        select(Certificate).where(
            Certificate.id == _current_certificate_query(user_id, today).scalar_subquery()
        )
    )


def suspended_clause(user_id: int, today: date):
    """SQL: a certificate of the person (not revoked) is suspended on ``today``."""
    certificate = aliased(Certificate)
    return (
        select(certificate.id)
        .where(
            certificate.holder_id == user_id,
            certificate.suspended_at.is_not(None),
            or_(certificate.suspended_until.is_(None), certificate.suspended_until >= today),
            certificate.revoked_at.is_(None),
        )
        .exists()
    )


def _open_application_query(user_id: int):
    application = aliased(Application)
    return select(application.id).where(application.open_applicant_id == user_id).scalar_subquery()


@dataclass(frozen=True)
class Standing:
    """A person's place in the cycle today, read in one statement for the busy pages."""

    regulation: Regulation
    #: as current_certificate()
    certificate: Certificate | None
    #: as renewal.suspended_today()
    suspended: bool
    #: the person's one open application, if any
    open_application: Application | None


@functools.cache
def _standing_statement():
    """Built once (with parameters): building it costs more than running it."""
    user_id, today = bindparam("user_id"), bindparam("today")
    in_force = (
        select(Regulation.id)
        .where(Regulation.starts_on <= today)
        .order_by(Regulation.starts_on.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        select(Regulation, Certificate, Application, suspended_clause(user_id, today))
        .select_from(Regulation)
        .outerjoin(
            Certificate,
            Certificate.id == _current_certificate_query(user_id, today).scalar_subquery(),
        )
        # By id through a subquery: SQLite scans the table for an outer join on a constant.
        .outerjoin(Application, Application.id == _open_application_query(user_id))
        .where(Regulation.id == in_force)
    )


def standing(user_id: int, today: date) -> Standing:
    """The regulation in force, the current certificate, a suspension and the open
    application: what the portfolio and *Certificering* ask on every visit, in one
    statement instead of five."""
    row = db.session.execute(_standing_statement(), {"user_id": user_id, "today": today}).first()
    if row is None:
        raise LookupError(f"no regulation in force on {today}")
    regulation, certificate, application, suspended = row
    return Standing(regulation, certificate, bool(suspended), application)


def window_for(certificate: Certificate | None, today: date, regulation: Regulation) -> Window:
    """The window whose hours count today: the current certificate's validity up to today
    (herregistratie), else the three years up to today (a first certification).

    A renewed certificate that has not started yet gives an empty window (it starts after
    today): nothing earned before its first day counts for the next cycle.
    """
    if certificate is None:
        return first_window(today, regulation)
    return renewal_hours_window(certificate.valid_from, certificate.valid_until, today)


def counting_window(user_id: int, today: date) -> tuple[Window, date | None]:
    """The window whose hours count now for this person, and the deadline when there is one.

    The one place that decides it: the portfolio's bars, *Certificering*, the application
    (which stores it) and so the reviewer all use it. The portfolio itself never looks at
    certificates.
    """
    certificate = current_certificate(user_id, today)
    window = window_for(certificate, today, regulation_on(today))
    return window, certificate.valid_until if certificate else None


def cycle_terms(regulation: Regulation) -> CycleTerms:
    """The regulation's numbers for the cycle (renewal, reminders, extension, appeal)."""
    terms = regulation.terms
    return CycleTerms(
        cycle_years=terms.cycle_years,
        renewal_window_months=terms.renewal_window_months,
        reminder_days=terms.reminder_days,
        max_extension_months=regulation.max_extension_months,
        appeal_weeks=regulation.appeal_weeks,
    )


def first_window(today: date, regulation: Regulation) -> Window:
    return first_certification_window(today, regulation.cycle_years)


def preview_in(user_id: int, window: Window, regulation: Regulation) -> Preview:
    """What an application over ``window`` would hold, and whether it meets the rule."""
    activities = unlocked_activities(user_id, window)
    return Preview(window, activities_progress(activities, regulation, window), activities)


def application_preview(user_id: int, today: date) -> Preview:
    """What an application submitted today would hold, and whether it meets the rule."""
    window, _deadline = counting_window(user_id, today)
    return preview_in(user_id, window, regulation_on(today))


def submitted_progress(app: Application) -> Progress:
    """The hours as the applicant submitted them (every activity as logged), before or
    beside the commission's judgement."""
    entries = [item.activity.entry() for item in app.items]
    window = Window(app.window_start, app.window_end)
    return compute_progress(entries, application_regulation(app).terms, window)
