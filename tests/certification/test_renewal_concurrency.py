"""Simultaneous renewals on the real database (SQLite and PostgreSQL)."""

from datetime import date

from sqlalchemy import func, select

from krsd.auth.models import User
from krsd.certification import services
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Kind, State
from krsd.extensions import db
from tests.certification.renewing import OK, earned, holder_certificate, make_reviewer
from tests.clock import TODAY
from tests.races import race


def test_simultaneous_renewal_submits_make_one_renewal(app, make_user):
    holder = make_user(email="houder@example.nl")
    earned(holder, date(2025, 10, 1))
    certificate_id = holder_certificate(holder).id
    user_id = holder.id

    def submit():
        return services.submit_application(db.session.get(User, user_id), TODAY).id

    results = race(app, *[submit] * 8)
    ids = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, services.AlreadyOpen)]
    assert len(ids) == 1 and len(refused) == 7, results
    renewals = db.session.scalars(select(Application).where(Application.kind == Kind.RENEWAL)).all()
    assert [(a.id, a.previous_certificate_id) for a in renewals] == [(ids[0], certificate_id)]
    assert len(renewals[0].items) == 3


def test_two_approvals_of_one_renewal_at_the_same_moment_issue_one_certificate(app, make_user):
    holder = make_user(email="houder@example.nl")
    earned(holder, date(2025, 10, 1))
    holder_certificate(holder)
    reviewer = make_reviewer(make_user)
    with app.test_request_context("/"):
        application = services.submit_application(holder, TODAY)
        services.claim(application.id, reviewer)
        for item in application.items:
            services.judge(application, item.id, reviewer, OK)
    application_id, reviewer_id = application.id, reviewer.id

    def decide():
        return services.decide(
            db.session.get(Application, application_id),
            db.session.get(User, reviewer_id),
            True,
            "Voldoet.",
            TODAY,
        ).id

    results = race(app, decide, decide)
    assert sum(isinstance(r, int) for r in results) == 1, results
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 2
    assert db.session.get(Application, application_id).state == State.APPROVED
