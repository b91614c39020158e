"""The activity form takes hours the Dutch way, through the real form."""

from decimal import Decimal

from sqlalchemy import func, select

from krsd.extensions import db
from krsd.portfolio.models import Activity
from tests.portfolio.conftest import free_form, upload

NEW = "/portfolio/activiteiten/nieuw"
DUTCH = "Vul een aantal uren in, bijv. 8 of 8,5."


def _submit(browser, url, **changes):
    return browser.submit(url, free_form(**changes), content_type="multipart/form-data")


def test_hours_with_a_comma_are_stored_and_shown_with_it_when_editing(browser, professional):
    assert _submit(browser, NEW, hours="8,5").status_code == 302
    activity = db.session.scalar(select(Activity))
    assert activity.hours == Decimal("8.5")
    page = browser.get(f"/portfolio/activiteiten/{activity.id}/bewerken").get_data(as_text=True)
    assert 'value="8,5"' in page and "8.50" not in page


def test_an_exponent_is_refused_in_dutch_and_the_rest_is_kept(browser, professional):
    response = _submit(browser, NEW, hours="1e1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and DUTCH in html
    assert 'value="Intervisie leerplicht"' in html and 'value="Intervisiegroep West"' in html
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def test_the_maximum_is_written_as_hours(browser, professional):
    html = _submit(browser, NEW, hours="4E+1").get_data(as_text=True)
    assert DUTCH in html and "E+1 uur" not in html
    html = _submit(browser, NEW, hours="41").get_data(as_text=True)
    assert "Eén activiteit telt hoogstens 40 uur." in html


def test_hours_typed_before_choosing_an_accredited_course_do_not_count(
    browser, professional, accreditation
):
    data = {"category": "accredited", "accreditation": str(accreditation.id), "hours": "1e1"}
    assert _submit(browser, NEW, **data).status_code == 302
    assert db.session.scalar(select(Activity.hours)) == Decimal("16")


def test_adding_one_file_says_one_bewijsstuk(browser, professional):
    _submit(browser, NEW)
    activity = db.session.scalar(select(Activity))
    url = f"/portfolio/activiteiten/{activity.id}"
    added = browser.submit(
        url, {"files": [upload(name="tweede.pdf")]}, content_type="multipart/form-data"
    )
    assert added.status_code == 302
    assert "1 bewijsstuk toegevoegd." in browser.get(url).get_data(as_text=True)
