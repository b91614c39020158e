"""Suspension, lifting and revocation by the registerbureau: rules, services and pages."""

import re
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import standing
from krsd.certification.models import Certificate
from krsd.certification.public import search_register
from krsd.certification.rules import CertificateStatus, StandingAction, standing_problem
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.certification.test_public import certify
from tests.clock import TODAY
from tests.races import race

# --- the rule ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "state", "expected"),
    [
        (StandingAction.SUSPEND, {}, None),
        (StandingAction.SUSPEND, {"suspended": True}, "al geschorst"),
        (StandingAction.SUSPEND, {"expired": True}, "verlopen"),
        (StandingAction.SUSPEND, {"revoked": True}, "ingetrokken; daaraan verandert niets"),
        (StandingAction.LIFT, {"suspended": True}, None),
        (StandingAction.LIFT, {}, "niet (meer) geschorst"),
        (StandingAction.LIFT, {"suspended": True, "revoked": True}, "niets meer"),
        (StandingAction.REVOKE, {}, None),
        (StandingAction.REVOKE, {"suspended": True}, None),
        (StandingAction.REVOKE, {"expired": True}, None),
        (StandingAction.REVOKE, {"revoked": True}, "al ingetrokken"),
    ],
)
def test_what_the_registerbureau_can_do_in_each_state(action, state, expected):
    flags = {"suspended": False, "revoked": False, "expired": False} | state
    problem = standing_problem(action, **flags)
    if expected is None:
        assert problem is None
    else:
        assert expected in problem


def test_a_suspension_cannot_end_before_today():
    day = date(2027, 3, 3)
    flags = {"suspended": False, "revoked": False, "expired": False, "today": day}
    assert standing_problem(StandingAction.SUSPEND, suspend_until=day, **flags) is None
    problem = standing_problem(StandingAction.SUSPEND, suspend_until=day - timedelta(1), **flags)
    assert "vóór vandaag" in problem


# --- the services --------------------------------------------------------------------


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def admin(make_user):
    return make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")


@pytest.fixture
def holder(make_user):
    return make_user(email="anouk@example.nl", name="Anouk Jansen", employer="Gemeente Ede")


@pytest.fixture
def certificate(holder) -> Certificate:
    return certify(holder)


def _listed(today=TODAY) -> list[str]:
    return [row.name for row in search_register("Anouk", 1, today).rows]


def _valid_in_sql(certificate_id: int, today=TODAY) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.id == certificate_id, Certificate.valid_on(today))
        )
    )


def _entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _mails(recipient: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ).all()


@pytest.mark.usefixtures("request_context")
def test_a_suspension_hides_the_holder_and_is_audited_and_mailed(admin, certificate):
    assert _listed() == ["Anouk Jansen"]
    assert certificate.valid_on(TODAY) and _valid_in_sql(certificate.id)

    standing.suspend(certificate.id, admin, "Klacht in onderzoek", None, TODAY)

    db.session.refresh(certificate)
    assert certificate.status_on(TODAY) == CertificateStatus.SUSPENDED
    assert not certificate.valid_on(TODAY) and not _valid_in_sql(certificate.id)
    assert _listed() == []
    (entry,) = _entries("register.certificate_suspended")
    assert (entry.actor_id, entry.reason) == (admin.id, "Klacht in onderzoek")
    assert entry.object_type == "certificate" and entry.object_id == str(certificate.id)
    (mail,) = _mails("anouk@example.nl")
    assert mail.subject == "Uw KRSD-certificaat is geschorst"
    assert "Klacht in onderzoek" in mail.body
    assert "tot het registerbureau de schorsing opheft" in mail.body
    assert f"/verify/{certificate.verification_code}" in mail.body


@pytest.mark.usefixtures("request_context")
def test_a_suspension_with_an_end_date_ends_by_itself(admin, certificate):
    until = TODAY + timedelta(days=10)
    standing.suspend(certificate.id, admin, "Tijdelijk", until, TODAY)
    db.session.refresh(certificate)
    assert "tot en met 25 juni 2026" in _mails("anouk@example.nl")[0].body
    assert _listed(until) == [] and not _valid_in_sql(certificate.id, until)
    after = until + timedelta(days=1)
    assert certificate.valid_on(after) and _valid_in_sql(certificate.id, after)
    assert _listed(after) == ["Anouk Jansen"]


@pytest.mark.usefixtures("request_context")
def test_lifting_a_suspension_lists_the_holder_again(admin, certificate):
    standing.suspend(certificate.id, admin, "Klacht in onderzoek", None, TODAY)
    standing.lift_suspension(certificate.id, admin, "Klacht ongegrond", TODAY)

    db.session.refresh(certificate)
    assert certificate.suspended_at is None and certificate.suspension_reason is None
    assert certificate.valid_on(TODAY) and _listed() == ["Anouk Jansen"]
    (entry,) = _entries("register.certificate_suspension_lifted")
    assert entry.reason == "Klacht ongegrond"
    assert entry.details_dict["suspension_reason"] == "Klacht in onderzoek"
    lifted = _mails("anouk@example.nl")[-1]
    assert "opgeheven" in lifted.subject and "Klacht ongegrond" in lifted.body


@pytest.mark.usefixtures("request_context")
def test_revocation_is_final(admin, certificate):
    standing.suspend(certificate.id, admin, "Klacht in onderzoek", None, TODAY)
    standing.revoke(certificate.id, admin, "Fraude met bewijsstukken", TODAY)

    db.session.refresh(certificate)
    assert certificate.status_on(TODAY) == CertificateStatus.REVOKED
    assert not _valid_in_sql(certificate.id, TODAY + timedelta(days=400))
    assert _listed() == []
    for action, match in (
        (lambda: standing.lift_suspension(certificate.id, admin, "x", TODAY), "niets meer"),
        (lambda: standing.suspend(certificate.id, admin, "x", None, TODAY), "niets meer"),
        (lambda: standing.revoke(certificate.id, admin, "x", TODAY), "al ingetrokken"),
    ):
        with pytest.raises(standing.StandingError, match=match):
            action()
        db.session.rollback()
    assert len(_entries("register.certificate_revoked")) == 1
    revoked = _mails("anouk@example.nl")[-1]
    assert revoked.subject == "Uw KRSD-certificaat is ingetrokken"
    assert "Fraude met bewijsstukken" in revoked.body


@pytest.mark.usefixtures("request_context")
def test_every_change_needs_a_reason(admin, certificate):
    for action in (
        lambda: standing.suspend(certificate.id, admin, "  ", None, TODAY),
        lambda: standing.revoke(certificate.id, admin, "", TODAY),
        lambda: standing.lift_suspension(certificate.id, admin, None, TODAY),
    ):
        with pytest.raises(standing.StandingError, match="Geef een reden op"):
            action()
    db.session.refresh(certificate)
    assert certificate.suspended_at is None and certificate.revoked_at is None


@pytest.mark.usefixtures("request_context")
def test_an_expired_certificate_cannot_be_suspended_but_can_be_revoked(admin, holder):
    old = certify(holder, start=TODAY - timedelta(days=2000))
    with pytest.raises(standing.StandingError, match="verlopen"):
        standing.suspend(old.id, admin, "Klacht", None, TODAY)
    db.session.rollback()
    standing.revoke(old.id, admin, "Diploma vervalst", TODAY)
    assert db.session.get(Certificate, old.id).revoked_at is not None


@pytest.mark.usefixtures("request_context")
def test_a_suspension_cannot_end_in_the_past(admin, certificate):
    with pytest.raises(standing.StandingError, match="vóór vandaag") as refused:
        standing.suspend(certificate.id, admin, "Klacht", TODAY - timedelta(days=1), TODAY)
    assert refused.value.field == "until"


def test_two_suspensions_at_the_same_moment_give_one(app, admin, certificate):
    certificate_id, admin_id = certificate.id, admin.id

    def suspend():
        return standing.suspend(
            certificate_id, db.session.get(User, admin_id), "Klacht", None, TODAY
        ).id

    results = race(app, suspend, suspend)
    refused = [r for r in results if isinstance(r, standing.StandingError)]
    assert len(refused) == 1, results
    assert "al geschorst" in str(refused[0])
    assert len(_entries("register.certificate_suspended")) == 1
    assert len(_mails("anouk@example.nl")) == 1


def test_a_revocation_and_a_lift_at_the_same_moment_never_leave_it_valid(app, admin, certificate):
    with current_app.test_request_context("/"):
        standing.suspend(certificate.id, admin, "Klacht", None, TODAY)
    certificate_id, admin_id = certificate.id, admin.id

    def revoke():
        return standing.revoke(certificate_id, db.session.get(User, admin_id), "Fraude", TODAY).id

    def lift():
        return standing.lift_suspension(
            certificate_id, db.session.get(User, admin_id), "Ongegrond", TODAY
        ).id

    race(app, revoke, lift)
    db.session.expire_all()
    assert db.session.get(Certificate, certificate_id).revoked_at is not None
    assert len(_entries("register.certificate_revoked")) == 1


# --- the pages -----------------------------------------------------------------------


def _text(response) -> str:
    """The page's text without tags, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def bureau(admin, make_browser):
    browser = make_browser()
    browser.login(admin.email)
    return browser


def test_only_the_registerbureau_reaches_the_certificate_pages(
    certificate, make_user, make_browser
):
    urls = ("/beheer/certificaten?q=Anouk", f"/beheer/certificaten/{certificate.id}")
    for roles in ({RoleName.PROFESSIONAL}, {RoleName.REVIEWER}, {RoleName.TRAINER}):
        user = make_user(roles=roles)
        other = make_browser()
        other.login(user.email)
        for url in urls:
            assert other.get(url).status_code == 403, (roles, url)
    holder_browser = make_browser()
    holder_browser.login("anouk@example.nl")
    assert holder_browser.get(urls[1]).status_code == 403


def test_the_registerbureau_finds_a_certificate_by_number_or_name(bureau, certificate, make_user):
    certify(make_user(name="Bram de Boer"))
    for query in (certificate.registration_number, "1", "anouk", "Jans"):
        page = _text(bureau.get(f"/beheer/certificaten?q={query}"))
        assert "Anouk Jansen" in page, query
        assert "Bram de Boer" not in page, query
    assert "Geen certificaten gevonden" in _text(bureau.get("/beheer/certificaten?q=Zwart"))
    assert bureau.get("/beheer/certificaten?q=" + "x" * 5000).status_code == 200


def test_the_search_runs_the_same_statements_for_one_or_many_results(bureau, make_user):
    certify(make_user(name="Sanne Visser"))
    one = bureau.queries_for("/beheer/certificaten?q=Visser")
    for n in range(6):
        certify(make_user(name=f"Sanne Visser {n}"))
    assert bureau.queries_for("/beheer/certificaten?q=Visser") == one


def _suspend_form(reason="Klacht in onderzoek", until=""):
    return {"suspend-reason": reason, "suspend-until": until, "suspend-submit": "1"}


def test_suspending_through_the_page_shows_on_verification(bureau, browser, certificate):
    url = f"/beheer/certificaten/{certificate.id}"
    until = (TODAY + timedelta(days=16)).isoformat()
    response = bureau.submit(url, _suspend_form(until=until), follow_redirects=True)
    assert (
        f"Het certificaat {certificate.registration_number} is geschorst tot en met 1 juli 2026"
        in _text(response)
    )

    verify = _text(browser.get(f"/verify/{certificate.verification_code}"))
    assert "Geschorst" in verify
    assert "Geschorst sinds 15 juni 2026 (tot en met 1 juli 2026)" in verify
    assert "Anouk Jansen" not in _text(browser.get("/register?q=Anouk"))


def test_a_double_submit_gives_a_dutch_message_and_changes_nothing_twice(bureau, certificate):
    url = f"/beheer/certificaten/{certificate.id}"
    assert bureau.submit(url, _suspend_form()).status_code == 302
    again = bureau.submit(url, _suspend_form(), follow_redirects=True)
    assert "Dit certificaat is al geschorst." in _text(again)
    assert len(_entries("register.certificate_suspended")) == 1


def test_a_suspension_without_a_reason_is_refused_on_the_page(bureau, certificate):
    response = bureau.submit(f"/beheer/certificaten/{certificate.id}", _suspend_form(reason=""))
    assert response.status_code == 400
    assert "Geef een reden op" in _text(response)
    db.session.refresh(certificate)
    assert certificate.suspended_at is None


def test_lifting_through_the_page(bureau, browser, certificate):
    url = f"/beheer/certificaten/{certificate.id}"
    bureau.submit(url, _suspend_form())
    lifted = bureau.submit(
        url, {"lift-reason": "Klacht ongegrond", "lift-submit": "1"}, follow_redirects=True
    )
    assert "De schorsing van" in _text(lifted)
    assert "Dit certificaat is vandaag geldig" in _text(
        browser.get(f"/verify/{certificate.verification_code}")
    )
    assert "Anouk Jansen" in _text(browser.get("/register?q=Anouk"))


def test_revoking_asks_for_confirmation_first(bureau, browser, certificate):
    url = f"/beheer/certificaten/{certificate.id}"
    assert "Anouk Jansen" in _text(browser.get("/register?q=Anouk"))
    data = {"revoke-reason": "Fraude met bewijsstukken", "revoke-submit": "1"}
    asked = bureau.submit(url, data)
    assert asked.status_code == 200
    assert "Intrekken is definitief" in _text(asked)
    db.session.refresh(certificate)
    assert certificate.revoked_at is None

    done = bureau.submit(url, {**data, "bevestigd": "ja"}, follow_redirects=True)
    assert "is ingetrokken" in _text(done)
    verify = _text(browser.get(f"/verify/{certificate.verification_code}"))
    assert "Ingetrokken op 15 juni 2026" in verify
    assert "Anouk Jansen" not in _text(browser.get("/register?q=Anouk"))
    page = _text(bureau.get(url))
    assert "daaraan verandert niets meer" in page
    assert "register.certificate_revoked" in page  # the history on the page


def test_the_registerbureau_menu_leads_to_certificates_and_extension_requests(bureau):
    page = bureau.get("/beheer/accounts").get_data(as_text=True)
    assert 'href="/beheer/certificaten"' in page
    assert 'href="/beheer/uitstel"' in page
