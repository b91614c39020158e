"""``flask krsd check-storage --repair``: orphans older than an hour go, younger ones stay."""

import os
import time
from datetime import date, timedelta
from decimal import Decimal

import pytest

from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from krsd.portfolio.rules import ActivityType, Category
from krsd.storage import file_hash

PDF = b"%PDF-1.4\n%%EOF\n"
KNOWN = "k" * 32


@pytest.fixture
def evidence_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")
    folder = tmp_path / "uploads" / "evidence"
    folder.mkdir(parents=True)
    return folder


def _file(folder, name: str, age: timedelta):
    path = folder / name
    path.write_bytes(PDF)
    moment = time.time() - age.total_seconds()
    os.utime(path, (moment, moment))
    return path


def _evidence_on_record(make_user, folder) -> None:
    path = _file(folder, KNOWN, timedelta(days=30))
    activity = Activity(
        owner_id=make_user().id,
        category=Category.FREE,
        type=ActivityType.WEBINAR,
        title="Webinar",
        activity_date=date(2026, 6, 1),
        hours=Decimal("2"),
        reflection="Geleerd.",
    )
    activity.evidence_files.append(
        Evidence(
            stored_name=KNOWN, label="a.pdf", kind="pdf", size=len(PDF), sha256=file_hash(path)
        )
    )
    db.session.add(activity)
    db.session.commit()


def test_repair_removes_old_orphans_and_killed_uploads_and_keeps_young_ones(
    app, make_user, evidence_folder
):
    _evidence_on_record(make_user, evidence_folder)
    old_orphan = _file(evidence_folder, "o" * 32, timedelta(hours=2))
    old_upload = _file(evidence_folder, ".upload-killed", timedelta(hours=1, minutes=1))
    young_orphan = _file(evidence_folder, "y" * 32, timedelta(minutes=50))
    young_upload = _file(evidence_folder, ".upload-in-flight", timedelta(seconds=5))

    result = app.test_cli_runner().invoke(args=["krsd", "check-storage", "--repair"])

    assert result.exit_code == 0, result.output
    assert "Verwijderd (wees, ouder dan een uur): 2" in result.output
    assert f"  {old_orphan.name}\n" in result.output
    assert f"  {old_upload.name}\n" in result.output
    assert "Bewaard (jonger dan een uur, mogelijk een lopende upload): 2" in result.output
    assert not old_orphan.exists() and not old_upload.exists()
    assert young_orphan.exists() and young_upload.exists()
    assert (evidence_folder / KNOWN).exists()


def test_without_repair_nothing_is_removed(app, make_user, evidence_folder):
    _evidence_on_record(make_user, evidence_folder)
    old_orphan = _file(evidence_folder, "o" * 32, timedelta(days=2))
    result = app.test_cli_runner().invoke(args=["krsd", "check-storage"])
    assert result.exit_code == 1
    assert "Wees (geen database-record): 1" in result.output
    assert "Verwijderd" not in result.output
    assert old_orphan.exists()


def test_repair_still_reports_missing_files(app, make_user, evidence_folder):
    _evidence_on_record(make_user, evidence_folder)
    (evidence_folder / KNOWN).unlink()
    result = app.test_cli_runner().invoke(args=["krsd", "check-storage", "--repair"])
    assert result.exit_code == 1
    assert "Ontbreekt: 1" in result.output
