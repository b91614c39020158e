"""The steps every certification use case takes: lock the application, move it through the
state machine with its history and audit entry, mail the applicant, commit once."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.auth.models import User
from krsd.certification.models import Application, ApplicationActivity, ApplicationEvent
from krsd.certification.rules import LOCKING_STATES, OPEN_STATES, Action, State, next_state
from krsd.extensions import db
from krsd.mail import send_mail
from krsd.urls import external_url


class CertificationError(Exception):
    """A use case refused; the message is Dutch and meant for the user."""


class NotEligible(CertificationError):
    pass


class AlreadyOpen(CertificationError):
    pass


class ClaimLost(CertificationError):
    pass


DECIDED = "Over deze aanvraag is al besloten."
CONFLICT = "Iemand anders wijzigde deze aanvraag op hetzelfde moment. Bekijk haar opnieuw."


def lock_application(application_id: int) -> Application | None:
    """Load an application for a change: its row locked until the commit, its items fresh.

    Every change to an application starts here, so two changes never interleave: the
    second waits for the first to commit and then checks the state that the first left
    (``SELECT … FOR NO KEY UPDATE`` on PostgreSQL, the lock an UPDATE takes, which still
    lets rows that merely refer to this one be inserted; SQLite's ``BEGIN IMMEDIATE``
    already lets one writer in at a time). Objects loaded earlier in the session are
    refreshed in place.
    """
    return db.session.execute(
        select(Application)
        .where(Application.id == application_id)
        .options(selectinload(Application.items))
        .with_for_update(of=Application, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def locked(app: Application) -> Application:
    locked = lock_application(app.id)
    if locked is None:
        raise CertificationError("Deze aanvraag bestaat niet meer.")
    return locked


def commit() -> None:
    """Commit; a unique constraint that a simultaneous request got to first is a message."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise CertificationError(CONFLICT) from exc


def open_application(user_id: int) -> Application | None:
    return db.session.scalar(select(Application).where(Application.open_applicant_id == user_id))


def record_event(
    app: Application, actor: User | None, action: str, before: State | None, message=None
):
    db.session.add(
        ApplicationEvent(
            application=app,
            actor_id=getattr(actor, "id", None),
            action=action,
            from_state=before,
            to_state=app.state,
            message=message,
        )
    )


def move(app: Application, action: Action, actor: User, message: str | None = None, **details):
    """Apply one transition of the state machine, with its history and audit entries."""
    before = app.state
    app.state = next_state(before, action)
    app.open_applicant_id = app.applicant_id if app.state in OPEN_STATES else None
    if app.state not in LOCKING_STATES:
        for item in app.items:
            if item.activity.locked_by_application_id == app.id:
                item.activity.locked_by_application_id = None
    record_event(app, actor, action.value, before, message)
    audit.record(
        f"certification.{action.value}",
        app,
        actor=actor,
        reason=message,
        from_state=before.value,
        to_state=app.state.value,
        **details,
    )


def mail_applicant(app: Application, template: str, subject: str, **context) -> None:
    send_mail(
        app.applicant.email,
        subject,
        template,
        application=app,
        user=app.applicant,
        link=external_url("certification.application_detail", application_id=app.id),
        **context,
    )


def hold(app: Application, activities) -> None:
    """Freeze activities into the application: they cannot change or count twice."""
    for activity in activities:
        activity.locked_by_application_id = app.id
        app.items.append(ApplicationActivity(activity=activity))
