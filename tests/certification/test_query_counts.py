"""The commission's pages, and the applicant's page of one application, run a fixed number
of SQL statements whatever the number of applications in the queue or of activities (with
evidence and verdicts) in an application."""

from datetime import date

import pytest
from flask import current_app

from krsd.auth.rules import RoleName
from krsd.certification import appeals, services
from krsd.certification.rules import Verdict
from krsd.portfolio.rules import Category
from tests.certification.conftest import add_activity, fill_portfolio
from tests.certification.renewing import earned, holder_certificate, make_reviewer
from tests.certification.test_review_page import PDF, attach, png_bytes
from tests.clock import TODAY

SMALL, LARGE = 3, 30
#: what the pages need today, with a little room; a page over it loads more than it shows
QUEUE_AT_MOST = 12
REVIEW_AT_MOST = 14
APPLICATION_AT_MOST = 11
BUREAU = "bureau@example.nl"


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def commission(make_user):
    return make_reviewer(make_user), make_reviewer(make_user, "tweede-lid@example.nl")


def _waiting(make_user, reviewers, start: int, count: int) -> None:
    """``count`` waiting applications of every sort the queue marks: first certifications,
    renewals of a certificate, resubmitted after a question, reopened after an appeal."""
    me, other = reviewers
    for n in range(start, start + count):
        user = make_user(email=f"wacht{n}@example.nl", name=f"Wachtend {n}")
        sort = n % 4
        if sort == 1:
            earned(user, date(2025, 10, 1))
            holder_certificate(user)
        else:
            fill_portfolio(user)
        app = services.submit_application(user, TODAY)
        if sort == 2:
            services.claim(app.id, other)
            services.request_info(app, other, "Graag een bewijsstuk.")
            services.resubmit(app, user, "Toegevoegd.")
        elif sort == 3:
            services.claim(app.id, other)
            services.decide(app, other, False, "Te weinig uren.", TODAY)
            appeal = appeals.lodge(app.id, user, "Niet mee eens.", TODAY)
            appeals.claim(appeal.id, me)
            appeals.grant(appeal.id, me, "Gegrond.")


def test_the_queue_runs_as_many_statements_for_30_waiting_as_for_3(
    request_context, make_user, make_browser, commission
):
    make_user(roles={RoleName.ADMIN}, email=BUREAU)
    reviewer, bureau = make_browser(), make_browser()
    reviewer.login(commission[0].email)
    bureau.login(BUREAU)
    _waiting(make_user, commission, 0, SMALL)
    small = reviewer.queries_for("/commissie"), bureau.queries_for("/commissie")
    _waiting(make_user, commission, SMALL, LARGE - SMALL)
    page = reviewer.get("/commissie").get_data(as_text=True)
    assert f"Wachtrij ({LARGE})" in page
    assert page.count("opnieuw ingediend") >= 7 and page.count("na bezwaar") >= 7
    large = reviewer.queries_for("/commissie"), bureau.queries_for("/commissie")
    print(f"queue (reviewer, bureau): {small} statements for {SMALL}, {large} for {LARGE}")
    assert small == large
    assert max(large) <= QUEUE_AT_MOST


def _application(make_user, reviewer, n: int, activities: int):
    """An application in review with ``activities`` activities, each with two pieces of
    evidence, and a verdict on every other one."""
    user = make_user(email=f"aanvrager{n}@example.nl", name=f"Aanvrager {n}")
    fill_portfolio(user, accredited=("24",), free=())
    free_hours = str(-(-72 // (activities - 1)))  # together at least the 72 free hours
    for m in range(activities - 1):
        add_activity(user, Category.FREE, free_hours, 20 + m, title=f"Intervisie {m}")
    app = services.submit_application(user, TODAY)
    services.claim(app.id, reviewer)
    for m, item in enumerate(sorted(app.items, key=lambda i: i.id)):
        attach(item.activity, PDF, "bewijs.pdf", "pdf")
        attach(item.activity, png_bytes(), "foto.png", "png")
        if m % 2:
            verdict = (Verdict.ACCEPTED, Verdict.ACCEPTED_FEWER, Verdict.REJECTED)[m % 3]
            hours = item.activity.hours - 1 if verdict == Verdict.ACCEPTED_FEWER else None
            services.judge(app, item.id, reviewer, services.Judgement(verdict, hours, "Gezien."))
    assert len(app.items) == activities
    return app


@pytest.mark.parametrize("viewer", ["reviewer", "bureau"])
def test_the_review_page_runs_as_many_statements_for_30_activities_as_for_3(
    request_context, make_user, make_browser, commission, viewer
):
    reviewer = commission[0]
    if viewer == "bureau":  # sees the reviewers to assign to, each with their conflicts
        make_user(roles={RoleName.ADMIN}, email=BUREAU)
        for n in range(3):
            make_reviewer(make_user, f"lid{n}@example.nl")
    browser = make_browser()
    browser.login(reviewer.email if viewer == "reviewer" else BUREAU)
    small = _application(make_user, reviewer, 1, SMALL)
    large = _application(make_user, reviewer, 2, LARGE)
    counts = [browser.queries_for(f"/commissie/aanvragen/{a.id}") for a in (small, large)]
    print(f"review page ({viewer}): {counts[0]} statements for {SMALL}, {counts[1]} for {LARGE}")
    page = browser.get(f"/commissie/aanvragen/{large.id}").get_data(as_text=True)
    assert page.count('class="review-item"') == LARGE
    assert page.count("bewijs.pdf") >= LARGE
    assert counts[0] == counts[1] <= REVIEW_AT_MOST


def test_the_applicants_page_runs_as_many_statements_for_30_activities_as_for_3(
    request_context, make_user, make_browser, commission
):
    counts = []
    for n, activities in ((1, SMALL), (2, LARGE)):
        app = _application(make_user, commission[0], n, activities)
        browser = make_browser()
        browser.login(f"aanvrager{n}@example.nl")
        counts.append(browser.queries_for(f"/certificering/aanvragen/{app.id}"))
    print(f"application page: {counts[0]} statements for {SMALL}, {counts[1]} for {LARGE}")
    assert counts[0] == counts[1] <= APPLICATION_AT_MOST
