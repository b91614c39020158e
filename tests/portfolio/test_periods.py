"""What is missing, by when: the rolling window of a first certification, the renewal's
deadline, and the portfolio PDF of each period."""

import subprocess
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from krsd.certification.models import Application
from krsd.certification.rules import Kind, State
from krsd.extensions import db
from krsd.portfolio.models import regulation_in_force
from krsd.portfolio.rules import Category, first_certification_window, leaves_first_window
from tests.certification.conftest import add_activity, fill_portfolio
from tests.certification.test_public import certify
from tests.portfolio.conftest import TODAY


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


# --- the rule -----------------------------------------------------------------------------


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 5))
def test_an_activity_counts_up_to_the_day_before_it_leaves_the_window(day, years):
    leaves = leaves_first_window(day, years)
    assert day in first_certification_window(leaves - timedelta(days=1), years)
    assert day not in first_certification_window(leaves, years)


def test_the_day_it_leaves_is_the_same_date_years_later_and_1_march_after_29_february():
    assert leaves_first_window(date(2024, 2, 3), 3) == date(2027, 2, 3)
    assert leaves_first_window(date(2024, 2, 29), 3) == date(2027, 3, 1)


# --- Mijn portfolio -----------------------------------------------------------------------


def test_a_first_certification_says_when_and_how_many_hours_leave_the_window(browser, professional):
    oldest = TODAY - timedelta(days=500)
    add_activity(professional, Category.FREE, "4", days_ago=500)
    add_activity(professional, Category.ACCREDITED, "2.25", days_ago=500)
    add_activity(professional, Category.FREE, "8", days_ago=20)
    add_activity(professional, Category.FREE, "9", days_ago=3 * 365 + 10)  # outside already
    assert oldest == date(2025, 1, 31)
    html = _flat(browser.get("/portfolio/"))
    assert (
        "Op 31 januari 2028 vallen 6,25 uur uit uw venster van drie jaar: de activiteiten van "
        "31 januari 2025 tellen dan niet meer mee." in html
    )


def test_hours_an_approved_application_used_do_not_leave_the_window_again(browser, professional):
    used = add_activity(professional, Category.FREE, "5", days_ago=600)
    add_activity(professional, Category.FREE, "3", days_ago=100)
    approved = Application(
        applicant_id=professional.id,
        kind=Kind.INITIAL,
        state=State.APPROVED,
        window_start=TODAY - timedelta(days=1000),
        window_end=TODAY,
        regulation_id=regulation_in_force(TODAY).id,
    )
    db.session.add(approved)
    db.session.flush()
    used.locked_by_application_id = approved.id
    db.session.commit()
    html = _flat(browser.get("/portfolio/"))
    assert "vallen 3 uur uit uw venster" in html and "7 maart 2026" in html


def test_the_rolling_window_is_told_also_when_the_hours_are_enough(browser, professional):
    fill_portfolio(professional)  # the oldest: 8 accredited hours on 6 March 2026
    html = _flat(browser.get("/portfolio/"))
    assert "U kunt certificering aanvragen." in html
    assert "Op 6 maart 2029 vallen 8 uur uit uw venster van drie jaar" in html


def test_a_holder_is_told_the_date_the_hours_are_needed_by(browser, professional):
    certify(professional, start=date(2023, 9, 1))  # valid up to and including 31 August 2026
    add_activity(professional, Category.ACCREDITED, "8")
    html = _flat(browser.get("/portfolio/"))
    assert (
        "Deze uren heeft u uiterlijk 31 augustus 2026 nodig: tot en met die dag vraagt u "
        "herregistratie aan, met de uren die u dan heeft." in html
    )
    assert "uit uw venster" not in html


def test_the_dashboard_still_runs_at_most_six_statements(browser, professional):
    add_activity(professional, Category.FREE, "4", days_ago=400)
    assert browser.queries_for("/portfolio/") <= 6


# --- the PDF of each period ---------------------------------------------------------------


def _pdf_text(response, tmp_path) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "overzicht.pdf"
    path.write_bytes(response.data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def _days_ago(day: date) -> int:
    return (TODAY - day).days


def test_each_period_prints_its_own_activities(browser, professional, tmp_path):
    expired = certify(professional, start=date(2020, 1, 10))  # up to 9 January 2023
    current = certify(professional, start=date(2023, 9, 1))
    add_activity(professional, Category.FREE, "2", _days_ago(date(2020, 6, 1)), "Webinar 2020")
    add_activity(professional, Category.FREE, "3", _days_ago(date(2019, 1, 5)), "Congres 2019")
    add_activity(professional, Category.FREE, "4", _days_ago(date(2025, 1, 2)), "Intervisie 2025")

    choice = _flat(browser.get("/portfolio/overzicht"))
    assert f"periode=certificaat-{expired.id}" in choice
    assert f"periode=eerste-{current.id}" in choice and f"periode=eerste-{expired.id}" in choice
    assert f"periode=certificaat-{current.id}" not in choice  # that is the current period
    assert "Geldigheid certificaat KRSD-000001: 10 januari 2020 tot en met 9 januari 2023" in (
        choice
    )

    past = _pdf_text(
        browser.get(f"/portfolio/overzicht.pdf?periode=certificaat-{expired.id}"), tmp_path
    )
    assert "Webinar 2020" in past
    assert "Congres 2019" not in past and "Intervisie 2025" not in past
    assert "Periode: 10 januari 2020 tot en met 9 januari 2023 (eerdere periode)" in past
    assert "Meegeteld in deze periode: 2 uur." in past and "Nog nodig" not in past

    first = _pdf_text(
        browser.get(f"/portfolio/overzicht.pdf?periode=eerste-{expired.id}"), tmp_path
    )
    assert "Congres 2019" in first and "Webinar 2020" not in first

    now = _pdf_text(browser.get("/portfolio/overzicht.pdf"), tmp_path)
    assert "Intervisie 2025" in now and "Webinar 2020" not in now


def test_a_period_that_is_not_ones_own_is_not_found(browser, professional, make_user):
    other = make_user(email="ander@example.nl")
    theirs = certify(other, start=date(2020, 1, 10))
    assert (
        browser.get(f"/portfolio/overzicht.pdf?periode=certificaat-{theirs.id}").status_code == 404
    )
    assert browser.get("/portfolio/overzicht.pdf?periode=iets").status_code == 404


def test_without_a_certificate_there_is_only_the_current_period(browser, professional):
    html = _flat(browser.get("/portfolio/overzicht"))
    assert "U heeft nog geen eerdere periodes" in html
    assert 'href="/portfolio/overzicht"' in _flat(browser.get("/portfolio/"))


def test_the_choice_of_period_runs_the_same_statements_for_1_and_5_certificates(
    browser, professional
):
    certify(professional, start=date(2023, 9, 1))
    few = browser.queries_for("/portfolio/overzicht")
    for year in range(2005, 2021, 4):
        certify(professional, start=date(year, 3, 1))
    assert browser.queries_for("/portfolio/overzicht") == few
