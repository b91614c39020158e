"""Bezwaar (appeal) use cases: lodge, claim, assign, uphold, grant; and the applicant's view.

Every change locks the application first (``services.lock_application``) and then the
appeal (``SELECT … FOR UPDATE``), always in that order, so two reviewers never both handle
one appeal and a grant never interleaves with another change to the application.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from krsd import audit
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import commission, progress, services
from krsd.certification.conflicts import appeal_handler_problem
from krsd.certification.cycle import appeal_deadline, appeal_open
from krsd.certification.models import Appeal, Application, ApplicationEvent
from krsd.certification.rules import (
    OPEN_APPEAL_STATES,
    OPEN_STATES,
    Action,
    AppealAction,
    AppealState,
    State,
    Verdict,
    next_appeal_state,
    next_state,
)
from krsd.clock import local_date
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import send_mail
from krsd.urls import external_url

#: application events of the appeal (ApplicationEvent.action); the reopening is "reopen"
LODGED = "appeal_lodged"
CLAIMED = "appeal_claimed"
ASSIGNED = "appeal_assigned"
UPHELD = "appeal_upheld"


class AppealError(services.CertificationError):
    """An appeal step refused; the message is Dutch and meant for the user."""


@dataclass(frozen=True)
class AppealStatus:
    """What the applicant sees about objecting to a rejection."""

    #: the last day to lodge an objection
    deadline: date
    #: the objection, once lodged
    appeal: Appeal | None
    #: the objection form is offered (rejected, none lodged yet, within the deadline)
    can_lodge: bool


def _deadline(app: Application, rejected_at) -> date:
    terms = progress.cycle_terms(progress.application_regulation(app))
    return appeal_deadline(local_date(rejected_at), terms)


def status_of(app: Application, today: date) -> AppealStatus | None:
    """The appeal's deadline and state for this application, or None when there is none."""
    appeal = app.appeal
    if appeal is not None:
        return AppealStatus(_deadline(app, appeal.rejected_at), appeal, False)
    if app.state != State.REJECTED or app.decided_at is None:
        return None
    terms = progress.cycle_terms(progress.application_regulation(app))
    decided_on = local_date(app.decided_at)
    return AppealStatus(
        appeal_deadline(decided_on, terms), None, appeal_open(decided_on, today, terms)
    )


def statuses_for_applicant(applications, today: date) -> dict[int, AppealStatus]:
    """Per application of one applicant, its appeal status (only those that have one)."""
    found = {}
    for app in applications:
        status = status_of(app, today)
        if status is not None:
            found[app.id] = status
    return found


def _event(app: Application, actor: User, action: str, message: str | None, before=None):
    db.session.add(
        ApplicationEvent(
            application=app,
            actor_id=actor.id,
            action=action,
            from_state=before or app.state,
            to_state=app.state,
            message=message,
        )
    )


def _mail(appeal: Appeal, template: str, subject: str, **context) -> None:
    app = appeal.application
    send_mail(
        app.applicant.email,
        subject,
        template,
        appeal=appeal,
        application=app,
        user=app.applicant,
        deadline=_deadline(app, appeal.rejected_at),
        link=external_url("certification.application_detail", application_id=app.id),
        **context,
    )


def _commit() -> None:
    """Commit; a unique constraint that a simultaneous request got to first is a message."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise AppealError(services.CONFLICT) from exc


def _lock_appeal(appeal_id: int) -> Appeal:
    """The appeal and its application, both locked until the commit (application first)."""
    application_id = db.session.scalar(select(Appeal.application_id).where(Appeal.id == appeal_id))
    if application_id is None or services.lock_application(application_id) is None:
        raise AppealError("Dit bezwaar bestaat niet meer.")
    return db.session.execute(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .with_for_update(of=Appeal)
        .execution_options(populate_existing=True)
    ).scalar_one()


def lodge(application_id: int, applicant: User, reason: str, today: date) -> Appeal:
    """The applicant objects to a rejection, within the appeal period, once."""
    app = services.lock_application(application_id)
    if app is None or app.applicant_id != applicant.id:
        raise AppealError("Alleen de aanvrager kan bezwaar maken tegen dit besluit.")
    existing = db.session.scalar(select(Appeal).where(Appeal.application_id == app.id))
    if existing is not None:
        raise AppealError("U heeft al bezwaar gemaakt tegen dit besluit.")
    if app.state != State.REJECTED or app.decided_at is None:
        raise AppealError("Bezwaar maken kan alleen tegen een afgewezen aanvraag.")
    reason = (reason or "").strip()
    if not reason:
        raise AppealError("Schrijf waarom u het niet eens bent met het besluit.")
    status = status_of(app, today)
    if not status.can_lodge:
        raise AppealError(
            f"De termijn voor bezwaar is verstreken: bezwaar maken kon tot en met "
            f"{nl_date(status.deadline)}."
        )
    appeal = Appeal(
        application=app,
        state=AppealState.LODGED,
        reason=reason,
        rejected_at=app.decided_at,
        rejected_by_id=app.decided_by_id,
    )
    db.session.add(appeal)
    _event(app, applicant, LODGED, reason)
    db.session.flush()
    audit.record(
        "certification.appeal_lodged",
        appeal,
        actor=applicant,
        reason=reason,
        application_id=app.id,
        deadline=status.deadline.isoformat(),
    )
    _mail(appeal, "appeal_lodged", "Uw bezwaar is ontvangen")
    _commit()
    return appeal


def _handler_problem(appeal: Appeal, reviewer: User) -> str | None:
    if not reviewer.has_role(RoleName.REVIEWER):
        return "Alleen een lid van de commissie kan een bezwaar behandelen."
    app = appeal.application
    return appeal_handler_problem(reviewer.id, app.applicant_id, appeal.rejected_by_id)


def claim(appeal_id: int, reviewer: User) -> Appeal:
    """A reviewer takes an appeal: never the applicant, the decider or someone with a
    conflict of interest (they need the registerbureau's assignment)."""
    appeal = _lock_appeal(appeal_id)
    problem = _handler_problem(appeal, reviewer)
    if problem:
        raise AppealError(problem)
    if appeal.state == AppealState.IN_REVIEW:
        raise services.ClaimLost("Dit bezwaar is al in behandeling bij een andere beoordelaar.")
    state = next_appeal_state(appeal.state, AppealAction.CLAIM)
    conflicts = commission.conflicts_for(reviewer, appeal.application)
    if conflicts:
        raise AppealError(
            "U kunt dit bezwaar niet zelf in behandeling nemen: "
            f"{commission.conflict_message(conflicts)}. Het registerbureau kan het "
            "uitdrukkelijk aan een beoordelaar toewijzen."
        )
    appeal.state, appeal.handler_id, appeal.claimed_at = state, reviewer.id, utcnow()
    _event(appeal.application, reviewer, CLAIMED, None)
    audit.record(
        "certification.appeal_claimed",
        appeal,
        actor=reviewer,
        application_id=appeal.application_id,
        conflict_statement=True,
    )
    _mail(appeal, "appeal_claimed", "Uw bezwaar is in behandeling genomen")
    _commit()
    return appeal


def assign(appeal_id: int, reviewer: User, admin: User, reason: str) -> Appeal:
    """The registerbureau gives the appeal to a reviewer explicitly, conflicts noted."""
    appeal = _lock_appeal(appeal_id)
    if _handler_problem(appeal, reviewer):
        raise AppealError(
            "Kies een beoordelaar die niet de aanvrager is en het besluit waartegen bezwaar "
            "is gemaakt niet nam."
        )
    before = appeal.state
    appeal.state = next_appeal_state(before, AppealAction.ASSIGN)
    previous = appeal.handler_id
    appeal.handler_id, appeal.claimed_at = reviewer.id, utcnow()
    conflicts = commission.conflicts_for(reviewer, appeal.application)
    _event(appeal.application, admin, ASSIGNED, None)  # the reason is for the audit log
    audit.record(
        "certification.appeal_assigned",
        appeal,
        actor=admin,
        reason=reason,
        application_id=appeal.application_id,
        handler=reviewer.id,
        previous_handler=previous,
        conflicts=[c.reason for c in conflicts],
    )
    if before == AppealState.LODGED:
        _mail(appeal, "appeal_claimed", "Uw bezwaar is in behandeling genomen")
    _commit()
    return appeal


def _require_handler(appeal: Appeal, reviewer: User) -> None:
    if appeal.state in (AppealState.UPHELD, AppealState.GRANTED):
        raise AppealError("Over dit bezwaar is al beslist.")
    if appeal.state != AppealState.IN_REVIEW or appeal.handler_id != reviewer.id:
        raise AppealError("Dit bezwaar is niet door u in behandeling.")


def _motivation(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise AppealError("Een beslissing op bezwaar heeft altijd een schriftelijke motivering.")
    return text


def uphold(appeal_id: int, reviewer: User, motivation: str) -> Appeal:
    """The objection is unfounded: the rejection stands."""
    appeal = _lock_appeal(appeal_id)
    _require_handler(appeal, reviewer)
    motivation = _motivation(motivation)
    appeal.state = next_appeal_state(appeal.state, AppealAction.UPHOLD)
    appeal.decided_at, appeal.motivation = utcnow(), motivation
    _event(appeal.application, reviewer, UPHELD, motivation)
    audit.record(
        "certification.appeal_upheld",
        appeal,
        actor=reviewer,
        reason=motivation,
        application_id=appeal.application_id,
    )
    _mail(appeal, "appeal_decided", "Beslissing op uw bezwaar: ongegrond", granted=False)
    _commit()
    return appeal


def grant(appeal_id: int, reviewer: User, motivation: str) -> Appeal:
    """The objection is founded: the application returns to the queue for a new decision.

    Its activities are held again, except those another application holds meanwhile (the
    applicant applied again after the rejection): those stay there and leave this one, so
    no activity counts twice. Judgements stand for activities accepted in full whose hours
    did not change since; the others are judged again (the reviewer may change any).
    """
    appeal = _lock_appeal(appeal_id)
    _require_handler(appeal, reviewer)
    motivation = _motivation(motivation)
    app = appeal.application
    other = services.open_application(app.applicant_id)
    if other is not None and other.id != app.id:
        raise AppealError(
            "De aanvrager heeft inmiddels een andere lopende aanvraag. Een aanvrager heeft "
            "één aanvraag tegelijk: die moet eerst besloten of ingetrokken zijn."
        )
    appeal.state = next_appeal_state(appeal.state, AppealAction.GRANT)
    appeal.decided_at, appeal.motivation = utcnow(), motivation
    released = _reopen(app)
    message = motivation
    if released:
        message += "\n\nNiet meer in deze aanvraag (ze tellen al mee voor een andere): " + (
            ", ".join(f"‘{title}’" for title in released)
        )
    _event(app, reviewer, Action.REOPEN.value, message, before=State.REJECTED)
    audit.record(
        "certification.reopen",
        app,
        actor=reviewer,
        reason=motivation,
        from_state=State.REJECTED.value,
        to_state=app.state.value,
        appeal_id=appeal.id,
        released_activities=len(released),
    )
    audit.record(
        "certification.appeal_granted",
        appeal,
        actor=reviewer,
        reason=motivation,
        application_id=app.id,
        released_activities=len(released),
    )
    _mail(
        appeal,
        "appeal_decided",
        "Beslissing op uw bezwaar: gegrond",
        granted=True,
        released=released,
    )
    _commit()
    return appeal


def _reopen(app: Application) -> list[str]:
    """REJECTED → SUBMITTED; returns the titles of activities that stay with another one."""
    app.state = next_state(app.state, Action.REOPEN)
    app.open_applicant_id = app.applicant_id if app.state in OPEN_STATES else None
    app.queued_at = utcnow()
    app.reviewer_id = app.claimed_at = None
    app.decided_at = app.decided_by_id = app.motivation = None
    released = []
    for item in list(app.items):
        activity = item.activity
        if activity.locked_by_application_id not in (None, app.id):
            released.append(activity.title)
            app.items.remove(item)
            db.session.delete(item)
            continue
        activity.locked_by_application_id = app.id
        # The activity was free since the rejection: an accepted one whose hours changed
        # is judged again, as is everything not accepted in full.
        if item.verdict != Verdict.ACCEPTED or item.accepted_hours != activity.hours:
            item.verdict, item.accepted_hours = Verdict.PENDING, None
    return released


def is_open(appeal: Appeal | None) -> bool:
    return appeal is not None and appeal.state in OPEN_APPEAL_STATES
