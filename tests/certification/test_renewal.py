"""Herregistratie through the use cases (issue 8, rules 1–4 and 11)."""

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.certification import progress, renewal, services
from krsd.certification.cycle import Route
from krsd.certification.models import (
    Application,
    ApplicationActivity,
    Certificate,
    Registration,
)
from krsd.certification.rules import CertificateStatus, Kind, State
from krsd.clock import local_date, register_today
from krsd.database import utcnow
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import regulation_in_force
from krsd.portfolio.rules import Category, Window
from tests.certification.conftest import TODAY, add_activity, fill_portfolio
from tests.certification.renewing import (
    END,
    NEXT,
    OPENS,
    START,
    approve,
    earned,
    holder_certificate,
    make_reviewer,
    on,
)


@pytest.fixture(autouse=True)
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def holder(make_user):
    user = make_user(email="houder@example.nl", name="Hanna Houder")
    earned(user, date(2025, 10, 1))  # 96 hours within the validity, before the window
    return user


@pytest.fixture
def certificate(holder):
    return holder_certificate(holder)


@pytest.fixture
def reviewer(make_user):
    return make_reviewer(make_user)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _valid_in_sql(certificate_id: int, day: date) -> bool:
    return (
        db.session.scalar(
            select(Certificate.id).where(
                Certificate.id == certificate_id, Certificate.valid_on(day)
            )
        )
        is not None
    )


# --- rule 1: renewal, not a second first certification --------------------------------


def test_a_holder_in_the_window_applies_for_herregistratie_over_the_certificates_validity(
    holder, certificate
):
    before = add_activity(holder, Category.FREE, "10", days_ago=(TODAY - START).days + 1)
    app = services.submit_application(holder, TODAY)
    assert app.kind == Kind.RENEWAL
    assert app.previous_certificate_id == certificate.id
    assert (app.window_start, app.window_end) == (START, TODAY)
    assert before.id not in {item.activity_id for item in app.items}  # before the validity
    assert len(app.items) == 3
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certification.submit"))
    assert entry.details_dict["kind"] == "renewal"
    assert db.session.scalar(
        select(OutboxMessage.subject).where(OutboxMessage.recipient == holder.email)
    ) == ("Uw aanvraag voor herregistratie is ontvangen")


def test_the_portfolio_certificering_and_the_application_use_one_window(holder, certificate):
    window, deadline = progress.counting_window(holder.id, TODAY)
    prospect = renewal.prospect(holder.id, TODAY)
    app = services.submit_application(holder, TODAY)
    assert window == prospect.window == Window(app.window_start, app.window_end)
    assert window == Window(START, TODAY) and deadline == END


def test_a_holder_before_the_window_is_refused_and_told_when_it_opens(holder):
    holder_certificate(holder, start=date(2024, 9, 1))  # ends 31 August 2027
    with pytest.raises(services.NotEligible, match="vanaf 28 februari 2027"):
        services.submit_application(holder, TODAY)
    with pytest.raises(services.NotEligible, match="vanaf 28 februari 2027"):
        services.submit_application(holder, TODAY, Kind.INITIAL)
    assert _count(Application) == 1  # only the approved one that gave the certificate


def test_a_holder_in_the_window_cannot_slip_in_a_first_certification(holder, certificate):
    with pytest.raises(services.NotEligible, match="intussen veranderd"):
        services.submit_application(holder, TODAY, Kind.INITIAL)
    assert services.open_application(holder.id) is None


def test_an_old_initial_application_of_a_holder_is_never_approved(holder, certificate, reviewer):
    # Submitted by the old code: a first certification beside a current certificate.
    window = progress.first_window(TODAY, regulation_in_force(TODAY))
    app = Application(
        applicant=holder,
        kind=Kind.INITIAL,
        state=State.SUBMITTED,
        window_start=window.start,
        window_end=window.end,
        regulation_id=regulation_in_force(TODAY).id,
        open_applicant_id=holder.id,
    )
    db.session.add(app)
    db.session.flush()
    for activity in progress.unlocked_activities(holder.id, window):
        activity.locked_by_application_id = app.id
        app.items.append(ApplicationActivity(activity=activity))
    db.session.commit()
    with pytest.raises(services.CertificationError, match="tweede eerste certificering"):
        approve(app, reviewer, TODAY)
    db.session.rollback()
    assert _count(Certificate) == 1
    assert db.session.get(Application, app.id).state == State.IN_REVIEW


def test_after_expiry_a_first_certification_again_keeps_the_registration_number(holder, reviewer):
    expired = holder_certificate(holder, start=date(2022, 9, 1))  # ended 31 August 2025
    number = db.session.get(Registration, holder.id).number
    app = services.submit_application(holder, TODAY)
    assert app.kind == Kind.INITIAL and app.previous_certificate_id is None
    assert app.window_end == TODAY and app.window_start == date(2023, 6, 16)
    certificate = approve(app, reviewer, TODAY)
    assert certificate.registration_number == number == expired.registration_number
    assert certificate.verification_code != expired.verification_code
    assert (certificate.valid_from, certificate.valid_until) == (TODAY, date(2029, 6, 14))


def test_a_suspended_holder_cannot_apply(holder):
    holder_certificate(holder, suspended_at=utcnow())
    with pytest.raises(services.NotEligible, match="geschorst"):
        services.submit_application(holder, TODAY)


def test_a_suspension_that_ended_no_longer_stops_a_renewal(holder):
    holder_certificate(holder, suspended_at=utcnow(), suspended_until=TODAY - timedelta(days=1))
    assert services.submit_application(holder, TODAY).kind == Kind.RENEWAL


def test_a_revoked_certificate_leaves_a_first_certification(holder):
    holder_certificate(holder, revoked_at=utcnow())
    assert services.submit_application(holder, TODAY).kind == Kind.INITIAL


# --- rule 2: the window ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (OPENS - timedelta(days=1), None),
        (OPENS, Kind.RENEWAL),
        (END, Kind.RENEWAL),
        (END + timedelta(days=1), Kind.INITIAL),  # expired without renewal: start again
    ],
)
def test_renewal_opens_six_months_before_and_closes_after_the_last_valid_day(
    holder, certificate, register_clock, day, kind
):
    today = on(register_clock, day)
    if kind is None:
        with pytest.raises(services.NotEligible, match="vanaf 28 februari 2026"):
            services.submit_application(holder, today)
        return
    app = services.submit_application(holder, today)
    assert app.kind == kind


def test_before_the_window_the_missing_hours_count_over_the_validity_up_to_today(
    make_user, register_clock
):
    user = make_user(email="vroeg@example.nl")
    holder_certificate(user, start=date(2024, 9, 1))
    add_activity(user, Category.ACCREDITED, "16", days_ago=30)
    add_activity(user, Category.FREE, "20", days_ago=(TODAY - date(2024, 8, 31)).days)  # before
    prospect = renewal.prospect(user.id, TODAY)
    assert prospect.route == Route.RENEWAL_LATER
    assert prospect.opens == date(2027, 2, 28) and prospect.deadline == date(2027, 8, 31)
    result = renewal.preview(user.id, prospect).result
    assert (result.missing_accredited, result.missing_total) == (8, 80)


# --- rule 3: no gap, no overlap --------------------------------------------------------


def test_an_approved_renewal_runs_on_from_the_day_after_the_end(holder, certificate, reviewer):
    app = services.submit_application(holder, TODAY)
    renewed = approve(app, reviewer, TODAY)
    assert (renewed.valid_from, renewed.valid_until) == NEXT
    assert renewed.registration_number == certificate.registration_number
    assert renewed.verification_code != certificate.verification_code
    assert renewed.id != certificate.id and _count(Certificate) == 2
    db.session.refresh(certificate)
    assert (certificate.valid_from, certificate.valid_until) == (START, END)
    assert certificate.renewed
    assert renewal.successor(certificate).id == renewed.id
    issued = db.session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "certification.certificate_issued",
            AuditEntry.object_id == str(renewed.id),
        )
    )
    assert issued.details_dict["previous_certificate"] == certificate.id


def test_a_renewal_decided_after_the_end_still_starts_the_day_after_it(
    holder, certificate, reviewer, register_clock
):
    app = services.submit_application(holder, TODAY)
    today = on(register_clock, date(2026, 10, 1))
    renewed = approve(app, reviewer, today)
    assert (renewed.valid_from, renewed.valid_until) == NEXT


def test_after_an_extension_the_renewal_keeps_the_rhythm(holder, certificate, reviewer):
    certificate.original_valid_until = END
    certificate.valid_until = date(2026, 12, 31)
    db.session.commit()
    renewed = approve(services.submit_application(holder, TODAY), reviewer, TODAY)
    assert (renewed.valid_from, renewed.valid_until) == (date(2027, 1, 1), date(2029, 8, 31))


def test_the_decision_mail_names_the_new_validity(holder, certificate, reviewer):
    approve(services.submit_application(holder, TODAY), reviewer, TODAY)
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.subject.contains("herregistratie: goedgekeurd"))
    )
    body = " ".join(mail.body.split())
    assert "geldig van 1 september 2026 tot en met 31 augustus 2029" in body
    assert "tot en met 31 augustus 2026" in body  # the previous one it runs on from


def test_a_renewed_holder_renews_again_only_in_the_next_window(holder, certificate, reviewer):
    approve(services.submit_application(holder, TODAY), reviewer, TODAY)
    earned(holder, TODAY)
    with pytest.raises(services.NotEligible, match="vanaf 28 februari 2029"):
        services.submit_application(holder, TODAY)
    prospect = renewal.prospect(holder.id, TODAY)
    assert prospect.certificate.valid_from == NEXT[0]
    assert not prospect.window_started  # nothing counts for the next cycle before it starts


def test_a_renewal_of_a_certificate_suspended_meanwhile_is_not_approved(
    holder, certificate, reviewer
):
    app = services.submit_application(holder, TODAY)
    certificate.suspended_at = utcnow()
    db.session.commit()
    with pytest.raises(services.CertificationError, match="geschorst"):
        approve(app, reviewer, TODAY)
    db.session.rollback()
    assert _count(Certificate) == 1


# --- rule 4: pending keeps it valid ------------------------------------------------------


def test_a_pending_renewal_keeps_the_certificate_valid_past_its_end(
    holder, certificate, register_clock
):
    services.submit_application(holder, TODAY)
    after = on(register_clock, END + timedelta(days=40))
    db.session.expire_all()
    assert certificate.status_on(after) == CertificateStatus.VALID
    assert _valid_in_sql(certificate.id, after)
    assert renewal.state_text(certificate, after) == "Geldig — herregistratie in behandeling"


@pytest.mark.parametrize("how", ["reject", "withdraw"])
def test_a_renewal_rejected_or_withdrawn_after_the_end_leaves_it_expired(
    holder, certificate, reviewer, register_clock, how
):
    app = services.submit_application(holder, TODAY)
    after = on(register_clock, END + timedelta(days=40))
    if how == "reject":
        services.claim(app.id, reviewer)
        services.decide(app, reviewer, False, "Onvoldoende aangetoond.", after)
    else:
        services.withdraw(app, holder, None)
    db.session.expire_all()
    assert certificate.status_on(after) == CertificateStatus.EXPIRED
    assert not _valid_in_sql(certificate.id, after)
    assert renewal.prospect(holder.id, after).route == Route.FIRST


def test_a_renewal_rejected_before_the_end_can_be_submitted_again(holder, certificate, reviewer):
    app = services.submit_application(holder, TODAY)
    services.claim(app.id, reviewer)
    services.decide(app, reviewer, False, "Onvoldoende aangetoond.", TODAY)
    assert certificate.status_on(TODAY) == CertificateStatus.VALID
    assert services.submit_application(holder, TODAY).kind == Kind.RENEWAL


# --- rule 11: the Dutch day ------------------------------------------------------------


def test_the_last_valid_day_is_the_day_in_amsterdam(holder, certificate, register_clock):
    # 31 August 23:30 in Amsterdam is 21:30 UTC: still the last valid day.
    today = on(register_clock, END, 23, 30)
    assert register_today() == END
    assert services.submit_application(holder, today).kind == Kind.RENEWAL


def test_just_after_midnight_in_amsterdam_the_certificate_has_ended(
    holder, certificate, register_clock
):
    # 1 September 00:30 in Amsterdam is still 31 August (22:30) in UTC.
    today = on(register_clock, END + timedelta(days=1), 0, 30)
    assert today == register_today()
    assert services.submit_application(holder, today).kind == Kind.INITIAL


def test_a_decision_at_2330_utc_in_winter_starts_on_the_amsterdam_day(
    make_user, reviewer, register_clock
):
    user = make_user(email="winter@example.nl")
    fill_portfolio(user)
    on(register_clock, date(2026, 11, 28), 0, 30)  # 27 November 23:30 UTC
    today = register_today()
    assert today == date(2026, 11, 28)
    certificate = approve(services.submit_application(user, today), reviewer, today)
    assert certificate.valid_from == date(2026, 11, 28)
    assert local_date(certificate.application.decided_at) == date(2026, 11, 28)
