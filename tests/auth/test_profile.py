from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.certification.bureau_requests import NameChangeRequest
from krsd.database import utcnow
from krsd.extensions import db
from tests.certification.conftest import TODAY
from tests.certification.test_public import certify


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def form(**overrides):
    data = {
        "name": "Anouk Jansen",
        "function": "leerplichtambtenaar",
        "employer": "Gemeente Amersfoort",
        "public_listing_consent": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_withdrawing_consent_removes_the_person_from_the_register(browser, make_browser, make_user):
    user = make_user(email="anouk@example.nl", name="Anouk Jansen", employer="Gemeente Amersfoort")
    certify(user)
    public = make_browser()
    assert "Anouk Jansen" in _flat(public.get("/register?q=anouk"))
    browser.login("anouk@example.nl")
    assert browser.submit("/account/gegevens", form(public_listing_consent=None)).status_code == 302
    assert "Anouk Jansen" not in _flat(public.get("/register?q=anouk"))
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.profile_changed"))
    assert entry.details_dict == {"public_listing_consent": "False"}


def test_a_new_employer_is_found_in_the_register(browser, make_browser, make_user):
    user = make_user(email="anouk@example.nl", name="Anouk Jansen", employer="Gemeente Ede")
    certify(user)
    browser.login("anouk@example.nl")
    browser.submit("/account/gegevens", form(employer="Gemeente Zeist"))
    public = make_browser()
    assert "Anouk Jansen" in _flat(public.get("/register?q=zeist"))
    assert "Anouk" not in _flat(public.get("/register?q=ede"))


def test_an_uncertified_persons_new_name_goes_straight_through(browser, make_user):
    make_user(email="anouk@example.nl", name="Anouk Jansen")
    browser.login("anouk@example.nl")
    response = browser.submit("/account/gegevens", form(name="Anouk de Wit"), follow_redirects=True)
    assert "Uw gegevens zijn bijgewerkt." in _flat(response)
    assert db.session.scalar(select(User.name)) == "Anouk de Wit"
    assert db.session.scalar(select(func.count()).select_from(NameChangeRequest)) == 0


@pytest.mark.parametrize(
    "state", [{"start": TODAY - timedelta(days=4 * 365)}, {"revoked_at": utcnow()}]
)
def test_a_person_without_a_current_certificate_renames_directly(browser, make_user, state):
    user = make_user(email="anouk@example.nl", name="Anouk Jansen")
    certify(user, **state)
    browser.login("anouk@example.nl")
    browser.submit("/account/gegevens", form(name="Anouk de Wit"))
    assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Anouk de Wit"
    assert db.session.scalar(select(func.count()).select_from(NameChangeRequest)) == 0


def test_a_certified_persons_new_name_waits_for_the_registerbureau(browser, make_user):
    user = make_user(email="anouk@example.nl", name="Anouk Jansen")
    certify(user)
    browser.login("anouk@example.nl")
    html = _flat(browser.get("/account/gegevens"))
    assert "Deze naam staat op uw certificaat" in html
    response = browser.submit(
        "/account/gegevens",
        form(name="Anouk de Wit", name_change_explanation="Getrouwd."),
        follow_redirects=True,
    )
    html = _flat(response)
    assert "naar het registerbureau gestuurd" in html and "wacht op beoordeling" in html
    assert db.session.scalar(select(User.name).where(User.id == user.id)) == "Anouk Jansen"


def test_bad_profile_input_keeps_the_rest(browser, make_user):
    make_user(email="anouk@example.nl", name="Anouk Jansen")
    browser.login("anouk@example.nl")
    html = _flat(browser.submit("/account/gegevens", form(name="", employer="Gemeente Zeist")))
    assert "Dit veld is verplicht." in html and 'value="Gemeente Zeist"' in html
