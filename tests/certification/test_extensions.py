"""Uitstel (extension): the holder asks, the registerbureau grants or refuses."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import extensions, progress, services
from krsd.certification.bureau_requests import ExtensionRequest
from krsd.certification.cycle import (
    CycleTerms,
    extension_grant_problem,
    extension_request_problem,
)
from krsd.certification.models import Certificate
from krsd.certification.public import search_register
from krsd.certification.rules import ExtensionReason, ExtensionState, Kind, Verdict
from krsd.clock import AMSTERDAM
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.mail import OutboxMessage
from krsd.portfolio.rules import Category
from tests.certification.conftest import add_activity, fill_portfolio
from tests.certification.test_public import certify
from tests.clock import TODAY
from tests.races import race

TERMS = CycleTerms(
    cycle_years=3,
    renewal_window_months=6,
    reminder_days=(180, 90, 30),
    max_extension_months=6,
    appeal_weeks=6,
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: the holder's certificate: 1 September 2023 up to and including 31 August 2026, so on
#: TODAY (15 June 2026) the renewal window (from 28 February 2026) is open
START, END = date(2023, 9, 1), date(2026, 8, 31)
LATEST = date(2027, 2, 28)  # six months after the original end

# --- the rules -----------------------------------------------------------------------


def test_an_extension_can_be_asked_only_in_the_renewal_window_of_a_valid_certificate():
    ask = extension_request_problem
    assert ask(END, TODAY, TERMS, valid=True, renewal_pending=False) is None
    assert ask(END, END, TERMS, valid=True, renewal_pending=False) is None
    assert "vanaf 28 februari 2026" in ask(
        END, date(2026, 2, 27), TERMS, valid=True, renewal_pending=False, show_date=nl_date
    )
    assert "verlopen" in ask(END, date(2026, 9, 1), TERMS, valid=True, renewal_pending=False)
    assert "geldig certificaat" in ask(END, TODAY, TERMS, valid=False, renewal_pending=False)
    assert "al aangevraagd" in ask(END, TODAY, TERMS, valid=True, renewal_pending=True)


def test_a_granted_end_lies_after_the_current_end_within_the_maximum_and_not_in_the_past():
    grant = extension_grant_problem
    assert grant(END, END, LATEST, TODAY, TERMS) is None
    assert "hoogstens 6 maanden" in grant(END, END, LATEST + timedelta(days=1), TODAY, TERMS)
    assert "na de huidige einddatum" in grant(END, END, END, TODAY, TERMS)
    assert "in het verleden" in grant(END, END, date(2026, 9, 30), date(2026, 10, 1), TERMS)
    # A second extension: the maximum still counts from the original end.
    assert grant(date(2026, 12, 31), END, LATEST, TODAY, TERMS) is None
    assert "hoogstens" in grant(date(2026, 12, 31), END, date(2027, 3, 1), TODAY, TERMS)


# --- the services --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")
    return tmp_path / "uploads" / "evidence"


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def admin(make_user):
    return make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")


@pytest.fixture
def holder(make_user):
    return make_user(email="anouk@example.nl", name="Anouk Jansen")


@pytest.fixture
def certificate(holder) -> Certificate:
    return certify(holder, start=START)


ILLNESS = extensions.ExtensionInput(ExtensionReason.ILLNESS, "Vier maanden ziek geweest.")


def _entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def _mails(recipient: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == recipient).order_by(OutboxMessage.id)
    ).all()


def _grant(request_id, admin, new_end=LATEST, today=TODAY):
    return extensions.decide_extension(
        request_id, admin, True, new_end, "Ziekte aangetoond met verklaring.", today
    )


@pytest.mark.usefixtures("request_context")
def test_a_request_is_audited_and_confirmed_by_mail(holder, certificate):
    request = extensions.request_extension(holder, ILLNESS, None, TODAY)
    assert request.state == ExtensionState.PENDING
    assert request.certificate_id == certificate.id
    (entry,) = _entries("register.extension_requested")
    assert (entry.actor_id, entry.reason) == (holder.id, "Vier maanden ziek geweest.")
    (mail,) = _mails("anouk@example.nl")
    assert mail.subject == "Uw verzoek om uitstel is ontvangen"
    assert "/certificering/uitstel" in mail.body


@pytest.mark.usefixtures("request_context")
def test_one_open_request_per_certificate(holder, certificate):
    extensions.request_extension(holder, ILLNESS, None, TODAY)
    with pytest.raises(extensions.ExtensionError, match="al een verzoek om uitstel"):
        extensions.request_extension(holder, ILLNESS, None, TODAY)
    db.session.rollback()
    # The database holds the line too, whatever the code above it checks.
    db.session.add(
        ExtensionRequest(
            certificate_id=certificate.id, reason=ExtensionReason.LEAVE, explanation="x"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_two_requests_at_the_same_moment_give_one(app, holder, certificate):
    holder_id = holder.id

    def ask():
        return extensions.request_extension(
            db.session.get(User, holder_id), ILLNESS, None, TODAY
        ).id

    results = race(app, ask, ask)
    assert sum(isinstance(r, extensions.ExtensionError) for r in results) == 1, results
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == 1


@pytest.mark.usefixtures("request_context")
def test_no_request_outside_the_renewal_window_or_without_an_explanation(holder):
    certify(holder, start=date(2025, 1, 1))  # ends 31 December 2027: window not yet open
    with pytest.raises(extensions.ExtensionError, match="zodra herregistratie openstaat"):
        extensions.request_extension(holder, ILLNESS, None, TODAY)
    empty = extensions.ExtensionInput(ExtensionReason.OTHER, "  ")
    with pytest.raises(extensions.ExtensionError, match="Licht toe") as refused:
        extensions.request_extension(holder, empty, None, TODAY)
    assert refused.value.field == "explanation"


@pytest.mark.usefixtures("request_context")
def test_no_request_without_a_running_certificate(make_user):
    nobody = make_user(email="geen@example.nl")
    with pytest.raises(extensions.ExtensionError, match="geen lopend certificaat"):
        extensions.request_extension(nobody, ILLNESS, None, TODAY)


@pytest.mark.usefixtures("request_context")
def test_granting_moves_the_end_and_keeps_the_original(holder, admin, certificate):
    request = extensions.request_extension(holder, ILLNESS, None, TODAY)
    _grant(request.id, admin)

    db.session.refresh(certificate)
    assert (certificate.valid_until, certificate.original_valid_until) == (LATEST, END)
    assert (request.previous_valid_until, request.granted_until) == (END, LATEST)
    assert request.state == ExtensionState.GRANTED and request.decided_by_id == admin.id
    granted = _entries("register.extension_granted")
    assert len(granted) == 1 and granted[0].reason == "Ziekte aangetoond met verklaring."
    extended = _entries("register.certificate_extended")
    assert extended[0].object_id == str(certificate.id)
    assert extended[0].details_dict["valid_until"] == "2027-02-28"
    mail = _mails("anouk@example.nl")[-1]
    assert mail.subject == "Uw verzoek om uitstel is toegekend"
    assert "geldig tot en met\n28 februari 2027" in mail.body or "28 februari 2027" in mail.body
    assert "Ziekte aangetoond met verklaring." in mail.body


@pytest.mark.usefixtures("request_context")
def test_during_the_extension_the_certificate_is_valid_and_its_hours_count(
    holder, admin, certificate
):
    request = extensions.request_extension(holder, ILLNESS, None, TODAY)
    after_the_original_end = date(2026, 10, 1)
    window, deadline = progress.counting_window(holder.id, after_the_original_end)
    assert window.start != START and deadline is None  # before: a first certification's
    assert not certificate.valid_on(after_the_original_end)

    _grant(request.id, admin)

    db.session.refresh(certificate)
    assert certificate.valid_on(after_the_original_end)
    assert db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .where(Certificate.valid_on(after_the_original_end))
    )
    assert [r.name for r in search_register("Anouk", 1, after_the_original_end).rows] == [
        "Anouk Jansen"
    ]
    assert search_register("Anouk", 1, LATEST + timedelta(days=1)).rows == []
    window, deadline = progress.counting_window(holder.id, after_the_original_end)
    assert (window.start, window.end, deadline) == (START, after_the_original_end, LATEST)


@pytest.mark.usefixtures("request_context")
def test_an_extension_is_at_most_the_maximum_after_the_original_end(holder, admin, certificate):
    first = extensions.request_extension(holder, ILLNESS, None, TODAY)
    with pytest.raises(extensions.ExtensionError, match="hoogstens 6 maanden") as refused:
        _grant(first.id, admin, LATEST + timedelta(days=1))
    assert refused.value.field == "new_end"
    db.session.rollback()
    _grant(first.id, admin, date(2026, 11, 30))
    # A second request: the maximum still counts from the original end.
    second = extensions.request_extension(holder, ILLNESS, None, TODAY)
    with pytest.raises(extensions.ExtensionError, match="hoogstens"):
        _grant(second.id, admin, date(2027, 3, 31))
    db.session.rollback()
    _grant(second.id, admin, LATEST)
    db.session.refresh(certificate)
    assert (certificate.valid_until, certificate.original_valid_until) == (LATEST, END)


@pytest.mark.usefixtures("request_context")
def test_refusing_changes_nothing_but_the_request(holder, admin, certificate):
    request = extensions.request_extension(holder, ILLNESS, None, TODAY)
    extensions.decide_extension(request.id, admin, False, None, "Geen verklaring.", TODAY)
    db.session.refresh(certificate)
    assert (certificate.valid_until, certificate.original_valid_until) == (END, None)
    assert request.state == ExtensionState.REFUSED
    assert len(_entries("register.extension_refused")) == 1
    assert _entries("register.certificate_extended") == []
    mail = _mails("anouk@example.nl")[-1]
    assert mail.subject == "Uw verzoek om uitstel is geweigerd"
    assert "Geen verklaring." in mail.body
    with pytest.raises(extensions.ExtensionError, match="al besloten"):
        _grant(request.id, admin)


@pytest.mark.usefixtures("request_context")
def test_a_decision_needs_a_motivation(holder, admin, certificate):
    request = extensions.request_extension(holder, ILLNESS, None, TODAY)
    with pytest.raises(extensions.ExtensionError, match="motivering") as refused:
        extensions.decide_extension(request.id, admin, True, LATEST, " ", TODAY)
    assert refused.value.field == "motivation"


def test_two_decisions_at_the_same_moment_give_one(app, holder, admin, certificate):
    with current_app.test_request_context("/"):
        request_id = extensions.request_extension(holder, ILLNESS, None, TODAY).id
    admin_id, certificate_id = admin.id, certificate.id

    def grant(new_end):
        return lambda: _grant(request_id, db.session.get(User, admin_id), new_end).id

    results = race(app, grant(date(2026, 12, 31)), grant(LATEST))
    assert sum(isinstance(r, extensions.ExtensionError) for r in results) == 1, results
    assert len(_entries("register.extension_granted")) == 1
    db.session.expire_all()
    assert db.session.get(Certificate, certificate_id).original_valid_until == END


def _approve_renewal(holder, reviewer, today):
    app = services.submit_application(holder, today, Kind.RENEWAL)
    services.claim(app.id, reviewer)
    for item in app.items:
        services.judge(app, item.id, reviewer, services.Judgement(Verdict.ACCEPTED, None, ""))
    return app, services.decide(app, reviewer, True, "Voldoet aan het reglement.", today)


def test_a_renewal_after_an_extension_keeps_the_three_year_rhythm(
    app, holder, admin, certificate, make_user, register_clock
):
    reviewer = make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    fill_portfolio(holder)
    with current_app.test_request_context("/"):
        request = extensions.request_extension(holder, ILLNESS, None, TODAY)
        _grant(request.id, admin)
    # After the original end, during the extension: hours of that time count.
    register_clock.move_to(datetime(2026, 10, 1, 10, 0, tzinfo=AMSTERDAM))
    late = add_activity(
        holder, Category.FREE, "4", days_ago=(TODAY - date(2026, 9, 15)).days, title="Laat"
    )
    with current_app.test_request_context("/"):
        application, renewed = _approve_renewal(holder, reviewer, date(2026, 10, 1))
    assert (application.window_start, application.window_end) == (START, date(2026, 10, 1))
    assert late.id in {item.activity_id for item in application.items}
    # From the day after the extended end, up to where it would have ended without it.
    assert (renewed.valid_from, renewed.valid_until) == (date(2027, 3, 1), date(2029, 8, 31))


# --- the pages -----------------------------------------------------------------------


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.fixture
def bureau(admin, make_browser):
    browser = make_browser()
    browser.login(admin.email)
    return browser


@pytest.fixture
def own(holder, certificate, make_browser):
    browser = make_browser()
    browser.login(holder.email)
    return browser


def _ask_form(**overrides):
    data = {"reason": "illness", "explanation": "Vier maanden ziek geweest."}
    data.update(overrides)
    return data


def test_the_holder_asks_for_an_extension_with_evidence(own, upload_folder):
    page = _text(own.get("/certificering/uitstel"))
    assert "Uitstel aanvragen" in page and "28 februari 2027" in page
    data = _ask_form(evidence=(io.BytesIO(PDF), "verklaring arts.pdf"))
    response = own.submit("/certificering/uitstel", data, follow_redirects=True)
    text = _text(response)
    assert "Uw verzoek om uitstel is ingediend" in text
    assert "Wacht op beoordeling" in text and "verklaring arts.pdf" in text
    request = db.session.scalar(select(ExtensionRequest))
    assert (request.evidence_kind, request.evidence_size) == ("pdf", len(PDF))
    assert (upload_folder / request.evidence_stored_name).read_bytes() == PDF
    download = own.get(f"/certificering/uitstel/{request.id}/bewijsstuk")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()  # the file is streamed; close it as a WSGI server would
    # Asked once, the page shows the request instead of the form.
    assert "Uitstel aanvragen" not in _text(own.get("/certificering/uitstel"))


def test_a_file_that_is_not_evidence_stores_nothing(own, upload_folder):
    data = _ask_form(evidence=(io.BytesIO(b"MZ not a pdf"), "verklaring.pdf"))
    response = own.submit("/certificering/uitstel", data)
    assert response.status_code == 400
    text = _text(response)
    assert "geen PDF, PNG, JPEG, DOCX of ODT-bestand" in text
    assert "Er is niets opgeslagen." in text
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == 0
    assert list(upload_folder.iterdir()) == []


def test_a_request_without_a_reason_or_explanation_is_refused(own):
    response = own.submit("/certificering/uitstel", {"reason": "vakantie", "explanation": ""})
    assert response.status_code == 400
    text = _text(response)
    assert "Kies een van de redenen." in text
    assert "Licht toe waarom" in text
    assert db.session.scalar(select(func.count()).select_from(ExtensionRequest)) == 0


def test_the_certificering_page_links_to_uitstel_in_the_renewal_window(own):
    page = own.get("/certificering").get_data(as_text=True)
    assert 'href="/certificering/uitstel"' in page


def test_a_holder_sees_only_their_own_request_and_evidence(own, holder, make_user, make_browser):
    own.submit("/certificering/uitstel", _ask_form(evidence=(io.BytesIO(PDF), "verklaring.pdf")))
    request = db.session.scalar(select(ExtensionRequest))
    other = make_user(email="bram@example.nl", name="Bram de Boer")
    certify(other, start=START)
    bram = make_browser()
    bram.login("bram@example.nl")
    page = _text(bram.get("/certificering/uitstel"))
    assert "Vier maanden ziek" not in page and "Uitstel aanvragen" in page
    assert bram.get(f"/certificering/uitstel/{request.id}/bewijsstuk").status_code == 404
    reviewer = make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    commission = make_browser()
    commission.login(reviewer.email)
    assert commission.get(f"/certificering/uitstel/{request.id}/bewijsstuk").status_code == 404
    assert commission.get("/beheer/uitstel").status_code == 403
    assert commission.get(f"/beheer/uitstel/{request.id}").status_code == 403
    assert own.get("/beheer/uitstel").status_code == 403


def test_the_registerbureau_grants_on_the_page(own, bureau, make_browser, certificate):
    own.submit("/certificering/uitstel", _ask_form(evidence=(io.BytesIO(PDF), "verklaring.pdf")))
    request = db.session.scalar(select(ExtensionRequest))
    listing = _text(bureau.get("/beheer/uitstel"))
    assert "Anouk Jansen" in listing and "Ziekte" in listing
    detail = _text(bureau.get(f"/beheer/uitstel/{request.id}"))
    assert "Vier maanden ziek geweest." in detail and "uiterlijk 28 februari 2027" in detail
    download = bureau.get(f"/certificering/uitstel/{request.id}/bewijsstuk")
    assert download.data == PDF
    download.close()

    url = f"/beheer/uitstel/{request.id}"
    too_late = {"new_end": "2027-03-01", "motivation": "Aangetoond.", "grant": "Toekennen"}
    refused = bureau.submit(url, too_late)
    assert refused.status_code == 400 and "hoogstens 6 maanden" in _text(refused)
    no_date = bureau.submit(url, {**too_late, "new_end": ""})
    assert "Vul de nieuwe einddatum in." in _text(no_date)

    done = bureau.submit(url, {**too_late, "new_end": "2027-02-28"}, follow_redirects=True)
    assert "geldig tot en met 28 februari 2027" in _text(done)
    again = bureau.submit(url, {**too_late, "new_end": "2027-01-31"})
    assert "Over dit verzoek is al besloten." in _text(again)
    db.session.refresh(certificate)
    assert certificate.valid_until == LATEST

    holder_page = _text(own.get("/certificering/uitstel"))
    assert "Toegekend" in holder_page and "Aangetoond." in holder_page
    public = make_browser()
    verify = _text(public.get(f"/verify/{certificate.verification_code}"))
    assert "Geldig tot en met 28 februari 2027" in verify


def test_the_registerbureau_refuses_on_the_page(own, bureau):
    own.submit("/certificering/uitstel", _ask_form())
    request = db.session.scalar(select(ExtensionRequest))
    url = f"/beheer/uitstel/{request.id}"
    missing = bureau.submit(url, {"motivation": "", "refuse": "Weigeren"})
    assert missing.status_code == 400 and "Geef een motivering op" in _text(missing)
    bureau.submit(url, {"motivation": "Geen reden buiten uw macht.", "refuse": "Weigeren"})
    db.session.refresh(request)
    assert request.state == ExtensionState.REFUSED
    page = _text(own.get("/certificering/uitstel"))
    assert "Geweigerd" in page and "Geen reden buiten uw macht." in page


def test_the_list_runs_the_same_statements_for_one_or_many_requests(bureau, make_user):
    def ask(n):
        user = make_user(email=f"houder{n}@example.nl")
        certify(user, start=START)
        with current_app.test_request_context("/"):
            extensions.request_extension(user, ILLNESS, None, TODAY)

    ask(0)
    one = bureau.queries_for("/beheer/uitstel")
    for n in range(1, 6):
        ask(n)
    assert bureau.queries_for("/beheer/uitstel") == one


def test_check_storage_knows_extension_evidence(app, own, upload_folder):
    own.submit("/certificering/uitstel", _ask_form(evidence=(io.BytesIO(PDF), "a.pdf")))
    result = app.test_cli_runner().invoke(args=["krsd", "check-storage"])
    assert result.exit_code == 0, result.output
    assert "Wees (geen database-record): 0" in result.output
