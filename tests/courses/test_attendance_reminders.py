"""`flask krsd daily` reminds trainers of missing attendance, once (issue 9, point 9)."""

from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from krsd.auth.rules import RoleName
from krsd.clock import AMSTERDAM
from krsd.courses import daily
from krsd.courses.models import CourseSession, EnrolmentState
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.clock import TODAY
from tests.courses import result_rows as rows
from tests.races import race

SUBJECT = "Aanwezigheid nog niet vastgelegd"


def reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.subject == SUBJECT)))


def run_daily(app) -> str:
    result = app.test_cli_runner().invoke(args=["krsd", "daily"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def trainers(make_user):
    return [
        make_user(roles={RoleName.TRAINER}, email="jan@example.nl", name="Jan de Vries"),
        make_user(roles={RoleName.TRAINER}, email="els@example.nl", name="Els Bakker"),
    ]


def days_ago(n: int):
    return TODAY - timedelta(days=n)


def test_each_trainer_gets_one_mail_two_days_after_a_session_without_attendance(
    app, register_clock, trainers, make_user
):
    edition = rows.edition(
        rows.course("Module 3 Methodisch handelen", trainers=trainers),
        starts=days_ago(2),
        ends=TODAY + timedelta(days=5),
        sessions=[(days_ago(2), "09:00", "12:00"), (days_ago(1), "09:00", "12:00")],
    )
    anna, bram = rows.seat(edition, make_user(), make_user())
    bram.attended = True
    db.session.commit()

    assert "herinneringen aan trainers over ontbrekende aanwezigheid: 2" in run_daily(app)
    sent = reminders()
    assert sorted(m.recipient for m in sent) == ["els@example.nl", "jan@example.nl"]
    body = " ".join(sent[0].body.split())
    assert "Module 3 Methodisch handelen" in body and "09:00–12:00" in body
    assert "(1 deelnemer zonder resultaat)" in body
    assert f"http://localhost/cursussen/uitvoering/{edition.id}/resultaten" in body
    first, second = sorted(edition.sessions, key=lambda s: s.day)
    assert first.attendance_reminded_at is not None and second.attendance_reminded_at is None

    # The same day again: nothing more. The next day the second session is due.
    assert "aanwezigheid: 0" in run_daily(app)
    assert len(reminders()) == 2
    register_clock.move_to(datetime.combine(TODAY + timedelta(days=1), time(7), AMSTERDAM))
    assert "aanwezigheid: 2" in run_daily(app)
    assert len(reminders()) == 4
    # Attendance recorded for everyone: a later session is not reminded.
    anna.attended = False
    db.session.add(
        CourseSession(edition_id=edition.id, day=TODAY, starts_at=time(9), ends_at=time(10))
    )
    db.session.commit()
    register_clock.move_to(datetime.combine(TODAY + timedelta(days=3), time(7), AMSTERDAM))
    assert "aanwezigheid: 0" in run_daily(app)


def test_no_reminder_when_only_waiting_people_lack_attendance_or_the_session_is_old(
    app, trainers, make_user
):
    complete = rows.edition(
        rows.course("Compleet", trainers=trainers), sessions=[(days_ago(3), "09:00", "10:00")]
    )
    (seated,) = rows.seat(complete, make_user())
    seated.attended = True
    rows.seat(complete, make_user(), state=EnrolmentState.WAITING)
    old = rows.edition(
        rows.course("Oud", trainers=trainers),
        starts=days_ago(60),
        ends=days_ago(40),
        sessions=[(days_ago(40), "09:00", "10:00")],
    )
    rows.seat(old, make_user())
    db.session.commit()
    assert daily.remind_missing_attendance(TODAY) == 0
    assert reminders() == []


def test_two_nodes_running_the_job_at_once_send_it_once(app, trainers, make_user):
    edition = rows.edition(
        rows.course("Intervisie", trainers=trainers[:1]), sessions=[(days_ago(2), "09:00", "10:00")]
    )
    rows.seat(edition, make_user())
    results = race(
        app,
        lambda: daily.remind_missing_attendance(TODAY),
        lambda: daily.remind_missing_attendance(TODAY),
    )
    assert sorted(results) == [0, 1], results
    assert len(reminders()) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CourseSession)
            .where(CourseSession.attendance_reminded_at.is_not(None))
        )
        == 1
    )
