"""The register answers the courses package's question for registration numbers."""

from sqlalchemy import select

from krsd.certification.models import Registration
from krsd.extensions import db


def registration_numbers_for(_sender, *, user_ids, **_) -> dict[int, str]:
    """Receiver of ``krsd.courses.signals.registration_numbers_wanted``: {user_id: number}."""
    rows = db.session.execute(
        select(Registration.user_id, Registration.number).where(
            Registration.user_id.in_(list(user_ids))
        )
    )
    return {user_id: number for user_id, number in rows}
