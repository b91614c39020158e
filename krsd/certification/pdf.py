"""The certificate as a PDF (fpdf2, embedded DejaVu font, vector QR code by segno)."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF

from krsd.formatting import nl_date
from krsd.pdf_fonts import add_dejavu
from krsd.pdf_qr import draw_qr

BRAND = (21, 66, 115)
INK = (27, 31, 36)
MUTED = (74, 85, 99)


@dataclass(frozen=True)
class CertificateData:
    name: str
    function: str
    employer: str
    registration_number: str
    valid_from: date
    valid_until: date
    decided_on: date
    verification_code: str
    verification_url: str
    kind_label: str
    #: the day an approved name change reissued the certificate, if it was
    reissued_on: date | None = None


def _variable_texts(data: CertificateData) -> list[str]:
    return [value for value in vars(data).values() if isinstance(value, str)]


def render_certificate(data: CertificateData, font_dir: Path) -> bytes:
    """A4 landscape certificate; returns the PDF bytes."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"KRSD-certificaat {data.registration_number}")
    pdf.set_author("Kwaliteitsregister Sociaal Domein")
    pdf.set_auto_page_break(False)
    add_dejavu(pdf, font_dir, *_variable_texts(data))
    pdf.add_page()
    width, height = pdf.w, pdf.h

    # Frame: a broad band and a thin inner line.
    pdf.set_draw_color(*BRAND)
    pdf.set_line_width(2.2)
    pdf.rect(8, 8, width - 16, height - 16)
    pdf.set_line_width(0.4)
    pdf.rect(13, 13, width - 26, height - 26)

    pdf.set_text_color(*BRAND)
    pdf.set_font("DejaVu", "B", 13)
    pdf.set_xy(20, 24)
    pdf.cell(width - 40, 8, "KWALITEITSREGISTER SOCIAAL DOMEIN", align="C")
    pdf.set_font("DejaVu", "B", 34)
    pdf.set_xy(20, 36)
    pdf.cell(width - 40, 16, "Certificaat", align="C")
    pdf.set_font("DejaVu", "", 12)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(20, 54)
    pdf.cell(width - 40, 7, data.kind_label, align="C")

    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(30, 70)
    pdf.cell(width - 60, 7, "De Commissie Conformiteitsbepaling verklaart dat", align="C")
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(30, 80)
    pdf.cell(width - 60, 14, data.name, align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(30, 96)
    role = data.function + (f", {data.employer}" if data.employer else "")
    pdf.cell(width - 60, 7, role, align="C")
    pdf.set_xy(40, 108)
    pdf.multi_cell(
        width - 80,
        6.5,
        "voldoet aan de eisen van het Reglement Persoonscertificering van het KRSD en is "
        "ingeschreven als gecertificeerd professional in het sociaal domein.",
        align="C",
    )

    # Facts in three columns.
    facts = (
        ("Registratienummer", data.registration_number),
        ("Geldig van", nl_date(data.valid_from)),
        ("Geldig tot en met", nl_date(data.valid_until)),
    )
    column = (width - 80) / 3
    for i, (label, value) in enumerate(facts):
        x = 40 + i * column
        pdf.set_xy(x, 130)
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(*MUTED)
        pdf.cell(column, 6, label, align="C")
        pdf.set_xy(x, 137)
        pdf.set_font("DejaVu", "B", 15)
        pdf.set_text_color(*INK)
        pdf.cell(column, 8, value, align="C")

    # Verification block bottom left, signature block bottom right.
    qr_size = 32
    qr_y = height - 22 - qr_size
    draw_qr(pdf, data.verification_url, 24, qr_y, qr_size)
    pdf.set_xy(60, qr_y + 4)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(100, 5, "Controleer dit certificaat")
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(60, qr_y + 10)
    pdf.multi_cell(100, 4.5, f"Scan de QR-code of ga naar\n{data.verification_url}")
    pdf.set_xy(60, qr_y + 22)
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(100, 6, f"Verificatiecode {data.verification_code}")

    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(width - 110, qr_y + 18, width - 26, qr_y + 18)
    pdf.set_xy(width - 110, qr_y + 20)
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(84, 5, "Namens de Commissie Conformiteitsbepaling", align="C")
    pdf.set_xy(width - 110, qr_y + 26)
    pdf.set_text_color(*MUTED)
    pdf.cell(84, 5, f"Besluit van {nl_date(data.decided_on)}", align="C")
    if data.reissued_on:
        pdf.set_xy(width - 110, qr_y + 31)
        pdf.cell(84, 5, f"Heruitgegeven op {nl_date(data.reissued_on)}", align="C")
    return bytes(pdf.output())
