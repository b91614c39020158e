"""The whole journey through the web pages, as the applicant and the reviewer click it."""

import re
import subprocess

import pytest
from sqlalchemy import select

from krsd.auth.rules import RoleName
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import State
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.certification.conftest import fill_portfolio
from tests.portfolio.conftest import PDF, upload

APPLY = "/certificering/aanvragen/nieuw"


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _decode_qr(pdf_bytes: bytes, tmp_path) -> str:
    pdf = tmp_path / "certificaat.pdf"
    pdf.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "page")], check=True)
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_apply_review_more_info_resubmit_approve_certificate_register_verify(
    make_user, make_browser, tmp_path
):
    professional = make_user(email="prof@example.nl", name="Łukasz Nowak")
    fill_portfolio(professional)
    make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl", name="Marleen Bakker")
    prof, reviewer = make_browser(), make_browser()
    prof.login("prof@example.nl")
    reviewer.login("commissie@example.nl")

    # The professional applies from the portfolio.
    assert "Certificering aanvragen" in _flat(prof.get("/certificering"))
    response = prof.submit(APPLY, {"declaration": "y"})
    assert response.status_code == 302
    application = db.session.scalar(select(Application))
    detail = f"/certificering/aanvragen/{application.id}"
    assert "Ingediend" in _flat(prof.get(detail))

    # The reviewer claims it from the queue, rejects one activity and asks for more.
    review = f"/commissie/aanvragen/{application.id}"
    assert "Łukasz Nowak" in _flat(reviewer.get("/commissie"))
    assert (
        reviewer.submit(
            review, {"claim-submit": "1", "claim-no_conflict": "y"}, form_url="/commissie"
        ).status_code
        == 302
    )
    items = sorted(application.items, key=lambda i: i.id)
    first = items[0]
    data = {
        f"item{first.id}-verdict": "rejected",
        f"item{first.id}-comment": "Het certificaat van deelname ontbreekt.",
        f"item{first.id}-submit": "1",
    }
    assert reviewer.submit(review, data).status_code == 302
    data = {
        "info-message": "Stuur het certificaat van deelname van de eerste cursus.",
        "info-submit": "1",
    }
    assert reviewer.submit(review, data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).state == State.MORE_INFO_REQUESTED

    # The professional sees the judgement, adds evidence to the locked activity and resubmits.
    page = _flat(prof.get(detail))
    assert "Het certificaat van deelname ontbreekt." in page
    assert "Stuur het certificaat van deelname van de eerste cursus." in page
    activity_page = f"/portfolio/activiteiten/{first.activity_id}"
    response = prof.submit(
        activity_page, {"files": [upload(PDF, "deelname.pdf")]}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    data = {"resubmit-note": "Certificaat toegevoegd.", "resubmit-submit": "1"}
    assert prof.submit(detail, data).status_code == 302

    # The reviewer claims it again, accepts everything and approves with a motivation.
    assert (
        reviewer.submit(
            review, {"claim-submit": "1", "claim-no_conflict": "y"}, form_url="/commissie"
        ).status_code
        == 302
    )
    for item in items:
        data = {f"item{item.id}-verdict": "accepted", f"item{item.id}-submit": "1"}
        assert reviewer.submit(review, data).status_code == 302
    data = {
        "decision-decision": "approve",
        "decision-motivation": "Alle activiteiten zijn aangetoond.",
        "decision-submit": "1",
    }
    assert reviewer.submit(review, data).status_code == 302

    # The certificate: its text holds the number, its QR code opens the verification page.
    certificate = db.session.scalar(select(Certificate))
    assert certificate.registration_number == "KRSD-000001"
    response = prof.get(f"/certificaten/{certificate.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "KRSD-000001" in text and "Łukasz Nowak" in text
    url = _decode_qr(response.data, tmp_path)
    assert url == f"http://localhost/verify/{certificate.verification_code}"

    # The public register lists the person; the verification page says valid.
    anonymous = make_browser()
    register = _flat(anonymous.get("/register?q=nowak"))
    assert "Łukasz Nowak" in register and "KRSD-000001" in register
    verify = _flat(anonymous.get(url.removeprefix("http://localhost")))
    assert "Geldig" in verify and "KRSD-000001" in verify

    # Mail went out at each step.
    subjects = db.session.scalars(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == "prof@example.nl")
    ).all()
    assert any("ontvangen" in s for s in subjects)
    assert any("aanvulling" in s for s in subjects)
    decision = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.subject.contains("goedgekeurd"))
    )
    assert "Alle activiteiten zijn aangetoond." in decision.body
    assert re.search(r"KRSD-000001", decision.body)


def test_a_forged_submit_from_a_portfolio_short_of_the_rule_is_refused(make_user, browser):
    user = make_user(email="prof@example.nl")
    fill_portfolio(user, accredited=("16", "7.5"))
    browser.login("prof@example.nl")
    response = browser.submit(APPLY, {"declaration": "y"}, follow_redirects=True)
    assert "Nog nodig: 0,5 uur geaccrediteerd" in _flat(response)
    assert db.session.scalar(select(Application)) is None


def test_a_reviewer_cannot_open_their_own_application(make_user, browser):
    user = make_user(roles={RoleName.REVIEWER, RoleName.PROFESSIONAL}, email="zelf@example.nl")
    fill_portfolio(user)
    browser.login("zelf@example.nl")
    browser.submit(APPLY, {"declaration": "y"})
    application = db.session.scalar(select(Application))
    response = browser.submit(
        f"/commissie/aanvragen/{application.id}",
        {"claim-submit": "1", "claim-no_conflict": "y"},
        form_url="/commissie",
    )
    assert response.status_code == 403
    assert db.session.get(Application, application.id).state == State.SUBMITTED


def test_a_decision_without_motivation_shows_a_message(make_user, make_browser, applicant):
    make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    prof, reviewer = make_browser(), make_browser()
    prof.login("prof@example.nl")
    prof.submit(APPLY, {"declaration": "y"})
    reviewer.login("commissie@example.nl")
    application = db.session.scalar(select(Application))
    review = f"/commissie/aanvragen/{application.id}"
    reviewer.submit(review, {"claim-submit": "1", "claim-no_conflict": "y"}, form_url="/commissie")
    data = {"decision-decision": "reject", "decision-motivation": "", "decision-submit": "1"}
    html = _flat(reviewer.submit(review, data))
    assert "Een besluit heeft altijd een schriftelijke motivering." in html
    assert db.session.get(Application, application.id).state == State.IN_REVIEW


def test_another_professional_cannot_see_an_application_or_certificate(
    make_user, make_browser, applicant
):
    prof = make_browser()
    prof.login("prof@example.nl")
    prof.submit(APPLY, {"declaration": "y"})
    application = db.session.scalar(select(Application))
    make_user(email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    assert other.get(f"/certificering/aanvragen/{application.id}").status_code == 404


def test_the_registerbureau_reassigns_and_staff_download_the_certificate(
    make_user, make_browser, tmp_path
):
    professional = make_user(email="prof@example.nl")
    fill_portfolio(professional)
    make_user(roles={RoleName.REVIEWER}, email="r1@example.nl", name="Eerste")
    second = make_user(roles={RoleName.REVIEWER}, email="r2@example.nl", name="Tweede")
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    prof, r1, r2, bureau = (make_browser() for _ in range(4))
    for b, email in (
        (prof, "prof@example.nl"),
        (r1, "r1@example.nl"),
        (r2, "r2@example.nl"),
        (bureau, "bureau@example.nl"),
    ):
        b.login(email)
    prof.submit(APPLY, {"declaration": "y"})
    application = db.session.scalar(select(Application))
    review = f"/commissie/aanvragen/{application.id}"
    r1.submit(review, {"claim-submit": "1", "claim-no_conflict": "y"}, form_url="/commissie")

    data = {
        "reassign-reviewer": str(second.id),
        "reassign-reason": "Eerste is met verlof",
        "reassign-submit": "1",
    }
    assert bureau.submit(review, data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, application.id).reviewer_id == second.id
    # The first reviewer can no longer judge; the second can.
    item = application.items[0]
    judge = {f"item{item.id}-verdict": "accepted", f"item{item.id}-submit": "1"}
    assert "niet door u in behandeling" in _flat(r1.submit(review, judge, follow_redirects=True))
    for it in application.items:
        r2.submit(review, {f"item{it.id}-verdict": "accepted", f"item{it.id}-submit": "1"})
    decision = {
        "decision-decision": "approve",
        "decision-motivation": "Voldoet.",
        "decision-submit": "1",
    }
    assert r2.submit(review, decision).status_code == 302
    certificate = db.session.scalar(select(Certificate))
    for staff in (r1, bureau):
        assert staff.get(f"/certificaten/{certificate.id}.pdf").status_code == 200
    make_user(email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    assert other.get(f"/certificaten/{certificate.id}.pdf").status_code == 404


def test_withdrawing_asks_for_confirmation_and_keeps_the_reason(make_user, browser):
    professional = make_user(email="prof@example.nl")
    fill_portfolio(professional)
    browser.login("prof@example.nl")
    browser.submit(APPLY, {"declaration": "y"})
    application = db.session.scalar(select(Application))
    detail = f"/certificering/aanvragen/{application.id}"
    form = {"withdraw-submit": "1", "withdraw-reason": "Ik wacht tot na mijn verlof."}
    asked = _flat(browser.submit(detail, form))
    assert "Weet u zeker dat u uw aanvraag wilt intrekken?" in asked
    assert 'value="Ik wacht tot na mijn verlof."' in asked  # carried to the second step
    db.session.refresh(application)
    assert application.state == State.SUBMITTED
    browser.submit(detail, {**form, "bevestigd": "ja"})
    db.session.refresh(application)
    assert application.state == State.WITHDRAWN
    assert application.events[-1].message == "Ik wacht tot na mijn verlof."
