"""The calendar's awkward days: New Year's night, the end of December, leap years.

The rest of the suite runs on one fixed day (tests/clock.py); here the clock is moved to
the days on which date arithmetic used to break, and the register's day is Amsterdam's.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.rules import CertificateStatus, Verdict
from krsd.clock import AMSTERDAM, register_today
from krsd.extensions import db
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category, add_years
from tests.portfolio.conftest import upload

EDGE_MOMENTS = [
    # 00:30 in Amsterdam is still 31 December in UTC: the register's day is 1 January.
    datetime(2027, 1, 1, 0, 30, tzinfo=AMSTERDAM),
    datetime(2026, 12, 30, 12, 0, tzinfo=AMSTERDAM),
    datetime(2026, 12, 31, 23, 30, tzinfo=AMSTERDAM),
    datetime(2028, 2, 29, 9, 0, tzinfo=AMSTERDAM),
    datetime(2028, 3, 10, 9, 0, tzinfo=AMSTERDAM),
]
IDS = [m.strftime("%Y-%m-%dT%H:%M") for m in EDGE_MOMENTS]


@pytest.fixture(params=EDGE_MOMENTS, ids=IDS)
def day(request, register_clock):
    register_clock.move_to(request.param)
    return request.param.date()


def _activity(owner, category: Category, hours: str, day: date) -> None:
    db.session.add(
        Activity(
            owner_id=owner.id,
            category=category,
            type=ActivityType.ACCREDITED_COURSE
            if category == Category.ACCREDITED
            else ActivityType.WORKSHOP,
            title=f"{category.value} {hours}",
            provider="Aanbieder",
            activity_date=day,
            hours=Decimal(hours),
            reflection="Geleerd en toegepast.",
        )
    )


def test_the_register_day_is_the_day_in_amsterdam(day):
    assert register_today() == day
    assert datetime.now(UTC).astimezone(AMSTERDAM).date() == day


def test_a_certificate_decided_on_the_day_runs_three_years_from_it(app, day, make_user):
    applicant = make_user(email="prof@example.nl")
    reviewer = make_user(roles={RoleName.REVIEWER}, email="r@example.nl")
    window_start = add_years(day, -3) + timedelta(days=1)
    # Hours on the first and the last day of the window both count.
    _activity(applicant, Category.ACCREDITED, "24", window_start)
    _activity(applicant, Category.FREE, "36", day)
    _activity(applicant, Category.FREE, "36", day - timedelta(days=1))
    _activity(applicant, Category.FREE, "40", window_start - timedelta(days=1))  # too old
    db.session.commit()
    with app.test_request_context("/"):
        application = services.submit_application(applicant, register_today())
        assert (application.window_start, application.window_end) == (window_start, day)
        assert len(application.items) == 3
        services.claim(application.id, reviewer)
        for item in application.items:
            services.judge(
                application, item.id, reviewer, services.Judgement(Verdict.ACCEPTED, None, "")
            )
        certificate = services.decide(application, reviewer, True, "Voldoet.", register_today())
    assert certificate.valid_from == day
    assert certificate.valid_until == add_years(day, 3) - timedelta(days=1)
    assert certificate.status_on(certificate.valid_until) == CertificateStatus.VALID
    assert certificate.status_on(certificate.valid_until + timedelta(days=1)) == (
        CertificateStatus.EXPIRED
    )


def test_an_activity_of_today_is_accepted_and_one_of_tomorrow_refused(day, browser, make_user):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    form = {
        "category": "free",
        "type": "intervisie",
        "title": "Intervisie",
        "provider": "Groep",
        "hours": "2",
        "reflection_learned": "Ik leerde mijn eigen aanpak te bevragen in het casusoverleg.",
        "reflection_applied": "Ik stel nu eerst open vragen in het gesprek met een jongere.",
    }
    tomorrow = browser.submit(
        "/portfolio/activiteiten/nieuw",
        {**form, "activity_date": (day + timedelta(days=1)).isoformat(), "files": [upload()]},
    )
    assert tomorrow.status_code == 200
    assert "toekomst" in tomorrow.get_data(as_text=True)
    today = browser.submit(
        "/portfolio/activiteiten/nieuw",
        {**form, "activity_date": day.isoformat(), "files": [upload()]},
    )
    assert today.status_code == 302
    dashboard = browser.get(f"/portfolio/?jaar={day.year}").get_data(as_text=True)
    assert "Intervisie" in dashboard
