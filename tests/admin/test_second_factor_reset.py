"""The registerbureau resets a lost second factor: with a reason, audited, mailed."""

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import AuthSession, RecoveryCode, SecondFactor
from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.mail import OutboxMessage
from tests import second_factor as sf
from tests.conftest import PASSWORD

PROTECTED = "/account/wachtwoord"


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser.login("bureau@example.nl")
    return user


@pytest.fixture
def reviewer(make_user, make_browser):
    """A reviewer who linked an app and is logged in on their own laptop."""
    user = make_user(roles={RoleName.REVIEWER}, email="marleen@example.nl", name="Marleen")
    laptop = make_browser()
    laptop.login(user.email)
    assert laptop.get(PROTECTED).status_code == 200
    user.laptop = laptop
    return user


def _reset(browser, user, reason="Telefoon verloren, telefonisch geverifieerd op 3 december"):
    return browser.submit(
        f"/beheer/accounts/{user.id}",
        {"second-factor-reason": reason, "second-factor-submit": "1"},
    )


def test_the_account_page_offers_the_reset(browser, admin, reviewer):
    html = browser.get(f"/beheer/accounts/{reviewer.id}").get_data(as_text=True)
    assert "Tweestapsverificatie herstellen" in html


def test_a_reset_with_a_reason_is_audited_ends_sessions_mails_and_forces_a_new_app(
    browser, admin, reviewer, make_browser
):
    old_secret = db.session.get(SecondFactor, reviewer.id).totp_secret
    assert _reset(browser, reviewer).status_code == 302

    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "admin.second_factor_reset")
    )
    assert entry.actor_id == admin.id
    assert entry.object_id == str(reviewer.id)
    assert entry.reason == "Telefoon verloren, telefonisch geverifieerd op 3 december"
    assert db.session.get(SecondFactor, reviewer.id) is None
    assert not db.session.scalar(
        select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == reviewer.id)
    )
    assert not db.session.scalar(
        select(func.count()).select_from(AuthSession).where(AuthSession.user_id == reviewer.id)
    )
    assert reviewer.laptop.get(PROTECTED).status_code == 302
    mail = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == "marleen@example.nl")
        .order_by(OutboxMessage.id.desc())
    )
    assert "opnieuw ingesteld" in mail.subject
    assert "Telefoon verloren" in mail.body

    # At the next login Marleen links a new app.
    again = make_browser()
    response = again.submit("/inloggen", {"email": reviewer.email, "password": PASSWORD})
    assert response.headers["Location"] == sf.ENROL_PATH
    new_secret = sf.secret_on_page(again.get(sf.ENROL_PATH).get_data(as_text=True))
    assert new_secret != old_secret


def test_a_reset_without_a_reason_is_refused(browser, admin, reviewer):
    response = _reset(browser, reviewer, reason="")
    assert "Geef een reden op" in response.get_data(as_text=True)
    assert db.session.get(SecondFactor, reviewer.id) is not None
    assert reviewer.laptop.get(PROTECTED).status_code == 200


def test_the_registerbureau_does_not_reset_its_own_second_factor(browser, admin):
    response = _reset(browser, admin)
    assert response.status_code == 200
    assert "eigen tweede factor" in response.get_data(as_text=True)
    assert db.session.get(SecondFactor, admin.id) is not None
    assert browser.get(PROTECTED).status_code == 200


def test_only_the_registerbureau_can_reset(reviewer, make_user):
    other = make_user(roles={RoleName.REVIEWER}, email="ander@example.nl")
    response = _reset(reviewer.laptop, other)
    assert response.status_code == 403
