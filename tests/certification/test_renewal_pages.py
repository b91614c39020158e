"""Herregistratie through the web pages: Certificering, the application, the portfolio,
verification, the register and the commission's queue (issue 8)."""

import re
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from krsd.certification import services
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Kind, State
from krsd.database import utcnow
from krsd.extensions import db
from krsd.portfolio.rules import Category
from tests.certification.conftest import add_activity, fill_portfolio
from tests.certification.renewing import (
    END,
    approve,
    earned,
    holder_certificate,
    make_reviewer,
    on,
)
from tests.clock import TODAY

OVERVIEW = "/certificering"
APPLY = "/certificering/aanvragen/nieuw"


def _text(response) -> str:
    """The page as a reader sees it: text without tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


def _section(response, section_id: str) -> str:
    """The text of the element with this id (one without nested elements of its kind)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<(\w+)[^>]*id="{section_id}".*?</\1>', html, re.S)
    assert match, f"no #{section_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


@pytest.fixture
def holder(make_user):
    user = make_user(email="houder@example.nl", name="Hanna Houder")
    earned(user, date(2025, 10, 1))
    return user


@pytest.fixture
def certificate(holder):
    return holder_certificate(holder)


@pytest.fixture
def own(holder, make_browser):
    browser = make_browser()
    browser.login(holder.email)
    return browser


@pytest.fixture
def reviewer(make_user):
    return make_reviewer(make_user)


@pytest.fixture
def commission(reviewer, make_browser):
    browser = make_browser()
    browser.login(reviewer.email)
    return browser


def _submit_renewal(holder) -> Application:
    with current_app.test_request_context("/"):
        return services.submit_application(holder, TODAY)


def _approve(app, reviewer, today=TODAY) -> Certificate:
    with current_app.test_request_context("/"):
        return approve(app, reviewer, today)


# --- Certificering ---------------------------------------------------------------------


def test_before_the_window_certificering_says_when_it_opens_and_what_is_missing(
    make_user, make_browser
):
    user = make_user(email="vroeg@example.nl")
    holder_certificate(user, start=date(2024, 9, 1))  # ends 31 August 2027
    add_activity(user, Category.ACCREDITED, "16", days_ago=30)
    browser = make_browser()
    browser.login(user.email)
    page = browser.get(OVERVIEW)
    text = _section(page, "aanvragen")
    assert "Herregistratie kunt u aanvragen vanaf 28 februari 2027 tot en met 31 augustus 2027" in (
        text
    )
    assert "uiterlijk 31 augustus 2027" in text
    assert "16 van minimaal 24 uur" in text
    assert "Nog nodig: 8 uur geaccrediteerd en 80 uur in totaal" in text
    html = page.get_data(as_text=True)
    assert APPLY not in html  # no application offered: not a renewal yet, never a first one
    assert "Certificering aanvragen" not in html


def test_in_the_window_the_holder_applies_for_herregistratie(holder, certificate, own):
    text = _section(own.get(OVERVIEW), "aanvragen")
    assert "Herregistratie staat open" in text and "tot en met 31 augustus 2026" in text
    assert "van 1 september 2026 tot en met 31 augustus 2029" in text
    page = own.get(APPLY)
    assert "<h1>Herregistratie aanvragen</h1>" in page.get_data(as_text=True)
    assert 'name="kind" type="hidden" value="renewal"' in page.get_data(as_text=True)
    response = own.submit(APPLY, {"declaration": "y", "kind": "renewal"})
    assert response.status_code == 302
    application = db.session.scalar(select(Application).where(Application.kind == Kind.RENEWAL))
    assert application.previous_certificate_id == certificate.id
    assert response.headers["Location"].endswith(f"/certificering/aanvragen/{application.id}")


def test_a_holder_posting_the_old_first_certification_form_gets_nothing(make_user, make_browser):
    user = make_user(email="vroeg@example.nl")
    holder_certificate(user, start=date(2024, 9, 1))
    fill_portfolio(user)
    browser = make_browser()
    browser.login(user.email)
    page = browser.get(APPLY)
    assert "Herregistratie kunt u aanvragen vanaf 28 februari 2027" in _text(page)
    response = browser.submit(
        APPLY, {"declaration": "y"}, form_url="/portfolio/", follow_redirects=True
    )
    assert "Herregistratie kunt u aanvragen vanaf 28 februari 2027" in _text(response)
    assert db.session.scalar(select(Application).where(Application.state != State.APPROVED)) is None
    assert len(db.session.scalars(select(Certificate)).all()) == 1


def test_right_after_submitting_the_application_shows_the_submitted_hours(holder, certificate, own):
    response = own.submit(APPLY, {"declaration": "y", "kind": "renewal"}, follow_redirects=True)
    hours = _section(response, "uren")
    assert "96 van 96 uur" in hours and "24 van minimaal 24 uur" in hours
    assert "0 van 96 uur" not in hours
    assert "Nog niet beoordeeld" in _section(response, "beoordeling")
    assert "Nog nodig" not in hours


def test_while_an_application_is_open_the_portfolio_says_so(holder, certificate, own):
    before = _text(own.get("/portfolio/"))
    assert "U kunt herregistratie aanvragen tot en met 31 augustus 2026" in before
    _submit_renewal(holder)
    page = own.get("/portfolio/")
    text = _text(page)
    assert "U kunt herregistratie aanvragen" not in text
    assert "U kunt certificering aanvragen" not in text
    assert "Uw aanvraag voor herregistratie is ingediend en loopt" in _section(
        page, "lopende-aanvraag"
    )


def test_a_first_applicants_portfolio_stops_offering_certificering_once_applied(
    make_user, make_browser
):
    user = make_user(email="nieuw@example.nl")
    fill_portfolio(user)
    browser = make_browser()
    browser.login(user.email)
    assert "U kunt certificering aanvragen" in _text(browser.get("/portfolio/"))
    assert browser.submit(APPLY, {"declaration": "y", "kind": "initial"}).status_code == 302
    text = _text(browser.get("/portfolio/"))
    assert "U kunt certificering aanvragen" not in text
    assert "Uw aanvraag voor certificering is ingediend en loopt" in text


def test_certificering_shows_the_current_certificate_and_the_history(
    holder, certificate, reviewer, own, register_clock
):
    renewed = _approve(_submit_renewal(holder), reviewer)
    page = own.get(OVERVIEW)
    current = _section(page, "huidig-certificaat")
    assert "1 september 2026" in current and "31 augustus 2029" in current
    assert "Nog niet ingegaan" in current
    history = _section(page, "certificaten")
    assert renewed.verification_code in history and certificate.verification_code in history
    assert "Geldig" in history and "Nog niet ingegaan" in history
    assert "van 28 februari 2029 tot en met 31 augustus 2029" in _section(page, "aanvragen")
    applications = _section(page, "aanvraaghistorie")
    assert "Herregistratie" in applications and "Goedgekeurd" in applications
    # After the old certificate's end: the old one is succeeded, the new one is valid.
    on(register_clock, END + timedelta(days=1))
    own.login(holder.email)  # the session of months ago has ended
    history = _section(own.get(OVERVIEW), "certificaten")
    assert "Opgevolgd" in history and "Verlopen" not in history


def test_with_a_renewal_pending_past_the_end_certificering_says_it_stays_valid(
    holder, certificate, own, register_clock
):
    _submit_renewal(holder)
    on(register_clock, END + timedelta(days=10))
    own.login(holder.email)  # the session of months ago has ended
    page = own.get(OVERVIEW)
    assert "Geldig — herregistratie in behandeling" in _section(page, "huidig-certificaat")
    assert "blijft uw certificaat geldig, ook na 31 augustus 2026" in _section(page, "aanvragen")


def test_a_suspended_holder_is_told_why_nothing_can_be_applied_for(make_user, make_browser):
    user = make_user(email="geschorst@example.nl")
    holder_certificate(user, suspended_at=utcnow())
    browser = make_browser()
    browser.login(user.email)
    page = browser.get(OVERVIEW)
    assert "Uw certificaat is geschorst" in _section(page, "aanvragen")
    assert APPLY not in page.get_data(as_text=True)


def test_after_expiry_certificering_offers_a_first_certification_with_the_same_number(
    make_user, make_browser
):
    user = make_user(email="verlopen@example.nl")
    old = holder_certificate(user, start=date(2022, 9, 1))  # ended 31 August 2025
    fill_portfolio(user)
    browser = make_browser()
    browser.login(user.email)
    page = browser.get(OVERVIEW)
    text = _section(page, "aanvragen")
    assert "U heeft geen geldig certificaat meer" in text
    assert f"uw registratienummer {old.registration_number} blijft hetzelfde" in text
    assert "Certificering aanvragen" in text
    assert "Verlopen" in _section(page, "certificaten")


# --- verification and the register -------------------------------------------------------


def test_both_codes_verify_with_their_own_period_and_the_old_one_names_its_successor(
    holder, certificate, reviewer, make_browser, register_clock
):
    renewed = _approve(_submit_renewal(holder), reviewer)
    anonymous = make_browser()
    old = _text(anonymous.get(f"/verify/{certificate.verification_code}"))
    assert "Geldig" in old and "31 augustus 2026" in old
    assert (
        "opgevolgd door het certificaat geldig van 1 september 2026 tot en met 31 augustus 2029"
        in old
    )
    new = anonymous.get(f"/verify/{renewed.verification_code}")
    assert '<h1 class="verify-status">Nog niet ingegaan</h1>' in new.get_data(as_text=True)
    on(register_clock, END + timedelta(days=1))
    old = anonymous.get(f"/verify/{certificate.verification_code}")
    assert '<h1 class="verify-status">Opgevolgd</h1>' in old.get_data(as_text=True)
    assert "1 september 2023" in _text(old)  # its own period
    new = anonymous.get(f"/verify/{renewed.verification_code}")
    assert '<h1 class="verify-status">Geldig</h1>' in new.get_data(as_text=True)


def test_pending_past_the_end_verification_says_valid_and_the_register_lists(
    holder, certificate, make_browser, register_clock
):
    _submit_renewal(holder)
    on(register_clock, END + timedelta(days=10))
    anonymous = make_browser()
    page = anonymous.get(f"/verify/{certificate.verification_code}")
    assert '<h1 class="verify-status">Geldig — herregistratie in behandeling</h1>' in page.get_data(
        as_text=True
    )
    register = _text(anonymous.get("/register?q=houder"))
    assert "Hanna Houder" in register and "herregistratie in behandeling" in register


@pytest.mark.parametrize("how", ["reject", "withdraw"])
def test_rejected_or_withdrawn_after_the_end_the_certificate_is_expired_from_then(
    holder, certificate, reviewer, make_browser, register_clock, how
):
    application = _submit_renewal(holder)
    day = on(register_clock, END + timedelta(days=10))
    with current_app.test_request_context("/"):
        if how == "reject":
            services.claim(application.id, reviewer)
            services.decide(application, reviewer, False, "Onvoldoende aangetoond.", day)
        else:
            services.withdraw(application, holder, None)
    anonymous = make_browser()
    page = anonymous.get(f"/verify/{certificate.verification_code}")
    assert '<h1 class="verify-status">Verlopen</h1>' in page.get_data(as_text=True)
    assert "Hanna Houder" not in _text(anonymous.get("/register?q=houder"))


# --- the commission ----------------------------------------------------------------------


def test_the_queue_marks_a_renewal_with_the_previous_certificate(holder, certificate, commission):
    _submit_renewal(holder)
    text = _text(commission.get("/commissie"))
    assert "Herregistratie" in text
    assert (
        f"vernieuwt {certificate.registration_number}, geldig 1 september 2023 – 31 augustus 2026"
        in text
    )


def _queue_of(make_user, reviewer, count: int, offset: int) -> None:
    """``count`` renewals and first applications in every part of the queue."""
    with current_app.test_request_context("/"):
        for n in range(offset, offset + count):
            user = make_user(email=f"p{n}@example.nl", name=f"Persoon {n}")
            earned(user, date(2025, 10, 1))
            if n % 2:
                holder_certificate(user)
            application = services.submit_application(user, TODAY)
            if n % 3 == 1:
                services.claim(application.id, reviewer)
            elif n % 3 == 2:
                approve(application, reviewer, TODAY)


def test_the_queue_uses_the_same_number_of_queries_for_few_and_many(
    make_user, reviewer, commission
):
    _queue_of(make_user, reviewer, 6, 0)  # every kind in every part of the queue
    few = commission.queries_for("/commissie")
    _queue_of(make_user, reviewer, 12, 6)
    assert commission.queries_for("/commissie") == few


# --- the Dutch day -------------------------------------------------------------------------


def test_a_decision_at_2330_utc_in_winter_reads_the_amsterdam_day_everywhere(
    make_user, reviewer, commission, make_browser, register_clock
):
    user = make_user(email="winter@example.nl")
    fill_portfolio(user)
    on(register_clock, date(2026, 11, 28), 0, 30)  # 27 November 23:30 UTC
    application = _submit_renewal(user)
    commission.login(reviewer.email)  # the session of months ago has ended
    review = f"/commissie/aanvragen/{application.id}"
    claim = {"claim-submit": "1", "claim-no_conflict": "y"}
    assert commission.submit(review, claim).status_code == 302
    for item in application.items:
        data = {f"item{item.id}-verdict": "accepted", f"item{item.id}-submit": "1"}
        assert commission.submit(review, data).status_code == 302
    data = {
        "decision-decision": "approve",
        "decision-motivation": "Voldoet.",
        "decision-submit": "1",
    }
    assert commission.submit(review, data).status_code == 302
    certificate = db.session.scalar(select(Certificate))
    assert certificate.valid_from == date(2026, 11, 28)
    applicant = make_browser()
    applicant.login(user.email)
    text = _text(applicant.get(f"/certificering/aanvragen/{application.id}"))
    assert "Besluit 28 november 2026" in text
    assert "28 november 2026" in _section(applicant.get(OVERVIEW), "huidig-certificaat")


def test_withdrawing_a_renewal_past_the_end_warns_that_the_certificate_expires(
    holder, certificate, own, register_clock
):
    application = _submit_renewal(holder)
    on(register_clock, END + timedelta(days=10))
    own.login(holder.email)
    detail = f"/certificering/aanvragen/{application.id}"
    asked = _text(own.submit(detail, {"withdraw-submit": "1"}))
    assert "Trekt u haar in, dan is uw certificaat vanaf vandaag verlopen" in asked
    assert db.session.get(Application, application.id).state == State.SUBMITTED
