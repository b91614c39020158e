"""One upload cannot take the site down: zip bombs, the write lock, the number of files."""

import gc
import io
import struct
import threading
import time
import tracemalloc
import zipfile
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from krsd import storage
from krsd.certification.progress import counting_window
from krsd.extensions import db
from krsd.file_types import ODT_MIMETYPE, sniff
from krsd.portfolio import services
from krsd.portfolio.models import Activity, Evidence
from krsd.portfolio.rules import ActivityType, Category
from tests.portfolio.conftest import PDF, TODAY, docx_bytes, free_form, upload

NEW = "/portfolio/activiteiten/nieuw"
NOT_A_DOCUMENT = "geen PDF, PNG, JPEG, DOCX of ODT-bestand"
GIB = 1024 * 1024 * 1024


def _zip_bomb(inflated: int) -> bytes:
    """An ODT whose ``mimetype`` entry starts right and then inflates to ``inflated`` bytes."""
    buffer = io.BytesIO()
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("mimetype", "w", force_zip64=True) as entry:
            entry.write(ODT_MIMETYPE)
            for _ in range(inflated // len(chunk)):
                entry.write(chunk)
        archive.writestr("content.xml", "<office/>")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    content = _zip_bomb(GIB)
    assert len(content) < 2 * 1024 * 1024  # about 1 MB on the wire
    return content


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _files(folder) -> list:
    return list(folder.iterdir()) if folder.exists() else []


def _close_spooled_body(response) -> None:
    # The test client spools a large body to a temporary file it never closes.
    response.request.input_stream.close()
    gc.collect()


def test_a_1_gib_zip_bomb_is_refused_within_a_second_without_inflating(
    browser, professional, upload_folder, bomb
):
    data = free_form(files=[upload(bomb, "verslag.odt")])
    csrf = browser.csrf_token(NEW)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = browser.post(
            NEW, data={**data, "csrf_token": csrf}, content_type="multipart/form-data"
        )
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    html = response.get_data(as_text=True)
    _close_spooled_body(response)
    assert response.status_code == 200
    assert f"verslag.odt is {NOT_A_DOCUMENT}" in html
    assert 'value="Intervisie leerplicht"' in html  # the rest of the form is kept
    assert elapsed < 1.0
    assert peak < 50 * 1024 * 1024
    assert _count(Activity) == 0 and _files(upload_folder) == []


def _sniff_file(content: bytes) -> str | None:
    stream = io.BytesIO(content)
    return sniff(stream.read(16), stream)


def test_a_directory_that_lies_about_the_size_inflates_a_few_bytes_at_most():
    content = bytearray(_zip_bomb(16 * 1024 * 1024))
    # The central directory says the mimetype entry holds just the mimetype.
    directory = content.index(b"PK\x01\x02")
    struct.pack_into("<L", content, directory + 24, len(ODT_MIMETYPE))
    tracemalloc.start()
    try:
        kind = _sniff_file(bytes(content))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert kind is None
    assert peak < 2 * 1024 * 1024


def test_an_archive_with_absurdly_many_entries_is_refused_unread():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        for n in range(1001):
            archive.writestr(f"word/media/{n}.xml", "")
    assert _sniff_file(buffer.getvalue()) is None
    assert _sniff_file(docx_bytes()) == "docx"


def test_a_docx_with_a_bomb_in_another_entry_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/media/image1.bmp", bytes(16 * 1024 * 1024))
    assert _sniff_file(buffer.getvalue()) is None


def _wait_for_writer(monkeypatch, writer_done: threading.Event) -> dict:
    """Hold every sniff until ``writer_done`` is set (or 5 s have passed)."""
    real_sniff = storage.sniff
    seen = {"sniffing": threading.Event()}

    def held_sniff(head, data=None):
        seen["sniffing"].set()
        seen["writer_finished_meanwhile"] = writer_done.wait(timeout=5)
        return real_sniff(head, data)

    monkeypatch.setattr(storage, "sniff", held_sniff)
    return seen


def test_another_persons_save_goes_through_while_an_upload_is_sniffed(
    app, browser, professional, make_user, monkeypatch, bomb
):
    other = make_user(email="ander@example.nl")
    activity = Activity(
        owner_id=other.id,
        category=Category.FREE,
        type=ActivityType.WEBINAR,
        title="Webinar",
        provider="Aanbieder",
        activity_date=TODAY,
        hours=Decimal("2"),
        reflection="Geleerd.",
    )
    db.session.add(activity)
    db.session.commit()
    activity_id = activity.id
    writer_done = threading.Event()
    seen = _wait_for_writer(monkeypatch, writer_done)
    errors = []

    def other_persons_save():
        if not seen["sniffing"].wait(timeout=10):
            return
        try:
            with app.app_context():
                row = db.session.get(Activity, activity_id)
                change = services.ActivityInput(
                    category=Category.FREE,
                    activity_date=TODAY,
                    reflection_learned="De termijnen en de rolverdeling bij verzuim.",
                    reflection_applied="In elk eerste gesprek met een jongere en ouders.",
                    type=ActivityType.WEBINAR,
                    title="Webinar",
                    hours=Decimal("5"),
                )
                services.update_activity(
                    row, change, [], TODAY, counting_window(row.owner_id, TODAY)[0]
                )
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported by the test below
            errors.append(exc)
        writer_done.set()

    writer = threading.Thread(target=other_persons_save)
    writer.start()
    try:
        data = free_form(files=[upload(bomb, "verslag.odt")])
        response = browser.submit(NEW, data, content_type="multipart/form-data")
    finally:
        writer_done.set()
        writer.join(timeout=60)
    html = response.get_data(as_text=True)
    _close_spooled_body(response)
    assert not errors
    assert seen["writer_finished_meanwhile"], "the upload held the write lock while sniffing"
    assert f"verslag.odt is {NOT_A_DOCUMENT}" in html
    db.session.expire_all()
    assert db.session.get(Activity, activity_id).hours == Decimal("5")


def test_more_than_10_files_get_a_message_and_nothing_is_stored(
    browser, professional, upload_folder
):
    data = free_form(files=[upload(PDF, f"bewijs-{n}.pdf") for n in range(11)])
    response = browser.submit(NEW, data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Kies hoogstens 10 bestanden tegelijk; u koos er 11." in html
    assert 'value="Intervisie leerplicht"' in html
    assert _count(Activity) == 0 and _count(Evidence) == 0
    assert _files(upload_folder) == []


def test_10_files_are_fine(browser, professional):
    data = free_form(files=[upload(PDF, f"bewijs-{n}.pdf") for n in range(10)])
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    assert _count(Evidence) == 10


def test_a_refused_file_among_good_ones_leaves_no_temp_file(browser, professional, upload_folder):
    files = [upload(PDF, "goed.pdf"), upload(b"MZ\x90\x00", "slecht.pdf"), upload(PDF, "ook.pdf")]
    response = browser.submit(NEW, free_form(files=files), content_type="multipart/form-data")
    assert "slecht.pdf is geen PDF" in response.get_data(as_text=True)
    assert _count(Evidence) == 0 and _files(upload_folder) == []
