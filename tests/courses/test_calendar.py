"""The private iCal feed of the sessions one is seated in or teaches (issue 9, point 8)."""

import re
from datetime import date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from krsd.auth.rules import RoleName
from krsd.clock import AMSTERDAM
from krsd.courses.models import CalendarFeed, EnrolmentState
from krsd.extensions import db
from tests.clock import TODAY
from tests.courses import result_rows as rows

FEED_URL = re.compile(r'value="http://localhost(/cursussen/agenda/[A-Za-z0-9_-]+\.ics)"')
WEEK = TODAY + timedelta(days=7)


def feed_path(browser) -> str:
    page = browser.get("/cursussen/agenda")
    assert page.status_code == 200
    return FEED_URL.search(page.get_data(as_text=True)).group(1)


def events(response) -> dict[str, object]:
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


@pytest.fixture
def fatima(make_user, browser):
    user = make_user(email="fatima@example.nl", name="Fatima el Amrani")
    browser.login(user.email)
    return user


def test_the_feed_lists_the_sessions_of_seated_editions_in_amsterdam_time(
    browser, make_browser, fatima
):
    seated = rows.edition(
        rows.course("Module 2 Het netwerk in beeld"),
        starts=WEEK,
        ends=WEEK + timedelta(days=7),
        sessions=[(WEEK, "09:00", "12:30"), (WEEK + timedelta(days=7), "13:00", "16:00")],
    )
    waiting = rows.edition(
        rows.course("Vol"), starts=WEEK, ends=WEEK, sessions=[(WEEK, "09:00", "10:00")]
    )
    self_study = rows.edition(
        rows.course("Module 1 Wet- en regelgeving"), starts=TODAY, ends=WEEK, self_study=True
    )
    rows.seat(seated, fatima)
    rows.seat(self_study, fatima)
    rows.seat(waiting, fatima, state=EnrolmentState.WAITING)
    path = feed_path(browser)

    anyone = make_browser()  # calendar apps have no login: the token is the key
    response = anyone.get(path)
    found = events(response)
    first, second = (f"krsd-bijeenkomst-{s.id}@localhost" for s in seated.sessions)
    assert set(found) == {first, second, f"krsd-uitvoering-{self_study.id}@localhost"}
    start = found[first].decoded("DTSTART")
    assert start == datetime(WEEK.year, WEEK.month, WEEK.day, 9, 0, tzinfo=AMSTERDAM)
    assert str(start.tzinfo) == "Europe/Amsterdam"
    assert (
        found[first].decoded("DTEND").hour == 12 and found[first]["SUMMARY"] == seated.course.title
    )
    assert str(found[first]["LOCATION"]) == "Zaal 2"
    text = response.get_data(as_text=True)
    assert f"DTSTART;TZID=Europe/Amsterdam:{WEEK:%Y%m%d}T090000" in text
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/Amsterdam" in text
    whole_days = found[f"krsd-uitvoering-{self_study.id}@localhost"]
    assert whole_days.decoded("DTSTART") == TODAY and type(whole_days.decoded("DTSTART")) is date
    assert whole_days.decoded("DTEND") == WEEK + timedelta(days=1)
    # The same address and the same UIDs next time: a calendar app updates, never doubles.
    assert feed_path(browser) == path
    assert set(events(anyone.get(path))) == set(found)


def test_a_trainers_feed_lists_the_sessions_they_teach(make_user, make_browser):
    trainer = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    taught = rows.edition(
        rows.course("Intervisie", trainers=[trainer]),
        starts=WEEK,
        ends=WEEK,
        sessions=[(WEEK, "19:00", "21:00")],
    )
    rows.edition(
        rows.course("Niet van mij"), starts=WEEK, ends=WEEK, sessions=[(WEEK, "09:00", "10:00")]
    )
    own = make_browser()
    own.login(trainer.email)
    found = events(make_browser().get(feed_path(own)))
    assert set(found) == {f"krsd-bijeenkomst-{taught.sessions[0].id}@localhost"}


def test_renewing_the_address_stops_the_old_one(browser, make_browser, fatima):
    old = feed_path(browser)
    response = browser.submit("/cursussen/agenda", {})
    assert response.status_code == 302
    new = feed_path(browser)
    assert new != old
    anyone = make_browser()
    assert anyone.get(old).status_code == 404
    assert anyone.get(new).status_code == 200
    assert anyone.get("/cursussen/agenda/geen-bestaand-adres-0123456789.ics").status_code == 404
    assert rows.audit_count("courses.calendar_renewed") == 1
    assert len(db.session.scalars(select(CalendarFeed)).all()) == 1


def test_the_feed_runs_the_same_number_of_queries_for_1_or_6_editions(
    browser, make_browser, make_user, fatima
):
    other = make_user(email="ander@example.nl")
    for n in range(6):
        edition = rows.edition(
            rows.course(f"Cursus {n}"),
            starts=WEEK,
            ends=WEEK,
            sessions=[(WEEK, "09:00", "10:00"), (WEEK, "11:00", "12:00")],
        )
        rows.seat(edition, fatima)
        if n == 0:
            rows.seat(edition, other)
    mine = feed_path(browser)
    theirs = make_browser()
    theirs.login(other.email)
    anyone = make_browser()
    assert anyone.queries_for(mine) == anyone.queries_for(feed_path(theirs))
