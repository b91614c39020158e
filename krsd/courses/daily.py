"""The courses' duty in ``flask krsd daily``: remind trainers of missing attendance.

A session that ended two days ago (or earlier, within LOOKBACK, not yet reminded) whose
edition still has a seated participant without attendance gets its trainers one mail. The
session is claimed with a conditional UPDATE … RETURNING, so two nodes running the job at
once remind it once: the second one's UPDATE waits for the first's row lock and then no
longer matches.
"""

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import joinedload

from krsd.courses.models import (
    Course,
    CourseSession,
    CourseTrainer,
    Edition,
    Enrolment,
    EnrolmentState,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import send_many
from krsd.urls import external_url

#: the job reminds a session from two days after it
DAYS_AFTER = 2
#: sessions older than this are not reminded any more (a first run reaches no further back)
LOOKBACK = timedelta(days=30)


def _missing(edition_id) -> exists:
    return exists().where(
        Enrolment.edition_id == edition_id,
        Enrolment.state == EnrolmentState.SEATED,
        Enrolment.attended.is_(None),
    )


def remind_missing_attendance(today: date) -> int:
    """Mail the trainers of sessions with attendance still missing; returns the mails sent."""
    due = today - timedelta(days=DAYS_AFTER)
    claimed = (
        db.session.execute(
            update(CourseSession)
            .where(
                CourseSession.day <= due,
                CourseSession.day >= today - LOOKBACK,
                CourseSession.attendance_reminded_at.is_(None),
                _missing(CourseSession.edition_id),
            )
            .values(attendance_reminded_at=utcnow())
            .returning(CourseSession.id)
            .execution_options(synchronize_session=False)
        )
        .scalars()
        .all()
    )
    if not claimed:
        db.session.commit()
        return 0
    sessions = db.session.scalars(
        select(CourseSession)
        .where(CourseSession.id.in_(claimed))
        .options(
            joinedload(CourseSession.edition)
            .joinedload(Edition.course)
            .selectinload(Course.trainers)
            .joinedload(CourseTrainer.user)
        )
        .order_by(CourseSession.day, CourseSession.starts_at)
    ).all()
    edition_ids = {s.edition_id for s in sessions}
    missing = dict(
        db.session.execute(
            select(Enrolment.edition_id, func.count())
            .where(
                Enrolment.edition_id.in_(edition_ids),
                Enrolment.state == EnrolmentState.SEATED,
                Enrolment.attended.is_(None),
            )
            .group_by(Enrolment.edition_id)
        ).all()
    )
    per_trainer: dict[int, tuple] = {}
    items = defaultdict(list)
    for session in sessions:
        edition = session.edition
        item = {
            "title": edition.course.title,
            "day": session.day,
            "starts_at": f"{session.starts_at:%H:%M}",
            "ends_at": f"{session.ends_at:%H:%M}",
            "location": session.location or edition.location,
            "missing": missing.get(edition.id, 0),
            "link": external_url("courses.attendance", edition_id=edition.id),
        }
        for trainer in edition.course.trainers:
            per_trainer[trainer.user_id] = trainer.user
            items[trainer.user_id].append(item)
    send_many(
        [
            (
                user.email,
                "Aanwezigheid nog niet vastgelegd",
                "attendance_reminder",
                {"name": user.name, "items": items[user_id]},
            )
            for user_id, user in per_trainer.items()
        ]
    )
    db.session.commit()
    return len(per_trainer)
