"""What waits, for the home page: the commission's queue in figures, the registerbureau's
open requests, and the applicant's rejection and extension request. One statement each,
whatever the number of rows (counts and minimums in the database)."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import aliased

from krsd.auth.models import User
from krsd.certification.bureau_requests import ExtensionRequest, NameChangeRequest
from krsd.certification.cycle import appeal_deadline
from krsd.certification.models import Appeal, Application, ApplicationActivity, Certificate
from krsd.certification.progress import cycle_terms
from krsd.certification.rules import (
    OPEN_APPEAL_STATES,
    AppealState,
    ExtensionState,
    NameChangeState,
    State,
    Verdict,
)
from krsd.clock import local_date
from krsd.courses.models import AccreditationRequest, RequestState
from krsd.extensions import db
from krsd.main.rules import Waiting
from krsd.portfolio.models import Regulation

#: the registerbureau's kinds of waiting work (Waiting.kind), in the order the page lists
#: them when they waited equally long
QUEUED, READY, APPEALS, NAME_CHANGES, EXTENSIONS, ACCREDITATIONS = (
    "queued",
    "ready",
    "appeals",
    "name_changes",
    "extensions",
    "accreditations",
)


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment else None


@dataclass(frozen=True)
class CommissionWork:
    """The queue as one member sees it."""

    #: applications waiting for a reviewer (the member's own excluded: never their own)
    queued: Waiting
    #: applications the member has in review
    mine: int
    #: objections (bezwaren) waiting for a handler
    appeals: Waiting


def commission_work(viewer_id: int) -> CommissionWork:
    """How many applications wait and since when, what the member holds, which appeals
    wait: one statement of counts."""
    queued = select(func.count(), func.min(Application.queued_at)).where(
        Application.state == State.SUBMITTED, Application.applicant_id != viewer_id
    )
    mine = select(func.count()).where(
        Application.state == State.IN_REVIEW, Application.reviewer_id == viewer_id
    )
    appeals = select(func.count(), func.min(Appeal.lodged_at)).where(
        Appeal.state == AppealState.LODGED
    )
    q, a = queued.subquery(), appeals.subquery()
    row = db.session.execute(
        select(*q.c, mine.scalar_subquery(), *a.c).select_from(q).join(a, literal(True))
    ).one()
    count, oldest, in_hand, appeal_count, oldest_appeal = row
    return CommissionWork(
        Waiting(QUEUED, count, _day(oldest)),
        in_hand,
        Waiting(APPEALS, appeal_count, _day(oldest_appeal)),
    )


def bureau_work(extra: tuple = ()) -> list[Waiting]:
    """Per kind of request the registerbureau (or the commission) decides: how many wait
    and since when, in one statement. ``extra``: parts of higher packages, each
    (kind, moment column, SQL condition) like those below."""
    undecided_item = (
        select(ApplicationActivity.id)
        .where(
            ApplicationActivity.application_id == Application.id,
            ApplicationActivity.verdict == Verdict.PENDING,
        )
        .exists()
    )
    parts = [
        (QUEUED, Application.queued_at, Application.state == State.SUBMITTED),
        (READY, Application.claimed_at, (Application.state == State.IN_REVIEW) & ~undecided_item),
        (APPEALS, Appeal.lodged_at, Appeal.state == AppealState.LODGED),
        (
            NAME_CHANGES,
            NameChangeRequest.requested_at,
            NameChangeRequest.state == NameChangeState.PENDING,
        ),
        (
            EXTENSIONS,
            ExtensionRequest.requested_at,
            ExtensionRequest.state == ExtensionState.PENDING,
        ),
        (
            ACCREDITATIONS,
            AccreditationRequest.requested_at,
            AccreditationRequest.state == RequestState.REQUESTED,
        ),
        *extra,
    ]
    statement = union_all(
        *(
            select(literal(kind).label("kind"), func.count(), func.min(moment)).where(condition)
            for kind, moment, condition in parts
        )
    )
    found = {kind: (count, oldest) for kind, count, oldest in db.session.execute(statement)}
    return [
        Waiting(kind, found.get(kind, (0, None))[0], _day(found.get(kind, (0, None))[1]))
        for kind, _moment, _condition in parts
    ]


@dataclass(frozen=True)
class ApplicantMatters:
    """What the applicant waits for or may still do, beside their open application."""

    #: the latest application when it was rejected, its appeal state (None: none lodged)
    #: and the last day to object
    rejected_id: int | None
    appeal_state: AppealState | None
    appeal_until: date | None
    #: the day the pending extension request (uitstel) was made, if any
    extension_since: date | None

    @property
    def appeal_running(self) -> bool:
        return self.appeal_state in OPEN_APPEAL_STATES

    def can_object(self, today: date) -> bool:
        """No objection lodged yet and the deadline not passed."""
        return (
            self.rejected_id is not None
            and self.appeal_state is None
            and self.appeal_until is not None
            and today <= self.appeal_until
        )


def applicant_matters(user_id: int) -> ApplicantMatters:
    """The rejection of the latest application with its appeal, and a pending extension
    request: one statement."""
    # A rejection matters only while no later application followed it.
    other = aliased(Application)
    latest = (
        select(other.id)
        .where(other.applicant_id == user_id)
        .order_by(other.submitted_at.desc(), other.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    extension = (
        select(func.min(ExtensionRequest.requested_at))
        .join(Certificate, Certificate.id == ExtensionRequest.certificate_id)
        .where(Certificate.holder_id == user_id, ExtensionRequest.state == ExtensionState.PENDING)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Application.id, Application.decided_at, Regulation, Appeal.state)
        .add_columns(extension)
        .select_from(User)
        .outerjoin(Application, (Application.id == latest) & (Application.state == State.REJECTED))
        .outerjoin(Regulation, Regulation.id == Application.regulation_id)
        .outerjoin(Appeal, Appeal.application_id == Application.id)
        .where(User.id == user_id)
    ).one()
    application_id, decided_at, regulation, appeal_state, extension_at = row
    until = None
    if decided_at is not None and regulation is not None:
        until = appeal_deadline(local_date(decided_at), cycle_terms(regulation))
    return ApplicantMatters(application_id, appeal_state, until, _day(extension_at))
