"""Certification use cases: apply, withdraw, claim, judge, ask for more, resubmit, decide."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import commission, progress, renewal
from krsd.certification.certificates import issue_certificate
from krsd.certification.models import (
    Application,
    Certificate,
)
from krsd.certification.rules import (
    Action,
    Kind,
    State,
    Verdict,
    next_state,
)
from krsd.certification.steps import (
    CONFLICT,
    DECIDED,
    AlreadyOpen,
    CertificationError,
    ClaimLost,
    NotEligible,
    commit,
    hold,
    lock_application,
    locked,
    mail_applicant,
    move,
    open_application,
    record_event,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_hours
from krsd.portfolio.rules import Window


def submit_application(user: User, today: date, expected: Kind | None = None) -> Application:
    """Apply from an eligible portfolio: for herregistratie when the person holds a current
    certificate (within its renewal window), else for a first certification.

    ``expected`` is the kind the page offered: when the situation changed since (the
    certificate expired at midnight), nothing is submitted and the person looks again.
    The open-application slot (a unique column) is claimed before the activities are read:
    of two simultaneous submits the loser always meets the first one's row and is told
    "already open", never "not eligible" because the winner had locked the activities.
    """
    already = AlreadyOpen(
        "U heeft al een lopende aanvraag. Wacht het besluit af of trek die eerst in."
    )
    if open_application(user.id):
        raise already
    prospect = renewal.prospect(user.id, today)
    if prospect.problem:
        raise NotEligible(prospect.problem)
    if expected is not None and expected != prospect.kind:
        raise NotEligible(
            "Uw situatie is intussen veranderd; er is niets ingediend. Bekijk de pagina "
            "Certificering opnieuw."
        )
    renews = prospect.certificate if prospect.kind == Kind.RENEWAL else None
    app = Application(
        applicant=user,
        kind=prospect.kind,
        state=State.SUBMITTED,
        window_start=prospect.window.start,
        window_end=prospect.window.end,
        regulation_id=prospect.regulation.id,
        open_applicant_id=user.id,
        previous_certificate_id=renews.id if renews else None,
    )
    db.session.add(app)
    try:
        db.session.flush()  # waits for a simultaneous insert of the same slot to end
    except IntegrityError as exc:
        db.session.rollback()
        raise already from exc
    preview = renewal.preview(user.id, prospect)
    if not preview.result.eligible:
        db.session.rollback()
        raise NotEligible(progress.missing_message(preview.result))
    hold(app, preview.activities)
    record_event(app, user, "submit", None)
    audit.record(
        "certification.submit",
        app,
        actor=user,
        activities=len(app.items),
        kind=app.kind.value,
        previous_certificate=renews.id if renews else None,
    )
    subject = "herregistratie" if renews else "certificering"
    mail_applicant(app, "application_received", f"Uw aanvraag voor {subject} is ontvangen")
    db.session.commit()
    return app


def withdraw(app: Application, user: User, reason: str | None) -> None:
    app = locked(app)
    if app.applicant_id != user.id:
        raise CertificationError("Alleen de aanvrager kan een aanvraag intrekken.")
    move(app, Action.WITHDRAW, user, reason)
    commit()


def claim(app_id: int, reviewer: User, *, declared_no_conflict: bool = False) -> Application:
    """Take an application from the queue; of two reviewers at the same moment one wins.

    Never one's own; an application with a conflict of interest (a colleague, activities of
    one's own organisation, a reopened application one rejected) only by the registerbureau's
    assignment. ``declared_no_conflict``: the reviewer confirmed the statement on the form.
    """
    app = lock_application(app_id)
    if app is None:
        raise CertificationError("Deze aanvraag bestaat niet meer.")
    if app.applicant_id == reviewer.id:
        raise CertificationError("U kunt uw eigen aanvraag niet beoordelen.")
    if app.state == State.IN_REVIEW:
        raise ClaimLost("Deze aanvraag is al in behandeling bij een andere beoordelaar.")
    next_state(app.state, Action.CLAIM)  # refuses a wrong state with a Dutch message
    conflicts = commission.conflicts_for(reviewer, app)
    if conflicts:
        raise CertificationError(
            "U kunt deze aanvraag niet zelf in behandeling nemen: "
            f"{commission.conflict_message(conflicts)}. Het registerbureau kan haar "
            "uitdrukkelijk aan een beoordelaar toewijzen."
        )
    won = db.session.execute(
        update(Application)
        .where(Application.id == app_id, Application.state == State.SUBMITTED)
        .values(state=State.IN_REVIEW, reviewer_id=reviewer.id, claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        db.session.rollback()
        raise ClaimLost("Een andere beoordelaar heeft deze aanvraag net in behandeling genomen.")
    db.session.refresh(app)
    record_event(app, reviewer, Action.CLAIM.value, State.SUBMITTED)
    audit.record(
        "certification.claim",
        app,
        actor=reviewer,
        from_state="submitted",
        to_state="in_review",
        conflict_statement=declared_no_conflict,
    )
    commit()
    return app


def reassign(app: Application, reviewer: User, admin: User, reason: str) -> None:
    """The registerbureau gives the application to another reviewer."""
    app = locked(app)
    if not reviewer.has_role(RoleName.REVIEWER) or reviewer.id == app.applicant_id:
        raise CertificationError("Kies een beoordelaar die niet de aanvrager is.")
    previous = app.reviewer_id
    conflicts = [c.reason for c in commission.conflicts_for(reviewer, app)]
    move(
        app,
        Action.REASSIGN,
        admin,
        reason,
        reviewer=reviewer.id,
        previous_reviewer=previous,
        conflicts=conflicts,
    )
    app.reviewer_id = reviewer.id
    app.claimed_at = utcnow()
    commit()


def _require_reviewer(app: Application, reviewer: User) -> None:
    if app.state in (State.APPROVED, State.REJECTED):
        raise CertificationError(DECIDED)
    if app.state != State.IN_REVIEW or app.reviewer_id != reviewer.id:
        raise CertificationError("Deze aanvraag is niet door u in behandeling.")


@dataclass(frozen=True)
class Judgement:
    verdict: Verdict
    hours: Decimal | None
    comment: str


class JudgementRefused(CertificationError):
    """A verdict refused for one or more reasons: ``problems`` maps form fields to messages."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


def judgement_problems(
    logged: Decimal, verdict: Verdict | None, hours: Decimal | None, comment: str
) -> dict[str, str]:
    """Everything wrong with a verdict on an activity of ``logged`` hours, field → message."""
    problems = {}
    if verdict == Verdict.ACCEPTED_FEWER and (hours is None or not 0 < hours < logged):
        problems["hours"] = (
            f"Geef bij ‘minder uren’ een aantal tussen 0 en {nl_hours(logged)} uur op."
        )
    if verdict in (Verdict.ACCEPTED_FEWER, Verdict.REJECTED) and not comment:
        problems["comment"] = "Licht toe waarom u minder uren accepteert of afwijst."
    return problems


def judge(app: Application, item_id: int, reviewer: User, judgement: Judgement) -> None:
    """Accept, accept with fewer hours, or reject one activity."""
    app = locked(app)
    _require_reviewer(app, reviewer)
    item = next((i for i in app.items if i.id == item_id), None)
    if item is None:
        raise CertificationError("Deze activiteit hoort niet bij de aanvraag.")
    logged = item.activity.hours
    problems = judgement_problems(logged, judgement.verdict, judgement.hours, judgement.comment)
    if problems:
        raise JudgementRefused(problems)
    item.verdict = judgement.verdict
    item.accepted_hours = {
        Verdict.ACCEPTED: logged,
        Verdict.ACCEPTED_FEWER: judgement.hours,
        Verdict.REJECTED: Decimal("0"),
    }[judgement.verdict]
    item.comment = judgement.comment or None
    item.judged_by_id = reviewer.id
    item.judged_at = utcnow()
    audit.record(
        "certification.judge_activity",
        app,
        actor=reviewer,
        reason=judgement.comment or None,
        activity=item.activity_id,
        verdict=judgement.verdict.value,
        accepted_hours=str(item.accepted_hours),
    )
    commit()


def accept_remaining(app: Application, reviewer: User) -> int:
    """Accept every activity not judged yet with its logged hours; returns how many.

    Each gets its own audit entry, as if judged one by one; judged ones are left alone.
    """
    app = locked(app)
    _require_reviewer(app, reviewer)
    now, accepted = utcnow(), 0
    for item in app.items:
        if item.verdict != Verdict.PENDING:
            continue
        item.verdict, item.accepted_hours = Verdict.ACCEPTED, item.activity.hours
        item.comment, item.judged_by_id, item.judged_at = None, reviewer.id, now
        audit.record(
            "certification.judge_activity",
            app,
            actor=reviewer,
            activity=item.activity_id,
            verdict=Verdict.ACCEPTED.value,
            accepted_hours=str(item.accepted_hours),
            all_remaining=True,
        )
        accepted += 1
    if not accepted:
        raise CertificationError("Alle activiteiten zijn al beoordeeld.")
    commit()
    return accepted


def request_info(app: Application, reviewer: User, message: str) -> None:
    app = locked(app)
    _require_reviewer(app, reviewer)
    move(app, Action.REQUEST_INFO, reviewer, message)
    mail_applicant(
        app,
        "more_info_requested",
        "De commissie vraagt een aanvulling op uw aanvraag",
        message=message,
    )
    commit()


def resubmit(app: Application, user: User, note: str | None) -> None:
    """Back to the queue, with the activities logged since in the window added."""
    app = locked(app)
    if app.applicant_id != user.id:
        raise CertificationError("Alleen de aanvrager kan opnieuw indienen.")
    added = progress.unlocked_activities(user.id, Window(app.window_start, app.window_end))
    move(app, Action.RESUBMIT, user, note, added_activities=len(added))
    hold(app, added)
    # Activities the reviewer did not fully accept may have new evidence: judge them again.
    for item in app.items:
        if item.verdict in (Verdict.REJECTED, Verdict.ACCEPTED_FEWER):
            item.verdict = Verdict.PENDING
    app.queued_at = utcnow()
    app.reviewer_id = None
    commit()


def decide(app: Application, reviewer: User, approve: bool, motivation: str, today: date):
    """Approve (issues the certificate) or reject, always with a motivation."""
    app = locked(app)
    _require_reviewer(app, reviewer)
    if not motivation or not motivation.strip():
        raise CertificationError("Een besluit heeft altijd een schriftelijke motivering.")
    certificate = None
    if approve:
        if any(i.verdict == Verdict.PENDING for i in app.items):
            raise CertificationError("Beoordeel eerst alle activiteiten.")
        result = progress.accepted_progress(app)
        if not result.eligible:
            raise NotEligible(
                "Goedkeuren kan niet: de geaccepteerde uren voldoen niet aan het reglement. "
                + progress.missing_message(result)
            )
        problem = renewal.approval_problem(app, today)
        if problem:
            raise CertificationError(problem)
    move(app, Action.APPROVE if approve else Action.REJECT, reviewer, motivation)
    app.decided_at = utcnow()
    app.decided_by_id = reviewer.id
    app.motivation = motivation
    if approve:
        regulation = progress.application_regulation(app)
        valid_from, valid_until = renewal.new_validity(app, today, regulation.cycle_years)
        try:
            certificate = issue_certificate(app, valid_from, valid_until)
        except IntegrityError as exc:  # a certificate for it exists: a race the lock missed
            db.session.rollback()
            raise CertificationError(CONFLICT) from exc
        audit.record(
            "certification.certificate_issued",
            certificate,
            actor=reviewer,
            registration_number=certificate.registration_number,
            valid_from=certificate.valid_from.isoformat(),
            valid_until=certificate.valid_until.isoformat(),
            previous_certificate=app.previous_certificate_id,
        )
    about = "uw herregistratie" if app.kind == Kind.RENEWAL else "uw aanvraag"
    mail_applicant(
        app,
        "decision",
        f"Besluit over {about}: " + ("goedgekeurd" if approve else "afgewezen"),
        approved=approve,
        motivation=motivation,
        certificate=certificate,
        previous=app.previous_certificate,
    )
    commit()
    return certificate


def certificates_of(user_id: int) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.holder_id == user_id)
            .order_by(Certificate.valid_from.desc())
        )
    )
