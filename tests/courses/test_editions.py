"""A trainer's editions and sessions, the edition page and the participant downloads."""

import io
from datetime import time

import pandas as pd
import pytest
from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification.models import Registration
from krsd.courses.models import CourseSession, CourseStatus, Edition, EnrolmentState
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.clock import TODAY
from tests.courses.edition_factories import day, make_course, make_edition, seat


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl", name="Tineke Trainer")
    browser.login("trainer@example.nl")
    return user


@pytest.fixture
def course(trainer):
    return make_course(trainers=[trainer])


def edition_form(**overrides):
    data = {
        "starts_on": day(30).isoformat(),
        "ends_on": day(37).isoformat(),
        "enrolment_deadline": day(23).isoformat(),
        "capacity": "12",
        "location": "Zwolle, Stadskantoor",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_trainer_adds_an_edition_and_sees_it_on_the_course_page(browser, trainer, course):
    response = browser.submit(f"/cursussen/mijn/{course.id}/uitvoeringen/nieuw", edition_form())
    edition = db.session.scalar(select(Edition))
    assert response.headers["Location"] == f"/cursussen/uitvoering/{edition.id}"
    assert (edition.capacity, edition.location, edition.ends_on) == (
        12,
        "Zwolle, Stadskantoor",
        day(37),
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "courses.edition_created")
    )
    assert entry.actor_id == trainer.id and entry.object_id == str(edition.id)
    page = browser.get(f"/cursussen/mijn/{course.id}").get_data(as_text=True)
    assert f'href="/cursussen/uitvoering/{edition.id}"' in page and "0 van 12" in page


def test_online_and_self_study_editions(browser, trainer, course):
    url = f"/cursussen/mijn/{course.id}/uitvoeringen/nieuw"
    browser.submit(url, edition_form(location="", online="y"))
    browser.submit(
        url,
        edition_form(
            location="", self_study="y", starts_on=day(40).isoformat(), ends_on=day(90).isoformat()
        ),
    )
    online, study = db.session.scalars(select(Edition).order_by(Edition.starts_on)).all()
    assert online.location == "Online" and not online.self_study
    assert study.self_study and study.location == ""
    page = browser.get(f"/cursussen/uitvoering/{study.id}").get_data(as_text=True)
    assert "Een zelfstudie-uitvoering heeft geen bijeenkomsten." in page
    assert "Bijeenkomst toevoegen" not in page
    refused = browser.submit(
        f"/cursussen/uitvoering/{study.id}/bijeenkomsten/nieuw",
        {"day": day(40).isoformat(), "starts_at": "09:00", "ends_at": "12:00"},
    )
    assert refused.status_code == 400
    assert "Een zelfstudie-uitvoering heeft geen bijeenkomsten." in refused.get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_on": day(29).isoformat()}, "De einddatum ligt vóór de begindatum."),
        ({"enrolment_deadline": day(31).isoformat()}, "uiterlijk op de begindatum"),
        ({"capacity": "0"}, "Tussen 1 en 1000."),
        ({"capacity": "twaalf"}, "Vul een heel getal in."),
        ({"location": ""}, "Vul de plaats in, of kies Online."),
        ({"starts_on": "31-02-2026"}, "Vul een geldige datum in"),
    ],
)
def test_bad_editions_are_refused_and_the_input_kept(browser, trainer, course, change, message):
    response = browser.submit(
        f"/cursussen/mijn/{course.id}/uitvoeringen/nieuw", edition_form(**change)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    if "location" not in change:
        assert 'value="Zwolle, Stadskantoor"' in page
    assert db.session.scalar(select(Edition)) is None


def test_an_archived_course_gets_no_new_editions(browser, trainer, course):
    course.status = CourseStatus.ARCHIVED
    db.session.commit()
    response = browser.submit(f"/cursussen/mijn/{course.id}/uitvoeringen/nieuw", edition_form())
    assert "gearchiveerd" in response.get_data(as_text=True)
    assert db.session.scalar(select(Edition)) is None


def test_lowering_the_capacity_below_the_seats_taken_is_refused(
    browser, trainer, course, make_user
):
    edition = make_edition(course, capacity=5)
    for _ in range(3):
        seat(edition, make_user())
    url = f"/cursussen/uitvoering/{edition.id}/wijzigen"
    form = edition_form(
        starts_on=edition.starts_on.isoformat(),
        ends_on=edition.ends_on.isoformat(),
        enrolment_deadline=edition.enrolment_deadline.isoformat(),
        capacity="2",
    )
    response = browser.submit(url, form)
    assert response.status_code == 400
    assert "Er zijn al 3 plaatsen bezet" in response.get_data(as_text=True)
    assert db.session.get(Edition, edition.id).capacity == 5
    assert browser.submit(url, {**form, "capacity": "3"}).status_code == 302
    assert db.session.get(Edition, edition.id).capacity == 3


def test_a_larger_capacity_seats_the_first_people_waiting(browser, trainer, course, make_user):
    edition = make_edition(course, capacity=1)
    seat(edition, make_user())
    first, second, third = (
        seat(edition, make_user(email=f"wacht{n}@example.nl"), EnrolmentState.WAITING)
        for n in range(3)
    )
    form = edition_form(
        starts_on=edition.starts_on.isoformat(),
        ends_on=edition.ends_on.isoformat(),
        enrolment_deadline=edition.enrolment_deadline.isoformat(),
        capacity="3",
    )
    browser.submit(f"/cursussen/uitvoering/{edition.id}/wijzigen", form)
    db.session.expire_all()
    assert [first.state, second.state, third.state] == [
        EnrolmentState.SEATED,
        EnrolmentState.SEATED,
        EnrolmentState.WAITING,
    ]
    assert db.session.get(Edition, edition.id).seats_taken == 3
    mailed = set(db.session.scalars(select(OutboxMessage.recipient)))
    assert mailed == {"wacht0@example.nl", "wacht1@example.nl"}


def test_sessions_are_added_within_the_edition_and_removed_after_confirming(
    browser, trainer, course
):
    edition = make_edition(course, days=8)
    url = f"/cursussen/uitvoering/{edition.id}/bijeenkomsten/nieuw"
    outside = browser.submit(
        url, {"day": day(60).isoformat(), "starts_at": "09:00", "ends_at": "12:00"}
    )
    assert "De dag ligt buiten de data van de uitvoering." in outside.get_data(as_text=True)
    backwards = browser.submit(
        url, {"day": day(31).isoformat(), "starts_at": "12:00", "ends_at": "09:00"}
    )
    assert "De eindtijd ligt niet na de begintijd." in backwards.get_data(as_text=True)
    nonsense = browser.submit(url, {"day": day(31).isoformat(), "starts_at": "9 uur"})
    assert "Vul een geldige tijd in (uu:mm)." in nonsense.get_data(as_text=True)
    assert db.session.scalar(select(CourseSession)) is None

    ok = browser.submit(url, {"day": day(31).isoformat(), "starts_at": "09:30", "ends_at": "12:00"})
    assert ok.status_code == 302
    session = db.session.scalar(select(CourseSession))
    assert (session.starts_at, session.location) == (time(9, 30), "Zwolle, Stadskantoor")
    page = browser.get(f"/cursussen/uitvoering/{edition.id}").get_data(as_text=True)
    assert "09:30–12:00" in page

    remove = f"/cursussen/bijeenkomst/{session.id}/verwijderen"
    asked = browser.submit(remove, form_url=f"/cursussen/uitvoering/{edition.id}")
    assert "Bijeenkomst verwijderen" in asked.get_data(as_text=True)
    assert db.session.get(CourseSession, session.id) is not None
    browser.submit(remove, {"bevestigd": "ja"}, form_url=f"/cursussen/uitvoering/{edition.id}")
    assert db.session.scalar(select(CourseSession)) is None
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"courses.session_added", "courses.session_removed"} <= actions


def test_moving_an_edition_away_from_its_sessions_is_refused(browser, trainer, course):
    edition = make_edition(course, sessions=1)
    form = edition_form(
        starts_on=day(50).isoformat(),
        ends_on=day(51).isoformat(),
        enrolment_deadline=day(40).isoformat(),
    )
    response = browser.submit(f"/cursussen/uitvoering/{edition.id}/wijzigen", form)
    assert "Er zijn bijeenkomsten buiten deze data" in response.get_data(as_text=True)
    assert db.session.get(Edition, edition.id).starts_on == day(30)


def test_other_trainers_and_professionals_cannot_reach_an_edition(make_user, make_browser, course):
    edition = make_edition(course, sessions=1)
    session_id = edition.sessions[0].id
    make_user(roles={RoleName.TRAINER}, email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    for url in (
        f"/cursussen/uitvoering/{edition.id}",
        f"/cursussen/uitvoering/{edition.id}/wijzigen",
        f"/cursussen/uitvoering/{edition.id}/bijeenkomsten/nieuw",
        f"/cursussen/uitvoering/{edition.id}/deelnemers.csv",
        f"/cursussen/uitvoering/{edition.id}/deelnemers.xlsx",
        f"/cursussen/mijn/{course.id}/uitvoeringen/nieuw",
    ):
        assert other.get(url).status_code == 404, url
    removal = other.submit(
        f"/cursussen/bijeenkomst/{session_id}/verwijderen", {"bevestigd": "ja"}, form_url="/"
    )
    assert removal.status_code == 404
    make_user(email="prof@example.nl")
    professional = make_browser()
    professional.login("prof@example.nl")
    assert professional.get(f"/cursussen/uitvoering/{edition.id}").status_code == 403


@pytest.fixture
def full_edition(course, make_user):
    """Two seats taken (one with a registration number), two people waiting."""
    edition = make_edition(course, capacity=2)
    anna = make_user(name="Anna de Vries", email="anna@example.nl", employer="Gemeente Zwolle")
    db.session.add(Registration(user_id=anna.id, sequence=7, number="KRSD-000007"))
    seat(edition, anna)
    seat(edition, make_user(name="Bram Bakker", email="bram@example.nl"))
    seat(edition, make_user(name="Zoë Zomer", email="zoe@example.nl"), EnrolmentState.WAITING)
    seat(edition, make_user(name="Cas Claes", email="cas@example.nl"), EnrolmentState.WAITING)
    return edition


def test_the_edition_page_shows_participants_and_the_waiting_list_in_order(
    browser, trainer, full_edition
):
    page = browser.get(f"/cursussen/uitvoering/{full_edition.id}").get_data(as_text=True)
    assert "Deelnemers (2)" in page and "Wachtlijst (2)" in page
    assert "KRSD-000007" in page and "2 van 2 bezet" in page
    waiting = page[page.index("Wachtlijst (2)") :]
    assert waiting.index("Zoë Zomer") < waiting.index("Cas Claes")


def test_the_participants_download_as_csv_and_xlsx(browser, trainer, full_edition):
    csv = browser.get(f"/cursussen/uitvoering/{full_edition.id}/deelnemers.csv")
    assert csv.headers["Content-Disposition"].startswith("attachment;")
    assert csv.data.startswith("\ufeff".encode())
    frame = pd.read_csv(io.BytesIO(csv.data), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(frame.columns) == [
        "Naam",
        "E-mailadres",
        "Registratienummer",
        "Functie",
        "Werkgever",
        "Status",
        "Positie wachtlijst",
        "Ingeschreven op",
    ]
    assert list(frame["Naam"]) == ["Anna de Vries", "Bram Bakker", "Zoë Zomer", "Cas Claes"]
    assert frame["Ingeschreven op"][0] == TODAY.isoformat()

    xlsx = browser.get(f"/cursussen/uitvoering/{full_edition.id}/deelnemers.xlsx")
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    sheet = pd.read_excel(io.BytesIO(xlsx.data))
    assert list(sheet.columns) == list(frame.columns)
    anna = sheet.iloc[0]
    assert (anna["Registratienummer"], anna["Werkgever"], anna["Status"]) == (
        "KRSD-000007",
        "Gemeente Zwolle",
        "Geplaatst",
    )
    assert pd.isna(anna["Positie wachtlijst"])
    assert list(sheet["Positie wachtlijst"][2:]) == [1, 2]
    assert list(sheet["Status"][2:]) == ["Wachtlijst", "Wachtlijst"]
    # real dates, not text
    assert pd.api.types.is_datetime64_any_dtype(sheet["Ingeschreven op"])
    assert sheet["Ingeschreven op"][0].date() == TODAY


def test_the_edition_page_runs_a_constant_number_of_queries(browser, trainer, course, make_user):
    edition = make_edition(course, capacity=3, sessions=1)
    counts = []
    for n in (2, 8):
        while len(edition.enrolments) < n:
            state = EnrolmentState.SEATED if edition.seats_taken < 3 else EnrolmentState.WAITING
            seat(edition, make_user(), state)
            db.session.refresh(edition)
        counts.append(browser.queries_for(f"/cursussen/uitvoering/{edition.id}"))
    assert counts[0] == counts[1]
