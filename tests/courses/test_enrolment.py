"""Enrolling from a course's page, the waiting list, cancelling, Mijn inschrijvingen."""

import re

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.courses.models import (
    CourseStatus,
    Edition,
    Enrolment,
    EnrolmentState,
    Grade,
)
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.courses.edition_factories import make_course, make_edition, seat


@pytest.fixture
def course():
    return make_course()


@pytest.fixture
def professional(make_user, browser):
    user = make_user(email="fatima@example.nl", name="Fatima El Amrani")
    browser.login("fatima@example.nl")
    return user


def enrol(browser, edition):
    return browser.submit(
        f"/cursussen/uitvoering/{edition.id}/inschrijven",
        form_url=f"/cursussen/{edition.course_id}",
        follow_redirects=True,
    )


def state_of(edition, user):
    return db.session.scalar(
        select(Enrolment.state).where(
            Enrolment.edition_id == edition.id, Enrolment.user_id == user.id
        )
    )


def mails_to(email):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    ).all()


def test_a_professional_enrols_in_a_free_seat_and_gets_a_confirmation(
    browser, professional, course
):
    edition = make_edition(course, capacity=3)
    page = enrol(browser, edition).get_data(as_text=True)
    assert "U bent ingeschreven voor ‘Leerplicht en RMC voor ondersteuners’" in page
    assert "U bent ingeschreven." in page and "2 van 3 vrij" in page
    assert state_of(edition, professional) == EnrolmentState.SEATED
    assert db.session.get(Edition, edition.id).seats_taken == 1
    (mail,) = mails_to("fatima@example.nl")
    assert mail.subject.startswith("Ingeschreven:") and "U bent ingeschreven" in mail.body
    assert "http://localhost/cursussen/inschrijvingen" in mail.body
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "courses.enrolled"))
    assert entry.actor_id == professional.id


def test_a_full_edition_puts_people_on_the_waiting_list_with_a_visible_position(
    browser, professional, course, make_user
):
    edition = make_edition(course, capacity=1)
    seat(edition, make_user())
    seat(edition, make_user(), EnrolmentState.WAITING)
    before = browser.get(f"/cursussen/{course.id}").get_data(as_text=True)
    assert "Vol — wachtlijst" in before and "Op de wachtlijst" in before
    page = enrol(browser, edition).get_data(as_text=True)
    assert "u staat op de wachtlijst, op plaats 2" in page
    assert "U staat op de wachtlijst, op plaats 2." in page
    assert state_of(edition, professional) == EnrolmentState.WAITING
    assert db.session.get(Edition, edition.id).seats_taken == 1
    (mail,) = mails_to("fatima@example.nl")
    assert mail.subject.startswith("Wachtlijst:") and "op plaats 2" in mail.body
    mine = browser.get("/cursussen/inschrijvingen").get_data(as_text=True)
    assert re.search(r"Wachtlijst, plaats <strong>2</strong>", mine)


def test_nobody_enrols_twice(browser, professional, course):
    edition = make_edition(course)
    enrol(browser, edition)
    page = enrol(browser, edition).get_data(as_text=True)
    assert "U bent al ingeschreven voor deze uitvoering." in page
    count = db.session.scalar(select(func.count()).select_from(Enrolment))
    assert count == 1 and db.session.get(Edition, edition.id).seats_taken == 1


@pytest.mark.parametrize(
    ("status", "deadline_in", "message"),
    [
        (CourseStatus.PUBLISHED, -1, "De inschrijving is gesloten"),
        (CourseStatus.DRAFT, 10, "Voor deze cursus kunt u zich niet inschrijven."),
        (CourseStatus.ARCHIVED, 10, "Voor deze cursus kunt u zich niet inschrijven."),
    ],
)
def test_enrolment_is_refused_after_the_deadline_and_for_unpublished_courses(
    browser, professional, status, deadline_in, message
):
    course = make_course(status=status)
    edition = make_edition(course, deadline_in=deadline_in)
    page = enrol(browser, edition).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(select(Enrolment)) is None


def test_enrolling_on_the_deadline_day_still_works(browser, professional, course):
    edition = make_edition(course, deadline_in=0)
    enrol(browser, edition)
    assert state_of(edition, professional) == EnrolmentState.SEATED


def test_only_professionals_enrol(make_user, make_browser, course):
    edition = make_edition(course)
    make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    trainer = make_browser()
    trainer.login("trainer@example.nl")
    page = trainer.get(f"/cursussen/{course.id}").get_data(as_text=True)
    assert "Alleen professionals kunnen zich inschrijven." in page
    refused = trainer.submit(
        f"/cursussen/uitvoering/{edition.id}/inschrijven", form_url=f"/cursussen/{course.id}"
    )
    assert refused.status_code == 403
    anonymous = make_browser().get(f"/cursussen/{course.id}").get_data(as_text=True)
    assert f"/inloggen?next=/cursussen/{course.id}" in anonymous


def test_cancelling_seats_the_first_person_waiting_who_is_mailed(
    browser, professional, course, make_user
):
    edition = make_edition(course, capacity=1)
    mine = seat(edition, professional)
    first = seat(edition, make_user(email="eerste@example.nl"), EnrolmentState.WAITING)
    second = seat(edition, make_user(email="tweede@example.nl"), EnrolmentState.WAITING)
    url = f"/cursussen/inschrijvingen/{mine.id}/annuleren"

    asked = browser.submit(url, form_url="/cursussen/inschrijvingen")
    assert "Uw plaats komt vrij voor de eerste op de wachtlijst" in asked.get_data(as_text=True)
    assert state_of(edition, professional) == EnrolmentState.SEATED

    done = browser.submit(
        url, {"bevestigd": "ja"}, form_url="/cursussen/inschrijvingen", follow_redirects=True
    )
    assert "Uw inschrijving is geannuleerd." in done.get_data(as_text=True)
    db.session.expire_all()
    assert mine.state == EnrolmentState.CANCELLED and mine.cancelled_at is not None
    assert first.state == EnrolmentState.SEATED and second.state == EnrolmentState.WAITING
    assert db.session.get(Edition, edition.id).seats_taken == 1
    (promoted,) = mails_to("eerste@example.nl")
    assert "U stond op de wachtlijst en bent nu geplaatst." in promoted.body
    assert mails_to("tweede@example.nl") == []
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.startswith("courses."))
            .order_by(AuditEntry.id)
        )
    )
    assert actions == ["courses.enrolment_cancelled", "courses.enrolment_promoted"]


def test_reenrolling_after_cancelling_reuses_the_row_and_joins_the_end_of_the_queue(
    browser, professional, course, make_user
):
    edition = make_edition(course, capacity=1)
    seat(edition, make_user())
    mine = seat(edition, professional, EnrolmentState.WAITING)
    seat(edition, make_user(), EnrolmentState.WAITING)
    url = f"/cursussen/inschrijvingen/{mine.id}/annuleren"
    browser.submit(url, {"bevestigd": "ja"}, form_url="/cursussen/inschrijvingen")
    page = enrol(browser, edition).get_data(as_text=True)
    assert "op plaats 2" in page
    rows = db.session.scalars(select(Enrolment).where(Enrolment.user_id == professional.id)).all()
    assert [r.id for r in rows] == [mine.id] and rows[0].state == EnrolmentState.WAITING


def test_cancelling_after_the_deadline_is_refused(browser, professional, course):
    edition = make_edition(course, deadline_in=-1, starts_in=3)
    mine = seat(edition, professional)
    page = browser.get("/cursussen/inschrijvingen").get_data(as_text=True)
    assert "Niet meer mogelijk" in page
    done = browser.submit(
        f"/cursussen/inschrijvingen/{mine.id}/annuleren",
        {"bevestigd": "ja"},
        form_url="/cursussen/inschrijvingen",
        follow_redirects=True,
    )
    assert "Annuleren kon tot en met" in done.get_data(as_text=True)
    assert state_of(edition, professional) == EnrolmentState.SEATED


def test_nobody_cancels_someone_elses_enrolment(browser, professional, course, make_user):
    edition = make_edition(course)
    theirs = seat(edition, make_user())
    response = browser.submit(
        f"/cursussen/inschrijvingen/{theirs.id}/annuleren",
        {"bevestigd": "ja"},
        form_url="/cursussen/inschrijvingen",
    )
    assert response.status_code == 404
    assert db.session.get(Enrolment, theirs.id).state == EnrolmentState.SEATED


def test_my_enrolments_shows_past_editions_with_the_results_recorded(browser, professional, course):
    past = make_edition(course, starts_in=-30, deadline_in=-40)
    seat(past, professional, attended=True, passed=True)
    graded = make_course("Module 1 Wet- en regelgeving")
    other = make_edition(graded, starts_in=-60, deadline_in=-70)
    seat(other, professional, attended=True, passed=True, grade=Grade.VOLDOENDE)
    page = browser.get("/cursussen/inschrijvingen").get_data(as_text=True)
    past_part = page[page.index("Gevolgde cursussen") :]
    assert "Aanwezig" in past_part and "Resultaat" in past_part and "voldoende" in past_part
    # the latest first
    assert past_part.index("Leerplicht en RMC") < past_part.index("Module 1")
    assert "U bent nergens voor ingeschreven." in page


def test_the_menu_of_a_professional_has_the_courses(browser, professional):
    page = browser.get("/").get_data(as_text=True)
    assert 'href="/cursussen/"' in page and 'href="/cursussen/inschrijvingen"' in page


def test_my_enrolments_runs_a_constant_number_of_queries(browser, professional, make_user):
    counts = []
    for n in (1, 6):
        while db.session.scalar(select(func.count()).select_from(Enrolment)) < n:
            edition = make_edition(make_course(), capacity=1)
            if n > 1:
                seat(edition, make_user())
            seat(edition, professional, EnrolmentState.WAITING if n > 1 else EnrolmentState.SEATED)
        counts.append(browser.queries_for("/cursussen/inschrijvingen"))
    assert counts[0] == counts[1]
