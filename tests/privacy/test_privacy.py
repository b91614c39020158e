"""Mijn gegevens: the data export, erasure that keeps the register honest, retention."""

import io
import json
import secrets
import zipfile
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from krsd import storage
from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Kind, State
from krsd.clock import AMSTERDAM
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Activity, Evidence, regulation_in_force
from krsd.portfolio.rules import Category
from krsd.privacy import retention
from krsd.privacy.models import ErasureRequest, ErasureState
from tests.certification.conftest import add_activity
from tests.certification.test_public import certify
from tests.clock import TODAY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ADMIN = "bureau@example.nl"


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def evidence_for(activity: Activity, content: bytes = PDF, label: str = "bewijs.pdf") -> Evidence:
    stored_name = secrets.token_urlsafe(24)
    storage.put(stored_name, content)
    evidence = Evidence(
        activity_id=activity.id,
        stored_name=stored_name,
        label=label,
        kind="pdf",
        size=len(content),
        sha256="0" * 64,
    )
    db.session.add(evidence)
    db.session.commit()
    return evidence


def certified_with_evidence(make_user, start: date, email="anna@example.nl"):
    """A person with a certificate from ``start`` whose application holds an activity with a
    file, and a second activity with a file that no application holds."""
    user = make_user(email=email, name="Anna de Vries", employer="Gemeente Zwolle")
    certificate = certify(user, start=start)
    used = add_activity(user, Category.FREE, "36", days_ago=(TODAY - start).days + 30)
    used.locked_by_application_id = certificate.application_id
    used.reflection_learned = "Hoe Anna verzuim eerder bespreekt met school en ouders."
    used.reflection_applied = "In haar eerste gesprek met een jongere in Zwolle."
    db.session.commit()
    unused = add_activity(user, Category.FREE, "8", days_ago=10, title="Intervisie")
    return user, certificate, evidence_for(used), evidence_for(unused)


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


# --- the download --------------------------------------------------------------------


def test_a_person_downloads_all_their_data_as_a_zip(make_user, browser):
    user, certificate, used, unused = certified_with_evidence(make_user, TODAY - timedelta(days=10))
    browser.login(user.email)

    response = browser.submit("/account/gegevens/download", form_url="/account/gegevens")

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    data = response.data
    response.close()  # as the WSGI server does: the spooled file is closed
    archive = zipfile.ZipFile(io.BytesIO(data))
    document = json.loads(archive.read("gegevens.json"))
    assert document["account"]["name"] == "Anna de Vries"
    assert document["account"]["email"] == "anna@example.nl"
    assert document["rollen"] == ["Professional"]
    assert {a["reflection"] for a in document["activiteiten"]} == {"Geleerd en toegepast."}
    answers = {a["reflection_applied"] for a in document["activiteiten"]}
    assert answers == {None, "In haar eerste gesprek met een jongere in Zwolle."}
    assert sorted(a["hours"] for a in document["activiteiten"]) == [8.0, 36.0]
    assert document["aanvragen"][0]["status"] == "Goedgekeurd"
    assert document["certificaten"][0]["verification_code"] == certificate.verification_code
    assert any(e["action"] == "auth.login" for e in document["auditlog"])
    files = [e["bestand_in_zip"] for a in document["activiteiten"] for e in a["bewijsstukken"]]
    assert len(files) == 2
    assert all(archive.read(name) == PDF for name in files)
    pdf = archive.read(document["certificaten"][0]["pdf_in_zip"])
    assert pdf.startswith(b"%PDF")
    exported = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "privacy.data_exported")
    )
    assert exported.actor_id == user.id


# --- erasure -------------------------------------------------------------------------


def _ask_for_erasure(browser, email):
    browser.login(email)
    first = browser.submit("/account/verwijderen")
    assert "Weet u zeker" in _flat(first)
    browser.submit("/account/verwijderen", {"bevestigd": "ja"})
    browser.get("/uitloggen")


def _decide(browser, request_id, **data):
    prefixed = {f"e{request_id}-{k}": v for k, v in data.items() if k != "bevestigd"}
    if "bevestigd" in data:
        prefixed["bevestigd"] = data["bevestigd"]
    return browser.submit(
        f"/beheer/verwijderverzoeken/{request_id}", prefixed, form_url="/beheer/verwijderverzoeken"
    )


def test_erasure_removes_the_person_and_keeps_the_register_record(make_user, make_browser):
    user, certificate, used, unused = certified_with_evidence(
        make_user, TODAY - timedelta(days=4 * 365)
    )
    make_user(roles={RoleName.ADMIN}, email=ADMIN)
    code = certificate.verification_code
    files = [used.stored_name, unused.stored_name]
    visitor = make_browser()
    before = _flat(visitor.get(f"/verify/{code}"))
    assert "Anna de Vries" in before

    _ask_for_erasure(make_browser(), user.email)
    request = db.session.scalar(select(ErasureRequest))
    assert request.state == ErasureState.PENDING
    bureau = make_browser()
    bureau.login(ADMIN)
    assert "Anna de Vries" in _flat(bureau.get("/beheer/verwijderverzoeken"))
    asked = _decide(bureau, request.id, reason="Op verzoek.", carry_out="Gegevens verwijderen")
    assert "Weet u zeker" in _flat(asked)
    done = _decide(
        bureau, request.id, reason="Op verzoek.", carry_out="Gegevens verwijderen", bevestigd="ja"
    )
    assert done.status_code == 302

    db.session.expire_all()
    after = _flat(visitor.get(f"/verify/{code}"))
    assert "Gegevens van de houder verwijderd" in after
    assert "Dit certificaat heeft bestaan en was geldig van" in after
    assert certificate.registration_number in after
    assert "Anna" not in after and "Zwolle" not in after
    person = db.session.get(User, user.id)
    assert person.name == "Verwijderde persoon" and person.employer == ""
    assert person.email.endswith("@verwijderd.invalid") and not person.active
    assert not person.roles
    kept = db.session.get(Certificate, certificate.id)
    assert (kept.holder_name, kept.holder_employer) == ("", "")
    assert kept.valid_from == certificate.valid_from and kept.verification_code == code
    # The activity the decision counted keeps its hours without texts; the other is gone.
    remaining = db.session.scalars(select(Activity).where(Activity.owner_id == user.id)).all()
    assert [(a.title, a.reflection, a.hours) for a in remaining] == [("(verwijderd)", "", 36)]
    assert [(a.reflection_learned, a.reflection_applied) for a in remaining] == [(None, None)]
    assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0
    assert not any(storage.exists(name) for name in files)
    # Mailed before the address went; no other mail to it remains.
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == "anna@example.nl")
    ).all()
    assert [m.subject for m in mails] == ["Uw gegevens zijn verwijderd uit het KRSD"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.erased"))
    assert entry.actor_email == ADMIN and entry.reason == "Op verzoek."
    # The person cannot log in, neither with the old address nor the placeholder.
    again = make_browser()
    for email in ("anna@example.nl", person.email):
        again.login(email)
        assert again.get("/account/gegevens").status_code == 302
    assert "Verwijderde persoon" in _flat(bureau.get("/beheer/verwijderverzoeken"))


def test_the_bureau_must_refuse_while_an_application_is_open(make_user, make_browser):
    user = make_user(email="bas@example.nl")
    db.session.add(
        Application(
            applicant_id=user.id,
            kind=Kind.INITIAL,
            state=State.SUBMITTED,
            window_start=TODAY - timedelta(days=1000),
            window_end=TODAY,
            regulation_id=regulation_in_force(TODAY).id,
            open_applicant_id=user.id,
        )
    )
    db.session.commit()
    make_user(roles={RoleName.ADMIN}, email=ADMIN)
    _ask_for_erasure(make_browser(), user.email)
    request = db.session.scalar(select(ErasureRequest))
    bureau = make_browser()
    bureau.login(ADMIN)
    page = _flat(bureau.get("/beheer/verwijderverzoeken"))
    assert "weigeren is verplicht zolang de aanvraag loopt" in page

    forced = _decide(
        bureau, request.id, reason="", carry_out="Gegevens verwijderen", bevestigd="ja"
    )
    assert forced.status_code == 409
    assert "lopende aanvraag" in _flat(forced)
    no_reason = _decide(bureau, request.id, reason="", refuse="Weigeren")
    assert "Geef een reden" in _flat(no_reason)
    _decide(bureau, request.id, reason="Uw aanvraag loopt nog.", refuse="Weigeren")

    db.session.expire_all()
    assert db.session.get(ErasureRequest, request.id).state == ErasureState.REFUSED
    assert db.session.get(User, user.id).email == "bas@example.nl"
    refused = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.subject.contains("besluit"))
    )
    assert "Uw aanvraag loopt nog." in refused.body


def test_the_requests_page_runs_a_constant_number_of_queries(make_user, make_browser):
    from krsd.privacy import erasure

    make_user(roles={RoleName.ADMIN}, email=ADMIN)
    bureau = make_browser()
    bureau.login(ADMIN)
    counts = []
    for size in (1, 4):
        while db.session.scalar(select(func.count()).select_from(ErasureRequest)) < size:
            erasure.request_erasure(make_user())
            db.session.commit()
        counts.append(bureau.queries_for("/beheer/verwijderverzoeken"))
    assert counts[0] == counts[1]


# --- retention -----------------------------------------------------------------------


def _run_daily(app, register_clock, day: date) -> str:
    register_clock.move_to(datetime(day.year, day.month, day.day, 10, tzinfo=AMSTERDAM))
    result = app.test_cli_runner().invoke(args=["krsd", "daily", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def test_retention_removes_old_evidence_and_dormant_accounts(app, make_user, register_clock):
    # Certificate 1 Sept 2023 – 31 Aug 2026: the held activity's file goes after 31 Aug 2033.
    user, certificate, used, unused = certified_with_evidence(make_user, date(2023, 9, 1))
    dormant = make_user(email="slaper@example.nl")  # created 15 June 2026, never active
    used_file, unused_file = used.stored_name, unused.stored_name
    years = retention.retention_years()
    assert years == 7

    output = _run_daily(app, register_clock, date(2033, 6, 4))
    assert "bewijsstukken na de bewaartermijn verwijderd: 0" in output
    assert "accounts na de bewaartermijn verwijderd: 0" in output

    # The unused activity (5 June 2026) is past its date + 7 years; the held one is not.
    output = _run_daily(app, register_clock, date(2033, 6, 6))
    assert "bewijsstukken na de bewaartermijn verwijderd: 1" in output
    assert not storage.exists(unused_file) and storage.exists(used_file)

    # The dormant account (created 15 June 2026) goes after 15 June 2033; Anna stays.
    output = _run_daily(app, register_clock, date(2033, 6, 16))
    assert "accounts na de bewaartermijn verwijderd: 1" in output
    db.session.expire_all()
    assert db.session.get(User, dormant.id).email.endswith("@verwijderd.invalid")
    assert db.session.get(User, user.id).email == "anna@example.nl"
    assert db.session.scalar(select(ErasureRequest.origin)).value == "retention"

    output = _run_daily(app, register_clock, date(2033, 9, 1))
    assert "bewijsstukken na de bewaartermijn verwijderd: 1" in output
    assert not storage.exists(used_file)
    again = _run_daily(app, register_clock, date(2033, 9, 1))
    assert "bewijsstukken na de bewaartermijn verwijderd: 0" in again
    assert "accounts na de bewaartermijn verwijderd: 0" in again
