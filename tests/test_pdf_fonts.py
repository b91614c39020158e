"""The PDFs' DejaVu, parsed once per process, draws what fpdf2's own add_font draws, covers
names in any script DejaVu has, and keeps nothing of one document in the next."""

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from krsd.certification.pdf import CertificateData, render_certificate
from krsd.config import Config
from krsd.pdf_fonts import FAMILY, FILES, add_dejavu

FONT_DIR = Path(Config.PDF_FONT_DIR)
LATIN = "Şükrü Łukasz Ærø-Øyvind Nguyễn Đức — “curly” €"
GREEK_CYRILLIC = "Ελένη Παπαδοπούλου, Олег Іваненко"
#: scripts outside the reduced font (DejaVu has them): Georgian, Armenian
OTHER_SCRIPTS = "ნინო Արամ"


def _document(text: str, fonts) -> bytes:
    pdf = FPDF(unit="mm", format="A4")
    fonts(pdf)
    pdf.add_page()
    for style in FILES:
        pdf.set_font(FAMILY, style, 11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _fpdf2_own(pdf: FPDF) -> None:
    for style, name in FILES.items():
        pdf.add_font(FAMILY, style, str(FONT_DIR / name))


def _pixels(pdf: bytes, tmp_path: Path, name: str) -> bytes:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "100", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
        check=True,
    )
    return (tmp_path / f"{name}-1.png").read_bytes()


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


@pytest.mark.parametrize("text", [LATIN, GREEK_CYRILLIC, OTHER_SCRIPTS])
def test_the_fonts_draw_exactly_what_fpdf2s_own_fonts_draw(text, tmp_path):
    own = _document(text, _fpdf2_own)
    cached = _document(text, lambda pdf: add_dejavu(pdf, FONT_DIR, text))
    assert _pixels(cached, tmp_path, "cached") == _pixels(own, tmp_path, "own")


@pytest.mark.parametrize("text", [LATIN, GREEK_CYRILLIC, OTHER_SCRIPTS])
def test_names_in_every_script_dejavu_has_can_be_read_from_the_pdf(text, tmp_path):
    pdf = _document(text, lambda pdf: add_dejavu(pdf, FONT_DIR, text))
    assert _text(pdf, tmp_path) == f"{text} {text}"


def _certificate(name: str) -> CertificateData:
    return CertificateData(
        name=name,
        function="Leerplichtambtenaar",
        employer="Gemeente Ærø",
        registration_number="KRSD-00012",
        valid_from=date(2026, 9, 1),
        valid_until=date(2029, 8, 31),
        decided_on=date(2026, 6, 15),
        verification_code="ABCD-EFGH-JKLM",
        verification_url="https://register.example.nl/verificatie/ABCD-EFGH-JKLM",
        kind_label="Eerste certificering",
    )


def _without_date(pdf: bytes) -> bytes:
    """The document without its creation time and the file identifier made from it."""
    return re.sub(rb"/CreationDate \(D:\d+Z\)|/ID \[<[0-9A-F]+><[0-9A-F]+>\]", b"", pdf)


def test_a_certificate_keeps_nothing_of_the_one_before():
    first = render_certificate(_certificate("Łukasz Kowalski"), FONT_DIR)
    render_certificate(_certificate("Zoë Ξανθή Şükrü"), FONT_DIR)
    assert _without_date(render_certificate(_certificate("Łukasz Kowalski"), FONT_DIR)) == (
        _without_date(first)
    )


def test_certificates_rendered_at_the_same_time_are_each_their_own():
    names = [f"Persoon {n} {'ŁŞÆØĐĦŊŒ'[n]}{'Ελένη'[n % 5]}" for n in range(8)]
    alone = {
        name: _without_date(render_certificate(_certificate(name), FONT_DIR)) for name in names
    }
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = pool.map(lambda name: render_certificate(_certificate(name), FONT_DIR), names)
        for name, pdf in zip(names, together, strict=True):
            assert _without_date(pdf) == alone[name], name
