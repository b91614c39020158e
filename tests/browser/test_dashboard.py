"""The registerbureau opens the dashboard in Chromium: charts and tables, at 1280 and 390 px.

``KRSD_SCREENSHOTS=/some/dir`` saves screenshots of the page at both widths.
"""

import os
from datetime import datetime
from pathlib import Path

import pytest

from krsd.auth.rules import RoleName
from krsd.clock import AMSTERDAM
from krsd.extensions import db
from tests import second_factor
from tests.admin.test_dashboard import build_decisions, build_editions, build_register
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_registerbureau_reads_the_dashboard_on_a_wide_and_a_narrow_screen(
    app, chromium, live_server, make_user, register_clock
):
    register_clock.move_to(datetime(2026, 6, 15, 10, 0, tzinfo=AMSTERDAM))
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    build_register(make_user)
    build_decisions(make_user)
    build_editions(make_user)
    db.session.rollback()  # no transaction of this thread in the served app's way

    context = chromium.new_context(
        base_url=live_server.url, locale="nl-NL", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/inloggen")
    page.get_by_label("E-mailadres").fill("bureau@example.nl")
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    second_factor.pass_in_chromium(page, "bureau@example.nl")
    page.wait_for_url("**/")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Dashboard").click()
    page.wait_for_url("**/beheer/dashboard")

    assert page.get_by_role("heading", name="Dashboard", level=1).is_visible()
    charts = page.get_by_role("img", name="Grafiek:")
    assert charts.count() == 6
    assert page.locator("table caption").count() == 6
    province = page.get_by_role("table", name="Cijfers: personen per provincie")
    assert province.get_by_role("rowheader", name="Utrecht").is_visible()
    assert "Cursus" in page.get_by_role("table", name="Cijfers: bezetting").inner_text()
    assert page.get_by_role("link", name="Excel (XLSX) van personen per functie").count() == 1
    # the chart's bars really are drawn with a width
    widths = page.locator("svg.chart rect.bar-1").evaluate_all(
        "bars => bars.map(b => b.getBBox().width)"
    )
    assert max(widths) > 100

    shots = os.environ.get("KRSD_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=Path(shots) / "dashboard-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert charts.first.is_visible()
    if shots:
        page.screenshot(path=Path(shots) / "dashboard-390.png", full_page=True)
    context.close()
