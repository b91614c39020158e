import json

import pytest
from sqlalchemy import select

from krsd.audit import AuditEntry, AuditLogIsAppendOnly
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.extensions import db


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser.login("bureau@example.nl")
    return user


def _roles_form(user_id, roles, reason="Benoemd in de commissie per 1 december"):
    data = {"roles-roles": [r.value for r in roles], "roles-reason": reason, "roles-submit": "1"}
    return f"/beheer/accounts/{user_id}", data


def test_admin_assigns_roles_and_the_change_is_audited_with_who_and_why(browser, admin, make_user):
    target = make_user(email="marleen@example.nl")
    url, data = _roles_form(target.id, {RoleName.PROFESSIONAL, RoleName.REVIEWER})
    assert browser.submit(url, data).status_code == 302

    db.session.refresh(target)
    assert target.role_names == {RoleName.PROFESSIONAL, RoleName.REVIEWER}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "admin.roles_changed"))
    assert entry.actor_id == admin.id
    assert entry.object_id == str(target.id)
    assert entry.reason == "Benoemd in de commissie per 1 december"
    assert json.loads(entry.details) == {"added": ["reviewer"], "removed": []}
    assert entry.at.tzinfo is not None


def test_a_role_change_without_a_reason_is_refused(browser, admin, make_user):
    target = make_user(email="marleen@example.nl")
    url, data = _roles_form(target.id, {RoleName.TRAINER}, reason="")
    response = browser.submit(url, data)
    assert "Geef een reden op" in response.get_data(as_text=True)
    db.session.refresh(target)
    assert target.role_names == {RoleName.PROFESSIONAL}


def test_the_new_role_takes_effect_at_once(browser, admin, make_user, make_browser):
    make_user(email="marleen@example.nl")
    marleen = make_browser()
    marleen.login("marleen@example.nl")
    assert marleen.get("/beheer/accounts").status_code == 403
    target = db.session.scalar(select(User).where(User.email == "marleen@example.nl"))
    browser.submit(*_roles_form(target.id, {RoleName.ADMIN}))
    assert marleen.get("/beheer/accounts").status_code == 200


def test_the_last_admin_cannot_lose_the_admin_role(browser, admin):
    response = browser.submit(*_roles_form(admin.id, {RoleName.PROFESSIONAL}))
    assert "minstens één actief account" in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.has_role(RoleName.ADMIN)


def test_blocking_an_account_ends_its_sessions(browser, admin, make_user, make_browser):
    target = make_user(email="marleen@example.nl")
    marleen = make_browser()
    marleen.login("marleen@example.nl")
    response = browser.submit(
        f"/beheer/accounts/{target.id}",
        {"active-reason": "Dienstverband beëindigd", "active-submit": "1"},
    )
    assert response.status_code == 302
    assert marleen.get("/account/wachtwoord").status_code == 302
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "admin.account_blocked")
    )
    assert entry.reason == "Dienstverband beëindigd"


def test_user_search_treats_wildcards_as_text(browser, admin, make_user):
    make_user(email="a@example.nl", name="Anna 100% Jansen")
    make_user(email="b@example.nl", name="Bert Bakker")
    html = browser.get("/beheer/accounts?q=%25").get_data(as_text=True)
    assert "Anna 100% Jansen" in html
    assert "Bert Bakker" not in html


def test_audit_log_lists_and_filters(browser, admin, make_user):
    target = make_user(email="marleen@example.nl")
    browser.submit(*_roles_form(target.id, {RoleName.TRAINER}))
    html = browser.get("/beheer/auditlog?action=admin.roles_changed").get_data(as_text=True)
    assert '<td data-label="Actie">Rollen gewijzigd</td>' in html
    assert '<td data-label="Actie">Ingelogd</td>' not in html
    html = browser.get("/beheer/auditlog?actor=bureau%40example.nl").get_data(as_text=True)
    assert '<td data-label="Actie">Ingelogd</td>' in html


def test_audit_entries_cannot_be_changed_or_deleted(app, admin):
    entry = db.session.scalar(select(AuditEntry))
    entry.action = "iets anders"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(AuditEntry)))
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_the_app_has_no_route_that_edits_the_audit_log(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_outbox_shows_messages_to_the_admin(browser, admin, make_user, make_browser):
    make_user(email="marleen@example.nl")
    make_browser().submit("/wachtwoord-vergeten", {"email": "marleen@example.nl"})
    html = browser.get("/beheer/uitgaande-mail").get_data(as_text=True)
    assert "marleen@example.nl" in html
    assert "Nieuw wachtwoord voor uw KRSD-account" in html
    assert "In de outbox" in html
