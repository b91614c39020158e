"""The Leergang: progress through three modules, the diploma and its verification (point 7)."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.courses import attendance
from krsd.courses.attendance_rules import Result
from krsd.courses.leergang_rules import (
    Attempt,
    ModuleStatus,
    module_status,
    new_diploma_code,
    normalise_diploma_code,
    programme_completed,
)
from krsd.courses.models import Diploma, Edition, Enrolment, EnrolmentState, Grade
from krsd.extensions import db
from krsd.portfolio.models import Activity
from tests.clock import TODAY
from tests.courses import result_rows as rows
from tests.races import race


def record(browser, edition, enrolment, attended="", passed="", grade=""):
    data = {"deelnemer": enrolment.id, "attended": attended, "passed": passed, "grade": grade}
    return browser.submit(f"/cursussen/uitvoering/{edition.id}/resultaten", data)


def passed(enrolment: Enrolment) -> Enrolment:
    enrolment.attended = enrolment.passed = True
    enrolment.grade = Grade.VOLDOENDE
    db.session.commit()
    return enrolment


def diplomas() -> int:
    return db.session.scalar(select(func.count()).select_from(Diploma))


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    browser.login(user.email)
    return user


@pytest.fixture
def fatima(make_user):
    return make_user(email="fatima@example.nl", name="Fatima el Amrani")


@pytest.fixture
def modules(trainer):
    """The three modules, each with an ended edition (module 1 as self-study)."""
    courses = [rows.leergang_module(n, trainers=[trainer]) for n in (1, 2, 3)]
    return [
        rows.edition(courses[0], self_study=True),
        rows.edition(courses[1]),
        rows.edition(courses[2]),
    ]


def test_the_professional_sees_each_modules_progress(make_browser, modules, fatima):
    passed(rows.seat(modules[0], fatima)[0])
    later = rows.edition(modules[1].course, ends=TODAY + timedelta(days=30))
    rows.seat(later, fatima)
    own = make_browser()
    own.login("fatima@example.nl")
    page = rows.flat(own.get("/cursussen/leergang"))
    assert "U heeft 1 van de 3 modules behaald" in page
    assert 'data-status="passed">Behaald (voldoende)' in page
    assert 'data-status="enrolled">Ingeschreven' in page
    assert 'data-status="not_started">Nog niet begonnen' in page
    assert f'href="/cursussen/{modules[2].course_id}">Module 3 Methodisch handelen' in page
    assert own.get("/cursussen/leergang/diploma.pdf").status_code == 404


def test_the_last_module_with_voldoende_gives_the_diploma_that_verifies(
    browser, make_browser, modules, fatima
):
    passed(rows.seat(modules[0], fatima)[0])
    passed(rows.seat(modules[1], fatima)[0])
    (third,) = rows.seat(modules[2], fatima)
    assert record(browser, modules[2], third, "ja", "ja", "voldoende").status_code == 302

    diploma = db.session.scalars(select(Diploma)).one()
    assert (diploma.user_id, diploma.holder_name, diploma.issued_on) == (
        fatima.id,
        "Fatima el Amrani",
        TODAY,
    )
    assert rows.audit_count("courses.diploma_issued") == 1
    mail = next(m for m in rows.mails_to("fatima@example.nl") if "diploma" in m.subject)
    assert mail.subject == "Uw diploma Leergang Leerplicht/RMC"
    assert f"/cursussen/diploma/{diploma.verification_code}" in mail.body
    # The module's accredited hours are credited in the same transaction.
    assert db.session.scalar(select(Activity.hours).where(Activity.enrolment_id == third.id)) == 16

    own = make_browser()
    own.login("fatima@example.nl")
    page = rows.flat(own.get("/cursussen/leergang"))
    assert f"Verificatiecode: <strong>{diploma.verification_code}</strong>" in page
    pdf = own.get("/cursussen/leergang/diploma.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    anyone = make_browser()
    typed = diploma.verification_code.lower().replace("0", "o")
    check = anyone.get(f"/cursussen/diploma/{typed}")
    assert check.status_code == 200
    text = rows.flat(check)
    assert "Echt diploma" in text and "Fatima el Amrani" in text
    missing = anyone.get("/cursussen/diploma/AAAA-BBBB-CCCC")
    assert missing.status_code == 404 and "Diploma niet gevonden" in rows.flat(missing)


def test_onvoldoende_for_the_last_module_gives_no_diploma(browser, make_browser, modules, fatima):
    passed(rows.seat(modules[0], fatima)[0])
    passed(rows.seat(modules[1], fatima)[0])
    (third,) = rows.seat(modules[2], fatima)
    assert record(browser, modules[2], third, "ja", "nee", "onvoldoende").status_code == 302
    assert diplomas() == 0
    own = make_browser()
    own.login("fatima@example.nl")
    assert 'data-status="not_passed">Niet behaald' in rows.flat(own.get("/cursussen/leergang"))


def test_a_correction_that_takes_away_a_module_of_the_diploma_is_refused(browser, modules, fatima):
    passed(rows.seat(modules[0], fatima)[0])
    passed(rows.seat(modules[1], fatima)[0])
    (third,) = rows.seat(modules[2], fatima)
    record(browser, modules[2], third, "ja", "ja", "voldoende")
    refused = record(browser, modules[2], third, "ja", "nee", "onvoldoende")
    text = rows.flat(refused)
    assert "Fatima el Amrani kreeg op" in text
    assert "het diploma van de Leergang Leerplicht/RMC" in text
    assert "kan niet meer worden gewijzigd" in text
    db.session.expire_all()
    assert db.session.get(Enrolment, third.id).grade == Grade.VOLDOENDE
    assert diplomas() == 1
    # The same result again is no change, so nothing is refused.
    assert record(browser, modules[2], third, "ja", "ja", "voldoende").status_code == 302


def test_two_trainers_recording_the_last_two_modules_at_once_give_one_diploma(
    app, make_user, modules, fatima
):
    """Each transaction alone sees two of three modules: the programme lock makes the
    second one wait and see the first one's result."""
    passed(rows.seat(modules[0], fatima)[0])
    (second,) = rows.seat(modules[1], fatima)
    (third,) = rows.seat(modules[2], fatima)
    trainer_id = modules[1].course.trainers[0].user_id
    done = Result(True, True, "voldoende")

    def work(edition_id: int, enrolment_id: int):
        def run():
            edition = db.session.get(Edition, edition_id)
            actor = db.session.get(User, trainer_id)
            return attendance.record_result(edition, enrolment_id, done, actor, TODAY)

        return run

    results = race(app, work(modules[1].id, second.id), work(modules[2].id, third.id))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert diplomas() == 1


# --- the pure rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "status"),
    [
        ([], ModuleStatus.NOT_STARTED),
        ([Attempt("cancelled", None, False)], ModuleStatus.NOT_STARTED),
        ([Attempt("waiting", None, False)], ModuleStatus.WAITING),
        ([Attempt("seated", None, False)], ModuleStatus.ENROLLED),
        ([Attempt("seated", False, False)], ModuleStatus.NOT_PASSED),
        ([Attempt("seated", False, False), Attempt("waiting", None, False)], ModuleStatus.WAITING),
        ([Attempt("seated", False, False), Attempt("seated", None, False)], ModuleStatus.ENROLLED),
        ([Attempt("seated", False, False), Attempt("seated", True, True)], ModuleStatus.PASSED),
    ],
)
def test_a_modules_status_from_its_attempts(attempts, status):
    assert module_status(attempts) == status


def test_the_programme_is_completed_by_all_its_modules_in_any_order():
    done, running = ModuleStatus.PASSED, ModuleStatus.ENROLLED
    assert programme_completed([done, done, done], 3)
    assert not programme_completed([done, running, done], 3)
    assert not programme_completed([done, done], 3)


def test_diploma_codes_are_random_and_read_back_as_typed():
    code = new_diploma_code()
    assert len(code) == 14 and code != new_diploma_code()
    assert normalise_diploma_code(code.lower().replace("-", " ")) == code
    assert normalise_diploma_code("7KQ2-M9XD-4T8O") == "7KQ2-M9XD-4T80"
    assert normalise_diploma_code("te kort") is None
    assert normalise_diploma_code("UUUU-UUUU-UUUU") is None


def test_a_waiting_place_shows_as_waiting(app, make_user, modules, fatima):
    from krsd.courses import leergang

    rows.seat(rows.edition(modules[2].course), fatima, state=EnrolmentState.WAITING)
    state = leergang.progress(fatima.id, leergang.leergang_programme())
    assert [m.status for m in state.modules] == [
        ModuleStatus.NOT_STARTED,
        ModuleStatus.NOT_STARTED,
        ModuleStatus.WAITING,
    ]
