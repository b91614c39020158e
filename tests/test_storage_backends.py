"""The storage interface: one contract, run against local disk and S3 (moto's mock)."""

import io
import re
import secrets
import time
import zipfile
from pathlib import Path

import pytest
from moto import mock_aws
from sqlalchemy import select

from krsd import storage
from krsd.auth.rules import RoleName
from krsd.config import ConfigurationError
from krsd.extensions import db
from krsd.portfolio.models import Activity
from krsd.storage_backends import LocalDiskStorage, backend, build
from krsd.storage_s3 import S3Storage
from tests.portfolio.conftest import PDF, free_form, upload

BUCKET = "krsd-bewijs"
NEW = "/portfolio/activiteiten/nieuw"
SOURCE = Path(__file__).resolve().parent.parent / "krsd"


@pytest.fixture
def s3():
    with mock_aws():
        yield


def _s3_store(tmp_path: Path) -> S3Storage:
    store = S3Storage(
        bucket=BUCKET,
        prefix="evidence/",
        staging=tmp_path / "staging",
        region="eu-west-1",
        access_key_id="testing",
        secret_access_key="testing",
    )
    store.client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        yield LocalDiskStorage(tmp_path / "evidence")
        return
    with mock_aws():
        yield _s3_store(tmp_path)


def _name() -> str:
    return secrets.token_urlsafe(24)


def _read(store, key: str) -> bytes:
    with store.open(key) as handle:
        return handle.read()


# --- the contract, for every backend --------------------------------------------------


def test_a_file_put_under_a_key_reads_back_whole(store):
    key = _name()
    store.put(key, PDF)

    assert store.exists(key)
    assert _read(store, key) == PDF


def test_putting_again_replaces_the_content(store):
    key = _name()
    store.put(key, b"eerste versie")
    store.put(key, PDF)

    assert _read(store, key) == PDF


def test_a_missing_key_does_not_exist_and_cannot_be_opened(store):
    key = _name()

    assert not store.exists(key)
    with pytest.raises(FileNotFoundError):
        store.open(key)


def test_delete_removes_the_file_and_a_missing_one_is_no_error(store):
    key = _name()
    store.put(key, PDF)

    store.delete(key)
    store.delete(key)

    assert not store.exists(key)
    assert key not in {item.name for item in store.listing()}


def test_placing_a_staged_file_stores_it_and_leaves_no_temp_file(store):
    staged = store.staging_folder() / ".upload-test"
    staged.write_bytes(PDF)
    key = _name()

    store.place(key, staged)

    assert not staged.exists()
    assert _read(store, key) == PDF


def test_a_killed_upload_is_listed_and_can_be_removed(store):
    leftover = store.staging_folder() / ".upload-killed"
    leftover.write_bytes(b"half")

    assert ".upload-killed" in {item.name for item in store.listing()}
    store.delete(".upload-killed")
    assert not leftover.exists()


@pytest.mark.real_clock  # the file system's clock is the real one
def test_the_listing_names_every_file_with_its_age(store):
    keys = {_name() for _ in range(3)}
    for key in keys:
        store.put(key, PDF)

    listed = {item.name: item.modified for item in store.listing()}

    assert set(listed) == keys
    assert all(abs(modified - time.time()) < 120 for modified in listed.values())


@pytest.mark.parametrize("key", ["../buiten", "map/bestand", "", "a b"])
def test_a_key_that_could_leave_the_store_is_refused(store, key):
    with pytest.raises(ValueError):
        store.put(key, PDF)
    with pytest.raises(ValueError):
        store.exists(key)


def test_send_answers_with_the_content_as_a_download(app, store):
    key = _name()
    store.put(key, PDF)

    with app.test_request_context("/"):
        response = store.send(
            key, mimetype="application/pdf", download_name="bewijs.pdf", as_attachment=True
        )
        response.direct_passthrough = False
        body = response.get_data()
        response.close()

    assert response.status_code == 200 and body == PDF
    assert response.content_length == len(PDF)
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == "attachment; filename=bewijs.pdf"
    assert response.cache_control.max_age == 0


# --- the S3 backend's own details ------------------------------------------------------


def test_s3_lists_only_the_objects_under_its_prefix(s3, tmp_path):
    store = _s3_store(tmp_path)
    key = _name()
    store.put(key, PDF)
    store.client.put_object(Bucket=BUCKET, Key="elders/iets", Body=b"x")
    store.client.put_object(Bucket=BUCKET, Key="evidence/map/iets", Body=b"x")

    assert [item.name for item in store.listing()] == [key]
    assert store.client.get_object(Bucket=BUCKET, Key=f"evidence/{key}")["Body"].read() == PDF


# --- chosen by the settings -------------------------------------------------------------


def _settings(tmp_path, **overrides) -> dict:
    return {"STORAGE": "local", "UPLOAD_FOLDER": tmp_path / "uploads"} | overrides


def test_local_disk_is_the_default(tmp_path):
    store = build(_settings(tmp_path, STORAGE=None))

    assert isinstance(store, LocalDiskStorage)
    assert store.folder == tmp_path / "uploads" / "evidence"


def test_s3_is_built_from_the_settings(s3, tmp_path):
    store = build(
        _settings(
            tmp_path,
            STORAGE="s3",
            S3_BUCKET=BUCKET,
            S3_PREFIX="krsd/",
            S3_ENDPOINT_URL="https://s3.example.nl",
            S3_REGION="eu-west-1",
        )
    )

    assert isinstance(store, S3Storage)
    assert (store.bucket, store.prefix) == (BUCKET, "krsd/")
    assert store.client.meta.endpoint_url == "https://s3.example.nl"
    assert store.staging_folder() == tmp_path / "uploads" / "staging"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"STORAGE": "ftp"}, "KRSD_STORAGE"),
        ({"STORAGE": "s3"}, "KRSD_S3_BUCKET"),
    ],
)
def test_settings_that_cannot_work_stop_the_start(tmp_path, overrides, message):
    with pytest.raises(ConfigurationError, match=message):
        build(_settings(tmp_path, **overrides))


def test_no_module_builds_a_path_under_the_upload_folder_itself():
    allowed = {"config.py", "storage_backends.py"}
    users = sorted(
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if path.name not in allowed
        and re.search(r"UPLOAD_FOLDER|send_file\(\s*\w*path", path.read_text())
    )
    assert users == []


# --- the app on S3 ------------------------------------------------------------------------


@pytest.fixture
def on_s3(app, s3, tmp_path, monkeypatch):
    for name, value in {
        "STORAGE": "s3",
        "S3_BUCKET": BUCKET,
        "S3_PREFIX": "evidence/",
        "S3_REGION": "eu-west-1",
        "UPLOAD_FOLDER": tmp_path / "uploads",
    }.items():
        monkeypatch.setitem(app.config, name, value)
    store = backend()
    store.client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return store


def test_evidence_uploaded_on_s3_is_downloaded_exported_checked_and_removed(
    app, on_s3, tmp_path, make_user, browser
):
    make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl")
    browser.login("prof@example.nl")
    data = free_form(files=[upload(PDF, "certificaat.pdf")])

    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    activity = db.session.scalar(select(Activity))
    evidence = activity.evidence_files[0]
    assert [item.name for item in on_s3.listing()] == [evidence.stored_name]
    assert list((tmp_path / "uploads" / "staging").iterdir()) == []  # nothing left on disk

    response = browser.get(f"/portfolio/bewijsstukken/{evidence.id}")
    assert response.status_code == 200 and response.get_data() == PDF
    response.close()

    exported = browser.submit("/account/gegevens/download", form_url="/account/gegevens")
    data = exported.data
    exported.close()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert PDF in [archive.read(name) for name in archive.namelist()]

    result = app.test_cli_runner().invoke(args=["krsd", "check-storage"])
    assert result.exit_code == 0, result.output
    assert "Ontbreekt: 0" in result.output and "Wees (geen database-record): 0" in result.output

    on_s3.delete(evidence.stored_name)
    assert browser.get(f"/portfolio/bewijsstukken/{evidence.id}").status_code == 404
    assert storage.exists(evidence.stored_name) is False
