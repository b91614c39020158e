"""The toegankelijkheidsverklaring: public, linked from every page's footer."""

import re

from krsd.auth.rules import RoleName

FOOTER = re.compile(r'<footer class="site-footer">.*?</footer>', re.S)


def _footer(response) -> str:
    assert response.status_code == 200
    return FOOTER.search(response.get_data(as_text=True)).group(0)


def test_the_statement_says_the_status_how_it_is_tested_and_where_to_report(app, browser):
    response = browser.get("/toegankelijkheid")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Toegankelijkheidsverklaring</h1>" in html
    assert "voldoet gedeeltelijk" in html and "WCAG" in html and "2.1" in html
    assert "axe-core" in html and "390 pixels" in html and "1280 pixels" in html
    assert "toetsenbord" in html
    assert "getagde pdf" in html
    support = app.config["SUPPORT_EMAIL"]
    assert f'href="mailto:{support}"' in html
    assert "5 werkdagen" in html
    assert "27 november 2026" in html


def test_the_support_address_comes_from_the_configuration(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "SUPPORT_EMAIL", "toegankelijk@example.nl")
    html = browser.get("/toegankelijkheid").get_data(as_text=True)
    assert 'href="mailto:toegankelijk@example.nl"' in html


def test_the_footer_links_to_it_on_public_and_logged_in_pages(browser, make_user):
    for url in ("/", "/inloggen", "/register", "/toegankelijkheid"):
        assert 'href="/toegankelijkheid"' in _footer(browser.get(url)), url
    make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl")
    browser.login("prof@example.nl")
    for url in ("/", "/account/gegevens", "/portfolio/"):
        assert 'href="/toegankelijkheid"' in _footer(browser.get(url)), url


def test_the_statement_reads_nothing_from_the_database(browser):
    assert browser.queries_for("/toegankelijkheid") == 0
