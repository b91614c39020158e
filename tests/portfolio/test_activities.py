"""Logging activities through the real form: good input, and every kind of bad input."""

import gc
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from tests.portfolio.conftest import PDF, TODAY, docx_bytes, free_form, odt_bytes, upload

NEW = "/portfolio/activiteiten/nieuw"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _files(folder) -> list:
    return [p for p in folder.iterdir()] if folder.exists() else []


def test_a_free_space_activity_with_evidence_is_stored(browser, professional, upload_folder):
    response = browser.submit(NEW, free_form(), content_type="multipart/form-data")
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity))
    assert activity.hours == Decimal("3.50")
    assert activity.owner_id == professional.id
    evidence = activity.evidence_files[0]
    assert evidence.kind == "pdf" and evidence.size == len(PDF) and evidence.label == "bewijs.pdf"
    stored = upload_folder / evidence.stored_name
    assert stored.read_bytes() == PDF
    assert evidence.stored_name != "bewijs.pdf"
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "portfolio.activity_logged")
    )


def test_an_accredited_activity_takes_its_hours_from_the_accreditation(
    browser, professional, accreditation
):
    data = free_form(
        category="accredited", accreditation=str(accreditation.id), hours="99", title=""
    )
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    activity = db.session.scalar(select(Activity))
    assert activity.hours == Decimal("16")
    assert activity.title == "Leergang Module 1 Wet- en regelgeving"


@pytest.mark.parametrize(
    ("content", "name"), [(docx_bytes(), "verslag.docx"), (odt_bytes(), "x.odt")]
)
def test_office_documents_are_recognised_by_content(browser, professional, content, name):
    data = free_form(files=[upload(content, name)])
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    assert db.session.scalar(select(Evidence.kind)) == name.rsplit(".", 1)[1]


BAD_INPUT = [
    ({"hours": "0"}, "meer dan 0"),
    ({"hours": "-3"}, "meer dan 0"),
    ({"hours": "40,5"}, "hoogstens 40 uur"),
    ({"hours": "1,255"}, "twee cijfers achter de komma"),
    ({"hours": "drie"}, "Vul een aantal uren in, bijv. 8 of 8,5."),
    ({"activity_date": (TODAY + timedelta(days=1)).isoformat()}, "toekomst"),
    ({"activity_date": (TODAY - timedelta(days=4 * 365)).isoformat()}, "vóór de periode"),
    ({"activity_date": "31-02-2026"}, "Vul een geldige datum in"),
    ({"title": ""}, "Dit veld is verplicht."),
    ({"reflection_learned": ""}, "Beantwoord deze vraag in minstens 30 tekens."),
    ({"reflection_applied": "In gesprekken."}, "Schrijf minstens 30 tekens; nu zijn het er 14."),
    ({"files": [upload(b"MZ\x90\x00 this is a program", "bewijs.pdf")]}, "geen PDF, PNG, JPEG"),
    ({"files": [upload(b"", "leeg.pdf")]}, "is leeg"),
    ({"files": []}, "Voeg minstens één bewijsstuk toe"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUT)
def test_bad_input_gets_a_dutch_message_and_stores_nothing(
    browser, professional, upload_folder, change, message
):
    data = free_form(**change)
    response = browser.submit(NEW, data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in html
    assert _count(Activity) == 0 and _count(Evidence) == 0
    assert _files(upload_folder) == []
    # What the user typed stays filled in.
    if change.get("title", None) != "":
        assert 'value="Intervisie leerplicht"' in html
    assert 'value="Intervisiegroep West"' in html


def test_a_reflection_of_1_mb_gets_a_message(browser, professional):
    data = free_form(reflection_learned="x" * 1_000_000)
    response = browser.submit(NEW, data, content_type="multipart/form-data")
    assert response.status_code == 200
    assert "Hoogstens 5000 tekens." in response.get_data(as_text=True)
    assert _count(Activity) == 0
    # The test client spools a body this large to a temporary file it never closes;
    # close it here rather than leave it to the garbage collector in a later test.
    response.request.input_stream.close()
    del response
    gc.collect()


def test_a_file_over_the_limit_is_refused_with_a_message(app, browser, professional, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_UPLOAD_BYTES", 1024)
    data = free_form(files=[upload(PDF + b"0" * 2048, "groot.pdf")])
    html = browser.submit(NEW, data, content_type="multipart/form-data").get_data(as_text=True)
    assert "groot.pdf is groter dan" in html
    assert "Kies het bestand opnieuw" in html
    assert _count(Activity) == 0


def test_a_body_over_the_request_limit_gets_the_dutch_413_page(
    app, browser, professional, monkeypatch
):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    data = free_form(files=[upload(PDF + b"0" * 4096, "groot.pdf")])
    response = browser.submit(NEW, data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "Bestand te groot" in response.get_data(as_text=True)
    assert _count(Activity) == 0


def test_a_file_name_with_a_path_or_control_characters_is_only_a_label(
    browser, professional, upload_folder
):
    data = free_form(files=[upload(PDF, "..\\..\\../etc/pass\x07wd\x1b.pdf")])
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    evidence = db.session.scalar(select(Evidence))
    assert evidence.label == "passwd.pdf"
    assert [p.name for p in _files(upload_folder)] == [evidence.stored_name]


def test_an_accredited_activity_outside_the_accreditation_period_is_refused(
    browser, professional, accreditation
):
    accreditation.valid_from = TODAY - timedelta(days=10)
    db.session.commit()
    data = free_form(
        category="accredited",
        accreditation=str(accreditation.id),
        activity_date=(TODAY - timedelta(days=20)).isoformat(),
    )
    html = browser.submit(NEW, data, content_type="multipart/form-data").get_data(as_text=True)
    assert "niet geaccrediteerd" in html
    assert _count(Activity) == 0


def test_a_failed_database_write_leaves_no_file(browser, professional, upload_folder, monkeypatch):
    def broken_audit(*args, **kwargs):
        raise RuntimeError("database weg")

    monkeypatch.setattr("krsd.portfolio.services.audit.record", broken_audit)
    browser.client.application.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = browser.submit(NEW, free_form(), content_type="multipart/form-data")
    finally:
        browser.client.application.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    assert _count(Activity) == 0
    assert _files(upload_folder) == []


def test_deleting_an_activity_removes_its_files(browser, professional, upload_folder):
    browser.submit(NEW, free_form(), content_type="multipart/form-data")
    activity = db.session.scalar(select(Activity))
    assert len(_files(upload_folder)) == 1
    url = f"/portfolio/activiteiten/{activity.id}"
    asked = browser.submit(url + "/verwijderen", form_url=url)
    assert asked.status_code == 200
    assert "Weet u zeker dat u ‘Intervisie leerplicht’ wilt verwijderen?" in asked.get_data(
        as_text=True
    )
    assert _count(Activity) == 1 and len(_files(upload_folder)) == 1  # only asked so far
    confirmed = browser.submit(url + "/verwijderen", {"bevestigd": "ja"}, form_url=url)
    assert confirmed.status_code == 302
    assert _count(Activity) == 0 and _count(Evidence) == 0
    assert _files(upload_folder) == []


def test_deleting_evidence_asks_first(browser, professional, upload_folder):
    browser.submit(NEW, free_form(files=[upload(), upload(name="tweede.pdf")]))
    activity = db.session.scalar(select(Activity))
    evidence = activity.evidence_files[1]
    url = f"/portfolio/bewijsstukken/{evidence.id}/verwijderen"
    detail = f"/portfolio/activiteiten/{activity.id}"
    asked = browser.submit(url, form_url=detail).get_data(as_text=True)
    assert "Weet u zeker dat u ‘tweede.pdf’ wilt verwijderen?" in asked
    assert _count(Evidence) == 2
    assert browser.submit(url, {"bevestigd": "ja"}, form_url=detail).status_code == 302
    assert _count(Evidence) == 1 and len(_files(upload_folder)) == 1


def test_editing_keeps_the_evidence_and_changes_the_hours(browser, professional):
    browser.submit(NEW, free_form(), content_type="multipart/form-data")
    activity = db.session.scalar(select(Activity))
    url = f"/portfolio/activiteiten/{activity.id}/bewerken"
    response = browser.submit(
        url, free_form(hours="6", files=[]), content_type="multipart/form-data"
    )
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.hours == Decimal("6.00") and len(activity.evidence_files) == 1


def test_all_problems_are_shown_at_once(browser, professional):
    data = free_form(type="", hours="40,5", activity_date="", reflection_learned="")
    html = browser.submit(NEW, data, content_type="multipart/form-data").get_data(as_text=True)
    for message in (
        "Kies het soort activiteit.",
        "hoogstens 40 uur",
        "Vul de datum in",
        "Beantwoord deze vraag",
    ):
        assert message in html
    assert _count(Activity) == 0
