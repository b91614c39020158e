"""Bezwaar: within the appeal period after a rejection, handled by another reviewer, upheld
or granted (the application is reviewed again); every step visible, audited and mailed."""

import json
from datetime import date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.auth.rules import RoleName
from krsd.certification import appeals, services
from krsd.certification.cycle import CycleTerms, appeal_deadline, appeal_open
from krsd.certification.models import Appeal, Application, Certificate
from krsd.certification.rules import (
    AppealAction,
    AppealState,
    AppealStepNotAllowed,
    State,
    Verdict,
    next_appeal_state,
)
from krsd.clock import AMSTERDAM
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio.models import Activity
from tests.certification.conftest import TODAY
from tests.races import race

TERMS = CycleTerms(3, 6, (180, 90, 30), 6, 6)
OK = services.Judgement(Verdict.ACCEPTED, None, "")
NO = services.Judgement(Verdict.REJECTED, None, "Geen bewijs van deelname.")
OBJECTION = "Het bewijs van deelname zat in de bijlage van de tweede activiteit."


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _subjects(email: str) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.subject)
            .where(OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id)
        )
    )


# --- the rules: dates as parameters -----------------------------------------------------


def test_the_appeal_period_runs_six_weeks_from_the_day_of_the_rejection():
    monday = date(2026, 6, 1)
    assert appeal_deadline(monday, TERMS) == date(2026, 7, 13)
    assert appeal_open(monday, monday, TERMS)
    assert appeal_open(monday, date(2026, 7, 13), TERMS)
    assert not appeal_open(monday, date(2026, 7, 14), TERMS)
    assert not appeal_open(monday, date(2026, 5, 31), TERMS)
    two_weeks = CycleTerms(3, 6, (180,), 6, 2)
    assert appeal_deadline(monday, two_weeks) == date(2026, 6, 15)


A, S = AppealAction, AppealState
# Written out by hand from issue 8 rule 9, not copied from the code's table.
APPEAL_ALLOWED = {
    (S.LODGED, A.CLAIM): S.IN_REVIEW,
    (S.LODGED, A.ASSIGN): S.IN_REVIEW,
    (S.IN_REVIEW, A.ASSIGN): S.IN_REVIEW,
    (S.IN_REVIEW, A.UPHOLD): S.UPHELD,
    (S.IN_REVIEW, A.GRANT): S.GRANTED,
}


@pytest.mark.parametrize(
    ("state", "action"), [(s, a) for s in AppealState for a in AppealAction], ids=str
)
def test_every_appeal_state_and_step(state, action):
    if (state, action) in APPEAL_ALLOWED:
        assert next_appeal_state(state, action) == APPEAL_ALLOWED[(state, action)]
    else:
        with pytest.raises(AppealStepNotAllowed, match="kunt u niet"):
            next_appeal_state(state, action)


# --- the use cases ----------------------------------------------------------------------


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def second_reviewer(make_user):
    return make_user(roles={RoleName.REVIEWER}, email="tweede@example.nl", name="Tweede Lid")


def rejected(applicant, reviewer, judge_first=True) -> Application:
    """Submitted, one activity accepted and one rejected, then the application rejected."""
    app = services.submit_application(applicant, TODAY)
    services.claim(app.id, reviewer)
    if judge_first:
        items = sorted(app.items, key=lambda i: i.id)
        services.judge(app, items[0].id, reviewer, OK)
        services.judge(app, items[1].id, reviewer, NO)
    services.decide(app, reviewer, False, "Onvoldoende geaccrediteerde uren aangetoond.", TODAY)
    return app


def test_lodging_an_appeal_is_recorded_mailed_and_shown_in_the_history(
    request_context, applicant, reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, f"  {OBJECTION} ", TODAY)
    assert (appeal.state, appeal.reason) == (AppealState.LODGED, OBJECTION)
    assert appeal.rejected_by_id == reviewer.id
    assert app.events[-1].action == "appeal_lodged"
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certification.appeal_lodged")
    )
    assert json.loads(entry.details)["deadline"] == "2026-07-27"
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.subject == "Uw bezwaar is ontvangen")
    )
    assert mail.recipient == applicant.email and OBJECTION in mail.body


def test_one_appeal_per_rejection_and_only_against_a_rejection(
    request_context, applicant, reviewer
):
    app = services.submit_application(applicant, TODAY)
    with pytest.raises(appeals.AppealError, match="alleen tegen een afgewezen aanvraag"):
        appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    services.claim(app.id, reviewer)
    services.decide(app, reviewer, False, "Afgewezen.", TODAY)
    with pytest.raises(appeals.AppealError, match="waarom"):
        appeals.lodge(app.id, applicant, "   ", TODAY)
    appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    with pytest.raises(appeals.AppealError, match="al bezwaar gemaakt"):
        appeals.lodge(app.id, applicant, "Nog een keer.", TODAY)
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 1


def test_only_the_applicant_lodges(request_context, applicant, reviewer, make_user):
    app = rejected(applicant, reviewer)
    other = make_user(email="ander@example.nl")
    with pytest.raises(appeals.AppealError, match="Alleen de aanvrager"):
        appeals.lodge(app.id, other, OBJECTION, TODAY)


@pytest.mark.parametrize(
    ("decided_local", "last_day"),
    [
        # 23:30 in Amsterdam is 21:30 UTC the same day: the period counts from 15 June
        (datetime(2026, 6, 15, 23, 30), date(2026, 7, 27)),
        # 00:30 in Amsterdam is 22:30 UTC the day before: the period counts from 16 June
        (datetime(2026, 6, 16, 0, 30), date(2026, 7, 28)),
    ],
)
def test_the_deadline_counts_from_the_dutch_day_of_the_rejection(
    request_context, applicant, reviewer, register_clock, decided_local, last_day
):
    register_clock.move_to(decided_local.replace(tzinfo=AMSTERDAM))
    app = rejected(applicant, reviewer, judge_first=False)
    assert appeals.status_of(app, decided_local.date()).deadline == last_day

    register_clock.move_to(datetime.combine(last_day, datetime.min.time(), AMSTERDAM))
    register_clock.shift(timedelta(hours=23, minutes=59))
    day_after = last_day + timedelta(days=1)
    with pytest.raises(appeals.AppealError) as late:
        appeals.lodge(app.id, applicant, OBJECTION, day_after)
    assert "De termijn voor bezwaar is verstreken" in str(late.value)
    assert appeals.lodge(app.id, applicant, OBJECTION, last_day).state == AppealState.LODGED


def test_neither_the_decider_nor_the_applicant_handles_the_appeal(
    request_context, make_user, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    with pytest.raises(appeals.AppealError, match="U nam het besluit"):
        appeals.claim(appeal.id, reviewer)
    applicant_reviewer = db.session.get(User, applicant.id)
    with pytest.raises(appeals.AppealError):
        appeals.claim(appeal.id, applicant_reviewer)
    admin = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    with pytest.raises(appeals.AppealError, match="Kies een beoordelaar"):
        appeals.assign(appeal.id, reviewer, admin, "Toch de eerste")
    assert appeals.claim(appeal.id, second_reviewer).handler_id == second_reviewer.id
    with pytest.raises(services.ClaimLost):
        appeals.claim(appeal.id, make_user(roles={RoleName.REVIEWER}))


def test_a_reviewer_with_a_conflict_cannot_claim_the_appeal(
    request_context, make_user, applicant, reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    colleague = make_user(roles={RoleName.REVIEWER}, employer=applicant.employer.upper())
    with pytest.raises(appeals.AppealError, match="dezelfde werkgever"):
        appeals.claim(appeal.id, colleague)
    admin = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    appeals.assign(appeal.id, colleague, admin, "Alleen zij is beschikbaar")
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certification.appeal_assigned")
    )
    assert json.loads(entry.details)["conflicts"][0].startswith("dezelfde werkgever")


def test_upholding_keeps_the_rejection_and_tells_the_applicant(
    request_context, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    appeals.claim(appeal.id, second_reviewer)
    with pytest.raises(appeals.AppealError, match="schriftelijke motivering"):
        appeals.uphold(appeal.id, second_reviewer, " ")
    appeals.uphold(appeal.id, second_reviewer, "De bijlage toont geen deelname.")
    db.session.expire_all()
    appeal = db.session.get(Appeal, appeal.id)
    assert appeal.state == AppealState.UPHELD and appeal.decided_at is not None
    assert appeal.application.state == State.REJECTED
    assert all(a.locked_by_application_id is None for a in db.session.scalars(select(Activity)))
    assert [a for a in _actions() if "appeal" in a] == [
        "certification.appeal_lodged",
        "certification.appeal_claimed",
        "certification.appeal_upheld",
    ]
    assert _subjects(applicant.email)[-3:] == [
        "Uw bezwaar is ontvangen",
        "Uw bezwaar is in behandeling genomen",
        "Beslissing op uw bezwaar: ongegrond",
    ]
    with pytest.raises(appeals.AppealError, match="al beslist"):
        appeals.grant(appeal.id, second_reviewer, "Toch gegrond")


def test_granting_returns_the_application_to_the_queue_for_a_new_decision(
    request_context, make_user, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    appeals.claim(appeal.id, second_reviewer)
    with pytest.raises(appeals.AppealError, match="niet door u in behandeling"):
        appeals.grant(appeal.id, reviewer, "Gegrond")
    appeals.grant(appeal.id, second_reviewer, "De bijlage bewijst de deelname.")

    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.state == State.SUBMITTED and app.open_applicant_id == applicant.id
    assert (app.reviewer_id, app.decided_at, app.motivation) == (None, None, None)
    assert all(a.locked_by_application_id == app.id for a in db.session.scalars(select(Activity)))
    verdicts = [i.verdict for i in sorted(app.items, key=lambda i: i.id)]
    assert verdicts == [Verdict.ACCEPTED, Verdict.PENDING, Verdict.PENDING, Verdict.PENDING]
    assert "certification.reopen" in _actions() and "certification.appeal_granted" in _actions()
    assert _subjects(applicant.email)[-1] == "Beslissing op uw bezwaar: gegrond"

    # The reviewer who rejected it does not take it again; another one decides anew.
    with pytest.raises(services.CertificationError, match="u nam het besluit"):
        services.claim(app.id, reviewer)
    third = make_user(roles={RoleName.REVIEWER}, email="derde@example.nl")
    services.claim(app.id, third)
    for item in app.items:
        services.judge(app, item.id, third, OK)
    certificate = services.decide(app, third, True, "Na bezwaar: voldoet.", TODAY)
    assert certificate.application_id == app.id
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_on_granting_activities_another_application_holds_stay_there(
    request_context, make_user, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    # Meanwhile she applies again with the same activities and is certified.
    again = services.submit_application(applicant, TODAY)
    third = make_user(roles={RoleName.REVIEWER}, email="derde@example.nl")
    services.claim(again.id, third)
    for item in again.items:
        services.judge(again, item.id, third, OK)
    services.decide(again, third, True, "Voldoet.", TODAY)
    held_by_again = {i.activity_id for i in again.items}

    appeals.claim(appeal.id, second_reviewer)
    appeals.grant(appeal.id, second_reviewer, "Gegrond.")
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert app.items == []  # every activity counted for the approved application
    for activity in db.session.scalars(select(Activity)):
        assert activity.locked_by_application_id == again.id
    assert {i.activity_id for i in db.session.get(Application, again.id).items} == held_by_again
    assert "Niet meer in deze aanvraag" in app.events[-1].message
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.subject.contains("gegrond")))
    assert "tellen inmiddels mee voor een andere aanvraag" in mail.body


def test_granting_waits_while_the_applicant_has_another_open_application(
    request_context, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    services.submit_application(applicant, TODAY)
    appeals.claim(appeal.id, second_reviewer)
    with pytest.raises(appeals.AppealError, match="andere lopende aanvraag"):
        appeals.grant(appeal.id, second_reviewer, "Gegrond.")
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == AppealState.IN_REVIEW


def test_of_two_reviewers_claiming_one_appeal_at_once_one_handles_it(
    app, applicant, reviewer, make_user
):
    with app.test_request_context("/"):
        appeal_id = appeals.lodge(rejected(applicant, reviewer).id, applicant, OBJECTION, TODAY).id
    ids = [make_user(roles={RoleName.REVIEWER}, email=f"lid{n}@example.nl").id for n in range(2)]

    def claim(user_id):
        return lambda: appeals.claim(appeal_id, db.session.get(User, user_id)).handler_id

    results = race(app, *(claim(i) for i in ids))
    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, services.ClaimLost)]
    assert len(won) == 1 and len(lost) == 1, results
    db.session.expire_all()
    assert db.session.get(Appeal, appeal_id).handler_id == won[0]
    claims = select(func.count()).where(AuditEntry.action == "certification.appeal_claimed")
    assert db.session.scalar(claims) == 1


def test_of_an_uphold_and_a_grant_at_once_only_one_decides(
    app, applicant, reviewer, second_reviewer
):
    with app.test_request_context("/"):
        appeal_id = appeals.lodge(rejected(applicant, reviewer).id, applicant, OBJECTION, TODAY).id
        appeals.claim(appeal_id, second_reviewer)
    handler_id = second_reviewer.id

    def step(fn):
        return lambda: fn(appeal_id, db.session.get(User, handler_id), "Beslist.").state

    results = race(app, step(appeals.uphold), step(appeals.grant))
    assert sum(isinstance(r, AppealState) for r in results) == 1, results
    assert sum(isinstance(r, appeals.AppealError) for r in results) == 1, results
    decided = select(func.count()).where(
        AuditEntry.action.in_(["certification.appeal_upheld", "certification.appeal_granted"])
    )
    assert db.session.scalar(decided) == 1


# --- the pages ------------------------------------------------------------------------------


def test_the_applicant_objects_through_the_pages_and_follows_every_step(
    request_context, make_browser, applicant, reviewer, second_reviewer
):
    app = rejected(applicant, reviewer)
    prof = make_browser()
    prof.login(applicant.email)
    detail = f"/certificering/aanvragen/{app.id}"
    page = _flat(prof.get(detail))
    assert "U kunt tot en met <strong>27 juli 2026</strong> bezwaar maken" in page
    assert "Bezwaar maken" in page
    overview = _flat(prof.get("/certificering"))
    assert "u kunt bezwaar maken tot en met <strong>27 juli 2026</strong>" in overview

    lodge = f"/certificering/aanvragen/{app.id}/bezwaar"
    assert "Onvoldoende geaccrediteerde uren aangetoond." in _flat(prof.get(lodge))
    empty = _flat(prof.submit(lodge, {"appeal-reason": ""}))
    assert "Schrijf waarom u het niet eens bent met het besluit." in empty
    response = prof.submit(lodge, {"appeal-reason": OBJECTION})
    assert response.headers["Location"].endswith(f"{detail}#bezwaar")
    page = _flat(prof.get(detail))
    assert "Ingediend, wacht op behandeling" in page and OBJECTION in page
    assert "Bezwaar ingediend" in page  # the history

    # The commission sees it in its own queue; the decider gets no button.
    first = make_browser()
    first.login(reviewer.email)
    queue = _flat(first.get("/commissie"))
    assert "Bezwaren (1 wachtend)" in queue and "u nam het besluit" in queue
    second = make_browser()
    second.login(second_reviewer.email)
    appeal = db.session.scalar(select(Appeal))
    url = f"/commissie/bezwaren/{appeal.id}"
    assert "Behandelen" in _flat(second.get("/commissie"))
    no_statement = _flat(second.submit(url, {"claim-submit": "1"}))
    assert "Bevestig de verklaring over belangenverstrengeling" in no_statement
    assert second.submit(url, {"claim-submit": "1", "claim-no_conflict": "y"}).status_code == 302
    assert "In behandeling" in _flat(prof.get(detail))
    data = {"decision-outcome": "grant", "decision-motivation": "", "decision-submit": "1"}
    assert "altijd een schriftelijke motivering" in _flat(second.submit(url, data))
    data["decision-motivation"] = "De bijlage toont de deelname."
    assert second.submit(url, data).status_code == 302

    page = _flat(prof.get(detail))
    assert "Gegrond: uw aanvraag wordt opnieuw beoordeeld" in page
    assert "De bijlage toont de deelname." in page
    assert "Status: Ingediend" in page
    assert "Bezwaar gegrond: opnieuw ingediend voor een nieuw besluit" in page
    assert "gegrond, uw aanvraag wordt opnieuw beoordeeld" in _flat(prof.get("/certificering"))
    assert "na bezwaar" in _flat(first.get("/commissie"))


def test_after_the_deadline_the_button_is_gone_and_a_forged_post_is_refused(
    request_context, make_browser, applicant, reviewer, register_clock
):
    app = rejected(applicant, reviewer)
    register_clock.move_to(datetime(2026, 7, 28, 9, 0, tzinfo=AMSTERDAM))
    prof = make_browser()
    prof.login(applicant.email)
    detail = f"/certificering/aanvragen/{app.id}"
    page = _flat(prof.get(detail))
    assert "bezwaar maken kon tot en met 27 juli 2026" in page
    assert "Bezwaar maken</a>" not in page
    assert "Bezwaar maken" not in _flat(prof.get("/certificering"))
    lodge = f"/certificering/aanvragen/{app.id}/bezwaar"
    response = prof.submit(lodge, {"appeal-reason": OBJECTION}, form_url=detail)
    assert response.status_code == 302
    page = _flat(prof.get(detail))
    assert "De termijn voor bezwaar is verstreken" in page
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_another_person_cannot_see_or_lodge_an_appeal(
    request_context, make_user, make_browser, applicant, reviewer
):
    app = rejected(applicant, reviewer)
    make_user(email="ander@example.nl")
    other = make_browser()
    other.login("ander@example.nl")
    lodge = f"/certificering/aanvragen/{app.id}/bezwaar"
    assert other.get(lodge).status_code == 404
    assert other.submit(lodge, {"appeal-reason": "x"}, form_url="/certificering").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0


def test_the_registerbureau_assigns_an_appeal_through_the_page(
    request_context, make_user, make_browser, applicant, reviewer
):
    app = rejected(applicant, reviewer)
    appeal = appeals.lodge(app.id, applicant, OBJECTION, TODAY)
    colleague = make_user(
        roles={RoleName.REVIEWER},
        email="collega@example.nl",
        name="Cees Collega",
        employer=applicant.employer,
    )
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    bureau = make_browser()
    bureau.login("bureau@example.nl")
    url = f"/commissie/bezwaren/{appeal.id}"
    page = _flat(bureau.get(url))
    assert "Cees Collega — let op: dezelfde werkgever" in page
    assert f'<option value="{reviewer.id}"' not in page  # the decider is not offered
    data = {"assign-reviewer": str(reviewer.id), "assign-reason": "x", "assign-submit": "1"}
    assert "Kies een beoordelaar uit de lijst." in _flat(bureau.submit(url, data))
    data["assign-reviewer"] = str(colleague.id)
    assert bureau.submit(url, data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).handler_id == colleague.id
