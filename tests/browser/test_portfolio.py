import pytest

from krsd.auth.rules import RoleName
from tests import second_factor
from tests.certification.conftest import fill_portfolio
from tests.conftest import PASSWORD
from tests.portfolio.conftest import PDF, TODAY

pytestmark = pytest.mark.browser


def login(page, email):
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    second_factor.pass_in_chromium(page, email)  # reviewers and admins only
    page.wait_for_url("**/")


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def test_a_professional_adds_a_free_space_activity_and_the_bars_change(page, make_user, tmp_path):
    user = make_user(roles={RoleName.PROFESSIONAL}, email="fatima@example.nl", name="Fatima")
    fill_portfolio(user, accredited=("20",), free=("40", "20"))
    login(page, "fatima@example.nl")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Mijn portfolio"
    ).click()
    assert page.locator("[data-bar=free]").inner_text().startswith("60 / 72 uur")
    assert page.locator("[data-bar=total]").inner_text() == "80 / 96 uur"

    page.get_by_role("link", name="Activiteit toevoegen").click()
    page.get_by_label("Vrije ruimte").check()
    page.get_by_label("Soort activiteit").select_option("webinar")
    page.get_by_label("Titel").fill("Webinar verzuim in het mbo")
    page.get_by_label("Aanbieder of organisator").fill("Ingrado")
    page.get_by_label("Datum").fill(TODAY.isoformat())
    page.get_by_label("Aantal uren").fill("2,5")
    page.get_by_label("Wat heeft u geleerd?").fill("Hoe de nieuwe verzuimkaart van het mbo werkt.")
    page.get_by_label("Hoe gebruikt u dit in uw werk?").fill(
        "Ik gebruik de nieuwe verzuimkaart in mijn gesprekken."
    )
    evidence = tmp_path / "deelname.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Bewijsstukken").set_input_files(str(evidence))
    page.get_by_role("button", name="Toevoegen").click()

    page.wait_for_url("**/portfolio/")
    assert "is toegevoegd" in page.get_by_role("status").first.inner_text()
    assert page.locator("[data-bar=free]").inner_text().startswith("62,5 / 72 uur")
    assert page.locator("[data-bar=total]").inner_text() == "82,5 / 96 uur"
    assert "Webinar verzuim in het mbo" in page.locator("#activiteiten").inner_text()
