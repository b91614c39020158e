"""Where certification meets the portfolio: the same rules function on frozen activities."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from krsd.certification.cycle import CycleTerms
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


def counting_window(user_id: int, today: date) -> tuple[Window, date | None]:
    """The window whose hours count now for this person, and the deadline when there is one.

    A certificate holder works toward herregistratie: the current certificate's validity.
    Otherwise the three years up to today (a first certification). The portfolio's pages
    ask this here; the portfolio itself never looks at certificates.
    """
    certificate = db.session.scalar(
        select(Certificate)
        .where(
            Certificate.holder_id == user_id,
            Certificate.valid_from <= today,
            Certificate.valid_until >= today,
            Certificate.revoked_at.is_(None),
        )
        .order_by(Certificate.valid_until.desc())
    )
    if certificate:
        return Window(certificate.valid_from, certificate.valid_until), certificate.valid_until
    return first_window(today, regulation_on(today)), None


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


def application_preview(user_id: int, today: date) -> Preview:
    """What an application submitted today would hold, and whether it meets the rule."""
    regulation = regulation_on(today)
    window = first_window(today, regulation)
    activities = unlocked_activities(user_id, window)
    return Preview(window, activities_progress(activities, regulation, window), activities)
