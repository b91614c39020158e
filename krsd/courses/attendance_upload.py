"""Results as a file (pandas): the template to fill in, and reading an uploaded CSV or XLSX.

Rows are keyed by registratienummer or e-mailadres; the columns aanwezig and geslaagd hold
ja / nee, beoordeling voldoende / onvoldoende. An empty cell keeps what was recorded.
"""

import io
import re
import warnings
import zipfile

import pandas as pd

from krsd.courses.attendance import Participant, RawRow
from krsd.courses.attendance_rules import answer_label

MAX_BYTES = 1024 * 1024
MAX_ROWS = 1000
#: an XLSX of MAX_ROWS rows inflates to a few MB; a zip bomb claims far more
MAX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 200
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: header (lower case, without spaces) → RawRow field; other columns (naam) are ignored
COLUMNS = {
    "registratienummer": "number",
    "e-mailadres": "email",
    "emailadres": "email",
    "e-mail": "email",
    "email": "email",
    "aanwezig": "attended",
    "geslaagd": "passed",
    "beoordeling": "grade",
}
#: a cell a spreadsheet would run as a formula gets a quote in front
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class UploadRejected(Exception):
    """The file as a whole cannot be read; the message is Dutch."""


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_START) else value


def template_frame(people: list[Participant], graded: bool) -> pd.DataFrame:
    """The participants with what is recorded so far, ready to be filled in."""
    rows = []
    for p in people:
        result = p.result
        row = {
            "registratienummer": p.registration_number or "",
            "e-mailadres": _cell(p.user.email),
            "naam": _cell(p.user.name),
            "aanwezig": "" if result.attended is None else answer_label(result.attended),
            "geslaagd": "" if result.passed is None else answer_label(result.passed),
        }
        if graded:
            row["beoordeling"] = result.grade or ""
        rows.append(row)
    columns = ["registratienummer", "e-mailadres", "naam", "aanwezig", "geslaagd"]
    return pd.DataFrame(rows, columns=columns + (["beoordeling"] if graded else []))


def template_csv(frame: pd.DataFrame) -> bytes:
    # Semicolons and a byte-order mark: Dutch Excel opens it in columns, accents intact.
    return frame.to_csv(sep=";", index=False).encode("utf-8-sig")


def template_xlsx(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, sheet_name="Resultaten")
        sheet = writer.sheets["Resultaten"]
        for column, width in zip("ABCDEF", (18, 32, 28, 10, 10, 13), strict=False):
            sheet.column_dimensions[column].width = width
    return buffer.getvalue()


def read_rows(data: bytes) -> list[RawRow]:
    """The rows of an uploaded CSV or XLSX (decided by content), or UploadRejected."""
    if not data:
        raise UploadRejected("Het bestand is leeg.")
    if len(data) > MAX_BYTES:
        raise UploadRejected(f"Het bestand is groter dan {MAX_BYTES // 1024} kB.")
    frame = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    return _rows(frame)


def _read_csv(data: bytes) -> pd.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise UploadRejected("Dit is geen CSV- of XLSX-bestand.")
    header = text.lstrip().split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=header.count)
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise UploadRejected(
            "Dit CSV-bestand kunnen wij niet lezen. Gebruik het sjabloon en bewaar het als CSV "
            "of XLSX."
        ) from exc


def _read_xlsx(data: bytes) -> pd.DataFrame:
    unreadable = UploadRejected(
        "Dit XLSX-bestand kunnen wij niet lezen. Gebruik het sjabloon en bewaar het als XLSX."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES or sum(i.file_size for i in infos) > MAX_INFLATED_BYTES:
                raise unreadable
            if "xl/workbook.xml" not in {i.filename for i in infos}:
                raise unreadable
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it ignores anyway
            return pd.read_excel(
                io.BytesIO(data), dtype=str, keep_default_na=False, engine="openpyxl"
            )
    except UploadRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any malformed workbook: the same Dutch answer
        raise unreadable from exc


def _header(name) -> str:
    return re.sub(r"\s+", "", str(name)).lower()


def _rows(frame: pd.DataFrame) -> list[RawRow]:
    fields = {}
    for column in frame.columns:
        target = COLUMNS.get(_header(column))
        if target and target not in fields:
            fields[target] = column
    if "number" not in fields and "email" not in fields:
        raise UploadRejected(
            "Het bestand heeft geen kolom ‘registratienummer’ of ‘e-mailadres’. Gebruik het "
            "sjabloon: de eerste rij noemt de kolommen."
        )
    if not {"attended", "passed", "grade"} & fields.keys():
        raise UploadRejected(
            "Het bestand heeft geen kolom ‘aanwezig’, ‘geslaagd’ of ‘beoordeling’."
        )
    rows = []
    for index, values in enumerate(frame.itertuples(index=False), start=2):
        record = dict(zip(frame.columns, values, strict=True))
        cells = {target: _clean(record[column]) for target, column in fields.items()}
        if any(cells.values()):
            rows.append(RawRow(row=index, **cells))
    if not rows:
        raise UploadRejected("Het bestand heeft geen rijen met deelnemers.")
    if len(rows) > MAX_ROWS:
        raise UploadRejected(f"Het bestand heeft meer dan {MAX_ROWS} rijen.")
    return rows


def _clean(value) -> str:
    text = "" if value is None else str(value).strip()
    return text[1:] if text.startswith("'") else text
