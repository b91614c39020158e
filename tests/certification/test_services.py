"""The certification use cases against the database, without the web layer."""

from datetime import timedelta
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.models import Application, Certificate, Registration
from krsd.certification.rules import Kind, State, TransitionNotAllowed, Verdict
from krsd.extensions import db
from krsd.portfolio.models import Activity, Regulation
from krsd.portfolio.rules import Category
from tests.certification.conftest import TODAY, add_activity, fill_portfolio
from tests.certification.renewing import earned, on

OK = services.Judgement(Verdict.ACCEPTED, None, "")


@pytest.fixture(autouse=True)
def request_context(app):
    with current_app.test_request_context("/"):
        yield


def _approve_all(app, reviewer):
    for item in app.items:
        services.judge(app, item.id, reviewer, OK)
    return services.decide(app, reviewer, True, "Voldoet aan het reglement.", TODAY)


def test_submitting_freezes_the_activities_and_mails_the_applicant(applicant):
    app = services.submit_application(applicant, TODAY)
    assert app.state == State.SUBMITTED
    assert len(app.items) == 4
    assert all(a.locked_by_application_id == app.id for a in db.session.scalars(select(Activity)))
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "certification.submit" in actions


def test_a_portfolio_short_of_the_rule_cannot_apply(make_user):
    user = make_user(email="kort@example.nl")
    fill_portfolio(user, accredited=("16", "7.99"))
    with pytest.raises(services.NotEligible, match="0,01 uur geaccrediteerd"):
        services.submit_application(user, TODAY)
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_one_open_application_per_person(applicant):
    services.submit_application(applicant, TODAY)
    with pytest.raises(services.AlreadyOpen):
        services.submit_application(applicant, TODAY)


def test_withdrawing_unlocks_the_activities(applicant):
    app = services.submit_application(applicant, TODAY)
    services.withdraw(app, applicant, "Toch later")
    assert app.state == State.WITHDRAWN
    assert all(a.locked_by_application_id is None for a in db.session.scalars(select(Activity)))
    again = services.submit_application(applicant, TODAY)
    assert again.state == State.SUBMITTED


def test_a_reviewer_never_claims_their_own_application(make_user):
    reviewer = make_user(roles={RoleName.REVIEWER, RoleName.PROFESSIONAL}, email="zelf@example.nl")
    fill_portfolio(reviewer)
    app = services.submit_application(reviewer, TODAY)
    with pytest.raises(services.CertificationError, match="eigen aanvraag"):
        services.claim(app.id, reviewer)


def test_approval_is_refused_when_accepted_hours_fall_short(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    accredited = [i for i in app.items if i.activity.category == Category.ACCREDITED]
    for item in app.items:
        verdict = (
            services.Judgement(Verdict.ACCEPTED_FEWER, item.activity.hours - 1, "Eén uur minder")
            if item is accredited[0]
            else OK
        )
        services.judge(app, item.id, reviewer, verdict)
    with pytest.raises(services.NotEligible, match="Nog nodig: 1 uur geaccrediteerd"):
        services.decide(app, reviewer, True, "Akkoord", TODAY)
    db.session.rollback()
    assert db.session.get(Application, app.id).state == State.IN_REVIEW


def test_a_decision_needs_a_motivation(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    with pytest.raises(services.CertificationError, match="motivering"):
        services.decide(app, reviewer, False, "   ", TODAY)


def test_a_withdrawn_application_cannot_be_approved(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    services.withdraw(app, applicant, None)
    app.reviewer_id = reviewer.id  # even for the reviewer who held it
    with pytest.raises(services.CertificationError):
        services.decide(app, reviewer, True, "Akkoord", TODAY)
    with pytest.raises(TransitionNotAllowed, match="ingetrokken"):
        services.claim(app.id, reviewer)


def test_approval_issues_a_certificate_for_the_cycle(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    certificate = _approve_all(app, reviewer)
    assert certificate.registration_number == "KRSD-000001"
    assert certificate.valid_from == TODAY
    assert certificate.valid_until.year == TODAY.year + 3
    assert db.session.get(Registration, applicant.id).number == "KRSD-000001"
    # The approved activities stay locked and never count again.
    assert all(a.locked_by_application_id == app.id for a in db.session.scalars(select(Activity)))


def test_the_registration_number_is_kept_for_life(applicant, reviewer, make_user, register_clock):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    first = _approve_all(app, reviewer)
    other = make_user(email="tweede@example.nl")
    fill_portfolio(other)
    second_app = services.submit_application(other, TODAY)
    services.claim(second_app.id, reviewer)
    assert _approve_all(second_app, reviewer).registration_number == "KRSD-000002"
    # A holder never applies as new again (issue 8); her renewal keeps KRSD-000001.
    fill_portfolio(applicant)
    with pytest.raises(services.NotEligible, match="Herregistratie kunt u aanvragen vanaf"):
        services.submit_application(applicant, TODAY)
    day = on(register_clock, first.valid_until - timedelta(days=30))
    earned(applicant, day - timedelta(days=10))
    renewal = services.submit_application(applicant, day)
    assert renewal.kind == Kind.RENEWAL
    services.claim(renewal.id, reviewer)
    for item in renewal.items:
        services.judge(renewal, item.id, reviewer, OK)
    renewed = services.decide(renewal, reviewer, True, "Voldoet aan het reglement.", day)
    assert renewed.registration_number == first.registration_number
    assert renewed.valid_from == first.valid_until + timedelta(days=1)


def test_more_information_round_trip(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    rejected = app.items[0]
    services.judge(
        app, rejected.id, reviewer, services.Judgement(Verdict.REJECTED, None, "Geen bewijs")
    )
    services.request_info(app, reviewer, "Stuur het certificaat van deelname mee.")
    assert app.state == State.MORE_INFO_REQUESTED
    extra = add_activity(applicant, Category.FREE, "4", 5, title="Nieuwe intervisie")
    services.resubmit(app, applicant, "Certificaat toegevoegd")
    assert app.state == State.SUBMITTED and app.reviewer_id is None
    assert extra.id in {i.activity_id for i in app.items}
    assert db.session.get(Activity, rejected.activity_id).locked_by_application_id == app.id
    assert rejected.verdict == Verdict.PENDING  # judged again after the addition


def test_judging_fewer_hours_needs_a_sensible_number_and_a_comment(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    item = app.items[0]
    with pytest.raises(services.CertificationError, match="tussen 0 en"):
        services.judge(
            app,
            item.id,
            reviewer,
            services.Judgement(Verdict.ACCEPTED_FEWER, item.activity.hours, "x"),
        )
    with pytest.raises(services.CertificationError, match="Licht toe"):
        services.judge(app, item.id, reviewer, services.Judgement(Verdict.REJECTED, None, ""))


def test_only_the_claiming_reviewer_judges(applicant, reviewer, make_user):
    other = make_user(roles={RoleName.REVIEWER}, email="ander@example.nl")
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    with pytest.raises(services.ClaimLost):
        services.claim(app.id, other)
    with pytest.raises(services.CertificationError, match="niet door u"):
        services.judge(app, app.items[0].id, other, OK)


def test_every_step_is_in_the_audit_log(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    _approve_all(app, reviewer)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    for action in (
        "certification.submit",
        "certification.claim",
        "certification.judge_activity",
        "certification.approve",
        "certification.certificate_issued",
    ):
        assert action in actions
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_an_application_is_judged_by_the_regulation_of_its_submission_day(applicant, reviewer):
    app = services.submit_application(applicant, TODAY)
    stricter = Regulation(
        version=2,
        starts_on=TODAY + timedelta(days=1),
        total_hours=Decimal("200"),
        min_accredited=Decimal("100"),
        max_free=Decimal("100"),
        cycle_years=5,
        renewal_window_months=6,
        max_activity_hours=Decimal("40"),
        reminder_days="180,90,30",
    )
    db.session.add(stricter)
    db.session.commit()
    services.claim(app.id, reviewer)
    for item in app.items:
        services.judge(app, item.id, reviewer, OK)
    later = TODAY + timedelta(days=2)
    certificate = services.decide(app, reviewer, True, "Voldoet aan versie 1.", later)
    assert certificate.valid_until.year == later.year + 3  # the cycle of version 1
