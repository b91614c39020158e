"""The registerbureau downloads a selection of certificates as one ZIP of PDFs."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from krsd.admin import certificate_bulk
from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.extensions import db
from tests.certification.test_daily import certify
from tests.clock import TODAY

URL = "/beheer/certificaten/zip"
FORM = "/beheer/certificaten"


@pytest.fixture
def admin_browser(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser = make_browser()
    browser.login("bureau@example.nl")
    return browser


def test_a_month_of_certificates_downloads_as_one_zip_of_pdfs(make_user, admin_browser):
    anna = certify(make_user(name="Anna de Vriës"), TODAY + timedelta(days=400))
    bram = certify(make_user(name="Bram Bos"), TODAY + timedelta(days=10))
    certify(make_user(name="Oud Certificaat"), TODAY - timedelta(days=10))  # expired

    page = admin_browser.get(FORM).get_data(as_text=True)
    assert "Certificaten downloaden als ZIP" in page

    response = admin_browser.submit(URL, {"month": "2026-06", "valid_on": ""}, form_url=FORM)
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert "certificaten_uitgegeven-2026-06.zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()  # as the WSGI server does: the spooled file is closed
    names = archive.namelist()
    assert len(names) == 3
    assert f"{anna.registration_number}_{anna.valid_from.isoformat()}_Anna-de-Vries.pdf" in names
    assert all(archive.read(name).startswith(b"%PDF") for name in names)

    # Valid on a day: the expired one is not in it.
    response = admin_browser.submit(
        URL, {"month": "2026-06", "valid_on": TODAY.isoformat()}, form_url=FORM
    )
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    response.close()
    assert sorted(n.split("_")[0] for n in names) == sorted(
        [anna.registration_number, bram.registration_number]
    )

    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "admin.certificates_downloaded")
    ).all()
    assert [e.actor_email for e in entries] == ["bureau@example.nl"] * 2
    assert json.loads(entries[1].details) == {
        "month": "2026-06",
        "valid_on": TODAY.isoformat(),
        "count": 2,
    }


def test_an_empty_or_wrong_selection_is_refused_in_dutch(admin_browser):
    response = admin_browser.submit(URL, {"month": "", "valid_on": ""}, form_url=FORM)
    assert response.status_code == 400
    assert "Kies een maand van uitgifte" in response.get_data(as_text=True)
    response = admin_browser.submit(URL, {"month": "juni", "valid_on": ""}, form_url=FORM)
    assert response.status_code == 400 and "jjjj-mm" in response.get_data(as_text=True)


def test_more_certificates_than_the_cap_are_refused(make_user, admin_browser, monkeypatch):
    monkeypatch.setattr(certificate_bulk, "MAX_CERTIFICATES", 1)
    for _ in range(2):
        certify(make_user(), TODAY + timedelta(days=100))
    response = admin_browser.submit(URL, {"month": "2026-06"}, form_url=FORM)
    assert response.status_code == 302
    page = admin_browser.get(FORM).get_data(as_text=True)
    assert "meer dan 1 certificaten" in page
    assert not db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "admin.certificates_downloaded")
    ).all()


def test_only_the_registerbureau_downloads_certificates(make_user, make_browser):
    make_user(email="prof@example.nl")
    browser = make_browser()
    browser.login("prof@example.nl")
    assert browser.submit(URL, {"month": "2026-06"}, form_url="/").status_code == 403
