"""Results from a CSV or XLSX file: a per-row report, then all rows or none (issue 9, point 6)."""

import html
import io
import re

import pandas as pd
import pytest

from krsd.auth.rules import RoleName
from krsd.certification.models import Registration
from krsd.courses.models import Enrolment, Grade
from krsd.extensions import db
from tests.courses import result_rows as rows

ROWS_FIELD = re.compile(r'name="rows" type="hidden" value="([^"]*)"')


def base(edition) -> str:
    return f"/cursussen/uitvoering/{edition.id}/resultaten"


def upload(browser, edition, content: bytes, name: str):
    return browser.submit(
        f"{base(edition)}/bestand",
        {"file": (io.BytesIO(content), name)},
        form_url=base(edition),
        content_type="multipart/form-data",
    )


def apply(browser, edition, report_page):
    payload = html.unescape(ROWS_FIELD.search(report_page.get_data(as_text=True)).group(1))
    return browser.submit(
        f"{base(edition)}/bestand/vastleggen", {"rows": payload}, form_url=base(edition)
    )


def csv_bytes(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def results() -> dict[str, tuple]:
    db.session.expire_all()
    return {
        e.user.email: (e.attended, e.passed, e.grade) for e in db.session.query(Enrolment).all()
    }


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    browser.login(user.email)
    return user


@pytest.fixture
def graded(trainer, make_user):
    """A graded course's ended edition: Anna (registered as KRSD-000042) and Bram."""
    edition = rows.edition(rows.course(trainers=[trainer], graded=True))
    anna = make_user(email="anna@example.nl", name="Anna de Boer")
    bram = make_user(email="bram@example.nl", name='=HYPERLINK("http://evil")')
    db.session.add(Registration(user_id=anna.id, sequence=42, number="KRSD-000042"))
    db.session.commit()
    rows.seat(edition, anna, bram)
    return edition


def test_the_filled_in_template_is_checked_row_by_row_then_applied_whole(browser, graded):
    template = browser.get(f"{base(graded)}/sjabloon.xlsx")
    assert template.status_code == 200
    assert "attachment" in template.headers["Content-Disposition"]
    frame = pd.read_excel(io.BytesIO(template.data), dtype=str, keep_default_na=False)
    assert list(frame.columns) == [
        "registratienummer",
        "e-mailadres",
        "naam",
        "aanwezig",
        "geslaagd",
        "beoordeling",
    ]
    assert set(frame["registratienummer"]) == {"KRSD-000042", ""}
    assert '\'=HYPERLINK("http://evil")' in set(frame["naam"])  # never run as a formula
    filled = frame.copy()
    filled["aanwezig"] = "ja"
    filled["geslaagd"] = ["ja" if n else "nee" for n in frame["registratienummer"]]
    filled["beoordeling"] = [
        "voldoende" if n else "onvoldoende" for n in frame["registratienummer"]
    ]
    buffer = io.BytesIO()
    filled.to_excel(buffer, index=False)

    report = upload(browser, graded, buffer.getvalue(), "resultaten.xlsx")
    text = rows.flat(report)
    assert report.status_code == 200
    assert "Alle 2 rijen kloppen; 2 deelnemers krijgen een nieuw resultaat" in text
    assert "Anna de Boer (KRSD-000042)" in text
    assert "aanwezig: — → ja; geslaagd: — → ja; beoordeling: — → voldoende" in text
    assert results()["anna@example.nl"] == (None, None, None)  # only checked so far

    applied = apply(browser, graded, report)
    assert applied.status_code == 302
    assert results() == {
        "anna@example.nl": (True, True, Grade.VOLDOENDE),
        "bram@example.nl": (True, False, Grade.ONVOLDOENDE),
    }
    assert rows.audit_count("courses.result_recorded") == 2


def test_one_wrong_row_applies_nothing_and_the_report_names_each_row_and_reason(browser, graded):
    content = csv_bytes(
        [
            "e-mailadres;aanwezig;geslaagd;beoordeling",
            "bram@example.nl;ja;nee;onvoldoende",
            "onbekend@example.nl;ja;ja;voldoende",
            "",
            "anna@example.nl;misschien;;",
            "BRAM@example.nl;ja;;",
        ]
    )
    report = upload(browser, graded, content, "resultaten.csv")
    text = rows.flat(report)
    assert "3 van de 4 rijen kloppen niet" in text and "Er is niets vastgelegd" in text
    assert '<td data-label="Rij">3</td> <td data-label="Deelnemer">onbekend@example.nl</td>' in text
    assert "Geen deelnemer van deze uitvoering met e-mailadres onbekend@example.nl" in text
    assert (
        '<td data-label="Rij">5</td> <td data-label="Deelnemer">Anna de Boer (KRSD-000042)</td>'
        in text
    )
    assert "Aanwezig: vul ja of nee in (er staat ‘misschien’)" in text
    assert "Deze deelnemer staat ook in rij 2" in text
    assert "Resultaten vastleggen" not in text
    assert results()["bram@example.nl"] == (None, None, None)


def test_the_rows_sent_back_are_checked_again_and_applied_only_when_all_still_fit(
    browser, graded, trainer
):
    content = csv_bytes(["registratienummer,aanwezig", "krsd-000042,ja"])
    report = upload(browser, graded, content, "r.csv")
    assert "aanwezig: — → ja" in rows.flat(report)
    # Meanwhile Anna is no longer seated: applying now reports her row, saves nothing.
    anna = db.session.query(Enrolment).join(Enrolment.user).filter_by(email="anna@example.nl").one()
    anna.state = anna.state.CANCELLED
    db.session.commit()
    again = apply(browser, graded, report)
    assert again.status_code == 200
    assert "intussen is er iets veranderd" in rows.flat(again)
    assert "Geen deelnemer van deze uitvoering met registratienummer KRSD-000042" in rows.flat(
        again
    )


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"%PDF-1.4 nonsense", "r.pdf", "Het bestand heeft geen kolom ‘registratienummer’"),
        (b"PK\x03\x04broken", "r.xlsx", "Dit XLSX-bestand kunnen wij niet lezen"),
        (b"naam;aanwezig\nAnna;ja\n", "r.csv", "geen kolom ‘registratienummer’ of ‘e-mailadres’"),
        (b"e-mailadres;naam\nanna@example.nl;Anna\n", "r.csv", "geen kolom ‘aanwezig’"),
        (b"e-mailadres;aanwezig\n", "r.csv", "geen rijen met deelnemers"),
        (b"", "r.csv", "Kies een CSV- of XLSX-bestand"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_in_dutch(browser, graded, content, name, message):
    response = upload(browser, graded, content, name if content else "")
    assert response.status_code == 200
    assert message in rows.flat(response)
    assert results()["anna@example.nl"] == (None, None, None)


def test_the_csv_template_opens_in_dutch_excel(browser, graded):
    response = browser.get(f"{base(graded)}/sjabloon.csv")
    body = response.data
    assert body.startswith(b"\xef\xbb\xbf")  # so Excel reads the accents as UTF-8
    header = body.decode("utf-8-sig").splitlines()[0]
    assert header == "registratienummer;e-mailadres;naam;aanwezig;geslaagd;beoordeling"
    assert response.mimetype == "text/csv"
