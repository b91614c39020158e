"""Simultaneous requests on the real database (SQLite and PostgreSQL): constraints hold."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Verdict
from krsd.extensions import db
from tests.certification.conftest import TODAY, fill_portfolio

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
