"""The error summary in a real browser: it has the focus after a refused submit, its links
bring the keyboard to the field, and the page does not scroll sideways on a phone."""

import os
from pathlib import Path

import pytest

from krsd.auth.rules import RoleName
from tests.browser.test_portfolio import login

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("KRSD_SCREENSHOTS")  # a folder: the page is saved there, to look at


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_the_summary_takes_the_focus_and_its_links_lead_to_the_fields(page, make_user):
    make_user(roles={RoleName.PROFESSIONAL}, email="fatima@example.nl", name="Fatima")
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, "fatima@example.nl")
    page.goto("/portfolio/activiteiten/nieuw")
    page.get_by_label("Vrije ruimte").check()
    page.get_by_label("Soort activiteit").select_option("webinar")
    page.get_by_label("Titel").fill("Webinar verzuim in het mbo")
    page.get_by_label("Aantal uren").fill("drie")
    page.get_by_label("Wat heeft u geleerd?").fill("Te kort.")
    page.get_by_role("button", name="Toevoegen").click()
    page.wait_for_load_state()

    summary = page.locator("#foutmeldingen")
    assert _focused_id(page) == "foutmeldingen"
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "activity-form-errors-390.png"), full_page=True)
    links = summary.get_by_role("link")
    assert links.count() == 5  # date, hours, two questions, evidence
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.keyboard.press("Tab")  # from the summary to its first link
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#activity_date"
    summary.get_by_role("link", name="Aantal uren").click()
    assert _focused_id(page) == "hours"
    label = page.locator('label[for="hours"]')
    assert label.evaluate("e => e.getBoundingClientRect().top >= 0")
    assert page.get_by_label("Titel").input_value() == "Webinar verzuim in het mbo"
