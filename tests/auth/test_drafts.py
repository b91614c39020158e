"""No lost work: a form posted after the session ran out comes back after logging in."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from krsd.auth.drafts import FormDraft
from krsd.extensions import db
from krsd.portfolio.models import Activity
from tests.portfolio.conftest import free_form

NEW = "/portfolio/activiteiten/nieuw"


@pytest.fixture
def professional(make_user, browser):
    user = make_user(email="prof@example.nl", name="Şükrü Çelik")
    browser.login("prof@example.nl")
    return user


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _post_after_timeout(browser, register_clock, data):
    token = browser.csrf_token(NEW)
    register_clock.shift(timedelta(minutes=31))
    return browser.post(NEW, data={**data, "csrf_token": token})


def test_typed_input_comes_back_after_logging_in_again(browser, professional, register_clock):
    typed = free_form(
        title="Intervisie over verzuim", reflection_learned="Wat ik leerde: " + "x" * 3000
    )
    response = _post_after_timeout(browser, register_clock, typed)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/inloggen?next=")
    login_page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Uw sessie was verlopen" in login_page
    assert _count(Activity) == 0

    after_login = browser.login("prof@example.nl", query_string={"next": NEW})
    assert after_login.headers["Location"] == NEW
    html = browser.get(NEW).get_data(as_text=True)
    assert 'value="Intervisie over verzuim"' in html
    assert "x" * 3000 in html
    assert "kies die opnieuw" in html  # the file has to be chosen again, and it says so
    assert _count(FormDraft) == 0  # taken once
    assert 'value="Intervisie over verzuim"' not in browser.get(NEW).get_data(as_text=True)


def test_a_draft_is_only_given_back_to_its_author(
    browser, make_browser, professional, make_user, register_clock
):
    _post_after_timeout(browser, register_clock, free_form(title="Van Şükrü"))
    make_user(email="collega@example.nl")
    colleague = make_browser()
    colleague.login("collega@example.nl")
    assert "Van Şükrü" not in colleague.get(NEW).get_data(as_text=True)


def test_a_forged_or_unknown_session_keeps_nothing(make_browser, professional):
    stranger = make_browser()
    stranger.client.set_cookie("krsd_session", "forged.cookie.value", domain="localhost")
    stranger.post(NEW, data=free_form(title="Iets"))
    assert _count(FormDraft) == 0


def test_passwords_are_never_kept(browser, professional, register_clock):
    token = browser.csrf_token("/account/wachtwoord")
    register_clock.shift(timedelta(minutes=31))
    browser.post(
        "/account/wachtwoord",
        data={"csrf_token": token, "current": "geheim-oud", "password": "nieuw-geheim-lang"},
    )
    fields = db.session.scalars(select(FormDraft.fields)).all()
    assert all("geheim" not in f for f in fields)


def test_a_page_that_cannot_fill_in_a_draft_keeps_nothing(browser, professional, register_clock):
    token = browser.csrf_token("/account/gegevens")
    register_clock.shift(timedelta(minutes=31))
    browser.post(
        "/account/gegevens", data={"csrf_token": token, "name": "Nieuwe naam", "employer": "X"}
    )
    assert _count(FormDraft) == 0


def test_the_daily_job_removes_drafts_nobody_came_back_for(
    app, browser, professional, register_clock
):
    _post_after_timeout(browser, register_clock, free_form(title="Vergeten"))
    assert _count(FormDraft) == 1
    runner = app.test_cli_runner()
    register_clock.shift(timedelta(minutes=59))
    assert "opgeruimd: 0" in runner.invoke(args=["krsd", "daily"]).output
    register_clock.shift(timedelta(minutes=2))
    assert "opgeruimd: 1" in runner.invoke(args=["krsd", "daily"]).output
    assert _count(FormDraft) == 0
