"""What the Commissie Conformiteitsbepaling's pages read: the queue, the review page, the
appeals queue and the conflicts of interest, each in a fixed number of SQL statements
whatever the number of applications or activities."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from krsd.auth.models import User
from krsd.certification.conflicts import Conflict, conflicts_of_interest
from krsd.certification.models import Appeal, Application, ApplicationActivity, ApplicationEvent
from krsd.certification.rules import OPEN_APPEAL_STATES, AppealState, State
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from krsd.portfolio.models import Activity

#: how many recent decisions the queue lists
RECENT_DECISIONS = 10


def person(load):
    """A person the page names, without their roles: User.roles loads eagerly (the logged-in
    user needs them), and these pages never ask another person's roles."""
    return load.lazyload(User.roles)


def _listed():
    """What every list of applications on the commission's pages shows with each row."""
    return (
        person(joinedload(Application.applicant)),
        person(joinedload(Application.reviewer)),
        selectinload(Application.events),
        selectinload(Application.previous_certificate),
        selectinload(Application.appeal),
    )


def providers_by_application(application_ids) -> dict[int, set[str]]:
    """The providers of each application's activities (as logged, and the accredited
    course's provider), in one statement."""
    ids = list(application_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ApplicationActivity.application_id, Activity.provider, Course.provider)
        .join(Activity, ApplicationActivity.activity_id == Activity.id)
        .outerjoin(Accreditation, Activity.accreditation_id == Accreditation.id)
        .outerjoin(Course, Accreditation.course_id == Course.id)
        .where(ApplicationActivity.application_id.in_(ids))
        .distinct()
    ).all()
    providers: dict[int, set[str]] = defaultdict(set)
    for application_id, logged, course in rows:
        providers[application_id].update(p for p in (logged, course) if p)
    return providers


def _earlier_decider(app: Application, reviewer: User) -> tuple[Conflict, ...]:
    """A reopened application is not judged again by the reviewer who rejected it."""
    appeal = app.appeal
    reopened = appeal is not None and appeal.state == AppealState.GRANTED
    if reopened and appeal.rejected_by_id == reviewer.id:
        return (Conflict("u nam het besluit waartegen het bezwaar gegrond werd verklaard"),)
    return ()


def conflicts_by_application(
    reviewer: User, applications, providers: dict[int, set[str]] | None = None
) -> dict[int, tuple[Conflict, ...]]:
    """For each application, why ``reviewer`` should not take it on their own initiative."""
    applications = list(applications)
    if providers is None:
        providers = providers_by_application(a.id for a in applications)
    found = {}
    for app in applications:
        conflicts = conflicts_of_interest(
            reviewer.employer, app.applicant.employer, providers.get(app.id, ())
        ) + _earlier_decider(app, reviewer)
        if conflicts:
            found[app.id] = conflicts
    return found


def conflicts_for(reviewer: User, app: Application) -> tuple[Conflict, ...]:
    return conflicts_by_application(reviewer, [app]).get(app.id, ())


def conflict_message(conflicts: tuple[Conflict, ...]) -> str:
    return "; ".join(c.reason for c in conflicts)


@dataclass
class Queue:
    """Everything /commissie shows to one member (or the registerbureau)."""

    waiting: list[Application]
    mine: list[Application]
    others: list[Application]
    decided: list[Application]
    appeals_waiting: list[Appeal]
    appeals_mine: list[Appeal]
    appeals_others: list[Appeal]
    #: application id → conflicts of interest of the viewing reviewer
    conflicts: dict[int, tuple[Conflict, ...]] = field(default_factory=dict)


def queue_for(viewer: User) -> Queue:
    """The queue, the viewer's work, other reviewers' work, recent decisions and the appeals."""
    waiting = db.session.scalars(
        select(Application)
        .where(Application.state == State.SUBMITTED)
        .options(*_listed())
        .order_by(Application.queued_at)
    ).all()
    in_hand = db.session.scalars(
        select(Application)
        .where(Application.state.in_([State.IN_REVIEW, State.MORE_INFO_REQUESTED]))
        .options(*_listed())
        .order_by(Application.claimed_at)
    ).all()
    decided = db.session.scalars(
        select(Application)
        .where(Application.state.in_([State.APPROVED, State.REJECTED]))
        .options(person(joinedload(Application.applicant)))
        .order_by(Application.decided_at.desc())
        .limit(RECENT_DECISIONS)
    ).all()
    appeals = db.session.scalars(
        select(Appeal)
        .where(Appeal.state.in_(OPEN_APPEAL_STATES))
        .options(
            person(joinedload(Appeal.application).joinedload(Application.applicant)),
            joinedload(Appeal.application).selectinload(Application.appeal),
            person(joinedload(Appeal.handler)),
            person(joinedload(Appeal.rejected_by)),
        )
        .order_by(Appeal.lodged_at)
    ).all()
    queue = Queue(
        waiting=list(waiting),
        mine=[a for a in in_hand if a.reviewer_id == viewer.id],
        others=[a for a in in_hand if a.reviewer_id != viewer.id and a.state == State.IN_REVIEW],
        decided=list(decided),
        appeals_waiting=[a for a in appeals if a.state == AppealState.LODGED],
        appeals_mine=[
            a for a in appeals if a.state == AppealState.IN_REVIEW and a.handler_id == viewer.id
        ],
        appeals_others=[
            a for a in appeals if a.state == AppealState.IN_REVIEW and a.handler_id != viewer.id
        ],
    )
    flagged = queue.waiting + [a.application for a in queue.appeals_waiting]
    queue.conflicts = conflicts_by_application(viewer, flagged)
    return queue


def application_for_review(application_id: int) -> Application | None:
    """The application with all the review page shows, in a fixed number of statements."""
    return db.session.scalars(
        select(Application)
        .where(Application.id == application_id)
        .options(
            person(joinedload(Application.applicant)),
            person(joinedload(Application.reviewer)),
            selectinload(Application.previous_certificate),
            person(selectinload(Application.appeal).joinedload(Appeal.handler)),
            person(selectinload(Application.events).joinedload(ApplicationEvent.actor)),
            selectinload(Application.items)
            .joinedload(ApplicationActivity.activity)
            .selectinload(Activity.evidence_files),
        )
        .execution_options(populate_existing=True)
    ).first()


def appeal_for_page(appeal_id: int) -> Appeal | None:
    """An appeal with its application, as the appeal page shows them."""
    return db.session.scalars(
        select(Appeal)
        .where(Appeal.id == appeal_id)
        .options(
            person(joinedload(Appeal.application).joinedload(Application.applicant)),
            person(joinedload(Appeal.handler)),
            person(joinedload(Appeal.rejected_by)),
            person(
                joinedload(Appeal.application)
                .selectinload(Application.events)
                .joinedload(ApplicationEvent.actor)
            ),
        )
    ).first()
