"""Completing an accredited course credits the portfolio (issue 9, point 6)."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from krsd.auth.rules import RoleName
from krsd.certification import services as certification
from krsd.courses.models import Enrolment
from krsd.courses.signals import result_changed
from krsd.extensions import db
from krsd.portfolio import course_credits
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category
from tests.certification.conftest import add_activity, fill_portfolio
from tests.clock import TODAY
from tests.courses import result_rows as rows


def record(browser, edition, enrolment, attended="", passed="", grade=""):
    data = {"deelnemer": enrolment.id, "attended": attended, "passed": passed, "grade": grade}
    return browser.submit(f"/cursussen/uitvoering/{edition.id}/resultaten", data)


def activities(owner) -> list[Activity]:
    db.session.expire_all()
    return list(db.session.scalars(select(Activity).where(Activity.owner_id == owner.id)))


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    browser.login(user.email)
    return user


@pytest.fixture
def fatima(make_user):
    return make_user(email="fatima@example.nl", name="Fatima el Amrani")


@pytest.fixture
def course_edition(trainer):
    return rows.edition(rows.course("Leerplicht en RMC voor ondersteuners", trainers=[trainer]))


def test_completing_puts_a_verified_accredited_activity_in_the_portfolio_once(
    browser, make_browser, trainer, fatima, course_edition
):
    (enrolment,) = rows.seat(course_edition, fatima)
    assert record(browser, course_edition, enrolment, "ja").status_code == 302
    assert activities(fatima) == []  # attended only: not completed
    assert record(browser, course_edition, enrolment, "ja", "ja").status_code == 302

    (activity,) = activities(fatima)
    accreditation = course_edition.course.accreditations[0]
    assert activity.category == Category.ACCREDITED
    assert activity.type == ActivityType.ACCREDITED_COURSE
    assert (activity.title, activity.provider) == (
        "Leerplicht en RMC voor ondersteuners",
        "Ingrado Academie",
    )
    assert activity.hours == Decimal("8") and activity.accreditation_id == accreditation.id
    assert activity.activity_date == course_edition.ends_on
    assert activity.verified and activity.enrolment_id == enrolment.id
    assert activity.evidence_files == []
    assert rows.audit_count("portfolio.activity_credited") == 1
    (mail,) = rows.mails_to("fatima@example.nl")
    assert mail.subject == "8 geaccrediteerde uren in uw portfolio"
    assert "accreditatie KRSD-A-T-" in mail.body and "geen bewijsstuk" in mail.body

    # Never twice: the receiver again, or the same result again, adds nothing.
    course_credits.credit(db.session.get(Enrolment, enrolment.id), trainer)
    db.session.commit()
    record(browser, course_edition, enrolment, "ja", "ja")
    assert len(activities(fatima)) == 1

    # Fatima sees the hours, verified, in her portfolio; she cannot change the record.
    own = make_browser()
    own.login("fatima@example.nl")
    dashboard = rows.flat(own.get("/portfolio/"))
    assert 'data-bar="accredited">8 / ' in dashboard and "geverifieerd" in dashboard
    assert own.get(f"/portfolio/activiteiten/{activity.id}/bewerken").status_code == 302


def test_a_correction_that_uncompletes_the_course_removes_the_hours_and_says_so(
    browser, trainer, fatima, course_edition
):
    (enrolment,) = rows.seat(course_edition, fatima)
    record(browser, course_edition, enrolment, "ja", "ja")
    assert len(activities(fatima)) == 1
    assert record(browser, course_edition, enrolment, "ja", "nee").status_code == 302
    assert activities(fatima) == []
    assert rows.audit_count("portfolio.activity_credit_withdrawn") == 1
    withdrawn = rows.mails_to("fatima@example.nl")[-1]
    assert (
        withdrawn.subject
        == "Uren van ‘Leerplicht en RMC voor ondersteuners’ uit uw portfolio gehaald"
    )
    # Completed again: credited again, as one activity.
    record(browser, course_edition, enrolment, "ja", "ja")
    assert len(activities(fatima)) == 1


def test_credited_hours_pass_an_application_and_then_cannot_be_taken_back(
    app, browser, trainer, fatima, course_edition
):
    # 16 accredited hours by hand: 8 short of the 24 until the course is credited.
    fill_portfolio(fatima, accredited=("16",))
    (enrolment,) = rows.seat(course_edition, fatima)
    record(browser, course_edition, enrolment, "ja", "ja")
    with app.test_request_context("/"):
        application = certification.submit_application(fatima, TODAY)
    credited = db.session.scalar(select(Activity).where(Activity.enrolment_id == enrolment.id))
    assert credited.locked_by_application_id == application.id

    refused = record(browser, course_edition, enrolment, "ja", "nee")
    text = rows.flat(refused)
    assert refused.status_code == 200
    assert "De 8 uur van ‘Leerplicht en RMC voor ondersteuners’ horen in het portfolio" in text
    assert "bij een ingediende of goedgekeurde aanvraag" in text
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).passed is True
    assert db.session.get(Activity, credited.id) is not None


def test_the_same_course_logged_by_hand_counts_once_and_the_mail_says_so(
    browser, make_browser, trainer, fatima, course_edition
):
    accreditation = course_edition.course.accreditations[0]
    own = add_activity(fatima, Category.ACCREDITED, "8", days_ago=20, title="Zelf ingevoerd")
    own.accreditation_id = accreditation.id
    db.session.commit()
    (enrolment,) = rows.seat(course_edition, fatima)
    record(browser, course_edition, enrolment, "ja", "ja")
    assert len(activities(fatima)) == 2
    (mail,) = rows.mails_to("fatima@example.nl")
    assert "U had deze opleiding ook zelf geregistreerd" in " ".join(mail.body.split())
    viewer = make_browser()
    viewer.login("fatima@example.nl")
    assert 'data-bar="accredited">8 / ' in rows.flat(viewer.get("/portfolio/"))


def test_without_an_accreditation_on_the_last_day_nothing_is_credited(browser, trainer, fatima):
    edition = rows.edition(rows.course("Intervisie", trainers=[trainer], hours=None))
    (enrolment,) = rows.seat(edition, fatima)
    assert record(browser, edition, enrolment, "ja", "ja").status_code == 302
    assert activities(fatima) == []
    assert rows.mails_to("fatima@example.nl") == []


def test_the_receiver_is_connected_and_works_inside_the_senders_transaction(
    app, trainer, fatima, course_edition
):
    assert course_credits.on_result_changed in [
        receiver() for receiver in result_changed.receivers.values()
    ]
    (enrolment,) = rows.seat(course_edition, fatima)
    enrolment.attended = enrolment.passed = True
    with app.test_request_context("/"):
        course_credits.on_result_changed(enrolment, was_completed=False, actor=trainer)
        db.session.rollback()  # the trainer's transaction fails: no activity either
    count = db.session.scalar(select(func.count()).select_from(Activity))
    assert count == 0
