from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.extensions import db
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


def test_a_new_name_is_found_in_the_register(browser, make_browser, make_user):
    user = make_user(email="anouk@example.nl", name="Anouk Jansen")
    certify(user)
    browser.login("anouk@example.nl")
    browser.submit("/account/gegevens", form(name="Anouk de Wit"))
    public = make_browser()
    assert "Anouk de Wit" in _flat(public.get("/register?q=wit"))
    assert "Anouk" not in _flat(public.get("/register?q=jansen"))


def test_bad_profile_input_keeps_the_rest(browser, make_user):
    make_user(email="anouk@example.nl", name="Anouk Jansen")
    browser.login("anouk@example.nl")
    html = _flat(browser.submit("/account/gegevens", form(name="", employer="Gemeente Zeist")))
    assert "Dit veld is verplicht." in html and 'value="Gemeente Zeist"' in html
