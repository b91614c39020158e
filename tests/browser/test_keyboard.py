"""A professional's main journey by keyboard only, on a phone: log in, open the menu, add an
activity with evidence, apply for certification. Only Tab, Shift+Tab, Enter, Space and
typing (the operating system's file dialog excepted: the file is given to the focused
input); every stop of the focus shows its outline."""

import re
from datetime import date

import pytest

from tests.browser.axe import PHONE
from tests.certification.conftest import fill_portfolio
from tests.clock import TODAY
from tests.conftest import PASSWORD
from tests.portfolio.conftest import PDF

pytestmark = pytest.mark.browser

EMAIL = "toetsenbord@example.nl"

#: what has the focus, and whether it shows an outline of at least 2 px. A date field's last
#: stop is the browser's own calendar button, which draws its own ring.
_FOCUS = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    return {
        what: e.tagName.toLowerCase() + ' ' + (e.getAttribute('name') || e.id ||
              (e.innerText || '').trim().slice(0, 40)),
        outlined: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) ||
                  (e.type === 'date' && !e.matches(':focus-visible')),
    };
}"""


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


def press(page, key: str, passed: list[str]) -> None:
    """Press ``key``; the element that has the focus then must show it."""
    page.keyboard.press(key)
    focus = page.evaluate(_FOCUS)
    assert focus["outlined"], f"no visible focus on {focus['what']} (after {passed})"
    passed.append(focus["what"])


def tab_to(page, target, key="Tab", limit=60) -> None:
    """Press ``key`` until ``target`` has the focus; each element on the way shows it."""
    passed = []
    for _ in range(limit):
        press(page, key, passed)
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus; the focus went {passed}")


def a_day_typed_the_same_in_any_order() -> date:
    """A recent day whose day and month are the same number: the browser's date field takes
    it typed as dd mm yyyy or as mm dd yyyy, whatever its language."""
    month = TODAY.month if TODAY.day >= TODAY.month else TODAY.month - 1  # never 0
    return date(TODAY.year, month, month)


def tab_and_type(page, target, text: str) -> None:
    tab_to(page, target)
    page.keyboard.type(text)


def test_a_professional_logs_an_activity_and_applies_by_keyboard_only(page, make_user, tmp_path):
    # Literal values from here on: reading the (expired) user again would open a transaction
    # in this thread that holds up the server's writes on SQLite.
    fill_portfolio(make_user(email=EMAIL), accredited=("16", "8"), free=("36", "32"))  # 4 short
    evidence = tmp_path / "webinar.pdf"
    evidence.write_bytes(PDF)
    page.set_viewport_size(PHONE)

    page.goto("/inloggen")
    tab_and_type(page, page.get_by_label("E-mailadres"), EMAIL)
    tab_and_type(page, page.get_by_label("Wachtwoord"), PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/inloggen" not in url)

    # On a phone the menu is folded away behind "Menu".
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert not menu.is_visible()
    tab_to(page, page.locator("summary", has_text="Menu"))
    page.keyboard.press("Enter")
    tab_to(page, menu.get_by_role("link", name="Mijn portfolio"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/portfolio/")
    tab_to(page, page.locator("main").get_by_role("link", name="Activiteit toevoegen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/activiteiten/nieuw")

    # The form opens on "Vrije ruimte": Tab stops at the chosen option of a group; Space
    # chooses the option that has the focus.
    free_space = page.get_by_role("radio", name="Vrije ruimte")
    tab_to(page, free_space)
    page.keyboard.press("Space")
    assert free_space.is_checked()
    tab_and_type(page, page.get_by_label("Soort activiteit"), "Webinar")
    tab_and_type(page, page.get_by_label("Titel"), "Webinar verzuim in het mbo")
    tab_and_type(page, page.get_by_label("Aanbieder of organisator"), "Ingrado")
    tab_and_type(page, page.get_by_label("Aantal uren"), "4")
    day = a_day_typed_the_same_in_any_order()
    tab_and_type(page, page.get_by_label("Datum"), day.strftime("%d%m%Y"))
    assert page.get_by_label("Datum").input_value() == day.isoformat()
    answers = page.locator("textarea")
    for n in range(answers.count()):
        tab_and_type(page, answers.nth(n), "Ik gebruik de nieuwe verzuimkaart in mijn gesprekken.")
    files = page.get_by_label("Bewijsstukken")
    tab_to(page, files)
    page.locator(":focus").set_input_files(str(evidence))  # the dialog of the system
    tab_to(page, page.get_by_role("button", name="Toevoegen"))
    page.keyboard.press("Enter")

    page.wait_for_url("**/portfolio/")
    assert "is toegevoegd" in page.get_by_role("status").first.inner_text()
    assert "Webinar verzuim in het mbo" in page.locator("#activiteiten").inner_text()

    tab_to(page, page.locator("summary", has_text="Menu"))
    page.keyboard.press("Enter")
    tab_to(page, menu.get_by_role("link", name="Certificering"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/certificering")
    tab_to(page, page.get_by_role("link", name="Certificering aanvragen"))
    page.keyboard.press("Enter")
    page.wait_for_url("**/aanvragen/nieuw")
    tab_to(page, page.get_by_label("Ik verklaar"))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Aanvraag indienen"))
    page.keyboard.press("Enter")

    # the application's own page (a number), not the form's /aanvragen/nieuw it came from
    page.wait_for_url(re.compile(r"/certificering/aanvragen/\d+$"))
    assert "Status: Ingediend" in page.get_by_role("heading", level=2).first.inner_text()
