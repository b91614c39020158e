"""A regulation version that has not started yet can be corrected or removed; a started
version stays as it was. Extension maximum and appeal period are part of every version."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd.admin import services
from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.portfolio.models import Regulation, regulation_in_force
from tests.clock import TODAY

LATER = TODAY + timedelta(days=30)


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl", name="Bureau")
    browser.login("bureau@example.nl")
    return user


def version_form(**overrides) -> dict:
    data = {
        "starts_on": LATER.isoformat(),
        "total_hours": "100",
        "min_accredited": "30",
        "max_free": "70",
        "cycle_years": "3",
        "renewal_window_months": "6",
        "max_activity_hours": "40",
        "reminder_days": "180, 90, 30",
        "max_extension_months": "4",
        "appeal_weeks": "8",
        "reason": "Nieuw reglement vastgesteld door het bestuur",
    }
    data.update(overrides)
    return data


def _future_version(browser) -> Regulation:
    assert browser.submit("/beheer/reglement", version_form()).status_code == 302
    return db.session.scalar(select(Regulation).where(Regulation.starts_on == LATER))


def _actions() -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_a_new_version_holds_the_extension_maximum_and_the_appeal_period(browser, admin):
    version = _future_version(browser)
    assert (version.max_extension_months, version.appeal_weeks) == (4, 8)
    page = _text(browser.get("/beheer/reglement"))
    assert "4 maanden" in page and "8 weken" in page


def test_the_extension_maximum_and_the_appeal_period_are_required(browser, admin):
    data = version_form()
    del data["appeal_weeks"]
    response = browser.submit("/beheer/reglement", data)
    assert response.status_code == 200
    assert "Vul een heel getal in." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Regulation)) == 1


def test_a_version_that_has_not_started_can_be_corrected_with_a_reason(browser, admin):
    version = _future_version(browser)
    url = f"/beheer/reglement/{version.id}"
    assert "Corrigeren" in _text(browser.get(url))
    corrected = version_form(min_accredited="24", appeal_weeks="6", reason="Tikfout: 24 uur")
    assert browser.submit(url, corrected).status_code == 302

    db.session.refresh(version)
    assert version.min_accredited == Decimal("24")
    assert version.appeal_weeks == 6
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "admin.regulation_changed")
    )
    assert entry.reason == "Tikfout: 24 uur"
    assert entry.actor_id == admin.id
    changed = json.loads(entry.details)["changed"]
    assert set(changed) == {"min_accredited", "appeal_weeks"}
    assert changed["appeal_weeks"] == {"van": "8", "naar": "6"}


def test_a_correction_without_a_reason_changes_nothing(browser, admin):
    version = _future_version(browser)
    response = browser.submit(
        f"/beheer/reglement/{version.id}", version_form(total_hours="90", reason="")
    )
    assert response.status_code == 200
    assert "Geef een reden op" in response.get_data(as_text=True)
    db.session.refresh(version)
    assert version.total_hours == Decimal("100")
    assert "admin.regulation_changed" not in _actions()


def test_a_correction_cannot_move_the_start_to_today(browser, admin):
    version = _future_version(browser)
    response = browser.submit(
        f"/beheer/reglement/{version.id}", version_form(starts_on=TODAY.isoformat())
    )
    assert "datum in de toekomst" in response.get_data(as_text=True)
    db.session.refresh(version)
    assert version.starts_on == LATER


def test_a_version_that_has_started_stays_as_it_was(browser, admin):
    started = regulation_in_force(TODAY)
    before = (started.starts_on, started.total_hours, started.appeal_weeks)
    url = f"/beheer/reglement/{started.id}"
    page = browser.get(url)
    assert page.status_code == 200
    assert "blijft zoals ze was" in _text(page)
    assert browser.submit(url, version_form(), form_url="/beheer/reglement").status_code == 200
    removed = browser.submit(
        f"/beheer/reglement/{started.id}/verwijderen",
        {"remove-reason": "weg ermee", "bevestigd": "ja"},
        form_url="/beheer/reglement",
    )
    assert removed.status_code == 302
    db.session.refresh(started)
    assert (started.starts_on, started.total_hours, started.appeal_weeks) == before
    assert not {"admin.regulation_changed", "admin.regulation_removed"} & set(_actions())


def test_the_service_refuses_to_change_or_remove_a_started_version(app, admin):
    started = regulation_in_force(TODAY)
    values = {"starts_on": LATER, "total_hours": Decimal("1"), "min_accredited": Decimal("1")}
    with current_app.test_request_context("/"):
        with pytest.raises(services.RegulationError, match="al ingegaan"):
            services.change_regulation(started.id, values, "x", admin, TODAY)
        db.session.rollback()
        with pytest.raises(services.RegulationError, match="al ingegaan"):
            services.remove_regulation(started.id, "x", admin, TODAY)
        db.session.rollback()
    # The day it starts, a version is no longer correctable.
    with current_app.test_request_context("/"):
        future = services.add_regulation(
            {
                "starts_on": LATER,
                "total_hours": Decimal("96"),
                "min_accredited": Decimal("24"),
                "max_free": Decimal("72"),
                "cycle_years": 3,
                "renewal_window_months": 6,
                "max_activity_hours": Decimal("40"),
                "reminder_days": "180,90,30",
                "max_extension_months": 6,
                "appeal_weeks": 6,
            },
            "nieuw",
            admin,
            TODAY,
        )
        with pytest.raises(services.RegulationError, match="al ingegaan"):
            services.remove_regulation(future.id, "te laat", admin, LATER)


def test_a_version_that_has_not_started_can_be_removed_after_confirmation(browser, admin):
    version_id = _future_version(browser).id
    url = f"/beheer/reglement/{version_id}/verwijderen"
    data = {"remove-reason": "Besluit van het bestuur ingetrokken"}
    asked = browser.submit(url, data, form_url=f"/beheer/reglement/{version_id}")
    assert asked.status_code == 200
    assert "Weet u zeker dat u versie 2" in _text(asked)
    assert db.session.get(Regulation, version_id) is not None

    confirmed = browser.submit(
        url, {**data, "bevestigd": "ja"}, form_url=f"/beheer/reglement/{version_id}"
    )
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Regulation, version_id) is None
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "admin.regulation_removed")
    )
    assert entry.reason == "Besluit van het bestuur ingetrokken"
    assert json.loads(entry.details)["version"] == 2
    assert regulation_in_force(LATER).version == 1


def test_removing_needs_a_reason(browser, admin):
    version = _future_version(browser)
    response = browser.submit(
        f"/beheer/reglement/{version.id}/verwijderen",
        {"remove-reason": ""},
        form_url=f"/beheer/reglement/{version.id}",
    )
    assert response.status_code == 400
    assert "Geef een reden op" in response.get_data(as_text=True)
    assert db.session.get(Regulation, version.id) is not None


def test_only_the_registerbureau_corrects_versions(browser, make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    browser.login("bureau@example.nl")
    version = _future_version(browser)
    make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    reviewer = make_browser()
    reviewer.login("commissie@example.nl")
    assert reviewer.get(f"/beheer/reglement/{version.id}").status_code == 403
