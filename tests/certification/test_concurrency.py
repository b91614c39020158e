"""Simultaneous requests on the real database (SQLite and PostgreSQL): constraints hold."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import progress, services
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import State, Verdict
from krsd.extensions import db
from tests.certification.conftest import TODAY, fill_portfolio
from tests.races import race

OK = services.Judgement(Verdict.ACCEPTED, None, "")


def _run_together(app, count: int, work) -> list:
    """Run ``work(n)`` in ``count`` threads that start at the same moment, each in its own
    app and request context (its own database session); returns results or exceptions."""
    barrier = threading.Barrier(count)
    db.session.remove()

    def run(n):
        with app.app_context(), app.test_request_context("/"):
            barrier.wait(timeout=30)
            try:
                return work(n)
            except Exception as exc:  # noqa: BLE001 - the test inspects what each thread got
                db.session.rollback()
                return exc
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_20_simultaneous_submits_make_one_application(app, applicant):
    user_id = applicant.id

    def submit(_n):
        return services.submit_application(db.session.get(User, user_id), TODAY).id

    results = _run_together(app, 20, submit)
    ids = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, services.AlreadyOpen)]
    assert len(ids) == 1 and len(refused) == 19, results
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


def test_of_two_reviewers_claiming_at_the_same_moment_one_wins(app, applicant, make_user):
    reviewers = [
        make_user(roles={RoleName.REVIEWER}, email=f"r{n}@example.nl").id for n in range(2)
    ]
    with app.test_request_context("/"):
        application_id = services.submit_application(applicant, TODAY).id

    def claim(n):
        return services.claim(application_id, db.session.get(User, reviewers[n])).reviewer_id

    results = _run_together(app, 2, claim)
    winners = [r for r in results if isinstance(r, int)]
    losers = [r for r in results if isinstance(r, services.CertificationError)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert db.session.get(Application, application_id).reviewer_id == winners[0]


def test_20_simultaneous_approvals_get_20_registration_numbers_without_gaps(app, make_user):
    reviewer = make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    application_ids = []
    with app.test_request_context("/"):
        for n in range(20):
            user = make_user(email=f"p{n}@example.nl")
            fill_portfolio(user, accredited=("24",), free=("72",))
            application = services.submit_application(user, TODAY)
            services.claim(application.id, reviewer)
            for item in application.items:
                services.judge(application, item.id, reviewer, OK)
            application_ids.append(application.id)
    reviewer_id = reviewer.id

    def approve(n):
        application = db.session.get(Application, application_ids[n])
        certificate = services.decide(
            application, db.session.get(User, reviewer_id), True, "Voldoet.", TODAY
        )
        return certificate.registration_number

    results = _run_together(app, 20, approve)
    assert all(isinstance(r, str) for r in results), results
    expected = {f"KRSD-{n:06d}" for n in range(1, 21)}
    assert set(results) == expected
    numbers = db.session.scalars(select(Certificate.registration_number)).all()
    assert sorted(numbers) == sorted(expected)


def _judged_application(app, applicant, reviewer) -> int:
    """An application in review whose accepted hours meet the rule exactly (24 + 72 = 96)."""
    with app.test_request_context("/"):
        application = services.submit_application(applicant, TODAY)
        services.claim(application.id, reviewer)
        for item in application.items:
            services.judge(application, item.id, reviewer, OK)
        return application.id


def test_a_rejection_and_an_approval_at_the_same_moment_never_approve_below_the_rule(
    app, applicant, reviewer
):
    application_id = _judged_application(app, applicant, reviewer)
    first_item = db.session.get(Application, application_id).items[0].id
    reviewer_id = reviewer.id
    reject = services.Judgement(Verdict.REJECTED, None, "Geen bewijs van deelname.")

    def judge():
        application = db.session.get(Application, application_id)
        services.judge(application, first_item, db.session.get(User, reviewer_id), reject)
        return "judged"

    def approve():
        application = db.session.get(Application, application_id)
        services.decide(application, db.session.get(User, reviewer_id), True, "Voldoet.", TODAY)
        return "approved"

    results = race(app, judge, approve)
    refused = [r for r in results if isinstance(r, services.CertificationError)]
    assert len(refused) == 1 and results.count("judged") + results.count("approved") == 1, results
    assert "besloten" in str(refused[0]) or "reglement" in str(refused[0])
    application = db.session.get(Application, application_id)
    if application.state == State.APPROVED:
        assert progress.accepted_progress(application).eligible
        assert application.items[0].verdict == Verdict.ACCEPTED
    else:
        assert application.items[0].verdict == Verdict.REJECTED
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_two_approvals_at_the_same_moment_issue_one_certificate(app, applicant, reviewer):
    application_id = _judged_application(app, applicant, reviewer)
    reviewer_id = reviewer.id

    def approve():
        application = db.session.get(Application, application_id)
        reviewer = db.session.get(User, reviewer_id)
        return services.decide(application, reviewer, True, "Voldoet.", TODAY).id

    results = race(app, approve, approve)
    refused = [r for r in results if isinstance(r, services.CertificationError)]
    assert len(refused) == 1 and len([r for r in results if isinstance(r, int)]) == 1, results
    assert "Over deze aanvraag is al besloten." in str(refused[0])
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_double_clicked_approval_shows_a_message_not_an_error(
    app, applicant, reviewer, make_browser
):
    application_id = _judged_application(app, applicant, reviewer)
    url = f"/commissie/aanvragen/{application_id}"
    clicks = []
    for _ in range(2):
        browser = make_browser()
        browser.login(reviewer.email)
        clicks.append((browser, browser.csrf_token(url)))
    data = {
        "decision-decision": "approve",
        "decision-motivation": "Voldoet.",
        "decision-submit": "1",
    }

    def click(browser, token):
        return lambda: browser.post(url, data={**data, "csrf_token": token})

    responses = race(app, *(click(b, t) for b, t in clicks))
    statuses = sorted((getattr(r, "status_code", r) for r in responses), key=str)
    assert statuses == [200, 302], responses
    loser = next(r for r in responses if r.status_code == 200)
    assert "Over deze aanvraag is al besloten." in loser.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1

    # And clicking once more later, on the page as it was, says the same.
    again = clicks[0][0].post(url, data={**data, "csrf_token": clicks[0][1]})
    assert again.status_code == 200
    assert "Over deze aanvraag is al besloten." in again.get_data(as_text=True)
