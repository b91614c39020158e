"""The QR code on the certificate and the diploma: drawn as runs of dark modules, and a
scanner reads the verification address from the printed page."""

import subprocess
from datetime import date
from pathlib import Path

import pytest

from krsd.certification.pdf import CertificateData, render_certificate
from krsd.config import Config
from krsd.courses.diploma_pdf import DiplomaData, render_diploma
from krsd.pdf_qr import dark_runs

FONT_DIR = Path(Config.PDF_FONT_DIR)
URL = "https://register.example.nl/verificatie/QRST-UVWX-YZ23"


@pytest.mark.parametrize(
    ("row", "runs"),
    [
        ([], []),
        ([0, 0, 0], []),
        ([1, 1, 1], [(0, 3)]),
        ([1, 0, 1, 1, 0, 0, 1], [(0, 1), (2, 2), (6, 1)]),
        ([0, 1, 1, 1, 0], [(1, 3)]),
    ],
)
def test_dark_runs_are_the_stretches_of_dark_modules_in_a_row(row, runs):
    assert list(dark_runs(row)) == runs


def _scanned(pdf: bytes, tmp_path: Path) -> str:
    (tmp_path / "document.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(tmp_path / "document.pdf"), str(tmp_path / "page")],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "page-1.png")],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_the_certificates_qr_code_scans_as_its_verification_address(tmp_path):
    data = CertificateData(
        name="Şükrü Yılmaz",
        function="Leerplichtambtenaar",
        employer="Gemeente Testdorp",
        registration_number="KRSD-00042",
        valid_from=date(2026, 9, 1),
        valid_until=date(2029, 8, 31),
        decided_on=date(2026, 6, 15),
        verification_code="QRST-UVWX-YZ23",
        verification_url=URL,
        kind_label="Eerste certificering",
    )
    assert _scanned(render_certificate(data, FONT_DIR), tmp_path) == URL


def test_the_diplomas_qr_code_scans_as_its_verification_address(tmp_path):
    data = DiplomaData(
        name="Łukasz Nowak",
        programme="Leergang Leerplicht",
        modules=["Module 1: wet en regels", "Module 2: gesprekstechniek"],
        issued_on=date(2026, 6, 15),
        verification_code="QRST-UVWX-YZ23",
        verification_url=URL,
    )
    assert _scanned(render_diploma(data, FONT_DIR), tmp_path) == URL
