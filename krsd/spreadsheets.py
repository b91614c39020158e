"""Tables as files: CSV for Dutch spreadsheet programs and XLSX with real dates and numbers.

Every download of a list (participants, the registerbureau's figures and worklists, the
audit log) goes through here, so they all look the same: semicolons and a byte order
mark in CSV, ISO dates in CSV and date cells in XLSX, numbers as numbers.
"""

import io

from flask import Response

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(frame) -> bytes:
    """A pandas DataFrame as CSV: semicolons and a byte order mark, as Excel in Dutch expects."""
    return frame.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")


def xlsx_bytes(frame, sheet_name: str, title: str = "") -> bytes:
    """One sheet, a frozen header row, date cells shown dd-mm-yyyy, readable column widths."""
    import pandas as pd  # half a second to import: only downloads need it

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl", date_format="DD-MM-YYYY") as writer:
        frame.to_excel(writer, index=False, sheet_name=sheet_name[:31])
        sheet = writer.sheets[sheet_name[:31]]
        sheet.freeze_panes = "A2"
        for cells, name in zip(sheet.columns, frame.columns, strict=True):
            width = max([len(str(name)), *(len(str(c.value or "")) for c in cells)])
            sheet.column_dimensions[cells[0].column_letter].width = min(width + 2, 50)
        if title:
            writer.book.properties.title = title[:200]
    return buffer.getvalue()


def download(body: bytes, filename: str) -> Response:
    """The file as an attachment (type from the extension), never cached."""
    mimetype = XLSX_MIMETYPE if filename.endswith(".xlsx") else "text/csv; charset=utf-8"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def frame_download(frame, basename: str, fmt: str, sheet_name: str, title: str = "") -> Response:
    """``fmt`` is "csv" or "xlsx"."""
    if fmt == "xlsx":
        return download(xlsx_bytes(frame, sheet_name, title), f"{basename}.xlsx")
    return download(csv_bytes(frame), f"{basename}.csv")
