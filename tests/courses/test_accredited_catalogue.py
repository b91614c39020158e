from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.courses.models import Accreditation
from krsd.extensions import db
from krsd.portfolio.models import Regulation, regulation_in_force
from tests.clock import TODAY


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    browser.login("bureau@example.nl")
    return user


def course_form(**overrides):
    data = {
        "title": "Leergang Module 3 Methodisch handelen",
        "provider": "Ingrado Academie",
        "description": "Derde module van de Leergang Leerplicht/RMC.",
        "number": "KRSD-A-2026-003",
        "hours": "16",
        "valid_from": "2026-01-01",
        "valid_until": "2028-12-31",
        "reason": "Besluit accreditatiecommissie 12 januari",
    }
    data.update(overrides)
    return data


def test_the_registerbureau_accredits_a_course_and_it_is_audited(browser, admin):
    response = browser.submit("/cursussen/geaccrediteerd/nieuw", course_form())
    assert response.status_code == 302
    accreditation = db.session.scalar(select(Accreditation))
    assert (
        accreditation.hours == Decimal("16") and accreditation.course.provider == "Ingrado Academie"
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "courses.accreditation_granted")
    )
    assert entry.actor_id == admin.id and entry.reason == "Besluit accreditatiecommissie 12 januari"
    assert "Leergang Module 3" in browser.get("/cursussen/geaccrediteerd").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"valid_until": "2025-01-01"}, "De einddatum ligt vóór de begindatum."),
        ({"hours": "0"}, "Tussen 0,5 en 200 uur."),
        ({"hours": "2,555"}, "twee cijfers"),
        ({"reason": ""}, "Geef een toelichting"),
        ({"title": ""}, "Dit veld is verplicht."),
    ],
)
def test_bad_accreditations_are_refused(browser, admin, change, message):
    response = browser.submit("/cursussen/geaccrediteerd/nieuw", course_form(**change))
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Accreditation)) is None


def test_an_accreditation_number_is_unique(browser, admin):
    browser.submit("/cursussen/geaccrediteerd/nieuw", course_form())
    response = browser.submit("/cursussen/geaccrediteerd/nieuw", course_form(title="Ander"))
    assert "al in gebruik" in response.get_data(as_text=True)


def regulation_form(**overrides):
    data = {
        "starts_on": (TODAY + timedelta(days=30)).isoformat(),
        "total_hours": "100",
        "min_accredited": "30",
        "max_free": "70",
        "cycle_years": "3",
        "renewal_window_months": "6",
        "max_activity_hours": "40",
        "reminder_days": "180, 90, 30",
        "max_extension_months": "6",
        "appeal_weeks": "6",
        "reason": "Nieuw reglement vastgesteld door het bestuur",
    }
    data.update(overrides)
    return data


def test_a_new_regulation_version_starts_in_the_future(browser, admin):
    assert browser.submit("/beheer/reglement", regulation_form()).status_code == 302
    assert regulation_in_force(TODAY).version == 1
    later = regulation_in_force(TODAY + timedelta(days=30))
    assert later.version == 2 and later.terms.min_accredited == Decimal("30")
    assert later.terms.reminder_days == (180, 90, 30)
    assert (
        db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "admin.regulation_added")
        ).reason
        == "Nieuw reglement vastgesteld door het bestuur"
    )


def test_a_regulation_cannot_start_today_or_in_the_past(browser, admin):
    response = browser.submit("/beheer/reglement", regulation_form(starts_on=TODAY.isoformat()))
    assert "datum in de toekomst" in response.get_data(as_text=True)
    assert db.session.scalar(select(Regulation).where(Regulation.version == 2)) is None
