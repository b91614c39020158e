"""Generated evidence for the demo: a small PDF made with fpdf2, no binaries in the repo."""

from datetime import date
from io import BytesIO

from fpdf import FPDF
from werkzeug.datastructures import FileStorage

from krsd.formatting import nl_date


def evidence_pdf(title: str, name: str, day: date) -> FileStorage:
    """A small generated certificate of attendance (no binary files in the repository)."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 16)
    pdf.cell(0, 12, "Bewijs van deelname", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 11)
    ascii_name = name.encode("latin-1", "replace").decode("latin-1")
    ascii_title = title.encode("latin-1", "replace").decode("latin-1")
    for line in (ascii_title, f"Deelnemer: {ascii_name}", f"Datum: {nl_date(day)}"):
        pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    filename = f"bewijs-{day:%Y%m%d}.pdf"
    return FileStorage(BytesIO(data), filename=filename, content_type="application/pdf")
