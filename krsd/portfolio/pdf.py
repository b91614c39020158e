"""The portfolio overview as a PDF: activities of a window, hours per category, totals."""

from datetime import date
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from fpdf.fonts import FontFace

from krsd.formatting import nl_date, nl_hours
from krsd.pdf_fonts import add_dejavu

BRAND = (21, 66, 115)


def portfolio_pdf(user, data, activities, today: date, period: str | None = None) -> bytes:
    """``period``: an earlier period in words (the current one when None): its heading, and
    no "still needed" line, since nothing more can be added to it."""
    font_dir = Path(current_app.config["PDF_FONT_DIR"])
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(f"KRSD-portfolio {user.name}")
    pdf.set_author("Kwaliteitsregister Sociaal Domein")
    add_dejavu(
        pdf,
        font_dir,
        user.name,
        user.function_label,
        user.employer or "",
        str(data.regulation.version),
        period or "",
        *(f"{a.title}{a.type_label or ''}{a.provider or ''}" for a in activities),
    )
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    pdf.set_font("DejaVu", "B", 10)
    pdf.set_text_color(*BRAND)
    pdf.cell(0, 6, "KWALITEITSREGISTER SOCIAAL DOMEIN", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 10, "Portfolio-overzicht", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 10)
    lines = [
        f"{user.name} — {user.function_label}" + (f", {user.employer}" if user.employer else ""),
        f"Periode: {nl_date(data.window.start)} tot en met {nl_date(data.window.end)}"
        + ("" if period is None else " (eerdere periode)"),
        *([period] if period else []),
        f"Reglement versie {data.regulation.version} · afgedrukt op {nl_date(today)}",
    ]
    for line in lines:
        pdf.cell(0, 5.5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    p = data.progress
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, "Uren", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 244))
    with pdf.table(col_widths=(70, 40, 60), headings_style=heading, line_height=6) as table:
        table.row(("", "Uren", "Norm"))
        table.row(
            ("Geaccrediteerd", nl_hours(p.accredited), f"minimaal {nl_hours(p.min_accredited)}")
        )
        free = nl_hours(p.free_counted)
        if p.free_not_counted > 0:
            free += f" (+{nl_hours(p.free_not_counted)} telt niet mee)"
        table.row(("Vrije ruimte", free, f"maximaal {nl_hours(p.max_free)}"))
        table.row(("Totaal meegeteld", nl_hours(p.total_counted), nl_hours(p.total_required)))
    pdf.ln(2)
    verdict = (
        f"Meegeteld in deze periode: {nl_hours(p.total_counted)} uur."
        if period
        else "Voldoet aan het reglement."
        if p.eligible
        else f"Nog nodig: {nl_hours(p.missing_accredited)} uur geaccrediteerd, "
        f"{nl_hours(p.missing_total)} uur in totaal."
    )
    pdf.cell(0, 6, verdict, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)

    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 7, f"Activiteiten ({len(activities)})", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    with pdf.table(
        col_widths=(24, 68, 30, 40, 14), headings_style=heading, line_height=5, text_align="LEFT"
    ) as table:
        table.row(("Datum", "Titel", "Categorie", "Aanbieder", "Uren"))
        for activity in activities:
            table.row(
                (
                    nl_date(activity.activity_date),
                    activity.title,
                    activity.type_label,
                    activity.provider or "",
                    nl_hours(activity.hours),
                )
            )
    return bytes(pdf.output())
