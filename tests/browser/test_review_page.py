"""The review page in Chromium: PDF and image evidence really show in the page, the reviewer
stays at the activity they judged, and all remaining activities are accepted at once."""

import io

import pytest
from flask import current_app
from fpdf import FPDF
from PIL import Image
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.models import Application
from krsd.certification.rules import Verdict
from krsd.extensions import db
from krsd.portfolio.rules import Category
from tests.browser.test_portfolio import login
from tests.certification.conftest import TODAY, add_activity, fill_portfolio
from tests.certification.test_review_page import attach, png_bytes

pytestmark = pytest.mark.browser

PDF_BLUE = (20, 120, 200)
PNG_RED = (200, 30, 30)


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def blue_pdf() -> bytes:
    """A page that is mostly one blue block, easy to recognise in a screenshot."""
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 20)
    pdf.cell(0, 12, "Bewijs van deelname", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(*PDF_BLUE)
    pdf.rect(10, 30, 190, 250, style="F")
    return bytes(pdf.output())


def share_of(screenshot: bytes, colour: tuple[int, int, int]) -> float:
    """The share of pixels within a small distance of ``colour``."""
    data = Image.open(io.BytesIO(screenshot)).convert("RGB").tobytes()
    pixels = [data[i : i + 3] for i in range(0, len(data), 3)]
    near = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, colour, strict=True)) < 40)
    return near / len(pixels)


def _audited_reads() -> int:
    db.session.rollback()  # see what the server committed
    try:
        return db.session.scalar(
            select(func.count()).where(AuditEntry.action == "portfolio.evidence_downloaded")
        )
    finally:
        db.session.rollback()  # hold no lock while the server writes


def test_evidence_shows_in_the_page_and_the_reviewer_stays_at_the_activity(
    page, make_user, tmp_path
):
    applicant = make_user(email="anna@example.nl", name="Anna de Vries")
    fill_portfolio(applicant)
    for n in range(12):  # a long page: the activity judged last is far down
        add_activity(applicant, Category.FREE, "2", 20 + n, title=f"Intervisie {n}")
    make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl", name="Marleen Bakker")
    with current_app.test_request_context("/"):
        application = services.submit_application(applicant, TODAY)
    items = sorted(application.items, key=lambda i: i.id)
    attach(items[0].activity, blue_pdf(), "deelname.pdf", "pdf")
    attach(items[1].activity, png_bytes(160, 100, PNG_RED), "foto.png", "png")
    # Plain ids: touching an expired row later would open a (writing) transaction in this
    # thread and make the live server wait for it.
    application_id, item_ids = application.id, [i.id for i in items]
    db.session.rollback()

    login(page, "commissie@example.nl")
    page.goto("/commissie")
    page.get_by_role("link", name="Beoordelen").click()
    page.get_by_label("Ik verklaar dat ik geen belangenverstrengeling heb").check()
    page.get_by_role("button", name="In behandeling nemen").click()
    assert "in behandeling genomen" in page.get_by_role("status").first.inner_text()
    assert _audited_reads() == 0  # closed viewers load nothing

    # The PDF opens in the page, in Chromium's own viewer inside the sandboxed frame.
    first = page.locator(f"#activiteit-{item_ids[0]}")
    first.get_by_text("deelname.pdf bekijken").click()
    frame = first.locator("iframe.evidence-frame")
    frame.scroll_into_view_if_needed()
    page.wait_for_timeout(2500)  # the PDF viewer draws after the load event
    shot = frame.screenshot(path=str(tmp_path / "pdf-in-page.png"))
    assert share_of(shot, PDF_BLUE) > 0.15, tmp_path / "pdf-in-page.png"

    # The image too.
    second = page.locator(f"#activiteit-{item_ids[1]}")
    second.get_by_text("foto.png bekijken").click()
    image = second.locator("img.evidence-image")
    image.scroll_into_view_if_needed()
    # loaded (on a busy machine that takes a moment after the click)
    handle = image.element_handle()
    handle.wait_for_element_state("visible")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=handle)
    assert image.evaluate("img => img.naturalWidth") == 160
    shot = image.screenshot(path=str(tmp_path / "png-in-page.png"))
    assert share_of(shot, PNG_RED) > 0.8
    page.screenshot(path=str(tmp_path / "review-page.png"), full_page=False)
    assert _audited_reads() == 2

    # A verdict far down the page: after saving, the page shows that activity again.
    last = item_ids[-1]
    article = page.locator(f"#activiteit-{last}")
    article.get_by_label("Oordeel").select_option("accepted_fewer")
    article.get_by_label("Geaccepteerde uren").fill("1")
    article.get_by_role("button", name="Oordeel opslaan").click()  # no comment: refused
    page.wait_for_load_state()
    article = page.locator(f"#activiteit-{last}")
    comment = article.get_by_label("Toelichting")
    assert "Licht toe waarom" in article.locator(f"#item{last}-comment-error").inner_text()
    assert comment.get_attribute("aria-invalid") == "true"
    # The summary at the top links here; the field beside the activity has the focus.
    assert page.locator("#foutmeldingen").get_by_role("link", name="Licht toe waarom").count()
    page.wait_for_function(f"document.activeElement.id === 'item{last}-comment'")
    page.screenshot(path=str(tmp_path / "error-beside-activity.png"))
    assert page.evaluate("location.hash") == f"#activiteit-{last}"
    assert article.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    assert page.evaluate("window.scrollY") > 1000
    article.get_by_label("Toelichting").fill("Een uur was de pauze.")
    article.get_by_role("button", name="Oordeel opslaan").click()
    page.wait_for_url(f"**#activiteit-{last}")
    article = page.locator(f"#activiteit-{last}")
    assert "Geaccepteerd met minder uren: 1 uur" in article.inner_text()
    assert article.evaluate("e => e.getBoundingClientRect().top < window.innerHeight")
    assert page.evaluate("window.scrollY") > 1000

    # All the others at once, after one confirmation.
    page.get_by_role("button", name="Alle resterende accepteren zoals gelogd").click()
    assert "nog niet beoordeelde activiteiten" in page.locator("main").inner_text()
    page.get_by_role("button", name="Ja, accepteer ze allemaal").click()
    assert "geaccepteerd met de gelogde uren" in page.get_by_role("status").first.inner_text()
    db.session.rollback()
    verdicts = [i.verdict for i in db.session.get(Application, application_id).items]
    assert verdicts.count(Verdict.ACCEPTED) == len(item_ids) - 1
    assert verdicts.count(Verdict.ACCEPTED_FEWER) == 1
