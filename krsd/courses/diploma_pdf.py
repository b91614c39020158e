"""The Leergang diploma as a PDF (fpdf2, embedded DejaVu font, vector QR code by segno)."""

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
class DiplomaData:
    name: str
    programme: str
    modules: list[str]
    issued_on: date
    verification_code: str
    verification_url: str


def render_diploma(data: DiplomaData, font_dir: Path | str) -> bytes:
    """A4 landscape diploma; returns the PDF bytes."""
    font_dir = Path(font_dir)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Diploma {data.programme}")
    pdf.set_author("Kwaliteitsregister Sociaal Domein")
    pdf.set_auto_page_break(False)
    add_dejavu(
        pdf,
        font_dir,
        data.name,
        data.programme,
        *data.modules,
        data.verification_code,
        data.verification_url,
    )
    pdf.add_page()
    width, height = pdf.w, pdf.h

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
    pdf.cell(width - 40, 16, "Diploma", align="C")
    pdf.set_font("DejaVu", "", 14)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(20, 54)
    pdf.cell(width - 40, 7, data.programme, align="C")

    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(30, 70)
    pdf.cell(width - 60, 7, "Het Kwaliteitsregister Sociaal Domein verklaart dat", align="C")
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(30, 80)
    pdf.cell(width - 60, 14, data.name, align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(40, 98)
    pdf.multi_cell(
        width - 80,
        6.5,
        f"alle modules van de {data.programme} met een voldoende heeft afgerond:",
        align="C",
    )
    pdf.set_font("DejaVu", "B", 12)
    y = 110
    for module in data.modules:
        pdf.set_xy(40, y)
        pdf.cell(width - 80, 7, module, align="C")
        y += 7

    qr_size = 32
    qr_y = height - 22 - qr_size
    draw_qr(pdf, data.verification_url, 24, qr_y, qr_size)
    pdf.set_text_color(*INK)
    pdf.set_xy(60, qr_y + 4)
    pdf.set_font("DejaVu", "B", 10)
    pdf.cell(100, 5, "Controleer dit diploma")
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
    pdf.cell(84, 5, "Namens het registerbureau KRSD", align="C")
    pdf.set_xy(width - 110, qr_y + 26)
    pdf.set_text_color(*MUTED)
    pdf.cell(84, 5, f"Uitgereikt op {nl_date(data.issued_on)}", align="C")
    return bytes(pdf.output())
