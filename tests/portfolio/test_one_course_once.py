"""One accredited course counts once per window (issue 8, rule 10)."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from krsd.certification.progress import counting_window
from krsd.extensions import db
from krsd.portfolio import services
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category
from tests.portfolio.conftest import TODAY, free_form

NEW = "/portfolio/activiteiten/nieuw"


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _course(accreditation, days_ago: int) -> dict:
    return free_form(
        category="accredited",
        accreditation=str(accreditation.id),
        title="",
        activity_date=(TODAY - timedelta(days=days_ago)).isoformat(),
    )


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Activity))


def test_the_same_accredited_course_twice_on_one_day_is_refused_naming_the_first(
    browser, professional, accreditation
):
    first = browser.submit(NEW, _course(accreditation, 30), content_type="multipart/form-data")
    assert first.status_code == 302
    again = browser.submit(NEW, _course(accreditation, 30), content_type="multipart/form-data")
    html = _flat(again)
    assert again.status_code == 200
    day = TODAY - timedelta(days=30)
    assert "Deze opleiding staat al in uw portfolio" in html
    assert "‘Leergang Module 1 Wet- en regelgeving’" in html
    assert f"{day.day} " in html and str(day.year) in html
    assert _count() == 1


def test_the_same_course_on_another_day_in_the_window_is_refused_too(
    browser, professional, accreditation
):
    assert (
        browser.submit(
            NEW, _course(accreditation, 200), content_type="multipart/form-data"
        ).status_code
        == 302
    )
    again = browser.submit(NEW, _course(accreditation, 10), content_type="multipart/form-data")
    assert "Deze opleiding staat al in uw portfolio" in _flat(again)
    assert _count() == 1


def test_editing_an_activity_into_a_second_entry_is_refused_but_saving_it_unchanged_is_not(
    app, professional, accreditation
):
    window, _ = counting_window(professional.id, TODAY)
    data = services.ActivityInput(
        category=Category.ACCREDITED,
        activity_date=TODAY - timedelta(days=30),
        reflection_learned="Ik leerde de termijnen en de rolverdeling in het verzuimproces.",
        reflection_applied="Ik gebruik dit in elk eerste gesprek met een jongere en ouders.",
        accreditation_id=accreditation.id,
    )
    first = Activity(
        owner_id=professional.id,
        category=Category.ACCREDITED,
        type=ActivityType.ACCREDITED_COURSE,
        title="Leergang Module 1 Wet- en regelgeving",
        activity_date=TODAY - timedelta(days=30),
        hours=Decimal("16"),
        reflection="Geleerd.",
        accreditation_id=accreditation.id,
    )
    other = Activity(
        owner_id=professional.id,
        category=Category.FREE,
        type=ActivityType.WORKSHOP,
        title="Workshop",
        activity_date=TODAY - timedelta(days=20),
        hours=Decimal("4"),
        reflection="Geleerd.",
    )
    db.session.add_all([first, other])
    db.session.commit()
    services.update_activity(first, data, [], TODAY, window)  # itself: not a second entry
    try:
        services.update_activity(other, data, [], TODAY, window)
    except services.PortfolioError as exc:
        assert exc.field == "accreditation" and "staat al in uw portfolio" in str(exc)
    else:
        raise AssertionError("a second entry of the course was accepted")


def test_old_duplicates_count_once_on_the_dashboard(browser, professional, accreditation):
    for _ in range(2):  # as the old code let them in
        db.session.add(
            Activity(
                owner_id=professional.id,
                category=Category.ACCREDITED,
                type=ActivityType.ACCREDITED_COURSE,
                title="Leergang Module 1 Wet- en regelgeving",
                activity_date=TODAY - timedelta(days=30),
                hours=Decimal("16"),
                reflection="Geleerd.",
                accreditation_id=accreditation.id,
            )
        )
    db.session.commit()
    html = _flat(browser.get("/portfolio/"))
    assert '<span data-bar="accredited">16 / 24 uur</span>' in html
