"""The registerbureau's dashboard: the numbers on a known register, downloads, access."""

import io
from datetime import UTC, date, datetime, timedelta
from itertools import count

import pandas as pd
import pytest
from sqlalchemy import select

from krsd.admin import dashboard
from krsd.auth.models import User, UserRole
from krsd.auth.rules import Function, Province, RoleName
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Kind, State
from krsd.clock import AMSTERDAM
from krsd.courses.models import Course, CourseStatus, Edition, Enrolment, EnrolmentState
from krsd.database import utcnow
from krsd.extensions import db
from krsd.portfolio.models import regulation_in_force
from tests.certification.test_public import certify

DAY = date(2026, 6, 15)
URL = "/beheer/dashboard"


@pytest.fixture(autouse=True)
def on_the_day(register_clock):
    register_clock.move_to(datetime(2026, 6, 15, 10, 0, tzinfo=AMSTERDAM))


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    browser.login(user.email)
    return user


_people = count(1)


def person(_make_user, function: Function, province: Province | None) -> User:
    """A professional who never logs in: no password hash to compute, so it is quick."""
    n = next(_people)
    user = User(
        email=f"prof{n}@example.nl",
        password_hash="-",
        name=f"Professional {n}",
        function=function,
        province=province,
        employer=f"Gemeente {n}",
    )
    user.roles = [UserRole(role=RoleName.PROFESSIONAL)]
    db.session.add(user)
    db.session.commit()
    return user


def renewal_pending(user, certificate: Certificate) -> None:
    db.session.add(
        Application(
            applicant_id=user.id,
            kind=Kind.RENEWAL,
            state=State.SUBMITTED,
            window_start=certificate.valid_from,
            window_end=certificate.valid_until,
            regulation_id=regulation_in_force(DAY).id,
            open_applicant_id=user.id,
            previous_certificate_id=certificate.id,
        )
    )
    db.session.commit()


LEER, COACH, ONDER = Function.LEERPLICHTAMBTENAAR, Function.DOORSTROOMCOACH, Function.ONDERSTEUNER


@pytest.fixture
def register(make_user):
    build_register(make_user)


def build_register(make_user):
    """Nine professionals whose standing is known (see the comments), and an admin."""
    # certified
    certify(person(make_user, LEER, Province.UTRECHT), start=date(2026, 1, 1))
    # expired
    certify(person(make_user, LEER, Province.UTRECHT), start=date(2020, 1, 1))
    # suspended until lifted
    certify(
        person(make_user, COACH, Province.GRONINGEN),
        start=date(2025, 1, 1),
        suspended_at=utcnow(),
        suspension_reason="Onderzoek",
    )
    # revoked, no province given
    certify(
        person(make_user, COACH, None),
        start=date(2025, 1, 1),
        revoked_at=utcnow(),
        revocation_reason="Fraude",
    )
    # registered, never certified
    person(make_user, ONDER, Province.ZEELAND)
    # an old revoked certificate, now certified again: certified
    again = person(make_user, LEER, Province.UTRECHT)
    certify(again, start=date(2019, 1, 1), revoked_at=utcnow(), revocation_reason="Oud")
    certify(again, start=date(2025, 6, 1))
    # a suspension that ended yesterday: certified
    certify(
        person(make_user, COACH, Province.GRONINGEN),
        start=date(2025, 1, 1),
        suspended_at=utcnow(),
        suspension_reason="Kort",
        suspended_until=DAY - timedelta(days=1),
    )
    # an expired certificate, then a revoked one: the latest says revoked
    later = person(make_user, ONDER, Province.UTRECHT)
    certify(later, start=date(2017, 1, 1))
    certify(later, start=date(2021, 1, 1), revoked_at=utcnow(), revocation_reason="Fraude")
    # ended yesterday, but the renewal was submitted in time: still certified
    pending = person(make_user, LEER, None)
    renewal_pending(pending, certify(pending, start=date(2023, 6, 15)))
    # the registerbureau is not a registered professional
    staff = person(make_user, Function.OTHER, None)
    staff.roles = [UserRole(role=RoleName.ADMIN)]
    db.session.commit()


def _figures():
    return {f.key: f for f in dashboard.standing_figures(DAY)}


def _row(frame, first_column, label) -> dict:
    return frame.set_index(first_column).loc[label].to_dict()


def test_persons_are_counted_by_standing_as_the_register_counts_them(app, register):
    total = _figures()["stand"].frame.set_index("Stand")["Personen"].to_dict()
    assert total == {
        "Geregistreerd": 9,
        "Gecertificeerd": 4,
        "Geschorst": 1,
        "Verlopen": 1,
        "Ingetrokken": 2,
        "Nog niet ingegaan": 0,
    }
    # "Gecertificeerd" is the register's own predicate: a certificate valid today
    valid_holders = db.session.scalars(
        select(Certificate.holder_id).where(Certificate.valid_on(DAY)).distinct()
    ).all()
    assert len(valid_holders) == 4


def test_the_sql_status_is_the_status_of_each_certificate(app, register):
    rows = db.session.execute(select(Certificate, Certificate.status_on(DAY))).all()
    assert len(rows) == 10
    for certificate, status in rows:
        assert status == certificate.status_on(DAY).value


def test_persons_per_function_and_province(app, register):
    figures = _figures()
    by_function = figures["functie"].frame
    assert _row(by_function, "Functie", "Leerplichtambtenaar") == {
        "Geregistreerd": 4,
        "Gecertificeerd": 3,
        "Geschorst": 0,
        "Verlopen": 1,
        "Ingetrokken": 0,
        "Nog niet ingegaan": 0,
    }
    assert _row(by_function, "Functie", "Doorstroomcoach (RMC)") == {
        "Geregistreerd": 3,
        "Gecertificeerd": 1,
        "Geschorst": 1,
        "Verlopen": 0,
        "Ingetrokken": 1,
        "Nog niet ingegaan": 0,
    }
    assert _row(by_function, "Functie", "Ondersteuner")["Ingetrokken"] == 1
    assert _row(by_function, "Functie", "Ondersteuner")["Geregistreerd"] == 2
    by_province = figures["provincie"].frame
    assert len(by_province) == 13  # the twelve provinces and "not given", always all
    assert _row(by_province, "Provincie", "Utrecht") == {
        "Geregistreerd": 4,
        "Gecertificeerd": 2,
        "Geschorst": 0,
        "Verlopen": 1,
        "Ingetrokken": 1,
        "Nog niet ingegaan": 0,
    }
    assert _row(by_province, "Provincie", "Groningen")["Geschorst"] == 1
    assert _row(by_province, "Provincie", "Groningen")["Gecertificeerd"] == 1
    assert _row(by_province, "Provincie", "Niet opgegeven")["Geregistreerd"] == 2
    assert _row(by_province, "Provincie", "Zeeland")["Geregistreerd"] == 1
    assert _row(by_province, "Provincie", "Limburg")["Geregistreerd"] == 0


def _decision(applicant, submitted: datetime, decided: datetime, state=State.APPROVED):
    db.session.add(
        Application(
            applicant_id=applicant.id,
            kind=Kind.INITIAL,
            state=state,
            window_start=date(2023, 1, 1),
            window_end=date(2026, 1, 1),
            regulation_id=regulation_in_force(DAY).id,
            submitted_at=submitted,
            queued_at=submitted,
            decided_at=decided,
        )
    )


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def decisions(make_user):
    build_decisions(make_user)


def build_decisions(make_user):
    applicant = person(make_user, LEER, None)
    may = _utc(2026, 5, 1, 9)
    for days in (10, 20, 30, 40):  # decided in May
        _decision(applicant, may - timedelta(days=days), may + timedelta(hours=2))
    # June: 5 days; and 7 days, decided at 22:30 UTC on 31 May, which is 1 June in Amsterdam
    _decision(applicant, _utc(2026, 6, 5, 9), _utc(2026, 6, 10, 9), State.REJECTED)
    _decision(applicant, _utc(2026, 5, 25, 9), _utc(2026, 5, 31, 22, 30))
    # not counted: a withdrawal, an open application, a decision before the twelve months
    _decision(applicant, _utc(2026, 4, 1, 9), _utc(2026, 4, 3, 9), State.WITHDRAWN)
    _decision(applicant, _utc(2026, 4, 1, 9), None, State.IN_REVIEW)
    _decision(applicant, _utc(2025, 5, 1, 9), _utc(2025, 6, 30, 9))
    db.session.commit()


def test_turnaround_median_and_90th_percentile_per_month(app, decisions):
    frame = dashboard.turnaround_frame(DAY).set_index("Maand")
    assert len(frame) == 12
    assert frame.index[0] == date(2025, 7, 1) and frame.index[-1] == date(2026, 6, 1)
    may, june = frame.loc[date(2026, 5, 1)], frame.loc[date(2026, 6, 1)]
    assert may["Besluiten"] == 4
    assert may["Mediaan (dagen)"] == 25
    assert may["90e percentiel (dagen)"] == 37  # 30 + 0.7 × 10, linear between ranks
    assert june["Besluiten"] == 2
    assert june["Mediaan (dagen)"] == 6
    assert june["90e percentiel (dagen)"] == pytest.approx(6.8)
    april = frame.loc[date(2026, 4, 1)]
    assert april["Besluiten"] == 0 and pd.isna(april["Mediaan (dagen)"])


def test_applications_by_state(app, decisions):
    frame = dashboard.applications_figure().frame.set_index("Status")
    assert frame.loc["Goedgekeurd", "Certificering"] == 6
    assert frame.loc["Afgewezen", "Totaal"] == 1
    assert frame.loc["In behandeling", "Totaal"] == 1
    assert frame.loc["Ingetrokken", "Totaal"] == 1
    assert frame.loc["Ingediend", "Totaal"] == 0


def _edition(course, starts: date, capacity: int, taken: int) -> Edition:
    edition = Edition(
        course_id=course.id,
        starts_on=starts,
        ends_on=starts + timedelta(days=1),
        enrolment_deadline=starts - timedelta(days=7),
        capacity=capacity,
        seats_taken=taken,
    )
    db.session.add(edition)
    db.session.flush()
    return edition


@pytest.fixture
def editions(make_user):
    build_editions(make_user)


def build_editions(make_user):
    course = Course(title="Leerplicht en RMC voor ondersteuners", provider="Ingrado")
    course.status = CourseStatus.PUBLISHED
    db.session.add(course)
    db.session.flush()
    full = _edition(course, date(2026, 9, 1), 12, 12)
    for _ in range(3):
        waiting = person(make_user, ONDER, None)
        db.session.add(
            Enrolment(edition_id=full.id, user_id=waiting.id, state=EnrolmentState.WAITING)
        )
    _edition(course, date(2026, 10, 1), 8, 2)
    _edition(course, date(2026, 6, 15), 20, 15)  # running today
    _edition(course, date(2026, 5, 1), 10, 10)  # over: not shown
    db.session.commit()


def test_fill_rate_and_waiting_list_of_running_and_coming_editions(app, editions):
    frame = dashboard.courses_frame(DAY)
    assert list(frame["Begint op"]) == [date(2026, 6, 15), date(2026, 9, 1), date(2026, 10, 1)]
    assert list(frame["Bezetting (%)"]) == [75.0, 100.0, 25.0]
    assert list(frame["Wachtlijst"]) == [0, 3, 0]


def test_the_page_shows_charts_and_tables(app, admin, browser, register, decisions, editions):
    page = browser.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<svg class="chart"') == 6
    assert html.count("<caption>") == 6
    assert 'scope="row"' in html and "Personen per provincie" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert "100%" in html  # the full edition's bar


def _xlsx(browser, key: str) -> pd.DataFrame:
    response = browser.get(f"{URL}/{key}?format=xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    return pd.read_excel(io.BytesIO(response.data))


def test_the_tables_download_as_xlsx_with_real_dates_and_numbers(
    app, admin, browser, register, decisions, editions
):
    months = _xlsx(browser, "doorlooptijd")
    assert months["Maand"].dtype.kind == "M"
    assert months["Maand"].iloc[-1].date() == date(2026, 6, 1)
    assert months["Besluiten"].dtype.kind == "i"
    assert months["Mediaan (dagen)"].dtype.kind == "f"
    courses = _xlsx(browser, "cursussen")
    assert courses["Begint op"].dtype.kind == "M"
    assert courses["Bezetting (%)"].tolist() == [75.0, 100.0, 25.0]
    provinces = _xlsx(browser, "provincie")
    assert provinces.set_index("Provincie").loc["Utrecht", "Gecertificeerd"] == 2
    assert provinces["Geregistreerd"].dtype.kind == "i"


def test_the_tables_download_as_csv(app, admin, browser, register):
    response = browser.get(f"{URL}/stand?format=csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    assert response.data.startswith(b"\xef\xbb\xbf")
    assert text.splitlines()[0] == "Stand;Personen"
    assert "Gecertificeerd;4" in text
    assert browser.get(f"{URL}/stand?format=pdf").status_code == 404
    assert browser.get(f"{URL}/onbekend?format=csv").status_code == 404


def test_the_page_runs_the_same_number_of_statements_at_two_sizes(
    app, admin, browser, make_user, register, decisions, editions
):
    small = browser.queries_for(URL)
    for n in range(6):
        user = person(make_user, COACH, Province.LIMBURG)
        certify(user, start=date(2024 - n % 3, 3, 1))
        _decision(user, _utc(2026, 3, 1, 9), _utc(2026, 3, 10 + n, 9))
    course = db.session.scalar(select(Course))
    _edition(course, date(2026, 11, 1), 5, 1)
    db.session.commit()
    assert browser.queries_for(URL) == small


@pytest.mark.parametrize("role", [RoleName.PROFESSIONAL, RoleName.REVIEWER, RoleName.TRAINER])
def test_only_the_registerbureau_sees_the_dashboard(app, make_user, browser, role):
    user = make_user(roles={role}, email=f"{role.value}@example.nl")
    browser.login(user.email)
    assert browser.get(URL).status_code == 403
    assert browser.get(f"{URL}/stand?format=xlsx").status_code == 403


def test_the_menu_opens_with_the_dashboard(app, admin, browser):
    html = browser.get("/").get_data(as_text=True)
    assert 'href="/beheer/dashboard"' in html
