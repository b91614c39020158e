"""The trainer records results one participant at a time (issue 9, point 6)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from krsd.auth.rules import RoleName
from krsd.courses.attendance_rules import Result, changes, result_problem
from krsd.courses.models import Enrolment, Grade
from krsd.extensions import db
from tests.clock import TODAY
from tests.courses import result_rows as rows


def results_url(edition) -> str:
    return f"/cursussen/uitvoering/{edition.id}/resultaten"


def record(browser, edition, enrolment, attended="", passed="", grade=""):
    data = {"deelnemer": enrolment.id, "attended": attended, "passed": passed, "grade": grade}
    return browser.submit(results_url(edition), data)


def fresh(enrolment) -> Enrolment:
    db.session.expire_all()
    return db.session.get(Enrolment, enrolment.id)


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl", name="Jan de Vries")
    browser.login(user.email)
    return user


@pytest.fixture
def people(make_user):
    return [
        make_user(email="anna@example.nl", name="Anna de Boer"),
        make_user(email="bram@example.nl", name="Bram Visser"),
    ]


def test_the_trainer_records_attendance_and_a_pass_for_one_participant(browser, trainer, people):
    edition = rows.edition(rows.course(trainers=[trainer]))
    anna, bram = rows.seat(edition, *people)
    page = browser.get(results_url(edition))
    html = rows.flat(page)
    assert page.status_code == 200
    assert '<th scope="row" class="stack-head"> Anna de Boer' in html and "Bram Visser" in html
    assert "krijgt 8 geaccrediteerde uren" in html

    response = record(browser, edition, anna, attended="ja", passed="ja")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#deelnemer-{anna.id}")
    anna, bram = fresh(anna), fresh(bram)
    assert (anna.attended, anna.passed, anna.grade) == (True, True, None)
    assert anna.result_recorded_by_id == trainer.id and anna.result_recorded_at is not None
    assert (bram.attended, bram.passed) == (None, None)
    assert rows.audit_count("courses.result_recorded") == 1
    assert "afgerond" in rows.flat(browser.get(results_url(edition)))


def test_another_trainers_edition_is_not_found(browser, trainer, make_user, people):
    other = make_user(roles={RoleName.TRAINER}, email="ander@example.nl")
    edition = rows.edition(rows.course(trainers=[other]))
    (anna,) = rows.seat(edition, people[0])
    assert browser.get(results_url(edition)).status_code == 404
    assert record(browser, edition, anna, attended="ja").status_code == 404
    assert fresh(anna).attended is None


def test_a_pass_before_the_last_day_is_refused_in_dutch_and_the_input_kept(
    browser, trainer, people
):
    edition = rows.edition(
        rows.course(trainers=[trainer]),
        starts=TODAY - timedelta(days=2),
        ends=TODAY + timedelta(days=1),
    )
    (anna,) = rows.seat(edition, people[0])
    response = record(browser, edition, anna, attended="ja", passed="ja")
    html = rows.flat(response)
    assert response.status_code == 200
    assert "Geslaagd en de beoordeling legt u vast vanaf de laatste dag" in html
    assert "Er is niets vastgelegd" in html
    assert '<option selected value="ja">ja</option>' in html
    assert fresh(anna).attended is None
    # Attendance alone can be recorded from the first day.
    assert record(browser, edition, anna, attended="ja").status_code == 302
    assert fresh(anna).attended is True


def test_a_graded_course_needs_the_grade_with_a_pass(browser, trainer, people):
    edition = rows.edition(rows.course(trainers=[trainer], graded=True))
    (anna,) = rows.seat(edition, people[0])
    refused = record(browser, edition, anna, attended="ja", passed="ja")
    assert "ook de beoordeling: voldoende of onvoldoende" in rows.flat(refused)
    assert fresh(anna).passed is None
    assert record(browser, edition, anna, "ja", "ja", "voldoende").status_code == 302
    anna = fresh(anna)
    assert anna.grade == Grade.VOLDOENDE and anna.completed


def test_an_unknown_answer_or_a_participant_of_another_edition_is_refused(browser, trainer, people):
    course = rows.course(trainers=[trainer])
    edition, other = rows.edition(course), rows.edition(course)
    (anna,) = rows.seat(edition, people[0])
    (bram,) = rows.seat(other, people[1])
    assert "Kies een van de mogelijkheden" in rows.flat(record(browser, edition, anna, "misschien"))
    refused = record(browser, edition, bram, attended="ja")
    assert "geen plaats in deze uitvoering" in rows.flat(refused)
    assert fresh(anna).attended is None and fresh(bram).attended is None


def test_the_page_runs_the_same_number_of_queries_for_2_or_12_participants(
    browser, trainer, make_user
):
    small = rows.edition(rows.course("Klein", trainers=[trainer]))
    large = rows.edition(rows.course("Groot", trainers=[trainer]))
    rows.seat(small, *[make_user() for _ in range(2)])
    rows.seat(large, *[make_user() for _ in range(12)])
    assert browser.queries_for(results_url(small)) == browser.queries_for(results_url(large))


# --- the pure rules -------------------------------------------------------------------

DAYS = {"today": TODAY, "starts_on": TODAY - timedelta(days=5), "ends_on": TODAY}


@pytest.mark.parametrize(
    ("result", "graded", "problem"),
    [
        (Result(True, True), False, None),
        (Result(False, False), False, None),
        (Result(), False, None),
        (Result(False, True), False, "Wie niet aanwezig was"),
        (Result(None, True), False, "Wie niet aanwezig was"),
        (Result(True, None, "voldoende"), False, "niet beoordeeld"),
        (Result(False, None, "onvoldoende"), True, "aanwezig was"),
        (Result(True, True), True, "ook de beoordeling"),
        (Result(True, True, "onvoldoende"), True, "Geslaagd met een onvoldoende"),
        (Result(True, False, "voldoende"), True, "Een voldoende hoort bij geslaagd"),
        (Result(True, False, "onvoldoende"), True, None),
        (Result(True, True, "voldoende"), True, None),
    ],
)
def test_which_results_can_be_recorded(result, graded, problem):
    found = result_problem(result, graded=graded, **DAYS)
    assert (found is None) if problem is None else (problem in found)


def test_nothing_is_recorded_before_the_first_day_and_passing_waits_for_the_last():
    early = {**DAYS, "starts_on": TODAY + timedelta(days=1), "ends_on": TODAY + timedelta(days=2)}
    assert "begint op" in result_problem(Result(True), graded=False, **early)
    running = {**DAYS, "ends_on": TODAY + timedelta(days=1)}
    assert result_problem(Result(True), graded=False, **running) is None
    assert "laatste dag" in result_problem(Result(True, False), graded=False, **running)
    assert result_problem(Result(), graded=False, **early) is None  # clearing is always possible


def test_an_uploaded_empty_cell_keeps_what_was_recorded_and_changes_are_described():
    current = Result(True, None, None)
    merged = Result(None, True, "voldoende").merged_into(current)
    assert merged == Result(True, True, "voldoende")
    assert changes(current, merged) == ["geslaagd: — → ja", "beoordeling: — → voldoende"]
    assert changes(merged, merged) == []
    assert Result(True, True, "voldoende").completed(graded=True)
    assert not Result(True, True, "onvoldoende").completed(graded=True)
    assert Result(True, True).completed(graded=False)


def test_the_enrolment_and_the_rules_agree_on_completion(app, make_user):
    edition = rows.edition(rows.course(graded=True))
    (anna,) = rows.seat(edition, make_user())
    for attended, passed, grade in [
        (True, True, "voldoende"),
        (True, True, None),
        (True, False, None),
    ]:
        anna.attended, anna.passed = attended, passed
        anna.grade = Grade(grade) if grade else None
        assert anna.completed == Result(attended, passed, grade).completed(graded=True)
    assert db.session.scalar(select(Enrolment.id)) == anna.id
