"""The province one works in: optional, on registration and under Mijn gegevens, audited."""

from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import Province
from krsd.extensions import db
from tests.auth.test_profile import form
from tests.auth.test_registration import VALID


def test_registering_with_and_without_a_province(browser, make_browser):
    page = browser.get("/registreren").get_data(as_text=True)
    assert '<label for="province">Provincie waar u werkt</label>' in page
    assert page.count("<option") >= 13 + 4  # "no answer", twelve provinces; the functions
    browser.submit("/registreren", {**VALID, "province": "noord-brabant"})
    other = make_browser()
    other.submit("/registreren", {**VALID, "email": "ander@example.nl"})
    provinces = dict(db.session.execute(select(User.email, User.province)).all())
    assert provinces == {"sukru@example.nl": Province.NOORD_BRABANT, "ander@example.nl": None}


def test_an_unknown_province_is_refused(browser):
    response = browser.submit("/registreren", {**VALID, "province": "vlaanderen"})
    assert response.status_code == 200
    assert "Kies een provincie uit de lijst." in response.get_data(as_text=True)
    assert db.session.scalar(select(User.id)) is None


def test_the_province_is_changed_under_mijn_gegevens_and_audited(browser, make_user):
    make_user(email="anouk@example.nl", name="Anouk Jansen", employer="Gemeente Amersfoort")
    browser.login("anouk@example.nl")
    browser.submit("/account/gegevens", form(province="utrecht"))
    assert db.session.scalar(select(User.province)) == Province.UTRECHT
    page = browser.get("/account/gegevens").get_data(as_text=True)
    assert '<option selected value="utrecht">Utrecht</option>' in page
    browser.submit("/account/gegevens", form(province=""))
    assert db.session.scalar(select(User.province)) is None
    changes = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "auth.profile_changed")
        .order_by(AuditEntry.id)
    ).all()
    assert [c.details_dict for c in changes] == [{"province": "utrecht"}, {"province": ""}]
