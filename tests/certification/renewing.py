"""Helpers for the herregistratie tests: a holder, the clock on a given day, a review."""

from datetime import date, datetime

from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.models import Certificate
from krsd.certification.rules import Verdict
from krsd.clock import AMSTERDAM
from krsd.portfolio.rules import Category
from tests.certification.conftest import add_activity
from tests.certification.test_public import certify
from tests.clock import TODAY

#: the holder's certificate: 1 September 2023 up to and including 31 August 2026, so on
#: the tests' day (15 June 2026) its renewal window (from 28 February 2026) is open
START, END = date(2023, 9, 1), date(2026, 8, 31)
OPENS = date(2026, 2, 28)
#: the renewed certificate: from the day after, three years
NEXT = (date(2026, 9, 1), date(2029, 8, 31))
OK = services.Judgement(Verdict.ACCEPTED, None, "")


def on(register_clock, day: date, hour: int = 10, minute: int = 0) -> date:
    """Move the register's clock to ``day`` at hour:minute in Amsterdam; returns the day."""
    register_clock.move_to(datetime(day.year, day.month, day.day, hour, minute, tzinfo=AMSTERDAM))
    return day


def holder_certificate(user, start: date = START, **state) -> Certificate:
    """A three-year certificate from ``start``, as an approved first application leaves it."""
    return certify(user, start=start, **state)


def earned(user, day: date) -> None:
    """24 accredited and 72 free-space hours, all on ``day``."""
    for category, hours in [(Category.ACCREDITED, "24"), (Category.FREE, "36")] + [
        (Category.FREE, "36")
    ]:
        add_activity(user, category, hours, days_ago=(TODAY - day).days)


def make_reviewer(make_user, email: str = "commissie@example.nl"):
    # Another employer than the applicants': no conflict of interest.
    return make_user(roles={RoleName.REVIEWER}, email=email, employer="Commissie KRSD")


def approve(app, reviewer, today: date) -> Certificate:
    services.claim(app.id, reviewer)
    for item in app.items:
        services.judge(app, item.id, reviewer, OK)
    return services.decide(app, reviewer, True, "Voldoet aan het reglement.", today)
