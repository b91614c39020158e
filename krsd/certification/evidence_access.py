"""Which application lets a reviewer see an activity's evidence."""

from sqlalchemy import select

from krsd.certification.models import Application, ApplicationActivity
from krsd.certification.rules import State
from krsd.extensions import db

#: an application in one of these states has reached the commission
AT_COMMISSION = (
    State.SUBMITTED,
    State.IN_REVIEW,
    State.MORE_INFO_REQUESTED,
    State.APPROVED,
    State.REJECTED,
)


def application_showing(activity_id: int) -> int | None:
    """The latest application that brought this activity to the commission, if any.

    A draft portfolio, or an activity only in a withdrawn application, is nobody's business
    but its owner's (and the registerbureau's).
    """
    return db.session.scalar(
        select(Application.id)
        .join(ApplicationActivity, ApplicationActivity.application_id == Application.id)
        .where(
            ApplicationActivity.activity_id == activity_id,
            Application.state.in_(AT_COMMISSION),
        )
        .order_by(Application.queued_at.desc(), Application.id.desc())
        .limit(1)
    )
