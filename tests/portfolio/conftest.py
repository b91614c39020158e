import io
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest

from krsd.auth.rules import RoleName
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from tests.clock import TODAY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office/>")
    return buffer.getvalue()


def upload(content: bytes = PDF, name: str = "bewijs.pdf"):
    return (io.BytesIO(content), name)


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")
    return tmp_path / "uploads" / "evidence"


@pytest.fixture
def accreditation(app):
    course = Course(title="Leergang Module 1 Wet- en regelgeving", provider="Ingrado Academie")
    row = Accreditation(
        course=course,
        number="KRSD-A-TEST-1",
        hours=Decimal("16"),
        valid_from=TODAY - timedelta(days=400),
        valid_until=TODAY + timedelta(days=400),
    )
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def professional(make_user, browser):
    user = make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl", name="Şükrü Çelik")
    browser.login("prof@example.nl")
    return user


def free_form(**overrides) -> dict:
    data = {
        "category": "free",
        "type": "intervisie",
        "title": "Intervisie leerplicht",
        "provider": "Intervisiegroep West",
        "activity_date": (TODAY - timedelta(days=30)).isoformat(),
        "hours": "3,5",
        "reflection_learned": "Ik leerde mijn eigen aanpak te bevragen in het casusoverleg.",
        "reflection_applied": "Ik stel nu eerst open vragen in het gesprek met een jongere.",
        "files": [upload()],
    }
    data.update(overrides)
    return data
