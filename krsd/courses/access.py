"""Who may change a course: its own trainers (and the registerbureau, which may see all).

A trainer sees and changes only the courses they are a trainer of; any other course,
edition or session answers 404 to them (its existence is not disclosed).
"""

from flask import abort
from flask_login import current_user
from sqlalchemy import exists, select

from krsd.auth.access import role_required
from krsd.auth.rules import RoleName
from krsd.courses.models import Course, CourseSession, CourseTrainer, Edition
from krsd.extensions import db

#: decorator for trainer pages (the role; the course itself is checked per view)
trainer_only = role_required(RoleName.TRAINER)
#: decorator for the registerbureau's pages
bureau_only = role_required(RoleName.ADMIN)


def teaches(user_id: int, course_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CourseTrainer.course_id == course_id, CourseTrainer.user_id == user_id
                )
            )
        )
    )


def own_course_or_404(course_id: int) -> Course:
    """The course, if the current user is one of its trainers."""
    course = db.session.get(Course, course_id)
    if course is None or not teaches(current_user.id, course.id):
        abort(404)
    return course


def own_edition_or_404(edition_id: int) -> Edition:
    """The edition, if the current user is a trainer of its course."""
    edition = db.session.get(Edition, edition_id)
    if edition is None or not teaches(current_user.id, edition.course_id):
        abort(404)
    return edition


def own_session_or_404(session_id: int) -> CourseSession:
    session = db.session.get(CourseSession, session_id)
    if session is None or not teaches(current_user.id, session.edition.course_id):
        abort(404)
    return session
