"""The registerbureau's accreditation form takes hours the Dutch way, through the real form."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from krsd.auth.rules import RoleName
from krsd.courses.models import Accreditation
from krsd.extensions import db

NEW = "/cursussen/geaccrediteerd/nieuw"
DUTCH = "Vul een aantal uren in, bijv. 8 of 8,5."


@pytest.fixture
def bureau(make_user, browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    browser.login("bureau@example.nl")
    return browser


def accredited(**overrides) -> dict:
    data = {
        "title": "Gespreksvoering met jongeren",
        "provider": "Ingrado Academie",
        "description": "",
        "number": "KRSD-A-2026-031",
        "hours": "8,5",
        "valid_from": "2026-01-01",
        "valid_until": "2027-12-31",
        "reason": "Besluit accreditatiecommissie",
    }
    data.update(overrides)
    return data


def test_hours_with_a_decimal_comma_are_stored_and_shown_with_it(bureau):
    assert bureau.submit(NEW, accredited()).status_code == 302
    accreditation = db.session.scalar(select(Accreditation))
    assert accreditation.hours == Decimal("8.5")
    page = bureau.get(f"/cursussen/geaccrediteerd/{accreditation.id}").get_data(as_text=True)
    assert 'value="8,5"' in page and "8.50" not in page


def test_whole_hours_are_shown_without_decimals(bureau):
    bureau.submit(NEW, accredited(hours="16"))
    accreditation = db.session.scalar(select(Accreditation))
    page = bureau.get(f"/cursussen/geaccrediteerd/{accreditation.id}").get_data(as_text=True)
    assert 'value="16"' in page and "16.00" not in page


@pytest.mark.parametrize("typed", ["1e1", "4E+1", "NaN", "Infinity", "1.000,5"])
def test_hours_not_plainly_written_are_refused_in_dutch_and_the_rest_is_kept(bureau, typed):
    response = bureau.submit(NEW, accredited(hours=typed))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert DUTCH in html
    assert "Not a valid" not in html and "E+1 uur" not in html
    assert 'value="Gespreksvoering met jongeren"' in html and 'value="KRSD-A-2026-031"' in html
    assert db.session.scalar(select(Accreditation)) is None


def test_hours_with_a_point_are_read_as_hours(bureau):
    assert bureau.submit(NEW, accredited(hours=" 12.25 ")).status_code == 302
    assert db.session.scalar(select(Accreditation.hours)) == Decimal("12.25")
