"""One whole herregistratie in Chromium: reminder → apply in the window → review → a new
certificate that starts the day after the old one ends → both codes verify."""

from datetime import date

import pytest
from sqlalchemy import select

from krsd.certification.daily import run_daily
from krsd.certification.models import Certificate
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.browser.test_portfolio import login
from tests.certification.renewing import END, NEXT, earned, holder_certificate, make_reviewer, on

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def _status(page, code: str) -> str:
    page.goto(f"/verify/{code}")
    return page.get_by_role("heading", level=1).inner_text()


def test_a_whole_renewal_in_chromium(app, page, chromium, live_server, make_user, register_clock):
    holder = make_user(email="anna@example.nl", name="Anna de Vries", employer="Gemeente Ede")
    old = holder_certificate(holder)
    old_code = old.verification_code
    make_reviewer(make_user)
    on(register_clock, date(2026, 6, 15))
    earned(holder, date(2026, 3, 1))
    db.session.rollback()

    # The daily job reminds her: 77 days before the end the 90-day reminder is due.
    with app.test_request_context("/"):
        report = run_daily(date(2026, 6, 15))
    assert sum(report.reminders.values()) == 1
    reminder = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.nl")
    )
    assert "31 augustus 2026" in reminder.subject
    db.session.rollback()  # the served app needs the write lock: hold no transaction

    # She applies for herregistratie from Certificering, within the window.
    login(page, "anna@example.nl")
    page.goto("/certificering")
    page.get_by_role("link", name="Herregistratie aanvragen").click()
    page.get_by_label("Ik verklaar").check()
    page.get_by_role("button", name="Aanvraag indienen").click()
    assert "Ingediend" in page.locator("main").inner_text()

    # A member of the commission takes it, accepts everything as logged and approves.
    commission = chromium.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    login(commission, "commissie@example.nl")
    commission.goto("/commissie")
    assert "Herregistratie" in commission.locator("main").inner_text()
    commission.get_by_role("link", name="Beoordelen").click()
    commission.get_by_label("Ik verklaar dat ik geen belangenverstrengeling heb").check()
    commission.get_by_role("button", name="In behandeling nemen").click()
    commission.get_by_role("button", name="Alle resterende accepteren zoals gelogd").click()
    commission.get_by_role("button", name="Ja").click()
    commission.get_by_label("Goedkeuren: certificaat verstrekken").check()
    commission.get_by_label("Motivering").fill("Alle uren zijn binnen de geldigheid behaald.")
    commission.get_by_role("button", name="Besluit vastleggen").click()
    assert "certificaat is verstrekt" in commission.get_by_role("status").first.inner_text()

    # The new certificate starts the day after the old one ends, for three years.
    db.session.expire_all()
    new = db.session.scalar(
        select(Certificate).where(Certificate.holder_id == holder.id, Certificate.id != old.id)
    )
    assert (new.valid_from, new.valid_until) == NEXT
    assert new.registration_number == old.registration_number
    assert new.verification_code != old_code
    new_code = new.verification_code
    db.session.rollback()

    # Both codes answer, each with its own period and state.
    public = chromium.new_context(base_url=live_server.url, locale="nl-NL").new_page()
    assert _status(public, old_code) == "Geldig"
    assert "opgevolgd door het certificaat geldig van 1 september 2026" in (
        public.locator("main").inner_text()
    )
    assert _status(public, new_code) == "Nog niet ingegaan"

    on(register_clock, date(END.year, 9, 2))
    assert _status(public, new_code) == "Geldig"
    assert _status(public, old_code) != "Geldig"
    assert "31 augustus 2026" in public.locator("main").inner_text()
