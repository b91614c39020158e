"""Herregistratie: what a person can apply for today, over which window, and what a
renewal's approval gives.

A holder of a current certificate renews it (within the renewal window) and never starts
a second first certification; after a certificate expired without renewal, a first
certification again, with the same registration number. The window is
``progress.counting_window``'s, the one the portfolio shows.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from krsd.certification import progress
from krsd.certification.cycle import (
    CycleTerms,
    Route,
    application_route,
    renewal_opens,
    renewal_validity,
)
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import (
    CERTIFICATE_STATUS_LABELS,
    CertificateStatus,
    Kind,
    State,
    validity,
)
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.portfolio.models import Regulation
from krsd.portfolio.rules import Window

ROUTE_KINDS = {Route.FIRST: Kind.INITIAL, Route.RENEWAL: Kind.RENEWAL}
#: what verification says of a certificate kept valid past its end by a pending renewal
PENDING_PAST_END = "Geldig — herregistratie in behandeling"


@dataclass(frozen=True)
class Prospect:
    """What the person can apply for today (nothing is read from the portfolio here)."""

    route: Route
    #: the current certificate (the one a renewal renews), or None
    certificate: Certificate | None
    #: the hours that count today
    window: Window
    #: the regulation in force today: an application submitted today is judged by it
    regulation: Regulation
    terms: CycleTerms

    @property
    def kind(self) -> Kind | None:
        """The kind of application that can be submitted today, or None."""
        return ROUTE_KINDS.get(self.route)

    @property
    def problem(self) -> str | None:
        """Why nothing can be submitted today (Dutch), or None."""
        return route_problem(self.route, self.deadline, self.terms, self.original_end)

    @property
    def deadline(self) -> date | None:
        """The last valid day of the current certificate (a granted extension included)."""
        return self.certificate.valid_until if self.certificate else None

    @property
    def original_end(self) -> date | None:
        """The end before an extension (None when never extended)."""
        return self.certificate.original_valid_until if self.certificate else None

    @property
    def opens(self) -> date | None:
        """The first day a renewal of the current certificate can be submitted (an
        extension moves the last day, not this one)."""
        if self.certificate is None:
            return None
        return renewal_opens(self.original_end or self.deadline, self.terms)

    @property
    def next_validity(self) -> tuple[date, date] | None:
        """The validity an approved renewal of the current certificate would give."""
        if self.certificate is None:
            return None
        return renewal_validity(
            self.certificate.valid_until,
            self.certificate.original_valid_until,
            self.terms.cycle_years,
        )

    @property
    def window_started(self) -> bool:
        """False while a renewed certificate has not started: no hours count yet."""
        return self.window.start <= self.window.end


def route_problem(
    route: Route, end: date | None, terms: CycleTerms, original_end: date | None = None
) -> str | None:
    """Why nothing can be submitted on ``route`` today (Dutch), or None."""
    if route == Route.RENEWAL_LATER:
        opens = renewal_opens(original_end or end, terms)
        return (
            f"U heeft een certificaat dat geldig is tot en met {nl_date(end)}. Herregistratie "
            f"kunt u aanvragen vanaf {nl_date(opens)}; een nieuwe eerste certificering is "
            "niet nodig."
        )
    if route == Route.CLOSED:
        return (
            f"Uw certificaat was geldig tot en met {nl_date(end)}; herregistratie kon tot en "
            "met die dag worden aangevraagd."
        )
    if route == Route.SUSPENDED:
        return (
            "Uw certificaat is geschorst. Zolang de schorsing duurt, kunt u geen aanvraag "
            "indienen. Met vragen kunt u terecht bij het registerbureau."
        )
    return None


def suspended_today(user_id: int, today: date) -> bool:
    """A certificate of the person (not revoked) is suspended on ``today``."""
    return bool(db.session.scalar(select(progress.suspended_clause(user_id, today))))


def prospect(user_id: int, today: date) -> Prospect:
    return prospect_of(progress.standing(user_id, today), today)


def prospect_of(standing: progress.Standing, today: date) -> Prospect:
    """What the person can apply for today, from their standing read once."""
    regulation = standing.regulation
    terms = progress.cycle_terms(regulation)
    certificate = standing.certificate
    route = application_route(
        certificate.valid_until if certificate else None,
        today,
        terms,
        suspended=standing.suspended,
        original_end=certificate.original_valid_until if certificate else None,
    )
    window = progress.window_for(certificate, today, regulation)
    return Prospect(route, certificate, window, regulation, terms)


def preview(user_id: int, prospect: Prospect) -> progress.Preview:
    """The unlocked activities in the prospect's window and what they add up to."""
    return progress.preview_in(user_id, prospect.window, prospect.regulation)


def approval_problem(app: Application, today: date) -> str | None:
    """Why approving ``app`` would give a wrong certificate (Dutch), or None.

    An initial application of someone who holds a current certificate would be a second
    first certification with the same number and dates (old data, submitted before
    renewals existed); a renewal needs its certificate, neither revoked nor suspended
    nor already renewed.
    """
    if app.kind == Kind.INITIAL:
        current = progress.current_certificate(app.applicant_id, today)
        if current is None:
            return None
        return (
            f"De aanvrager heeft al een certificaat dat loopt tot en met "
            f"{nl_date(current.valid_until)}. Een tweede eerste certificering kan niet worden "
            "goedgekeurd: wijs de aanvraag af; de aanvrager vraagt herregistratie aan."
        )
    previous = app.previous_certificate
    if previous is None:
        return "Het certificaat dat deze aanvraag vernieuwt, bestaat niet meer."
    if previous.revoked_at is not None:
        return "Het certificaat dat deze aanvraag vernieuwt, is ingetrokken."
    if previous.suspended_on(today):
        return (
            "Het certificaat dat deze aanvraag vernieuwt, is geschorst. Besluit na afloop of "
            "opheffing van de schorsing, of wijs de aanvraag af."
        )
    if any(r.state == State.APPROVED and r.id != app.id for r in previous.renewals):
        return "Het certificaat dat deze aanvraag vernieuwt, is al vernieuwd."
    return None


def new_validity(app: Application, today: date, cycle_years: int) -> tuple[date, date]:
    """First and last day of the certificate an approval gives.

    A renewal runs on from the day after the previous one ends, whatever the decision
    date (and keeps the three-year rhythm after an extension); a first certification
    starts on the day of the decision.
    """
    if app.kind == Kind.RENEWAL:
        previous = app.previous_certificate
        return renewal_validity(previous.valid_until, previous.original_valid_until, cycle_years)
    return validity(today, cycle_years)


def withdrawal_warning(app: Application, today: date) -> str:
    """What withdrawing a renewal does to the certificate it keeps valid (Dutch), or ""."""
    previous = app.previous_certificate
    if app.kind != Kind.RENEWAL or previous is None:
        return ""
    end = nl_date(previous.valid_until)
    if today > previous.valid_until:
        return (
            f" Let op: uw certificaat liep tot en met {end} en bleef alleen geldig omdat deze "
            "herregistratie loopt. Trekt u haar in, dan is uw certificaat vanaf vandaag verlopen."
        )
    return f" Tot en met {end} kunt u opnieuw herregistratie aanvragen."


def successor(certificate: Certificate) -> Certificate | None:
    """The certificate that an approved renewal of ``certificate`` gave, if any."""
    return db.session.scalar(
        select(Certificate)
        .join(Application, Application.id == Certificate.application_id)
        .where(
            Application.previous_certificate_id == certificate.id,
            Application.state == State.APPROVED,
        )
        .order_by(Certificate.valid_from)
        .limit(1)
    )


def state_text(certificate: Certificate, today: date) -> str:
    """The certificate's state in words: its status, and what a renewal did to it."""
    status = certificate.status_on(today)
    if status == CertificateStatus.VALID and today > certificate.valid_until:
        return PENDING_PAST_END
    if status == CertificateStatus.EXPIRED and certificate.renewed:
        return "Opgevolgd"
    return CERTIFICATE_STATUS_LABELS[status]


def history(user_id: int) -> list[Certificate]:
    """The person's certificates, newest first, with what their pages ask of them loaded."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.holder_id == user_id)
            .options(selectinload(Certificate.renewals))
            .order_by(Certificate.valid_from.desc(), Certificate.id.desc())
        )
    )
