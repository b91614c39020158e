"""The activity form tells everything at once: one submit shows every problem (the form's,
the portfolio rules' and the evidence's), with an error summary first on the page that
links to each field, while what was typed stays filled in."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from krsd.extensions import db
from krsd.portfolio.models import Activity, Evidence
from tests.portfolio.conftest import TODAY, free_form, upload

NEW = "/portfolio/activiteiten/nieuw"


def _post(browser, data):
    response = browser.submit(NEW, data, content_type="multipart/form-data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _main(html: str) -> str:
    """The main content, from its first element on."""
    return re.split(r"<main[^>]*>", html, maxsplit=1)[1].lstrip()


def _summary(html: str) -> str:
    main = _main(html)
    return main[: main.index("</ul>")]


def _nothing_stored() -> bool:
    count = db.session.scalar(select(func.count()).select_from(Activity))
    return count == 0 and db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_bad_hours_no_evidence_and_a_short_reflection_show_at_once(browser, professional):
    data = free_form(hours="drie", files=[], reflection_learned="Veel geleerd over verzuim.")
    html = _post(browser, data)

    # The summary is the first thing in the main content, ready to receive focus.
    main = _main(html)
    assert main.startswith(
        '<div class="form-errors error-summary" id="foutmeldingen" tabindex="-1"'
    )
    assert "Er ging iets mis" in _summary(html)
    assert "js/error-summary.js" in html
    links = re.findall(r'<a href="#([^"]+)">([^<]*)</a>', _summary(html))
    assert [target for target, _text in links] == ["hours", "reflection_learned", "files"]
    texts = [text for _target, text in links]
    assert texts[0].startswith("Aantal uren: ")
    assert texts[1] == ("Wat heeft u geleerd? Schrijf minstens 30 tekens; nu zijn het er 26.")
    assert "Voeg minstens één bewijsstuk toe" in texts[2]

    # Each field says it beside itself, tied to its input for a screen reader.
    for name in ("hours", "reflection_learned", "files"):
        assert f'<p class="error" id="{name}-error">' in html
        tag = re.search(rf'<(?:input|textarea)[^>]*\bid="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in tag
        assert f"{name}-error" in re.search(r'aria-describedby="([^"]*)"', tag).group(1)
    # Nothing else is marked wrong, and what was typed stays.
    assert html.count('aria-invalid="true"') == 3
    assert 'value="Intervisie leerplicht"' in html and 'value="drie"' in html
    assert "Ik stel nu eerst open vragen in het gesprek met een jongere." in html
    assert _nothing_stored()


def test_a_refused_file_shows_with_the_other_problems_and_asks_to_choose_again(
    browser, professional, upload_folder
):
    bad_file = upload(b"MZ\x90\x00 this is a program", "bewijs.pdf")
    html = _post(browser, free_form(title="", files=[bad_file]))
    assert "Titel: Dit veld is verplicht." in _summary(html)
    assert "bewijs.pdf is geen PDF, PNG, JPEG, DOCX of ODT-bestand." in _summary(html)
    assert "Kies het bestand opnieuw" in html
    assert _nothing_stored()
    assert not upload_folder.exists() or not any(upload_folder.iterdir())


def test_a_good_file_with_other_problems_is_not_kept_and_the_page_says_so(browser, professional):
    html = _post(browser, free_form(hours="0"))
    links = re.findall(r'<a href="#([^"]+)">', _summary(html))
    assert links == ["hours", "files"]
    assert "Er is niets opgeslagen. Kies het bestand opnieuw" in html
    assert _nothing_stored()


def test_the_portfolio_rules_speak_in_the_same_pass_as_the_form(
    browser, professional, accreditation
):
    accreditation.valid_from = TODAY - timedelta(days=10)
    db.session.commit()
    data = free_form(
        category="accredited",
        accreditation=str(accreditation.id),
        activity_date=(TODAY - timedelta(days=20)).isoformat(),
        reflection_applied="",
    )
    html = _post(browser, data)
    links = re.findall(r'<a href="#([^"]+)">', _summary(html))
    assert links == ["activity_date", "reflection_applied", "files"]  # files: choose again
    assert "niet geaccrediteerd" in html
    assert "Beantwoord deze vraag in minstens 30 tekens." in html
    assert _nothing_stored()


def test_a_missing_category_links_to_its_first_choice(browser, professional):
    data = free_form()
    del data["category"]
    html = _post(browser, data)
    assert '<a href="#category-0">Categorie: Kies geaccrediteerd of vrije ruimte.</a>' in html
    assert "<legend>Categorie</legend>" in html
    assert _nothing_stored()


def test_a_page_without_errors_has_no_summary(browser, professional):
    html = browser.get(NEW).get_data(as_text=True)
    assert "data-error-summary" not in html and "error-summary.js" not in html
    assert 'aria-invalid="true"' not in html
