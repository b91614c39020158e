"""The public register and certificate verification."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.certification.certificates import holder_record, registration_for
from krsd.certification.models import (
    Application,
    Certificate,
    RegisterTerm,
    Registration,
    RegistrationCounter,
)
from krsd.certification.public import index_person, reindex_register
from krsd.certification.rules import Kind, State, new_verification_code
from krsd.database import utcnow
from krsd.extensions import db, limiter
from krsd.portfolio.models import regulation_in_force
from tests.certification.conftest import TODAY


def certify(user, start=None, years=3, **state) -> Certificate:
    """A certificate without the review flow (the flow has its own tests)."""
    start = start or TODAY - timedelta(days=10)
    application = Application(
        applicant_id=user.id,
        kind=Kind.INITIAL,
        state=State.APPROVED,
        window_start=start - timedelta(days=1000),
        window_end=start,
        regulation_id=regulation_in_force(TODAY).id,
        decided_at=utcnow(),
    )
    db.session.add(application)
    registration = registration_for(user.id)
    db.session.flush()
    certificate = Certificate(
        holder_id=user.id,
        application_id=application.id,
        registration_number=registration.number,
        valid_from=start,
        valid_until=start.replace(year=start.year + years) - timedelta(days=1),
        verification_code=new_verification_code(),
        **holder_record(user),
        **state,
    )
    db.session.add(certificate)
    index_person(user, registration)
    db.session.commit()
    return certificate


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_the_register_lists_valid_consenting_people_only(browser, make_user):
    listed = make_user(name="Anouk Jansen", employer="Gemeente Amersfoort")
    certify(listed)
    hidden = make_user(name="Anouk Verborgen", public_listing_consent=False)
    certify(hidden)
    expired = make_user(name="Anouk Verlopen")
    certify(expired, start=TODAY - timedelta(days=4 * 365))
    suspended = make_user(name="Anouk Geschorst")
    certify(suspended, suspended_at=utcnow())
    make_user(name="Anouk Zonder Certificaat")
    html = _flat(browser.get("/register?q=anouk"))
    assert "Anouk Jansen" in html
    for name in ("Verborgen", "Verlopen", "Geschorst", "Zonder"):
        assert name not in html
    assert "@example.nl" not in html  # no e-mail or other private data


@pytest.mark.parametrize(
    "query", ["jans", "ANOUK jansen", "amersfoort", "KRSD-000001", "000001", "krsd 1"]
)
def test_search_by_name_number_or_employer(browser, make_user, query):
    certify(make_user(name="Anouk Jansen", employer="Gemeente Amersfoort"))
    assert "Anouk Jansen" in _flat(browser.get("/register", query_string={"q": query}))


@pytest.mark.parametrize(
    "query", ["%", "_", "%%", "'", '"; drop table users; --', "<script>alert(1)</script>"]
)
def test_special_characters_are_text(browser, make_user, query):
    certify(make_user(name="Anouk Jansen"))
    response = browser.get("/register", query_string={"q": query})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Anouk Jansen" not in html
    assert "<script>alert(1)</script>" not in html


def test_the_register_is_paginated(browser, make_user):
    for n in range(25):
        certify(make_user(name=f"Jansen {n:02d}", function=Function.DOORSTROOMCOACH))
    first = _flat(browser.get("/register?q=jansen"))
    assert "25 gevonden" in first and "Pagina 1 van 2" in first
    second = _flat(browser.get("/register?q=jansen&page=2"))
    assert "Jansen 24" in second and "Jansen 00" not in second


def test_the_search_uses_a_constant_number_of_queries(browser, make_user):
    certify(make_user(name="Jansen Een"))
    few = browser.queries_for("/register?q=jansen")
    for n in range(20):
        certify(make_user(name=f"Jansen {n}"))
    assert browser.queries_for("/register?q=jansen") == few


def test_scraping_is_rate_limited(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_RATE_PER_MINUTE", 3)
    limiter.reset()
    try:
        statuses = [browser.get("/register?q=ab").status_code for _ in range(2)]
        statuses.append(browser.get("/verify/ABCD-EFGH-JKMN").status_code)  # one budget
        refused = browser.get("/register?q=ab")
        other_client = browser.get("/register?q=ab", environ_base={"REMOTE_ADDR": "10.0.0.2"})
    finally:
        limiter.reset()
    assert statuses == [200, 200, 404]
    assert refused.status_code == 429
    assert "Te veel verzoeken" in refused.get_data(as_text=True)
    assert other_client.status_code == 200


@pytest.mark.parametrize(
    ("state", "label"),
    [
        ({}, "Geldig"),
        ({"suspended_at": utcnow()}, "Geschorst"),
        ({"revoked_at": utcnow()}, "Ingetrokken"),
    ],
)
def test_verification_says_the_state(browser, make_user, state, label):
    certificate = certify(make_user(name="Anouk Jansen", public_listing_consent=False), **state)
    html = _flat(browser.get(f"/verify/{certificate.verification_code}"))
    assert f'<h1 class="verify-status">{label}</h1>' in html
    assert "Anouk Jansen" in html  # verification works for unlisted people too


def test_verification_of_an_expired_certificate(browser, make_user):
    certificate = certify(make_user(), start=TODAY - timedelta(days=4 * 365))
    assert '<h1 class="verify-status">Verlopen</h1>' in _flat(
        browser.get(f"/verify/{certificate.verification_code}")
    )


def test_a_retyped_code_still_verifies(browser, make_user):
    certificate = certify(make_user())
    typed = certificate.verification_code.lower().replace("-", "")
    assert "Geldig" in _flat(browser.get(f"/verify/{typed}"))


@pytest.mark.parametrize("code", ["ABCD-EFGH-JKMN", "nonsense", "%3Cscript%3E", "0000-0000-0000"])
def test_an_unknown_or_tampered_code_gets_a_calm_not_found(browser, make_user, code):
    certify(make_user())
    response = browser.get(f"/verify/{code}")
    assert response.status_code == 404
    assert "Certificaat niet gevonden" in response.get_data(as_text=True)


def _certify_as_number(user, sequence: int) -> Certificate:
    db.session.execute(update(RegistrationCounter).values(last_value=sequence - 1))
    return certify(user)


@pytest.mark.parametrize("query", ["KRSD-000123", "krsd-000123", "000123", "123", "krsd 123"])
def test_a_registration_number_in_full_finds_its_holder(browser, make_user, query):
    _certify_as_number(make_user(name="Anouk Jansen"), 123)
    assert "Anouk Jansen" in _flat(browser.get("/register", query_string={"q": query}))


@pytest.mark.parametrize(
    "query", ["krsd", "KRSD-", "kr", "krsd-00012", "krsd-0001", "00012", "0123", "12", "1234"]
)
def test_part_of_a_registration_number_finds_nobody(browser, make_user, query):
    _certify_as_number(make_user(name="Anouk Jansen"), 123)
    certify(make_user(name="Bram de Vries"))
    html = _flat(browser.get("/register", query_string={"q": query}))
    assert "Anouk Jansen" not in html and "Bram de Vries" not in html


def test_words_match_the_start_of_names_and_employers(browser, make_user):
    _certify_as_number(make_user(name="Anouk Jansen", employer="Gemeente Amersfoort"), 123)
    assert "Anouk Jansen" in _flat(browser.get("/register?q=jan"))
    assert "Anouk Jansen" in _flat(browser.get("/register?q=amers"))
    assert "Anouk Jansen" not in _flat(browser.get("/register?q=sen"))


def test_reindexing_drops_number_prefixes_left_by_the_old_index(app, browser, make_user):
    user = make_user(name="Anouk Jansen")
    certify(user)
    number = db.session.get(Registration, user.id).number
    # as the old index wrote it
    db.session.add(
        RegisterTerm(
            user_id=user.id, term="krsd", sort_name="anouk jansen", registration_number=number
        )
    )
    db.session.commit()
    assert "Anouk Jansen" in _flat(browser.get("/register?q=krsd"))
    result = app.test_cli_runner().invoke(args=["krsd", "reindex-register"])
    assert result.exit_code == 0, result.output
    assert "1 persoon." in result.output
    assert "Anouk Jansen" not in _flat(browser.get("/register?q=krsd"))
    assert "Anouk Jansen" in _flat(browser.get("/register?q=anouk"))


def test_a_query_of_one_character_asks_for_two(browser, make_user):
    certify(make_user(name="Jan Jansen"))
    short = _flat(browser.get("/register?q=j"))
    assert "Typ minstens 2 tekens." in short
    assert "gevonden" not in short and "Jan Jansen" not in short
    assert "Typ minstens" not in _flat(browser.get("/register?q=+"))  # only spaces: empty
    assert "Jan Jansen" in _flat(browser.get("/register?q=ja"))
    assert "Typ minstens" not in _flat(browser.get("/register?q=ja"))


def test_an_empty_register_query_shows_no_message(browser):
    html = _flat(browser.get("/register"))
    assert "Typ minstens" not in html and "gevonden" not in html


def test_a_blocked_account_leaves_the_register_and_returns_when_unblocked(browser, make_user):
    from krsd.admin import services as admin

    certificate = certify(make_user(name="Anouk Jansen"))
    anouk = certificate.holder
    bureau = make_user(roles={RoleName.ADMIN}, name="Beheer")
    admin.set_active(anouk, False, "Misbruik gemeld", bureau)
    assert "Anouk Jansen" not in _flat(browser.get("/register?q=anouk"))
    by_number = browser.get(f"/register?q={certificate.registration_number}")
    assert "Anouk Jansen" not in _flat(by_number)
    admin.set_active(anouk, True, "Misverstand", bureau)
    assert "Anouk Jansen" in _flat(browser.get("/register?q=anouk"))


def test_reindexing_gives_terms_only_to_people_who_may_be_listed(app, browser, make_user):
    certify(make_user(name="Anouk Jansen"))
    hidden = certify(make_user(name="Anouk Verborgen")).holder
    blocked = certify(make_user(name="Anouk Geblokkeerd")).holder
    # changed behind the application's back: only the reindex sees it
    hidden.public_listing_consent = False
    blocked.active = False
    db.session.commit()
    reindex_register()
    db.session.commit()
    people = set(db.session.scalars(select(RegisterTerm.user_id)))
    assert people == {db.session.scalar(select(User.id).where(User.name == "Anouk Jansen"))}
    html = _flat(browser.get("/register?q=anouk"))
    assert "Anouk Jansen" in html and "Verborgen" not in html and "Geblokkeerd" not in html
