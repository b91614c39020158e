"""Accreditation as a workflow: the trainer asks, the registerbureau grants or refuses,
extends or withdraws; every step audited and mailed; the Leergang module of a course."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.courses import accreditation
from krsd.courses.models import (
    Accreditation,
    AccreditationRequest,
    Course,
    CourseStatus,
    CourseTrainer,
    RequestAttachment,
    RequestState,
)
from krsd.courses.services import CatalogueError
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests.clock import TODAY
from tests.races import race

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WORKLIST = "/cursussen/accreditatie"


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def _mails(subject_part: str) -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.subject.contains(subject_part))
        .order_by(OutboxMessage.recipient)
    ).all()


def request_form(files=(), **overrides) -> dict:
    data = {
        "hours_requested": "16",
        "programme_text": "Vier dagdelen: de Leerplichtwet, de RMC-wetgeving, casuïstiek.",
        "learning_goals": "De deelnemer past de Leerplichtwet toe in eigen casussen.",
        "files": [(io.BytesIO(content), name) for content, name in files],
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")
    return tmp_path / "uploads" / "evidence"


@pytest.fixture
def trainers(make_user):
    return [
        make_user(roles={RoleName.TRAINER}, email="tineke@example.nl", name="Tineke de Vries"),
        make_user(roles={RoleName.TRAINER}, email="karim@example.nl", name="Karim Amrani"),
    ]


def make_course(trainers, title="Module 1 Wet- en regelgeving") -> Course:
    course = Course(title=title, provider="Ingrado Academie", status=CourseStatus.PUBLISHED)
    course.trainers = [CourseTrainer(user_id=t.id) for t in trainers]
    db.session.add(course)
    db.session.commit()
    return course


@pytest.fixture
def course(trainers):
    return make_course(trainers)


@pytest.fixture
def trainer_browser(make_browser, trainers):
    b = make_browser()
    b.login(trainers[0].email)
    return b


@pytest.fixture
def bureau(make_user, make_browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau Bert")
    b = make_browser()
    b.login("bureau@example.nl")
    b.user = user
    return b


def open_request(course, by, days_ago=0, hours="16") -> AccreditationRequest:
    item = AccreditationRequest(
        course_id=course.id,
        requested_by_id=by.id,
        hours_requested=Decimal(hours),
        programme_text="Programma",
        learning_goals="Leerdoelen",
    )
    db.session.add(item)
    db.session.flush()
    item.requested_at = item.requested_at - timedelta(days=days_ago)
    db.session.commit()
    return item


def accredit(course, number="KRSD-A-2026-001", hours="16", **fields) -> Accreditation:
    fields.setdefault("valid_from", TODAY - timedelta(days=100))
    fields.setdefault("valid_until", TODAY + timedelta(days=700))
    item = Accreditation(course_id=course.id, number=number, hours=Decimal(hours), **fields)
    db.session.add(item)
    db.session.commit()
    return item


# -- the trainer's request ----------------------------------------------------------------


def test_a_trainer_requests_accreditation_and_every_trainer_is_mailed(
    trainer_browser, trainers, course, upload_folder
):
    url = f"/cursussen/mijn/{course.id}/accreditatie"
    response = trainer_browser.submit(
        url, request_form(files=[(PDF, "programma.pdf"), (docx(), "leerdoelen.docx")])
    )
    assert response.status_code == 302
    item = db.session.scalar(select(AccreditationRequest))
    assert item.state == RequestState.REQUESTED and item.hours_requested == Decimal(16)
    assert item.requested_by_id == trainers[0].id
    assert [(a.label, a.kind) for a in item.attachments] == [
        ("programma.pdf", "pdf"),
        ("leerdoelen.docx", "docx"),
    ]
    assert {p.name for p in upload_folder.iterdir()} == {a.stored_name for a in item.attachments}
    (entry,) = _audit("courses.accreditation_requested")
    assert entry.actor_id == trainers[0].id
    assert json.loads(entry.details)["attachments"] == ["programma.pdf", "leerdoelen.docx"]
    mails = _mails("Accreditatie aangevraagd")
    assert [m.recipient for m in mails] == ["karim@example.nl", "tineke@example.nl"]
    assert f"/cursussen/mijn/{course.id}" in mails[0].body

    page = _flat(trainer_browser.get(f"/cursussen/mijn/{course.id}"))
    assert "Er loopt een aanvraag" in page and "programma.pdf" in page
    again = trainer_browser.submit(url, request_form())
    assert again.status_code == 400
    assert "Voor deze cursus loopt al een accreditatieaanvraag" in _flat(again)
    assert db.session.scalar(select(func.count()).select_from(AccreditationRequest)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (request_form(files=[(b"MZ\x90\x00", "programma.pdf")]), "geen PDF, PNG, JPEG"),
        (request_form(files=[(PDF, f"b{n}.pdf") for n in range(11)]), "hoogstens 10 bijlagen"),
        (request_form(files=[(PDF, "p.pdf")], programme_text=""), "Er is niets opgeslagen."),
        (request_form(hours_requested="zestien"), "Vul een aantal uren in"),
    ],
)
def test_a_bad_request_saves_nothing(trainer_browser, course, upload_folder, data, message):
    response = trainer_browser.submit(f"/cursussen/mijn/{course.id}/accreditatie", data)
    assert response.status_code == 400
    assert message in _flat(response)
    assert "De deelnemer past de Leerplichtwet toe" in _flat(response)  # input kept
    assert db.session.scalar(select(func.count()).select_from(AccreditationRequest)) == 0
    assert not upload_folder.exists() or not list(upload_folder.iterdir())


def test_attachments_open_for_the_bureau_and_the_courses_trainers_only(
    trainer_browser, trainers, course, bureau, make_user, make_browser
):
    trainer_browser.submit(
        f"/cursussen/mijn/{course.id}/accreditatie", request_form(files=[(PDF, "p.pdf")])
    )
    url = f"/cursussen/accreditatie/bijlagen/{db.session.scalar(select(RequestAttachment.id))}"
    own = trainer_browser.get(url)
    body = own.get_data()
    own.close()  # the file is streamed; close it as a WSGI server would
    assert own.status_code == 200 and body == PDF
    assert own.headers["Content-Disposition"].startswith("attachment")
    by_bureau = bureau.get(url)
    by_bureau.close()
    assert by_bureau.status_code == 200
    make_user(roles={RoleName.TRAINER}, email="ander@example.nl")
    make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl")
    other, professional = make_browser(), make_browser()
    other.login("ander@example.nl")
    professional.login("prof@example.nl")
    assert other.get(url).status_code == 404
    assert professional.get(url).status_code == 403


def test_two_simultaneous_requests_for_one_course_make_one(app, trainers, course):
    course_id, ids = course.id, [t.id for t in trainers]
    data = accreditation.RequestInput(Decimal(8), "Programma", "Leerdoelen")

    def ask(n):
        return lambda: (
            accreditation.request_accreditation(
                course_id, data, [], db.session.get(User, ids[n])
            ).id
        )

    results = race(app, ask(0), ask(1))
    made = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, CatalogueError)]
    assert len(made) == 1 and len(refused) == 1, results
    assert "loopt al een accreditatieaanvraag" in str(refused[0])
    assert db.session.scalar(select(func.count()).select_from(AccreditationRequest)) == 1


# -- the registerbureau decides -----------------------------------------------------------


def grant_form(**overrides) -> dict:
    data = {
        "grant-number": "KRSD-A-2026-014",
        "grant-hours": "12,5",
        "grant-valid_from": TODAY.isoformat(),
        "grant-valid_until": (TODAY + timedelta(days=3 * 365)).isoformat(),
        "grant-remark": "Programma en leerdoelen voldoen aan het kader.",
        "grant-grant": "Toekennen",
    }
    data.update(overrides)
    return data


def test_the_bureau_grants_from_its_worklist_oldest_first(
    bureau, trainers, course, trainer_browser
):
    newer = make_course(trainers[:1], title="Module 2 Het netwerk in beeld")
    open_request(newer, trainers[0], days_ago=1)
    item = open_request(course, trainers[1], days_ago=5)
    worklist = _flat(bureau.get(WORKLIST))
    assert worklist.index("Module 1 Wet-") < worklist.index("Module 2 Het netwerk")

    url = f"{WORKLIST}/{item.id}"
    page = _flat(bureau.get(url))
    assert 'value="16"' in page and "Karim Amrani" in page  # hours asked proposed
    assert bureau.submit(url, grant_form()).status_code == 302
    db.session.expire_all()
    granted = db.session.scalar(select(Accreditation))
    assert (granted.number, granted.hours, granted.valid_from) == (
        "KRSD-A-2026-014",
        Decimal("12.5"),
        TODAY,
    )
    assert granted.request_id == item.id and granted.granted_by_id == bureau.user.id
    decided = db.session.get(AccreditationRequest, item.id)
    assert decided.state == RequestState.GRANTED and decided.decided_by_id == bureau.user.id
    (entry,) = _audit("courses.accreditation_granted")
    assert entry.actor_id == bureau.user.id
    assert entry.reason == "Programma en leerdoelen voldoen aan het kader."
    assert json.loads(entry.details)["hours_requested"] == "16.00"
    mails = _mails("Accreditatie toegekend")
    assert len(mails) == 2 and "KRSD-A-2026-014" in mails[0].body and "12,5" in mails[0].body
    assert "Geaccrediteerd, 12,5 uur" in _flat(trainer_browser.get("/cursussen/mijn"))

    twice = bureau.submit(url, grant_form(**{"grant-number": "KRSD-A-2026-099"}), form_url=WORKLIST)
    assert twice.status_code == 400 and "Over deze aanvraag is al besloten." in _flat(twice)
    assert db.session.scalar(select(func.count()).select_from(Accreditation)) == 1


def test_an_accreditation_number_is_given_once(bureau, trainers, course):
    accredit(course, number="KRSD-A-2026-014")
    item = open_request(make_course(trainers, title="Intervisie"), trainers[0])
    response = bureau.submit(f"{WORKLIST}/{item.id}", grant_form())
    assert response.status_code == 400
    assert "Dit accreditatienummer is al in gebruik." in _flat(response)
    assert db.session.get(AccreditationRequest, item.id).state == RequestState.REQUESTED


def test_a_refusal_needs_a_reason_and_the_trainer_may_ask_again(
    bureau, trainers, course, trainer_browser
):
    item = open_request(course, trainers[0])
    url = f"{WORKLIST}/{item.id}"
    empty = bureau.submit(url, {"refuse-reason": "", "refuse-refuse": "Afwijzen"})
    assert empty.status_code == 400 and "Dit veld is verplicht." in _flat(empty)
    reason = "De leerdoelen zijn niet toetsbaar geformuleerd."
    done = bureau.submit(url, {"refuse-reason": reason, "refuse-refuse": "Afwijzen"})
    assert done.status_code == 302
    db.session.expire_all()
    refused = db.session.get(AccreditationRequest, item.id)
    assert refused.state == RequestState.REFUSED and refused.decision_reason == reason
    assert _audit("courses.accreditation_refused")[0].reason == reason
    assert all(reason in m.body for m in _mails("Accreditatie afgewezen"))
    page = _flat(trainer_browser.get(f"/cursussen/mijn/{course.id}"))
    assert reason in page and "Accreditatie aanvragen" in page
    again = trainer_browser.submit(f"/cursussen/mijn/{course.id}/accreditatie", request_form())
    assert again.status_code == 302


def test_extend_and_withdraw_an_accreditation(bureau, trainers, course):
    item = accredit(course, valid_until=TODAY + timedelta(days=30))
    extend = f"/cursussen/geaccrediteerd/{item.id}/verlengen"
    earlier = bureau.submit(extend, {"valid_until": TODAY.isoformat(), "reason": "Verzoek"})
    assert earlier.status_code == 400 and "Kies een einddatum na de huidige" in _flat(earlier)
    later = TODAY + timedelta(days=400)
    assert (
        bureau.submit(
            extend, {"valid_until": later.isoformat(), "reason": "Herzien programma"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(Accreditation, item.id).valid_until == later
    (entry,) = _audit("courses.accreditation_extended")
    assert entry.reason == "Herzien programma"
    assert json.loads(entry.details)["old_valid_until"] == (TODAY + timedelta(days=30)).isoformat()
    assert len(_mails("verlengd")) == 2

    withdraw = f"/cursussen/geaccrediteerd/{item.id}/intrekken"
    past = bureau.submit(
        withdraw, {"withdrawn_on": (TODAY - timedelta(days=1)).isoformat(), "reason": "x"}
    )
    assert "niet met terugwerkende kracht" in _flat(past)
    beyond = bureau.submit(
        withdraw, {"withdrawn_on": (later + timedelta(days=1)).isoformat(), "reason": "x"}
    )
    assert "na het einde van de accreditatie" in _flat(beyond)
    on = TODAY + timedelta(days=14)
    ok = bureau.submit(withdraw, {"withdrawn_on": on.isoformat(), "reason": "Aanbieder gestopt"})
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(Accreditation, item.id).withdrawn_on == on
    assert _audit("courses.accreditation_withdrawn")[0].reason == "Aanbieder gestopt"
    assert all("Aanbieder gestopt" in m.body for m in _mails("ingetrokken"))
    listing = _flat(bureau.get("/cursussen/geaccrediteerd"))
    assert (
        "wordt ingetrokken per" in listing and f"/geaccrediteerd/{item.id}/intrekken" not in listing
    )
    refused = bureau.submit(
        extend, {"valid_until": (later + timedelta(days=9)).isoformat(), "reason": "x"}
    )
    assert "Een ingetrokken accreditatie kan niet worden verlengd." in _flat(refused)


def test_a_course_is_one_leergang_module_and_a_module_one_course(bureau, trainers, course):
    other = make_course(trainers, title="Module 2 bis")
    url = f"/cursussen/beheer/{course.id}"
    assert bureau.submit(url, {"module": "2", "reason": "Besluit bestuur"}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(Course, course.id)
    assert (moved.programme_id, moved.module_number) == (1, 2)
    (entry,) = _audit("courses.programme_module_set")
    assert entry.reason == "Besluit bestuur" and json.loads(entry.details)["new_module"] == 2
    clash = bureau.submit(f"/cursussen/beheer/{other.id}", {"module": "2", "reason": "Fout"})
    assert clash.status_code == 400
    assert "Module 2 van de Leergang Leerplicht/RMC is al ‘Module 1 Wet- en regelgeving’" in _flat(
        clash
    )
    assert db.session.get(Course, other.id).module_number is None
    bureau.submit(url, {"module": "", "reason": "Ruil"})
    assert (
        bureau.submit(
            f"/cursussen/beheer/{other.id}", {"module": "2", "reason": "Ruil"}
        ).status_code
        == 302
    )
    assert db.session.get(Course, course.id).module_number is None


def test_the_bureau_pages_run_a_constant_number_of_queries(bureau, trainers):
    def add(start, count):
        for n in range(start, start + count):
            c = make_course(trainers, title=f"Cursus {n:02d}")
            open_request(c, trainers[n % 2])
            accredit(c, number=f"KRSD-A-{n:03d}")

    add(1, 1)
    small = [bureau.queries_for(u) for u in (WORKLIST, "/cursussen/geaccrediteerd")]
    add(2, 6)
    large = [bureau.queries_for(u) for u in (WORKLIST, "/cursussen/geaccrediteerd")]
    assert small == large
    assert _flat(bureau.get(WORKLIST)).count("Ingrado Academie") == 7
