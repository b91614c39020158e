"""Evidence downloads: a safe name, reviewers only before the commission, every one audited."""

import pytest
from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification.models import Application, ApplicationActivity
from krsd.certification.rules import Kind, State
from krsd.extensions import db
from krsd.portfolio.models import Activity, regulation_in_force
from tests.portfolio.conftest import PDF, TODAY, free_form, upload

NEW = "/portfolio/activiteiten/nieuw"


@pytest.fixture
def evidence(browser, professional):
    """A PDF uploaded as ``certificaat.bat`` into the professional's (draft) portfolio."""
    data = free_form(files=[upload(PDF, "certificaat.bat")])
    assert browser.submit(NEW, data, content_type="multipart/form-data").status_code == 302
    return db.session.scalar(select(Activity)).evidence_files[0]


@pytest.fixture
def reviewer(make_user, make_browser):
    make_user(roles={RoleName.REVIEWER}, email="beoordelaar@example.nl")
    reviewer = make_browser()
    reviewer.login("beoordelaar@example.nl")
    return reviewer


def _in_application(activity_id: int, applicant_id: int, state: State) -> int:
    """Put the activity into an application of ``state``; returns the application's id."""
    regulation = regulation_in_force(TODAY)
    application = Application(
        applicant_id=applicant_id,
        kind=Kind.INITIAL,
        state=state,
        window_start=TODAY.replace(year=TODAY.year - 3),
        window_end=TODAY,
        regulation_id=regulation.id,
    )
    db.session.add(application)
    db.session.flush()
    db.session.add(ApplicationActivity(application_id=application.id, activity_id=activity_id))
    db.session.commit()
    return application.id


def _download(browser, evidence_id: int):
    response = browser.get(f"/portfolio/bewijsstukken/{evidence_id}")
    body = response.get_data()
    response.close()  # the file is streamed; close it as a WSGI server would
    return response, body


def _downloads_audited() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "portfolio.evidence_downloaded")
        )
    )


def test_the_download_name_comes_from_the_detected_type(browser, evidence):
    assert evidence.label == "certificaat.bat"  # shown as the uploader named it
    response, body = _download(browser, evidence.id)
    assert response.status_code == 200 and body == PDF
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=certificaat.pdf"
    assert ".bat" not in disposition
    assert response.mimetype == "application/pdf"


def test_a_reviewer_gets_404_for_evidence_in_a_draft_portfolio(reviewer, evidence):
    response, _body = _download(reviewer, evidence.id)
    assert response.status_code == 404
    assert _downloads_audited() == []


@pytest.mark.parametrize(
    "state",
    [State.SUBMITTED, State.IN_REVIEW, State.MORE_INFO_REQUESTED, State.APPROVED, State.REJECTED],
)
def test_a_reviewer_downloads_evidence_of_an_application_before_the_commission(
    reviewer, evidence, professional, state
):
    application_id = _in_application(evidence.activity_id, professional.id, state)
    response, body = _download(reviewer, evidence.id)
    assert response.status_code == 200 and body == PDF
    assert response.headers["Content-Disposition"] == "attachment; filename=certificaat.pdf"
    (entry,) = _downloads_audited()
    assert entry.actor_email == "beoordelaar@example.nl"
    assert (entry.object_type, entry.object_id) == ("evidence", str(evidence.id))
    assert entry.details_dict["application_id"] == application_id


def test_a_withdrawn_application_shows_nothing_to_a_reviewer(reviewer, evidence, professional):
    _in_application(evidence.activity_id, professional.id, State.WITHDRAWN)
    assert _download(reviewer, evidence.id)[0].status_code == 404


def test_the_owner_downloads_without_an_audit_entry(browser, evidence, professional):
    _in_application(evidence.activity_id, professional.id, State.SUBMITTED)
    assert _download(browser, evidence.id)[0].status_code == 200
    assert _downloads_audited() == []


def test_the_registerbureau_downloads_a_draft_and_it_is_audited(make_user, make_browser, evidence):
    make_user(roles={RoleName.ADMIN}, email="registerbureau@example.nl")
    admin = make_browser()
    admin.login("registerbureau@example.nl")
    response, body = _download(admin, evidence.id)
    assert response.status_code == 200 and body == PDF
    (entry,) = _downloads_audited()
    assert entry.actor_email == "registerbureau@example.nl"
    assert entry.details_dict["application_id"] is None
