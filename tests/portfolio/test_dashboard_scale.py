"""Mijn portfolio at any size: bars from aggregated rows, one page of the list, few queries."""

import random
import re
from datetime import timedelta
from decimal import Decimal

from krsd.certification.models import Application
from krsd.certification.rules import Kind, State
from krsd.courses.models import Accreditation, Course
from krsd.extensions import db
from krsd.portfolio import dashboard as overview
from krsd.portfolio.models import Activity, Evidence, regulation_in_force
from krsd.portfolio.rules import ActivityType, Category, Window, compute_progress
from tests.portfolio.conftest import TODAY

WINDOW = Window(TODAY - timedelta(days=3 * 365), TODAY)


def _activities(owner, count: int, start: int = 0, days_apart: int = 2) -> None:
    for n in range(start, start + count):
        activity = Activity(
            owner_id=owner.id,
            category=Category.FREE,
            type=ActivityType.WEBINAR,
            title=f"Activiteit {n:03d}",
            provider="Aanbieder",
            activity_date=TODAY - timedelta(days=n * days_apart),
            hours=Decimal("1.5"),
            reflection="Geleerd.",
        )
        activity.evidence_files.append(
            Evidence(stored_name=f"{n:040d}", label="x.pdf", kind="pdf", size=1, sha256="0" * 64)
        )
        db.session.add(activity)
    db.session.commit()


def _titles(html: str) -> list[str]:
    return re.findall(r">(Activiteit \d+)</a>", html)


def test_at_most_six_statements_for_5_and_500_activities(browser, professional):
    _activities(professional, 5)
    few = browser.queries_for("/portfolio/")
    _activities(professional, 495, start=5)
    many = browser.queries_for("/portfolio/")
    assert few == many <= 6


def test_the_list_is_paged_newest_first_with_the_years_and_their_counts(browser, professional):
    _activities(professional, 60, days_apart=10)  # 600 days: this year and the two before
    first = browser.get("/portfolio/").get_data(as_text=True)
    assert _titles(first) == [f"Activiteit {n:03d}" for n in range(25)]
    assert "1–25 van 60 activiteiten" in first and "Oudere" in first
    third = browser.get("/portfolio/?pagina=3").get_data(as_text=True)
    assert _titles(third) == [f"Activiteit {n:03d}" for n in range(50, 60)]
    assert "51–60 van 60 activiteiten" in third and "Oudere" not in third
    per_year = {}
    for n in range(60):
        year = (TODAY - timedelta(days=n * 10)).year
        per_year[year] = per_year.get(year, 0) + 1
    for year, count in per_year.items():
        assert f'<option value="{year}">{year} ({count})</option>' in first
    oldest = min(per_year)
    filtered = browser.get(f"/portfolio/?jaar={oldest}").get_data(as_text=True)
    assert len(_titles(filtered)) == min(per_year[oldest], 25)
    assert all(str(oldest) in line for line in re.findall(r'nowrap">([^<]+)<', filtered))


def test_the_bars_from_sums_equal_the_rules_over_every_activity(app, make_user):
    """Random portfolios: accredited courses followed twice (they count once), activities
    outside the window, activities held by an approved or by an open application."""
    rng = random.Random(11)
    course = Course(title="Module", provider="Ingrado")
    accreditations = [
        Accreditation(
            course=course,
            number=f"KRSD-A-{n}",
            hours=Decimal("8"),
            valid_from=TODAY - timedelta(days=2000),
            valid_until=TODAY + timedelta(days=400),
        )
        for n in range(3)
    ]
    db.session.add_all(accreditations)
    db.session.flush()
    regulation = regulation_in_force(TODAY)
    for person in range(4):
        owner = make_user(email=f"som{person}@example.nl")
        approved, open_ = (
            Application(
                applicant_id=owner.id,
                kind=Kind.INITIAL,
                state=state,
                window_start=WINDOW.start,
                window_end=WINDOW.end,
                regulation_id=regulation.id,
            )
            for state in (State.APPROVED, State.SUBMITTED)
        )
        db.session.add_all([approved, open_])
        db.session.flush()
        activities = []
        for _ in range(rng.randint(5, 40)):
            accredited = rng.random() < 0.4
            accreditation = rng.choice(accreditations) if accredited else None
            activity = Activity(
                owner_id=owner.id,
                category=Category.ACCREDITED if accredited else Category.FREE,
                type=ActivityType.ACCREDITED_COURSE
                if accredited
                else rng.choice([ActivityType.WEBINAR, ActivityType.INTERVISIE]),
                title="x",
                provider="y",
                activity_date=TODAY - timedelta(days=rng.randint(0, 1600)),
                hours=Decimal(rng.choice(["1", "2.5", "8", "16", "20"])),
                reflection="z",
                accreditation_id=accreditation.id if accreditation else None,
                locked_by_application_id=rng.choice([None, None, None, approved.id, open_.id]),
            )
            activities.append(activity)
        db.session.add_all(activities)
        db.session.commit()
        counted = [a for a in activities if a.locked_by_application_id != approved.id]
        expected = compute_progress([a.entry() for a in counted], regulation.terms, WINDOW)
        shown = overview.dashboard(owner, TODAY, None, None, 1, (WINDOW, None), regulation)
        for field in ("accredited", "free", "free_counted", "total_counted", "eligible"):
            assert getattr(shown.progress, field) == getattr(expected, field), (person, field)
        in_window = [a.activity_date for a in counted if a.activity_date in WINDOW]
        assert shown.oldest_counted == min(in_window, default=None)
        assert shown.matching == len(activities)
