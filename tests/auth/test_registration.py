from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.extensions import db
from tests.auth.mailbox import confirm_address

VALID = {
    "name": "Şükrü Çelik",
    "email": "sukru@example.nl",
    "function": "doorstroomcoach",
    "employer": "RMC-regio Utrecht",
    "public_listing_consent": "y",
    "password": "een lang wachtwoord",
    "confirm": "een lang wachtwoord",
}


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_professional_registers_confirms_the_address_and_logs_in(browser):
    response = browser.submit("/registreren", VALID, follow_redirects=True)
    assert "Controleer uw e-mail" in response.get_data(as_text=True)
    confirm_address(browser, "sukru@example.nl")
    welcome = browser.login("sukru@example.nl", VALID["password"], follow_redirects=True)
    assert "Welkom, Şükrü Çelik" in welcome.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "sukru@example.nl"))
    assert user.role_names == {RoleName.PROFESSIONAL}
    assert user.function == Function.DOORSTROOMCOACH
    assert user.public_listing_consent is True
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "auth.account_created"))
    assert entry.object_id == str(user.id)
    assert entry.actor_id == user.id


def test_a_post_without_csrf_token_is_refused_and_stores_nothing(browser):
    response = browser.post("/registreren", data=VALID)
    assert response.status_code == 400
    assert "Het formulier is verlopen" in response.get_data(as_text=True)
    assert _users() == 0


def test_a_post_with_a_forged_csrf_token_is_refused(browser):
    response = browser.post("/registreren", data={**VALID, "csrf_token": "vervalst"})
    assert response.status_code == 400
    assert _users() == 0


def test_bad_input_keeps_what_was_typed(browser):
    data = {**VALID, "email": "geen-adres", "password": "kort", "confirm": "anders"}
    response = browser.submit("/registreren", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Vul een geldig e-mailadres in" in html
    assert "minstens 10 tekens" in html
    assert "De twee wachtwoorden zijn niet gelijk." in html
    assert 'value="Şükrü Çelik"' in html
    assert 'value="RMC-regio Utrecht"' in html
    assert '<option selected value="doorstroomcoach">' in html
    assert _users() == 0


def test_missing_fields_get_dutch_messages(browser):
    response = browser.submit("/registreren", {})
    html = response.get_data(as_text=True)
    assert html.count("Dit veld is verplicht.") >= 3
    assert "Kies uw functie." in html


def test_control_characters_in_a_name_are_refused(browser):
    response = browser.submit("/registreren", {**VALID, "name": "Jan\x00Jansen"})
    assert "ongeldige tekens" in response.get_data(as_text=True)
    assert _users() == 0


def test_an_existing_email_address_is_refused(browser, make_user):
    make_user(email="sukru@example.nl")
    response = browser.submit("/registreren", {**VALID, "email": "SUKRU@example.nl"})
    assert "Er bestaat al een account met dit e-mailadres" in response.get_data(as_text=True)
    assert _users() == 1


def test_a_common_password_is_refused_with_a_dutch_message_and_the_rest_stays(browser):
    form = {**VALID, "password": "Welkom2026!", "confirm": "Welkom2026!"}
    response = browser.submit("/registreren", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "veelgebruikte wachtwoorden" in html
    assert "RMC-regio Utrecht" in html  # the other input is still filled in
    assert _users() == 0
