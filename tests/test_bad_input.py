"""Nonsense in a URL or a filter gets a 404 or a Dutch message, never a 500."""

import re
from urllib.parse import urlencode

import pytest

from krsd.auth.rules import RoleName

HUGE_IDS = ["2147483648", "9223372036854775808", "99999999999999999999", "9" * 40]
NONSENSE_QUERIES = [
    {"page": "999999999999999999999"},
    {"page": "-1"},
    {"page": "0"},
    {"page": "x"},
    {"per_page": "999999999999"},
    {"jaar": "99999999999"},
    {"jaar": "-99999999999"},
    {"jaar": "0"},
    {"categorie": "x" * 500},
    {"q": "x" * 5000},
    {"q": "de", "page": "99999999999999999999999"},
    {"role": "keizer"},
    {"object_id": "1" * 500},
    {"action": "a" * 500, "actor": "b" * 500},
    {"date_from": "0001-01-01", "date_until": "0001-01-01"},
    {"date_from": "9999-12-31", "date_until": "9999-12-31"},
    {"date_from": "10000-01-01"},
    {"date_from": "31-12-2026", "date_until": "2026-13-45"},
    {"next": "x" * 5000},
]


def _with(rule, value: str) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", url):
        filler = value if converter == "int" else "x"
        url = re.sub(rf"<(?:\w+:)?{name}>", filler, url)
    return url


def _rules(app, method: str):
    return [
        r
        for r in app.url_map.iter_rules()
        if method in r.methods and r.endpoint != "static" and "<int:" in r.rule
    ]


@pytest.fixture
def everyone(make_user, make_browser):
    """A browser logged in with every role, so every page is reachable."""
    make_user(roles=set(RoleName), email="alles@example.nl")
    browser = make_browser()
    browser.login("alles@example.nl")
    assert browser.get("/beheer/accounts").status_code == 200
    return browser


def test_ids_beyond_any_integer_column_give_404(app, everyone):
    token = everyone.csrf_token("/account/gegevens")
    checked = 0
    for value in HUGE_IDS:
        for rule in _rules(app, "GET"):
            url = _with(rule, value)
            assert everyone.get(url).status_code == 404, url
            checked += 1
        for rule in _rules(app, "POST"):
            url = _with(rule, value)
            assert everyone.post(url, data={"csrf_token": token}).status_code == 404, url
    assert checked >= 4 * 6


@pytest.mark.parametrize("query", NONSENSE_QUERIES, ids=lambda q: ",".join(q))
def test_nonsense_in_a_query_string_never_gives_a_500(app, everyone, query):
    urls = [
        _with(r, "1")
        for r in app.url_map.iter_rules()
        if "GET" in r.methods and r.endpoint != "static"
    ]
    for url in urls:
        status = everyone.get(url + "?" + urlencode(query)).status_code
        assert status in (200, 302, 404), (url, query, status)


def test_impossible_audit_dates_are_refused_with_a_dutch_message(everyone):
    page = everyone.get("/beheer/auditlog?date_from=0001-01-01&date_until=9999-12-31")
    assert page.status_code == 200
    assert "Kies een datum tussen" in page.get_data(as_text=True)


def test_a_page_number_out_of_range_shows_a_page_not_an_error(everyone):
    for url in ("/beheer/auditlog", "/beheer/accounts", "/beheer/uitgaande-mail"):
        for page in ("999999999999999999999", "-1", "0"):
            assert everyone.get(f"{url}?page={page}").status_code == 200, (url, page)
    first = everyone.get("/beheer/accounts?page=-1").get_data(as_text=True)
    assert "alles@example.nl" in first
