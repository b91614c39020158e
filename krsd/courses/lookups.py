"""Small shared queries of the courses package."""

from datetime import date

from sqlalchemy import or_, select

from krsd.courses.models import Accreditation
from krsd.extensions import db


def accreditation_covering(course_id: int, day: date) -> Accreditation | None:
    """The accreditation of a course in force on ``day`` (not withdrawn by then), if any."""
    return db.session.scalar(
        select(Accreditation)
        .where(
            Accreditation.course_id == course_id,
            Accreditation.valid_from <= day,
            Accreditation.valid_until >= day,
            or_(Accreditation.withdrawn_on.is_(None), Accreditation.withdrawn_on > day),
        )
        .order_by(Accreditation.valid_from.desc())
        .limit(1)
    )
