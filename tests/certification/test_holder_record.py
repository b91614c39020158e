"""A certificate names its real holder: recorded at issue, renamed only by the registerbureau."""

import subprocess
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.auth.signals import profile_changed
from krsd.certification import services
from krsd.certification.bureau_requests import NameChangeRequest
from krsd.certification.certificates import issue_certificate
from krsd.certification.models import Application, Certificate, RegisterTerm
from krsd.certification.rules import Kind, NameChangeState, State, Verdict, validity
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import regulation_in_force
from tests.certification.conftest import TODAY, fill_portfolio

PROFILE = "/account/gegevens"
ADMIN_PAGE = "/beheer/naamswijzigingen"


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _details(**overrides) -> dict:
    data = {
        "name": "Anouk Jansen",
        "function": "leerplichtambtenaar",
        "employer": "Gemeente Amersfoort",
        "public_listing_consent": "y",
        "name_change_explanation": "",
    }
    data.update(overrides)
    return data


def certify(user, start=None) -> Certificate:
    """A certificate issued as an approval issues it, without the review flow."""
    start = start or TODAY - timedelta(days=10)
    application = Application(
        applicant=user,
        kind=Kind.INITIAL,
        state=State.APPROVED,
        window_start=start - timedelta(days=1000),
        window_end=start,
        regulation_id=regulation_in_force(TODAY).id,
        decided_at=utcnow(),
    )
    db.session.add(application)
    db.session.flush()
    certificate = issue_certificate(application, *validity(start, 3))
    db.session.commit()
    return certificate


def _pdf_text(browser, certificate, tmp_path) -> str:
    response = browser.get(f"/certificaten/{certificate.id}.pdf")
    assert response.status_code == 200
    pdf = tmp_path / f"certificaat-{certificate.id}.pdf"
    pdf.write_bytes(response.data)
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.fixture
def anouk(make_user):
    return make_user(
        email="anouk@example.nl",
        name="Anouk Jansen",
        function=Function.LEERPLICHTAMBTENAAR,
        employer="Gemeente Amersfoort",
    )


@pytest.fixture
def admin(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Registerbureau")
    browser = make_browser()
    browser.login("bureau@example.nl")
    return browser


def _request_rename(browser, name="Bram Bakker", explanation="Naam gewijzigd bij de gemeente."):
    return browser.submit(PROFILE, _details(name=name, name_change_explanation=explanation))


def _pending() -> NameChangeRequest:
    return db.session.scalar(
        select(NameChangeRequest).where(NameChangeRequest.state == NameChangeState.PENDING)
    )


def _decide(admin, request_id, decision, reason="Gecontroleerd met de akte van de gemeente."):
    data = {f"r{request_id}-reason": reason, f"r{request_id}-{decision}": "1"}
    return admin.submit(f"{ADMIN_PAGE}/{request_id}", data, form_url=ADMIN_PAGE)


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- issue ----------------------------------------------------------------------------


def test_approval_records_the_holders_name_function_and_employer(make_user):
    applicant = make_user(
        email="prof@example.nl",
        name="Anna de Vries",
        function=Function.DOORSTROOMCOACH,
        employer="RMC-regio Utrecht",
    )
    fill_portfolio(applicant)
    reviewer = make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    with current_app.test_request_context("/"):
        app = services.submit_application(applicant, TODAY)
        services.claim(app.id, reviewer)
        for item in app.items:
            services.judge(app, item.id, reviewer, services.Judgement(Verdict.ACCEPTED, None, ""))
        certificate = services.decide(app, reviewer, True, "Voldoet.", TODAY)
    assert certificate.holder_name == "Anna de Vries"
    assert certificate.holder_function == Function.DOORSTROOMCOACH
    assert certificate.holder_employer == "RMC-regio Utrecht"
    assert certificate.reissued_at is None


# --- a certified person's new name is a request ------------------------------------------


def test_a_certified_persons_new_name_becomes_a_request_and_the_certificate_keeps_hers(
    anouk, browser, make_browser, tmp_path
):
    certificate = certify(anouk)
    browser.login("anouk@example.nl")
    response = _request_rename(browser)
    assert response.status_code == 302
    page = _flat(browser.get(PROFILE))
    assert "Uw verzoek om naamswijziging wacht op beoordeling" in page
    assert "Bram Bakker" in page

    db.session.expire_all()
    assert db.session.get(User, anouk.id).name == "Anouk Jansen"
    request = _pending()
    assert (request.user_id, request.old_name, request.requested_name) == (
        anouk.id,
        "Anouk Jansen",
        "Bram Bakker",
    )
    assert request.explanation == "Naam gewijzigd bij de gemeente."
    assert "register.name_change_requested" in _actions()

    public = make_browser()
    verify = _flat(public.get(f"/verify/{certificate.verification_code}"))
    assert "Anouk Jansen" in verify and "Bram Bakker" not in verify
    assert "Anouk Jansen" in _flat(public.get("/register?q=jansen"))
    assert "Anouk Jansen" not in _flat(public.get("/register?q=bakker"))
    assert "Bram Bakker" not in _flat(public.get("/register?q=bakker"))
    pdf = _pdf_text(browser, certificate, tmp_path)
    assert "Anouk Jansen" in pdf and "Bram Bakker" not in pdf


def test_the_account_name_no_longer_reaches_the_certificate(anouk, browser, tmp_path):
    # Even if the account's name changed behind the register's back, the record holds.
    certificate = certify(anouk)
    anouk.name = "Bram Bakker"
    db.session.commit()
    browser.login("anouk@example.nl")
    assert "Anouk Jansen" in _flat(browser.get(f"/verify/{certificate.verification_code}"))
    assert "Anouk Jansen" in _pdf_text(browser, certificate, tmp_path)


def test_a_certified_persons_new_name_needs_an_explanation(anouk, browser):
    certify(anouk)
    browser.login("anouk@example.nl")
    html = _flat(_request_rename(browser, explanation=""))
    assert "Licht toe waarom uw naam verandert" in html
    assert _pending() is None
    db.session.expire_all()
    assert db.session.get(User, anouk.id).name == "Anouk Jansen"


def test_one_pending_request_per_person(anouk, browser):
    certify(anouk)
    browser.login("anouk@example.nl")
    _request_rename(browser)
    html = _flat(_request_rename(browser, name="Carla Claassen"))
    assert "U heeft al een verzoek om uw naam te wijzigen" in html
    assert db.session.scalar(select(NameChangeRequest.requested_name)) == "Bram Bakker"
    # The database holds the rule too, also for simultaneous requests.
    db.session.add(
        NameChangeRequest(
            user_id=anouk.id, old_name="Anouk Jansen", requested_name="X", explanation="x"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_function_and_employer_change_at_once_and_the_certificate_keeps_its_record(
    anouk, browser, make_browser, tmp_path
):
    certificate = certify(anouk)
    browser.login("anouk@example.nl")
    response = browser.submit(
        PROFILE, _details(function="doorstroomcoach", employer="Gemeente Zeist")
    )
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, anouk.id)
    assert (user.function, user.employer) == (Function.DOORSTROOMCOACH, "Gemeente Zeist")
    assert _pending() is None
    certificate = db.session.get(Certificate, certificate.id)
    assert certificate.holder_employer == "Gemeente Amersfoort"
    assert certificate.holder_function == Function.LEERPLICHTAMBTENAAR
    assert certificate.reissued_at is None
    pdf = _pdf_text(browser, certificate, tmp_path)
    assert "Gemeente Amersfoort" in pdf and "Gemeente Zeist" not in pdf
    assert "Leerplichtambtenaar" in pdf
    # The register lists the certificate's function and finds the new employer.
    register = _flat(make_browser().get("/register?q=zeist"))
    assert "Anouk Jansen" in register and "Leerplichtambtenaar" in register


# --- the registerbureau decides ---------------------------------------------------------


def test_the_registerbureau_approves_and_the_certificates_are_reissued(
    anouk, browser, admin, make_browser, tmp_path
):
    current = certify(anouk)
    following = certify(anouk, start=current.valid_until + timedelta(days=1))
    expired = certify(anouk, start=TODAY - timedelta(days=4 * 365))
    browser.login("anouk@example.nl")
    _request_rename(browser)
    request = _pending()

    listing = _flat(admin.get(ADMIN_PAGE))
    assert "Anouk Jansen" in listing and "Bram Bakker" in listing
    assert "Naam gewijzigd bij de gemeente." in listing and current.registration_number in listing
    assert _decide(admin, request.id, "approve").status_code == 302

    db.session.expire_all()
    assert db.session.get(User, anouk.id).name == "Bram Bakker"
    request = db.session.get(NameChangeRequest, request.id)
    assert request.state == NameChangeState.APPROVED
    assert request.decision_reason == "Gecontroleerd met de akte van de gemeente."
    assert request.decided_by.email == "bureau@example.nl" and request.decided_at is not None
    for before in (current, following):
        after = db.session.get(Certificate, before.id)
        assert after.holder_name == "Bram Bakker"
        assert after.reissued_at is not None
        assert after.registration_number == before.registration_number
        assert after.verification_code == before.verification_code
    assert db.session.get(Certificate, expired.id).holder_name == "Anouk Jansen"

    public = make_browser()
    verify = _flat(public.get(f"/verify/{current.verification_code}"))
    assert "Bram Bakker" in verify and "Anouk Jansen" not in verify
    assert "Heruitgegeven op" in verify
    pdf = _pdf_text(browser, db.session.get(Certificate, current.id), tmp_path)
    assert "Bram Bakker" in pdf and "Anouk Jansen" not in pdf
    assert current.registration_number in pdf and current.verification_code in pdf
    assert "Bram Bakker" in _flat(public.get("/register?q=bakker"))
    assert "Bram Bakker" not in _flat(public.get("/register?q=jansen"))

    actions = _actions()
    assert "register.name_change_approved" in actions
    assert actions.count("register.certificate_reissued") == 2
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "register.name_change_approved")
    )
    assert entry.reason == "Gecontroleerd met de akte van de gemeente."
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == anouk.email))
    assert "goedgekeurd" in mail.subject
    assert "Gecontroleerd met de akte van de gemeente." in mail.body
    assert current.registration_number in mail.body
    assert "Er wachten geen verzoeken" in _flat(admin.get(ADMIN_PAGE))


def test_the_registerbureau_refuses_with_a_reason_and_the_name_stays(
    anouk, browser, admin, make_browser
):
    certificate = certify(anouk)
    browser.login("anouk@example.nl")
    _request_rename(browser)
    request = _pending()
    reason = "De naam past niet bij het identiteitsbewijs; stuur een kopie van de akte."
    assert _decide(admin, request.id, "refuse", reason).status_code == 302

    db.session.expire_all()
    assert db.session.get(User, anouk.id).name == "Anouk Jansen"
    request = db.session.get(NameChangeRequest, request.id)
    assert request.state == NameChangeState.REFUSED and request.decision_reason == reason
    after = db.session.get(Certificate, certificate.id)
    assert after.holder_name == "Anouk Jansen" and after.reissued_at is None
    assert "Anouk Jansen" in _flat(make_browser().get(f"/verify/{certificate.verification_code}"))
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "register.name_change_refused")
    )
    assert entry.reason == reason
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.recipient == anouk.email))
    assert "geweigerd" in mail.subject and reason in " ".join(mail.body.split())
    # Refused, she may ask again.
    assert "wacht op beoordeling" not in _flat(browser.get(PROFILE))
    _request_rename(browser, explanation="Hierbij de akte.")
    assert _pending() is not None


def test_a_decision_needs_a_reason(anouk, browser, admin):
    certify(anouk)
    browser.login("anouk@example.nl")
    _request_rename(browser)
    request = _pending()
    response = _decide(admin, request.id, "approve", reason="  ")
    assert response.status_code == 400
    assert "Geef een reden op" in _flat(response)
    db.session.expire_all()
    assert db.session.get(NameChangeRequest, request.id).state == NameChangeState.PENDING
    assert db.session.get(User, anouk.id).name == "Anouk Jansen"


def test_a_decided_request_stays_decided(anouk, browser, admin):
    certify(anouk)
    browser.login("anouk@example.nl")
    _request_rename(browser)
    request = _pending()
    _decide(admin, request.id, "approve")
    response = _decide(admin, request.id, "refuse")
    assert response.status_code == 302
    assert "Over dit verzoek is al besloten" in _flat(admin.get(ADMIN_PAGE))
    db.session.expire_all()
    assert db.session.get(NameChangeRequest, request.id).state == NameChangeState.APPROVED
    assert _actions().count("register.name_change_refused") == 0


@pytest.mark.parametrize("role", [RoleName.PROFESSIONAL, RoleName.REVIEWER, RoleName.TRAINER])
def test_only_the_registerbureau_sees_and_decides_name_changes(
    anouk, browser, make_user, make_browser, role
):
    certify(anouk)
    browser.login("anouk@example.nl")
    _request_rename(browser)
    request = _pending()
    make_user(roles={role}, email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    assert other.get(ADMIN_PAGE).status_code == 403
    data = {f"r{request.id}-reason": "Akkoord", f"r{request.id}-approve": "1"}
    assert other.submit(f"{ADMIN_PAGE}/{request.id}", data, form_url=PROFILE).status_code == 403
    db.session.expire_all()
    assert db.session.get(NameChangeRequest, request.id).state == NameChangeState.PENDING


def test_the_menu_of_the_registerbureau_links_the_requests(admin):
    assert f'href="{ADMIN_PAGE}"' in admin.get("/").get_data(as_text=True)


# --- the register follows a profile change through a signal -----------------------------


def test_the_register_receiver_reindexes_inside_the_senders_transaction(anouk):
    certify(anouk)
    anouk.employer = "Gemeente Zeist"
    profile_changed.send(anouk, changed={"employer": "Gemeente Zeist"})
    terms = set(db.session.scalars(select(RegisterTerm.term)))
    assert "zeist" in terms and "amersfoort" not in terms
    db.session.rollback()  # nothing was committed: the re-index goes with the change
    assert "amersfoort" in set(db.session.scalars(select(RegisterTerm.term)))
