"""Trainers' courses: create, edit, publish or archive, and who else teaches them."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from krsd import audit
from krsd.auth.models import User, UserRole
from krsd.auth.rules import RoleName
from krsd.auth.services import normalise_email
from krsd.courses.models import (
    AccreditationRequest,
    Course,
    CourseFormat,
    CourseStatus,
    CourseTargetGroup,
    CourseTrainer,
    Edition,
    RequestState,
    TargetGroup,
)
from krsd.courses.services import CatalogueError
from krsd.extensions import db

#: the status buttons: action → (the state it leads to, the states it may start from)
STATUS_ACTIONS: dict[str, tuple[CourseStatus, frozenset[CourseStatus]]] = {
    "publish": (CourseStatus.PUBLISHED, frozenset({CourseStatus.DRAFT, CourseStatus.ARCHIVED})),
    "archive": (CourseStatus.ARCHIVED, frozenset({CourseStatus.DRAFT, CourseStatus.PUBLISHED})),
    "draft": (CourseStatus.DRAFT, frozenset({CourseStatus.PUBLISHED, CourseStatus.ARCHIVED})),
}
#: "de cursus is (al) …"
STATUS_PHRASES = {
    CourseStatus.DRAFT: "een concept",
    CourseStatus.PUBLISHED: "gepubliceerd",
    CourseStatus.ARCHIVED: "gearchiveerd",
}
STATUS_ACTION_LABELS = {
    "publish": "Publiceren",
    "archive": "Archiveren",
    "draft": "Terug naar concept",
}


@dataclass(frozen=True)
class CourseInput:
    title: str
    provider: str
    description: str
    format: CourseFormat
    study_load_hours: Decimal
    target_groups: Sequence[TargetGroup]
    graded: bool


def lock_course(course_id: int) -> Course | None:
    """The course, locked against a simultaneous change (PostgreSQL; SQLite serialises).

    ``FOR NO KEY UPDATE``: rows that merely refer to the course (editions, requests) can
    still be inserted meanwhile. Objects loaded earlier in the session are refreshed.
    """
    return db.session.execute(
        select(Course)
        .where(Course.id == course_id)
        .with_for_update(of=Course, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _apply(course: Course, data: CourseInput) -> None:
    groups = sorted(set(data.target_groups))
    if not groups:
        raise CatalogueError("Kies minstens één doelgroep.", "target_groups")
    course.title, course.provider = data.title, data.provider
    course.description, course.format = data.description, data.format
    course.study_load_hours, course.graded = data.study_load_hours, data.graded
    kept = {g.group: g for g in course.target_groups}
    course.target_groups = [kept.get(g) or CourseTargetGroup(group=g) for g in groups]


def _details(course: Course) -> dict:
    return {
        "title": course.title,
        "provider": course.provider,
        "format": course.format.value,
        "study_load_hours": str(course.study_load_hours),
        "target_groups": [g.value for g in sorted(course.group_values)],
        "graded": course.graded,
    }


def create_course(data: CourseInput, actor: User) -> Course:
    """A new draft course; its creator is its first trainer."""
    course = Course(status=CourseStatus.DRAFT)
    _apply(course, data)
    course.trainers.append(CourseTrainer(user_id=actor.id))
    db.session.add(course)
    db.session.flush()
    audit.record("courses.course_created", course, actor=actor, **_details(course))
    db.session.commit()
    return course


def update_course(course_id: int, data: CourseInput, actor: User) -> Course:
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    before = _details(course)
    _apply(course, data)
    db.session.flush()
    after = _details(course)
    changed = {k: {"old": before[k], "new": v} for k, v in after.items() if before[k] != v}
    audit.record("courses.course_changed", course, actor=actor, changes=changed)
    db.session.commit()
    return course


def change_status(course_id: int, action: str, actor: User) -> Course:
    """Publish, archive, or bring a course back to draft."""
    if action not in STATUS_ACTIONS:
        raise CatalogueError("Onbekende actie.")
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    target, sources = STATUS_ACTIONS[action]
    if course.status not in sources:
        raise CatalogueError(f"De cursus is al {STATUS_PHRASES[course.status]}.")
    old = course.status
    course.status = target
    audit.record(
        "courses.course_status_changed",
        course,
        actor=actor,
        old_status=old.value,
        new_status=target.value,
    )
    db.session.commit()
    return course


def add_trainer(course_id: int, email: str, actor: User) -> User:
    """Add a co-trainer: an existing account with the trainer role."""
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    trainer = db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            User.email == normalise_email(email),
            User.active.is_(True),
            UserRole.role == RoleName.TRAINER,
        )
    )
    if trainer is None:
        raise CatalogueError(
            "Er is geen account met de rol trainer en dit e-mailadres. Vraag het "
            "registerbureau om de rol trainer toe te kennen.",
            "email",
        )
    if any(t.user_id == trainer.id for t in course.trainers):
        raise CatalogueError(f"{trainer.name} is al trainer van deze cursus.", "email")
    course.trainers.append(CourseTrainer(user_id=trainer.id))
    db.session.flush()
    audit.record(
        "courses.trainer_added", course, actor=actor, trainer_id=trainer.id, trainer=trainer.email
    )
    db.session.commit()
    return trainer


def remove_trainer(course_id: int, user_id: int, actor: User) -> User:
    """Remove a trainer from a course; never the last one."""
    course = lock_course(course_id)
    if course is None:
        raise CatalogueError("Deze cursus bestaat niet meer.")
    link = next((t for t in course.trainers if t.user_id == user_id), None)
    if link is None:
        raise CatalogueError("Deze persoon is geen trainer van deze cursus.")
    if len(course.trainers) == 1:
        raise CatalogueError("Een cursus houdt minstens één trainer; voeg eerst een ander toe.")
    removed = link.user
    course.trainers.remove(link)
    audit.record(
        "courses.trainer_removed", course, actor=actor, trainer_id=removed.id, trainer=removed.email
    )
    db.session.commit()
    return removed


@dataclass(frozen=True)
class TrainerCourse:
    course: Course
    edition_count: int
    open_request: bool


def trainer_courses(user_id: int) -> list[TrainerCourse]:
    """The courses a trainer teaches, with their editions and open requests counted.

    Four statements whatever the number of courses.
    """
    courses = db.session.scalars(
        select(Course)
        .join(CourseTrainer, CourseTrainer.course_id == Course.id)
        .where(CourseTrainer.user_id == user_id)
        .options(selectinload(Course.accreditations), selectinload(Course.target_groups))
        .order_by(Course.title, Course.id)
    ).all()
    ids = [c.id for c in courses]
    if not ids:
        return []
    editions = dict(
        db.session.execute(
            select(Edition.course_id, func.count())
            .where(Edition.course_id.in_(ids))
            .group_by(Edition.course_id)
        ).all()
    )
    open_requests = set(
        db.session.scalars(
            select(AccreditationRequest.course_id).where(
                AccreditationRequest.course_id.in_(ids),
                AccreditationRequest.state == RequestState.REQUESTED,
            )
        )
    )
    return [TrainerCourse(c, editions.get(c.id, 0), c.id in open_requests) for c in courses]


@dataclass(frozen=True)
class TrainerSummary:
    courses: int
    open_requests: int


def trainer_summary(user_id: int) -> TrainerSummary:
    """How many courses a trainer teaches and how many accreditation requests wait."""
    row = db.session.execute(
        select(
            func.count(func.distinct(CourseTrainer.course_id)),
            func.count(func.distinct(AccreditationRequest.id)),
        )
        .select_from(CourseTrainer)
        .outerjoin(
            AccreditationRequest,
            (AccreditationRequest.course_id == CourseTrainer.course_id)
            & (AccreditationRequest.state == RequestState.REQUESTED),
        )
        .where(CourseTrainer.user_id == user_id)
    ).one()
    return TrainerSummary(row[0], row[1])


def course_for_trainer_page(course_id: int) -> Course | None:
    """The course with what its trainer's page shows, eagerly loaded."""
    return db.session.scalar(
        select(Course)
        .where(Course.id == course_id)
        .options(
            selectinload(Course.trainers).joinedload(CourseTrainer.user),
            selectinload(Course.target_groups),
            selectinload(Course.accreditations),
        )
        .execution_options(populate_existing=True)
    )
