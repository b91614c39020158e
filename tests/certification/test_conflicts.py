"""Conflicts of interest: colleagues and one's own organisation's activities are flagged and
need the registerbureau's assignment; a claim confirms a statement."""

import json

import pytest
from flask import current_app
from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.conflicts import (
    appeal_handler_problem,
    conflicts_of_interest,
    normalise_organisation,
    same_organisation,
)
from krsd.certification.models import Application
from krsd.certification.rules import State
from krsd.extensions import db
from krsd.portfolio.rules import Category
from tests.certification.conftest import TODAY, add_activity, fill_portfolio

INGRADO = "Ingrado Academie"


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


# --- the pure rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ingrado Academie", "ingrado academie"),
        ("Ingrado Academie", "  Ingrado   Academie "),
        ("Ingrado Academie", "IngradoAcademie"),
        ("Gemeente Utrecht", "GEMEENTE\tUTRECHT"),
        ("Straße", "STRASSE"),  # case folded, not only lowered
    ],
)
def test_organisations_compare_case_and_space_insensitively(a, b):
    assert same_organisation(a, b)
    assert normalise_organisation(a) == normalise_organisation(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Ingrado", "Ingrado Academie"), ("Gemeente Utrecht", "Gemeente Utrecht-West"), ("", "")],
)
def test_different_or_empty_organisations_never_match(a, b):
    assert not same_organisation(a, b)


def test_a_colleague_is_a_conflict():
    found = conflicts_of_interest("Gemeente Utrecht", "gemeente utrecht", ["Augeo"])
    assert [c.reason for c in found] == ["dezelfde werkgever als de aanvrager (gemeente utrecht)"]


def test_activities_of_ones_own_organisation_are_a_conflict_named_once():
    found = conflicts_of_interest(INGRADO, "Gemeente Zeist", ["ingrado academie", "Augeo", ""])
    assert [c.reason for c in found] == [
        "activiteiten aangeboden door uw eigen organisatie (ingrado academie)"
    ]
    both = conflicts_of_interest(INGRADO, INGRADO, [INGRADO])
    assert len(both) == 2


def test_no_conflict_without_a_match_or_without_an_employer():
    assert conflicts_of_interest("Gemeente Zeist", "Gemeente Utrecht", ["Augeo"]) == ()
    assert conflicts_of_interest("", "", ["", "Augeo"]) == ()


def test_an_appeal_is_not_handled_by_the_applicant_or_the_decider():
    assert "eigen aanvraag" in appeal_handler_problem(1, 1, 2)
    assert "besluit" in appeal_handler_problem(2, 1, 2)
    assert appeal_handler_problem(3, 1, 2) is None
    assert appeal_handler_problem(3, 1, None) is None


# --- the use cases -------------------------------------------------------------------------


@pytest.fixture
def request_context(app):
    with current_app.test_request_context("/"):
        yield


@pytest.fixture
def ingrado_reviewer(make_user):
    return make_user(
        roles={RoleName.REVIEWER}, email="trainer@example.nl", name="Tess Trainer", employer=INGRADO
    )


def _ingrado_application(make_user):
    """An application with one activity provided by Ingrado Academie."""
    user = make_user(email="cursist@example.nl", name="Carla Cursist", employer="Gemeente Zeist")
    fill_portfolio(user)
    activity = add_activity(user, Category.FREE, "2", 20, title="Workshop bij Ingrado")
    activity.provider = "ingrado  ACADEMIE"
    db.session.commit()
    return services.submit_application(user, TODAY)


def test_a_reviewer_cannot_claim_an_application_with_activities_of_their_organisation(
    request_context, make_user, ingrado_reviewer
):
    app = _ingrado_application(make_user)
    with pytest.raises(services.CertificationError) as refused:
        services.claim(app.id, ingrado_reviewer)
    assert "activiteiten aangeboden door uw eigen organisatie" in str(refused.value)
    assert "registerbureau" in str(refused.value)
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == State.SUBMITTED


def test_a_reviewer_cannot_claim_a_colleagues_application(request_context, make_user):
    colleague = make_user(email="collega@example.nl", employer="Gemeente Utrecht")
    fill_portfolio(colleague)
    app = services.submit_application(colleague, TODAY)
    reviewer = make_user(roles={RoleName.REVIEWER}, employer=" gemeente  utrecht")
    with pytest.raises(services.CertificationError, match="dezelfde werkgever"):
        services.claim(app.id, reviewer)
    other = make_user(roles={RoleName.REVIEWER}, employer="Gemeente Zeist")
    assert services.claim(app.id, other, declared_no_conflict=True).state == State.IN_REVIEW
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "certification.claim"))
    assert json.loads(entry.details)["conflict_statement"] is True


def test_the_registerbureau_assigns_explicitly_and_the_conflict_is_audited(
    request_context, make_user, ingrado_reviewer
):
    app = _ingrado_application(make_user)
    admin = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    services.reassign(app, ingrado_reviewer, admin, "Enige beschikbare beoordelaar")
    db.session.expire_all()
    app = db.session.get(Application, app.id)
    assert (app.state, app.reviewer_id) == (State.IN_REVIEW, ingrado_reviewer.id)
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "certification.reassign")
    )
    assert entry.reason == "Enige beschikbare beoordelaar"
    assert json.loads(entry.details)["conflicts"] == [
        "activiteiten aangeboden door uw eigen organisatie (ingrado  ACADEMIE)"
    ]


# --- the pages -----------------------------------------------------------------------------


def test_the_queue_flags_conflicts_and_offers_no_claim(
    request_context, make_user, make_browser, ingrado_reviewer
):
    app = _ingrado_application(make_user)
    plain = make_user(email="gewoon@example.nl", name="Gewone Aanvrager", employer="Gemeente Ede")
    fill_portfolio(plain)
    services.submit_application(plain, TODAY)
    reviewer = make_browser()
    reviewer.login(ingrado_reviewer.email)

    queue = reviewer.get("/commissie").get_data(as_text=True)
    row = queue.split("Carla Cursist", 1)[1].split("</tr>", 1)[0]
    assert "belangenverstrengeling" in row and "alleen na toewijzing" in row
    assert "Beoordelen" not in row
    other_row = queue.split("Gewone Aanvrager", 1)[1].split("</tr>", 1)[0]
    assert "Beoordelen" in other_row and "belangenverstrengeling" not in other_row

    review = f"/commissie/aanvragen/{app.id}"
    page = _flat(reviewer.get(review))
    assert "U kunt deze aanvraag niet zelf in behandeling nemen" in page
    assert 'name="claim-submit"' not in page
    forged = _flat(reviewer.submit(review, {"claim-submit": "1", "claim-no_conflict": "y"}))
    assert "U kunt deze aanvraag niet zelf in behandeling nemen" in forged
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == State.SUBMITTED


def test_claiming_needs_the_conflict_of_interest_statement(
    request_context, make_user, make_browser, applicant, reviewer
):
    app = services.submit_application(applicant, TODAY)
    browser = make_browser()
    browser.login(reviewer.email)
    review = f"/commissie/aanvragen/{app.id}"
    page = _flat(browser.get(review))
    assert "Ik verklaar dat ik geen belangenverstrengeling heb met deze aanvraag" in page
    assert "geen collega (zelfde werkgever)" in page

    refused = _flat(browser.submit(review, {"claim-submit": "1"}))
    assert "Bevestig de verklaring over belangenverstrengeling" in refused
    db.session.expire_all()
    assert db.session.get(Application, app.id).state == State.SUBMITTED

    done = browser.submit(review, {"claim-submit": "1", "claim-no_conflict": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app.id).reviewer_id == reviewer.id


def test_the_assign_list_marks_reviewers_with_a_conflict(
    request_context, make_user, make_browser, ingrado_reviewer
):
    app = _ingrado_application(make_user)
    make_user(roles={RoleName.REVIEWER}, email="vrij@example.nl", name="Vera Vrij")
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    bureau = make_browser()
    bureau.login("bureau@example.nl")
    page = _flat(bureau.get(f"/commissie/aanvragen/{app.id}"))
    assert "Tess Trainer — let op: activiteiten aangeboden door uw eigen organisatie" in page
    assert ">Vera Vrij</option>" in page
    data = {
        "reassign-reviewer": str(ingrado_reviewer.id),
        "reassign-reason": "Geen andere beoordelaar beschikbaar",
        "reassign-submit": "1",
    }
    assert bureau.submit(f"/commissie/aanvragen/{app.id}", data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Application, app.id).reviewer_id == ingrado_reviewer.id
