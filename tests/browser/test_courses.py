"""Issue 9 in Chromium: a trainer publishes a course, the registerbureau accredits it and
makes it Leergang module 3, a professional enrols, the trainer records the result, the
hours reach her portfolio and the third module gives a diploma that verifies; and every
courses page fits a 390 px wide screen.

``KRSD_SCREENSHOTS=/some/dir`` also saves screenshots of the main pages at 390 and 1280 px.
"""

import os
import re
import subprocess
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import expect

from krsd.auth.rules import RoleName
from krsd.clock import AMSTERDAM
from krsd.courses import attendance
from krsd.courses.attendance_rules import Result
from krsd.courses.models import (
    AccreditationRequest,
    CourseSession,
    CourseTargetGroup,
    EnrolmentState,
    TargetGroup,
)
from krsd.extensions import db
from tests.browser.test_portfolio import login
from tests.clock import TODAY
from tests.courses import result_rows as rows

pytestmark = pytest.mark.browser

TITLE = "Methodisch handelen in leerplicht en RMC"
PASSED = Result(attended=True, passed=True, grade="voldoende")


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def _people(make_user):
    trainer = make_user(roles={RoleName.TRAINER}, email="jan@ingrado.nl", name="Jan de Vries")
    make_user(roles={RoleName.ADMIN}, email="bureau@krsd.nl", name="Ria Registerbureau")
    fatima = make_user(email="fatima@example.nl", name="Fatima el Amrani")
    return trainer, fatima


def _passed_modules(app, trainer, fatima, numbers, hours):
    """Modules passed in editions that ended yesterday, recorded (and credited) as the
    attendance page would; returns the editions."""
    editions = []
    for number, module_hours in zip(numbers, hours, strict=True):
        edition = rows.edition(rows.leergang_module(number, [trainer], hours=module_hours))
        (seated,) = rows.seat(edition, fatima)
        with app.test_request_context("/"):
            attendance.record_result(edition, seated.id, PASSED, trainer, TODAY)
        editions.append(edition)
    return editions


def _accredited_bar(page):
    _menu(page, "Mijn portfolio")
    page.wait_for_url("**/portfolio/")
    return page.locator("[data-bar=accredited]")


def _menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name=name).click()


def _flash(page):
    """The first message on the page (retried by ``expect`` until the next page is in)."""
    return page.get_by_role("status").first


def test_from_a_new_course_to_a_diploma_that_verifies(
    app, page, chromium, live_server, make_user, register_clock, tmp_path
):
    trainer, fatima = _people(make_user)
    _passed_modules(app, trainer, fatima, (1, 2), ("8", "12"))
    db.session.rollback()  # the served app needs the write lock: hold no transaction

    def new_page():
        return chromium.new_context(base_url=live_server.url, locale="nl-NL").new_page()

    # The trainer creates the course, publishes it and asks for accreditation.
    login(page, "jan@ingrado.nl")
    _menu(page, "Mijn cursussen")
    page.get_by_role("link", name="Nieuwe cursus").click()
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Aanbieder").fill("Ingrado Academie")
    page.get_by_label("Omschrijving").fill("Casuïstiek, gespreksvoering en het verzuimprotocol.")
    page.get_by_label("Vorm").select_option(label="Klassikaal")
    page.get_by_label("Studiebelasting in uren").fill("16")
    page.get_by_label("Leerplicht", exact=True).check()
    page.get_by_label("RMC/doorstroom").check()
    page.get_by_label("Met beoordeling (voldoende / onvoldoende)").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(_flash(page)).to_contain_text("is aangemaakt als concept")
    page.get_by_role("button", name="Publiceren").click()
    expect(page.locator("dl.facts").first).to_contain_text("Gepubliceerd")
    page.get_by_role("link", name="Accreditatie aanvragen").click()
    page.get_by_label("Gevraagde uren").fill("18")
    page.get_by_label("Programma").fill("Vier dagdelen: casuïstiek, gesprekken, verzuimprotocol.")
    page.get_by_label("Leerdoelen").fill("De deelnemer handelt methodisch bij schoolverzuim.")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(_flash(page)).to_contain_text("verstuurd naar het registerbureau")

    # The registerbureau (second factor) grants it and makes the course module 3.
    bureau = new_page()
    login(bureau, "bureau@krsd.nl")
    _menu(bureau, "Accreditatieaanvragen")
    bureau.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    bureau.get_by_label("Accreditatienummer").fill("KRSD-A-2026-031")
    bureau.get_by_label("Geaccrediteerde uren").fill("16")
    expect(bureau.get_by_label("Geldig van")).to_have_value(TODAY.isoformat())
    bureau.get_by_label("Geldig tot en met").fill("2028-06-30")
    bureau.get_by_label("Toelichting (auditlog)").fill("Programma en leerdoelen voldoen.")
    bureau.get_by_role("button", name="Toekennen").click()
    expect(_flash(bureau)).to_contain_text("is geaccrediteerd (KRSD-A-2026-031, 16 uur)")
    bureau.get_by_role("row", name=re.compile(TITLE)).get_by_role("link").click()
    bureau.get_by_role("link", name=TITLE).click()
    bureau.get_by_label("Module van de Leergang Leerplicht/RMC").select_option("3")
    bureau.get_by_label("Toelichting (auditlog)").fill("Vervangt de oude module 3.")
    bureau.get_by_role("button", name="Opslaan").click()
    expect(_flash(bureau)).to_contain_text("is nu module 3 van de Leergang")
    bureau.context.close()

    # The trainer sees the grant and adds an edition with one session.
    _menu(page, "Mijn cursussen")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("section[aria-labelledby=accreditation-title]")).to_contain_text(
        "KRSD-A-2026-031"
    )
    page.get_by_role("link", name="Uitvoering toevoegen").click()
    page.get_by_label("Begindatum").fill("2026-06-29")
    page.get_by_label("Einddatum").fill("2026-06-30")
    page.get_by_label("Inschrijven en annuleren kan tot en met").fill("2026-06-22")
    page.get_by_label("Aantal plaatsen").fill("12")
    page.get_by_label("Plaats", exact=True).fill("Utrecht, Stadskantoor")
    page.get_by_role("button", name="Opslaan").click()
    expect(_flash(page)).to_contain_text("De uitvoering is toegevoegd")
    page.get_by_role("link", name="Bijeenkomst toevoegen").click()
    expect(page.get_by_label("Dag")).to_have_value("2026-06-29")
    page.get_by_label("Begintijd").fill("09:30")
    page.get_by_label("Eindtijd").fill("16:30")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.locator("section[aria-labelledby=sessions-title]")).to_contain_text("09:30–16:30")

    # The professional finds it in the public catalogue and gets a seat.
    fatima_page = new_page()
    login(fatima_page, "fatima@example.nl")
    expect(_accredited_bar(fatima_page)).to_have_text(re.compile(r"^20 / 24 uur"))
    _menu(fatima_page, "Cursussen")
    fatima_page.get_by_label("Zoeken").fill("methodisch")
    fatima_page.get_by_label("Alleen geaccrediteerd").check()
    fatima_page.get_by_role("button", name="Zoeken").click()
    expect(fatima_page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("16 uur")
    fatima_page.get_by_role("link", name=TITLE).click()
    main = fatima_page.locator("main")
    expect(main).to_contain_text("16 geaccrediteerde uren (nummer KRSD-A-2026-031")
    expect(main).to_contain_text("12 van 12 vrij")
    fatima_page.get_by_role("button", name="Inschrijven").click()
    expect(_flash(fatima_page)).to_contain_text("U bent ingeschreven voor")
    expect(main).to_contain_text("11 van 12 vrij")

    # The day after the edition's last day the trainer records her result.
    register_clock.move_to(datetime(2026, 7, 1, 9, 0, tzinfo=AMSTERDAM))
    login(page, "jan@ingrado.nl")
    _menu(page, "Mijn cursussen")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="29 juni 2026 – 30 juni 2026").click()
    expect(page.locator("main")).to_contain_text("1 van 12 bezet")
    page.get_by_role("link", name="Resultaten vastleggen").click()
    page.get_by_label("Aanwezig: Fatima el Amrani").select_option("ja")
    page.get_by_label("Geslaagd: Fatima el Amrani").select_option("ja")
    page.get_by_label("Beoordeling: Fatima el Amrani").select_option("voldoende")
    page.get_by_role("button", name="Opslaan voor Fatima el Amrani").click()
    expect(_flash(page)).to_have_text("Het resultaat is vastgelegd.")
    expect(page.get_by_role("row", name=re.compile("Fatima"))).to_contain_text("afgerond")

    # Her portfolio has the accredited hours, without any upload (a fresh browser: her
    # first session has been idle for two weeks of the moved clock).
    fatima_page.context.close()
    fatima_page = new_page()
    login(fatima_page, "fatima@example.nl")
    expect(_accredited_bar(fatima_page)).to_have_text(re.compile(r"^36 / 24 uur"))
    expect(fatima_page.locator("#activiteiten")).to_contain_text(TITLE)

    # The third module passed: the Leergang shows the diploma, which downloads as a PDF.
    _menu(fatima_page, "Leergang")
    expect(fatima_page.get_by_role("heading", name="Uw diploma")).to_be_visible()
    code = fatima_page.locator("#diploma strong").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    with fatima_page.expect_download() as download:
        fatima_page.get_by_role("link", name="Diploma downloaden (PDF)").click()
    pdf = tmp_path / "diploma.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert code in text and "Fatima el Amrani" in text

    # Anyone checks it on the public verification page the diploma names.
    # (the printed address may wrap onto a second line; read it without the line breaks)
    printed = re.sub(r"\s+", "", text)
    url = re.search(rf"http://[^/]+/cursussen/diploma/{re.escape(code)}", printed).group(0)
    public = new_page()
    public.goto(url)
    expect(public.get_by_role("heading", level=1)).to_have_text("Echt diploma")
    expect(public.locator("main")).to_contain_text("Fatima el Amrani")
    expect(public.locator("main")).to_contain_text(code)


# -- every page at 390 px -------------------------------------------------------------


def _world(app, make_user):
    """A trainer with a published course (an edition with sessions, seats and a waiting
    list, an open accreditation request) and the Leergang passed by Fatima."""
    trainer, fatima = _people(make_user)
    modules = _passed_modules(app, trainer, fatima, (1, 2, 3), ("8", "12", "16"))
    course = rows.course(
        "Jeugdbeschermingsketensamenwerking voor ondersteuners van scholen en gemeenten",
        trainers=[trainer],
    )
    course.description = "Wat ondersteuners moeten weten.\n\nMet oefeningen en casussen."
    course.study_load_hours = Decimal("8")
    course.target_groups = [CourseTargetGroup(group=g) for g in TargetGroup]
    edition = rows.edition(
        course,
        starts=date(2026, 9, 14),
        ends=date(2026, 9, 21),
        sessions=[(date(2026, 9, 14), "09:00", "12:30"), (date(2026, 9, 21), "13:00", "16:30")],
        capacity=1,
    )
    others = [
        make_user(email=f"medewerker.leerplicht{n}@gemeente-westerkwartier.nl") for n in (1, 2)
    ]
    rows.seat(edition, fatima)
    rows.seat(edition, *others, state=EnrolmentState.WAITING)
    request = AccreditationRequest(
        course_id=course.id,
        requested_by_id=trainer.id,
        hours_requested=8,
        programme_text="Twee dagdelen.\nDag 1: wetgeving. Dag 2: casussen.",
        learning_goals="De ondersteuner kent de Leerplichtwet en de RMC-functie.",
    )
    db.session.add(request)
    db.session.add(
        CourseSession(
            edition_id=modules[2].id, day=modules[2].ends_on, starts_at=time(9), ends_at=time(17)
        )
    )
    db.session.commit()
    ids = course.id, edition.id, modules[2].id, request.id
    db.session.rollback()  # the served app needs the write lock: hold no transaction
    return ids


def test_every_courses_page_fits_390_px(app, chromium, live_server, make_user):
    course_id, edition_id, results_id, request_id = _world(app, make_user)
    shots = os.environ.get("KRSD_SCREENSHOTS")
    pages = {
        "fatima@example.nl": [
            ("catalogus", "/cursussen/"),
            ("cursuspagina", f"/cursussen/{course_id}"),
            ("inschrijvingen", "/cursussen/inschrijvingen"),
            ("leergang", "/cursussen/leergang"),
            ("agenda", "/cursussen/agenda"),
        ],
        "jan@ingrado.nl": [
            ("mijn-cursussen", "/cursussen/mijn"),
            ("trainer-cursus", f"/cursussen/mijn/{course_id}"),
            ("uitvoering", f"/cursussen/uitvoering/{edition_id}"),
            ("resultaten", f"/cursussen/uitvoering/{results_id}/resultaten"),
        ],
        "bureau@krsd.nl": [
            ("accreditatieaanvragen", "/cursussen/accreditatie"),
            ("aanvraag", f"/cursussen/accreditatie/{request_id}"),
        ],
    }
    pictured = {
        "catalogus",
        "cursuspagina",
        "uitvoering",
        "resultaten",
        "leergang",
        "trainer-cursus",
    }
    too_wide = {}
    for email, urls in pages.items():
        context = chromium.new_context(
            base_url=live_server.url, locale="nl-NL", viewport={"width": 390, "height": 844}
        )
        page = context.new_page()
        login(page, email)
        for name, url in urls:
            assert page.goto(url).status == 200, url
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[url] = width
            if shots and name in pictured:
                _screenshots(page, Path(shots), name)
        context.close()
    assert too_wide == {}, too_wide


def _screenshots(page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=folder / f"{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
