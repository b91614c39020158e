"""Every page is either public, or sends an anonymous visitor to login; roles give 403."""

import re

import pytest

from krsd.auth.rules import RoleName

PUBLIC_ENDPOINTS = {
    "static",
    "main.index",
    "main.health",
    "auth.login",
    "auth.enrol_second_factor",  # only with a pending login (password checked); else to login
    "auth.second_factor_step",
    "auth.register",
    "auth.forgot_password",
    "auth.reset_password",
    "auth.check_your_email",
    "auth.confirm_email",  # the signed token in its address is the key; else to a new link
    "auth.resend_confirmation",
    "main.accessibility",
    "certification.register",
    "certification.verify",
    "courses.diploma_verify",
    "courses.calendar_feed",  # the secret token in its address is the key; else 404
    "courses.catalogue",
    "courses.course_page",
}


def _example_url(rule) -> str:
    url = rule.rule
    for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", url):
        value = "1" if converter == "int" else "x"
        url = re.sub(rf"<(?:\w+:)?{name}>", value, url)
    return url


def _rules(app, predicate):
    return [r for r in app.url_map.iter_rules() if predicate(r)]


def _protected(app):
    return _rules(app, lambda r: r.endpoint not in PUBLIC_ENDPOINTS)


def test_the_access_lists_cover_the_app(app):
    # A new page must be consciously public or protected: this fails when none is protected.
    assert len(_protected(app)) >= 7


def test_every_protected_url_sends_an_anonymous_visitor_to_login(app, browser):
    client = browser
    checked = 0
    for rule in _protected(app):
        url = _example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if method == "POST" and response.status_code == 400:
                # CSRF is checked first for anonymous POSTs: refused either way.
                continue
            assert response.status_code == 302, (method, url, response.status_code)
            location = response.headers["Location"]
            assert location.startswith("/inloggen?next="), (url, location)
            checked += 1
    assert checked >= 6


def test_role_restricted_urls_give_403_to_the_other_roles(app, make_user, make_browser):
    restricted = []
    for rule in _rules(app, lambda r: "GET" in r.methods):
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", ())
        if roles:
            restricted.append((_example_url(rule), set(roles)))
    assert restricted, "expected role-restricted pages"
    for role in RoleName:
        user = make_user(roles={role}, email=f"{role.value}@example.nl")
        b = make_browser()
        b.login(user.email)
        for url, roles in restricted:
            status = b.get(url).status_code
            if role in roles:
                assert status in (200, 404), (role, url, status)
            else:
                assert status == 403, (role, url, status)


def test_the_403_page_is_dutch(browser, make_user):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    page = browser.get("/beheer/accounts")
    assert page.status_code == 403
    assert "Geen toegang" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "/%09/evil.example",
        "https:evil.example",
        "https://evil.example/x",
        "http://evil.example",
    ],
)
def test_login_never_redirects_off_site(browser, make_user, target):
    make_user(email="prof@example.nl")
    response = browser.submit(
        "/inloggen?next=" + target,
        {"email": "prof@example.nl", "password": "correct-horse-battery"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(browser, make_user):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    anonymous = browser.get("/beheer/auditlog?action=auth")
    assert anonymous.headers["Location"] == "/inloggen?next=/beheer/auditlog?action%3Dauth"
    login = {"email": "bureau@example.nl", "password": "correct-horse-battery"}
    response = browser.submit(anonymous.headers["Location"], login)
    # The registerbureau links an app first; the target survives the second step.
    assert response.headers["Location"] == "/inloggen/app-koppelen"
    codes = browser.pass_second_factor("bureau@example.nl").get_data(as_text=True)
    assert 'href="/beheer/auditlog?action=auth"' in codes
    browser.logout()
    browser.submit(anonymous.headers["Location"], login)
    response = browser.pass_second_factor("bureau@example.nl")
    assert response.headers["Location"] == "/beheer/auditlog?action=auth"
