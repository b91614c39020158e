from datetime import timedelta
from decimal import Decimal

import pytest

from krsd.auth.rules import RoleName
from krsd.extensions import db
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category
from tests.clock import TODAY


def add_activity(owner, category: Category, hours: str, days_ago: int = 30, title=None) -> Activity:
    activity = Activity(
        owner_id=owner.id,
        category=category,
        type=ActivityType.ACCREDITED_COURSE
        if category == Category.ACCREDITED
        else ActivityType.WORKSHOP,
        title=title or f"{category.value} {hours} uur",
        provider="Aanbieder",
        activity_date=TODAY - timedelta(days=days_ago),
        hours=Decimal(hours),
        reflection="Geleerd en toegepast.",
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def fill_portfolio(owner, accredited=("16", "8"), free=("36", "36")) -> None:
    for n, hours in enumerate(accredited):
        add_activity(owner, Category.ACCREDITED, hours, 100 + n)
    for n, hours in enumerate(free):
        add_activity(owner, Category.FREE, hours, 50 + n)


@pytest.fixture
def applicant(make_user):
    user = make_user(email="prof@example.nl", name="Anna de Vries")
    fill_portfolio(user)
    return user


@pytest.fixture
def reviewer(make_user):
    return make_user(
        roles={RoleName.REVIEWER, RoleName.PROFESSIONAL}, email="beoordelaar@example.nl"
    )
