"""The worklist "verloopt binnenkort": who to phone, what they miss, and its downloads."""

import io
from datetime import date, timedelta

import pandas as pd
import pytest

from krsd.admin import worklist
from krsd.auth.rules import RoleName
from krsd.database import utcnow
from krsd.portfolio.rules import Category
from tests.certification.test_daily import activity, certify, renewal
from tests.clock import TODAY

URL = "/beheer/verloopt-binnenkort"


@pytest.fixture
def admin_browser(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser = make_browser()
    browser.login("bureau@example.nl")
    return browser


@pytest.fixture
def holders(make_user):
    """Certificates ending soon, later, never in the list; with some hours earned."""
    soon = make_user(email="soon@example.nl", name="Sanne Snel")
    soon_cert = certify(soon, TODAY + timedelta(days=20))
    activity(soon, Category.ACCREDITED, "10", TODAY - timedelta(days=40))
    activity(soon, Category.FREE, "50", TODAY - timedelta(days=30))
    activity(soon, Category.FREE, "30", TODAY - timedelta(days=20))  # 80 free: 72 count
    activity(soon, Category.ACCREDITED, "99", soon_cert.valid_from - timedelta(days=1))  # before
    activity(
        soon,
        Category.ACCREDITED,
        "5",
        TODAY - timedelta(days=3),
        locked_by=soon_cert.application_id,
    )

    pending = make_user(email="pending@example.nl", name="Piet Pending")
    renewal(certify(pending, TODAY + timedelta(days=100)))

    later = make_user(email="later@example.nl", name="Lotte Later")
    certify(later, TODAY + timedelta(days=300))

    expired = make_user(email="expired@example.nl")
    certify(expired, TODAY - timedelta(days=1))

    renewed = make_user(email="renewed@example.nl")
    end = TODAY + timedelta(days=50)
    certify(renewed, end)
    certify(renewed, end.replace(year=end.year + 3))

    suspended = make_user(email="suspended@example.nl")
    certify(suspended, TODAY + timedelta(days=60), suspended_at=utcnow(), suspension_reason="X")
    return soon_cert


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert worklist.add_months(date(2026, 6, 15), 6) == date(2026, 12, 15)
    assert worklist.add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert worklist.add_months(date(2026, 12, 1), 12) == date(2027, 12, 1)


def test_the_worklist_shows_valid_certificates_ending_within_the_chosen_months(
    app, holders, admin_browser
):
    lines = worklist.worklist_all(TODAY, 6)
    assert [line.email for line in lines] == ["soon@example.nl", "pending@example.nl"]
    soon, pending = lines
    # The portfolio's rule: 10 accredited, free 80 of which 72 count; the hours before the
    # validity and those an application holds do not count.
    assert soon.progress.accredited == 10 and soon.progress.free_counted == 72
    assert soon.progress.missing_accredited == 14 and soon.progress.missing_total == 14
    assert pending.renewal_pending and pending.progress is None
    assert [line.email for line in worklist.worklist_all(TODAY, 3)] == ["soon@example.nl"]
    assert [line.email for line in worklist.worklist_all(TODAY, 12)][-1] == "later@example.nl"

    html = admin_browser.get(URL).get_data(as_text=True)
    assert "Sanne Snel" in html and "Piet Pending" in html and "Lotte Later" not in html
    assert "Aanvraag in behandeling" in html and "14 uur" in html
    html = admin_browser.get(f"{URL}?months=12").get_data(as_text=True)
    assert "Lotte Later" in html
    # An unknown horizon falls back to six months; the page is the registerbureau's.
    assert "Lotte Later" not in admin_browser.get(f"{URL}?months=7").get_data(as_text=True)
    assert admin_browser.get(f"{URL}?format=pdf").status_code == 404


def test_the_worklist_downloads_as_xlsx_and_csv_with_dates_and_numbers(app, holders, admin_browser):
    response = admin_browser.get(f"{URL}?months=12&format=xlsx")
    assert response.status_code == 200
    assert "verloopt-binnenkort-12-maanden" in response.headers["Content-Disposition"]
    frame = pd.read_excel(io.BytesIO(response.data))
    assert list(frame.columns) == list(worklist.COLUMNS)
    assert list(frame["E-mail"]) == ["soon@example.nl", "pending@example.nl", "later@example.nl"]
    assert frame["Geldig tot en met"][0].date() == TODAY + timedelta(days=20)
    assert frame["Ontbreekt totaal"][0] == 14.0 and frame["Ontbreekt geaccrediteerd"][0] == 14.0
    assert frame["Herregistratie aangevraagd"].tolist() == ["nee", "ja", "nee"]
    assert pd.isna(frame["Ontbreekt totaal"][1]) and frame["Ontbreekt totaal"][2] == 96.0

    text = admin_browser.get(f"{URL}?months=3&format=csv").data.decode("utf-8-sig")
    header, first, *rest = text.strip().splitlines()
    assert header.split(";") == list(worklist.COLUMNS) and not rest
    assert first.split(";")[3] == (TODAY + timedelta(days=20)).isoformat()


def test_the_worklist_is_for_the_registerbureau_only(make_user, make_browser):
    make_user(email="prof@example.nl")
    browser = make_browser()
    browser.login("prof@example.nl")
    assert browser.get(URL).status_code == 403
    assert browser.get(f"{URL}?format=csv").status_code == 403


def _certify_many(make_user, count: int, start: int) -> None:
    for n in range(count):
        holder = make_user(email=f"h{start + n}@example.nl")
        certificate = certify(holder, TODAY + timedelta(days=10 + n))
        activity(holder, Category.FREE, "12", TODAY - timedelta(days=3))
        if n % 2:
            renewal(certificate)


def test_the_worklist_runs_the_same_number_of_queries_at_two_sizes(make_user, admin_browser):
    _certify_many(make_user, 2, 0)
    few = admin_browser.queries_for(URL), admin_browser.queries_for(f"{URL}?format=csv")
    _certify_many(make_user, 8, 100)
    many = admin_browser.queries_for(URL), admin_browser.queries_for(f"{URL}?format=csv")
    assert few == many
