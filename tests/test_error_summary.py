"""Every form page gets the error summary: first in its content, linking to each field in
error; the field macro marks the field (aria-invalid, aria-describedby) beside it."""

import re

import pytest

from krsd.auth.rules import RoleName
from krsd.paths import TEMPLATES

FORM_MACROS = re.compile(r"\b(field|form_errors)\(|\.errors\b")
FIRST = re.compile(r"\{% block content %\}\s*(?:\{% set [^%]*%\}\s*)*\{\{ error_summary\(")


def _pages_with_forms() -> list[str]:
    pages = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.name.startswith("_") or name.startswith(("_macros/", "mail/")):
            continue  # partials: the page that includes them has the summary
        if FORM_MACROS.search(path.read_text(encoding="utf-8")):
            pages.append(name)
    return pages


def test_the_templates_with_forms_are_found():
    pages = _pages_with_forms()
    for name in ("portfolio/activity_form.html", "certification/review.html", "auth/login.html"):
        assert name in pages
    assert len(pages) > 30


@pytest.mark.parametrize("name", _pages_with_forms())
def test_every_form_page_starts_with_the_error_summary(name):
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    assert FIRST.search(text), f"{name}: error_summary(...) first in the content block"
    drawn = re.search(r"\{% for \w+ in [\w.]+\.errors", text)
    assert not drawn, f"{name}: draw field errors with the field macro"


def test_a_refused_login_has_a_summary_that_links_to_the_field(browser, make_user):
    make_user(email="prof@example.nl")
    html = browser.submit("/inloggen", {"email": "", "password": ""}).get_data(as_text=True)
    main = re.split(r"<main[^>]*>", html, maxsplit=1)[1].lstrip()
    assert main.startswith('<div class="form-errors error-summary"')
    links = re.findall(r'<a href="#([^"]+)">', main[: main.index("</ul>")])
    assert links == ["email", "password"]
    email = re.search(r'<input[^>]*\bid="email"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in email and "email-error" in email


def test_every_link_of_a_course_form_summary_has_somewhere_to_go(browser, make_user):
    make_user(roles={RoleName.TRAINER}, email="opleider@example.nl")
    browser.login("opleider@example.nl")
    data = {"title": "", "provider": "", "format": "", "study_load_hours": "x"}
    response = browser.submit("/cursussen/mijn/nieuw", data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    main = re.split(r"<main[^>]*>", html, maxsplit=1)[1].lstrip()
    assert main.startswith('<div class="form-errors error-summary"'), html[:2000]
    summary = main[: main.index("</ul>")]
    assert '<a href="#title">' in summary
    for target in re.findall(r'<a href="#([^"]+)">', summary):
        assert f'id="{target}"' in html  # every link has somewhere to go
