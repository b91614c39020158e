"""A completed accredited course credits the participant's portfolio (``result_changed``).

The activity is the platform's record, not the participant's: verified, dated the
edition's last day, the accreditation's hours at that moment, no evidence and no
reflection needed (an application does not ask for either), one per enrolment. A correction
that un-completes the course removes it again; other corrections leave it as it is. An
activity held by an application (submitted, in review or approved) never changes: the
correction is refused and the trainer is told why.

When the participant also logged the same course by hand, both stay: the count takes one
accredited course once per window (``Entry.once``), and the mail tells them they may remove
their own entry.
"""

from sqlalchemy import select

from krsd import audit
from krsd.auth.models import User
from krsd.courses.lookups import accreditation_covering
from krsd.courses.models import Enrolment
from krsd.courses.signals import CreditLocked
from krsd.extensions import db
from krsd.formatting import nl_hours
from krsd.mail import send_mail
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category
from krsd.urls import external_url


def on_result_changed(enrolment: Enrolment, *, was_completed: bool, actor: User, **_) -> None:
    """Receiver of ``krsd.courses.signals.result_changed`` (inside the trainer's transaction)."""
    completed = enrolment.completed
    if completed and not was_completed:
        credit(enrolment, actor)
    elif was_completed and not completed:
        withdraw(enrolment, actor)


def credited_activity(enrolment_id: int, *, lock: bool = False) -> Activity | None:
    query = select(Activity).where(Activity.enrolment_id == enrolment_id)
    return db.session.scalar(query.with_for_update() if lock else query)


def credit(enrolment: Enrolment, actor: User) -> Activity | None:
    """The verified accredited activity for a completed enrolment (never a second one)."""
    edition = enrolment.edition
    accreditation = accreditation_covering(edition.course_id, edition.ends_on)
    if accreditation is None or credited_activity(enrolment.id) is not None:
        return None
    course = edition.course
    activity = Activity(
        owner_id=enrolment.user_id,
        category=Category.ACCREDITED,
        type=ActivityType.ACCREDITED_COURSE,
        title=course.title,
        provider=course.provider,
        activity_date=edition.ends_on,
        hours=accreditation.hours,
        reflection="",
        accreditation_id=accreditation.id,
        verified=True,
        enrolment_id=enrolment.id,
    )
    db.session.add(activity)
    db.session.flush()
    audit.record(
        "portfolio.activity_credited",
        activity,
        actor=actor,
        owner=enrolment.user_id,
        enrolment=enrolment.id,
        accreditation=accreditation.number,
        hours=str(accreditation.hours),
    )
    own_entry = db.session.scalar(
        select(Activity)
        .where(
            Activity.owner_id == enrolment.user_id,
            Activity.accreditation_id == accreditation.id,
            Activity.enrolment_id.is_(None),
        )
        .order_by(Activity.activity_date.desc())
        .limit(1)
    )
    user = enrolment.user
    send_mail(
        user.email,
        f"{nl_hours(activity.hours)} geaccrediteerde uren in uw portfolio",
        "course_credited",
        user=user,
        activity=activity,
        accreditation=accreditation,
        own_entry=own_entry,
        link=external_url("portfolio.activity_detail", activity_id=activity.id),
    )
    return activity


def withdraw(enrolment: Enrolment, actor: User) -> None:
    """Remove the credited activity of an enrolment that is no longer completed."""
    activity = credited_activity(enrolment.id, lock=True)
    if activity is None:
        return  # the participant removed it from their portfolio
    if activity.locked:
        raise CreditLocked(
            f"De {nl_hours(activity.hours)} uur van ‘{activity.title}’ horen in het portfolio "
            f"van {enrolment.user.name} bij een ingediende of goedgekeurde aanvraag voor "
            "certificering. Daarom kan dit resultaat niet meer worden gewijzigd; neem contact "
            "op met het registerbureau."
        )
    audit.record(
        "portfolio.activity_credit_withdrawn",
        activity,
        actor=actor,
        owner=enrolment.user_id,
        enrolment=enrolment.id,
        hours=str(activity.hours),
    )
    user = enrolment.user
    send_mail(
        user.email,
        f"Uren van ‘{activity.title}’ uit uw portfolio gehaald",
        "course_credit_withdrawn",
        user=user,
        activity=activity,
        link=external_url("portfolio.dashboard"),
    )
    db.session.delete(activity)
    db.session.flush()
