import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from krsd import storage
from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from krsd.portfolio.rules import ActivityType, Category
from tests.portfolio.conftest import PDF, TODAY, free_form

NEW = "/portfolio/activiteiten/nieuw"


@pytest.fixture
def someone_elses_activity(make_user, make_browser):
    make_user(email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    other.submit(NEW, free_form(), content_type="multipart/form-data")
    return db.session.scalar(select(Activity))


def test_another_professional_gets_404_everywhere(browser, professional, someone_elses_activity):
    activity = someone_elses_activity
    evidence = activity.evidence_files[0]
    base = f"/portfolio/activiteiten/{activity.id}"
    assert browser.get(base).status_code == 404
    assert browser.get(base + "/bewerken").status_code == 404
    assert browser.submit(base + "/bewerken", free_form(), form_url=NEW).status_code == 404
    assert browser.submit(base + "/verwijderen", form_url=NEW).status_code == 404
    assert browser.submit(base, {"files": []}, form_url=NEW).status_code == 404
    assert browser.get(f"/portfolio/bewijsstukken/{evidence.id}").status_code == 404
    url = f"/portfolio/bewijsstukken/{evidence.id}/verwijderen"
    assert browser.submit(url, form_url=NEW).status_code == 404
    assert db.session.get(Activity, activity.id) is not None


def test_the_registerbureau_can_download_evidence_of_a_draft_portfolio(
    make_user, make_browser, someone_elses_activity
):
    # Reviewers only see evidence before the commission: tests/portfolio/test_downloads.py
    make_user(roles={RoleName.ADMIN}, email="staff@example.nl")
    staff = make_browser()
    staff.login("staff@example.nl")
    evidence = someone_elses_activity.evidence_files[0]
    response = staff.get(f"/portfolio/bewijsstukken/{evidence.id}")
    body = response.get_data()
    response.close()  # the file is streamed; close it as a WSGI server would
    assert response.status_code == 200
    assert body == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.mimetype == "application/pdf"


def test_a_trainer_gets_404_for_evidence(make_user, make_browser, someone_elses_activity):
    make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    trainer = make_browser()
    trainer.login("trainer@example.nl")
    evidence = someone_elses_activity.evidence_files[0]
    assert trainer.get(f"/portfolio/bewijsstukken/{evidence.id}").status_code == 404


def _add_activities(owner, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        activity = Activity(
            owner_id=owner.id,
            category=Category.FREE if n % 3 else Category.ACCREDITED,
            type=ActivityType.WEBINAR if n % 3 else ActivityType.ACCREDITED_COURSE,
            title=f"Activiteit {n}",
            provider="Aanbieder",
            activity_date=TODAY - timedelta(days=n % 900),
            hours=Decimal("1.5"),
            reflection="Geleerd.",
        )
        activity.evidence_files.append(
            Evidence(stored_name=f"{n:040d}", label="x.pdf", kind="pdf", size=1, sha256="0" * 64)
        )
        db.session.add(activity)
    db.session.commit()


def test_the_dashboard_uses_the_same_number_of_queries_for_5_and_500_activities(
    browser, professional
):
    _add_activities(professional, 5)
    few = browser.queries_for("/portfolio/")
    _add_activities(professional, 495, start=5)
    many = browser.queries_for("/portfolio/")
    assert few == many


def test_the_dashboard_shows_progress_and_what_is_missing(browser, professional):
    _add_activities(professional, 10)
    html = " ".join(browser.get("/portfolio/").get_data(as_text=True).split())
    assert "6 / 24 uur" in html  # 4 accredited activities of 1,5 hour
    assert "9 / 72 uur" in html
    assert "Nog nodig: 18 uur aan geaccrediteerde opleidingen" in html
    filtered = browser.get("/portfolio/?categorie=accredited").get_data(as_text=True)
    assert "Activiteit 0" in filtered and "Activiteit 1<" not in filtered


def test_the_portfolio_pdf_prints_names_with_diacritics(browser, professional, tmp_path):
    browser.submit(NEW, free_form(title="Łukasz’ intervisie"), content_type="multipart/form-data")
    response = browser.get("/portfolio/overzicht.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "portfolio.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "Şükrü Çelik" in text
    assert "Łukasz’ intervisie" in text
    assert "3,5" in text


def test_check_storage_finds_missing_corrupt_and_orphaned_files(
    app, browser, professional, upload_folder
):
    for title in ("Een", "Twee", "Drie"):
        browser.submit(NEW, free_form(title=title), content_type="multipart/form-data")
    first, second, _third = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    (upload_folder / first.stored_name).unlink()
    (upload_folder / second.stored_name).write_bytes(PDF + b"changed")
    (upload_folder / "verdwaald-bestand-zonder-record").write_bytes(PDF)
    records = db.session.execute(select(Evidence.stored_name, Evidence.sha256)).all()
    report = storage.check([tuple(r) for r in records])
    assert report.missing == [first.stored_name]
    assert report.corrupt == [second.stored_name]
    assert report.orphaned == ["verdwaald-bestand-zonder-record"]
    result = app.test_cli_runner().invoke(args=["krsd", "check-storage"])
    assert result.exit_code == 1
    assert "Ontbreekt: 1" in result.output and "Wees (geen database-record): 1" in result.output
