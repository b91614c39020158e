"""A person's private iCal feed: the sessions of editions they are seated in or teach.

The feed's address holds a secret token (``CalendarFeed``), made on the first visit of the
settings page and renewable there: the old address stops working at once. Times are
Europe/Amsterdam with a TZID and the VTIMEZONE it needs; UIDs are stable per session, so a
calendar app updates a moved session instead of adding it twice.
"""

import secrets
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from krsd import audit
from krsd.auth.models import User
from krsd.clock import AMSTERDAM
from krsd.courses.models import (
    CalendarFeed,
    CourseTrainer,
    Edition,
    Enrolment,
    EnrolmentState,
)
from krsd.database import utcnow
from krsd.extensions import db
from krsd.formatting import nl_date

#: editions that ended longer ago than this are left out of the feed
HISTORY = timedelta(days=365)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_of(user: User) -> CalendarFeed:
    """The person's feed, made now when they have none (commits)."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is not None:
        return feed
    feed = CalendarFeed(user_id=user.id, token=_new_token())
    db.session.add(feed)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # made by a simultaneous first visit: that one stands
        feed = db.session.get(CalendarFeed, user.id)
    return feed


def renew(user: User) -> CalendarFeed:
    """A new secret address; the old one stops working (commits)."""
    feed = db.session.get(CalendarFeed, user.id)
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token, feed.created_at = _new_token(), utcnow()
    db.session.flush()
    audit.record("courses.calendar_renewed", object_type="calendar_feed", object_id=user.id)
    db.session.commit()
    return feed


def user_id_for(token: str) -> int | None:
    return db.session.scalar(select(CalendarFeed.user_id).where(CalendarFeed.token == token))


def _editions(user_id: int, today: date) -> list[Edition]:
    seated = select(Enrolment.edition_id).where(
        Enrolment.user_id == user_id, Enrolment.state == EnrolmentState.SEATED
    )
    teaching = select(CourseTrainer.course_id).where(CourseTrainer.user_id == user_id)
    return list(
        db.session.scalars(
            select(Edition)
            .where(
                or_(Edition.id.in_(seated), Edition.course_id.in_(teaching)),
                Edition.ends_on >= today - HISTORY,
            )
            .options(joinedload(Edition.course), selectinload(Edition.sessions))
            .order_by(Edition.starts_on, Edition.id)
        )
    )


def _local(day: date, moment) -> datetime:
    return datetime.combine(day, moment, tzinfo=AMSTERDAM)


def feed_ics(user_id: int, today: date) -> bytes:
    """The iCalendar text of the person's sessions (a constant number of queries)."""
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname
    stamp = utcnow()
    calendar = Calendar()
    calendar.add("prodid", "-//Kwaliteitsregister Sociaal Domein//Cursusagenda//NL")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", "KRSD cursussen")
    calendar.add("x-wr-timezone", "Europe/Amsterdam")
    for edition in _editions(user_id, today):
        course = edition.course
        if edition.self_study:
            event = Event()
            event.add("uid", f"krsd-uitvoering-{edition.id}@{host}")
            event.add("dtstamp", stamp)
            event.add("summary", f"Zelfstudie: {course.title}")
            event.add("dtstart", edition.starts_on)
            event.add("dtend", edition.ends_on + timedelta(days=1))
            event.add(
                "description",
                f"{course.provider}. Zelfstudie, af te ronden uiterlijk "
                f"{nl_date(edition.ends_on)}.",
            )
            calendar.add_component(event)
        for session in edition.sessions:
            event = Event()
            event.add("uid", f"krsd-bijeenkomst-{session.id}@{host}")
            event.add("dtstamp", stamp)
            event.add("summary", course.title)
            event.add("dtstart", _local(session.day, session.starts_at))
            event.add("dtend", _local(session.day, session.ends_at))
            location = session.location or edition.location
            if location:
                event.add("location", location)
            event.add("description", course.provider)
            calendar.add_component(event)
    # The VTIMEZONE's rules for the years the feed can hold, not since 1970.
    calendar.add_missing_timezones(today - HISTORY * 2, today + HISTORY * 3)
    return calendar.to_ical()
