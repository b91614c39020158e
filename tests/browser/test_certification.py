import subprocess

import pytest

from krsd.auth.rules import RoleName
from tests.browser.test_portfolio import login
from tests.certification.conftest import fill_portfolio
from tests.portfolio.conftest import PDF

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def test_certification_main_path_in_chromium(page, chromium, live_server, make_user, tmp_path):
    professional = make_user(email="sukru@example.nl", name="Şükrü Çelik")
    fill_portfolio(professional)
    make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl", name="Marleen Bakker")
    reviewer_context = chromium.new_context(base_url=live_server.url, locale="nl-NL")
    commission = reviewer_context.new_page()

    # The professional applies.
    login(page, "sukru@example.nl")
    page.goto("/certificering")
    page.get_by_role("link", name="Certificering aanvragen").click()
    page.get_by_label("Ik verklaar").check()
    page.get_by_role("button", name="Aanvraag indienen").click()
    assert "Status: Ingediend" in page.get_by_role("heading", level=2).first.inner_text()

    # The reviewer claims, rejects the first activity and asks for more.
    login(commission, "commissie@example.nl")
    commission.goto("/commissie")
    commission.get_by_role("link", name="Beoordelen").click()
    commission.get_by_label("Ik verklaar dat ik geen belangenverstrengeling heb").check()
    commission.get_by_role("button", name="In behandeling nemen").click()
    first = commission.locator("article.review-item").first
    first.get_by_label("Oordeel").select_option("rejected")
    first.get_by_label("Toelichting").fill("Het bewijs van deelname ontbreekt.")
    first.get_by_role("button", name="Oordeel opslaan").click()
    commission.get_by_label("Wat moet de aanvrager aanvullen?").fill("Voeg het bewijs toe.")
    commission.get_by_role("button", name="Aanvulling vragen").click()
    assert "teruggestuurd" in commission.get_by_role("status").first.inner_text()

    # The professional adds evidence to that activity and resubmits.
    page.reload()
    assert "Het bewijs van deelname ontbreekt." in page.locator("main").inner_text()
    page.get_by_role("link", name="uw portfolio").click()
    page.locator(
        "#activiteiten a"
    ).last.click()  # the oldest activity: the first in the application
    evidence = tmp_path / "deelname.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Bewijsstuk toevoegen").set_input_files(str(evidence))
    page.get_by_role("button", name="Toevoegen", exact=True).click()
    assert "toegevoegd" in page.get_by_role("status").first.inner_text()
    page.goto("/certificering")
    page.get_by_role("link", name="Bekijk de aanvraag").click()
    page.get_by_role("button", name="Opnieuw indienen").click()
    assert "opnieuw ingediend" in page.get_by_role("status").first.inner_text()

    # The reviewer claims again, accepts everything and approves.
    commission.goto("/commissie")
    commission.get_by_role("link", name="Beoordelen").click()
    commission.get_by_label("Ik verklaar dat ik geen belangenverstrengeling heb").check()
    commission.get_by_role("button", name="In behandeling nemen").click()
    for n in range(commission.locator("article.review-item").count()):
        item = commission.locator("article.review-item").nth(n)
        item.get_by_label("Oordeel").select_option("accepted")
        item.get_by_role("button", name="Oordeel opslaan").click()
    commission.get_by_label("Goedkeuren: certificaat verstrekken").check()
    commission.get_by_label("Motivering").fill("Alle activiteiten zijn aangetoond.")
    commission.get_by_role("button", name="Besluit vastleggen").click()
    assert "certificaat is verstrekt" in commission.get_by_role("status").first.inner_text()

    # The certificate downloads; its text and QR code are right.
    page.goto("/certificering")
    with page.expect_download() as download:
        page.get_by_role("link", name="Certificaat (PDF)").click()
    pdf = tmp_path / "certificaat.pdf"
    download.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "KRSD-000001" in text and "Şükrü Çelik" in text
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(pdf), str(tmp_path / "p")], check=True)
    qr = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "p-1.png")], capture_output=True, text=True
    ).stdout.strip()
    assert qr.startswith(live_server.url + "/verify/")

    # Anyone finds the person in the register and sees the certificate is valid.
    public = chromium.new_context(base_url=live_server.url).new_page()
    public.goto("/register")
    public.get_by_label("Naam, registratienummer of werkgever").fill("Çelik")
    public.get_by_role("button", name="Zoeken").click()
    assert "KRSD-000001" in public.locator("table").inner_text()
    public.goto(qr)
    assert public.get_by_role("heading", level=1).inner_text() == "Geldig"
    reviewer_context.close()
