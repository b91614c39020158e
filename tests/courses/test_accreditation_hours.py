"""Hours already in portfolios: changing an accreditation's hours applies to activities
logged afterwards; a withdrawal keeps earlier activities and refuses later ones."""

import io
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.certification.progress import counting_window
from krsd.courses.models import Accreditation, Course, CourseStatus, CourseTrainer
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.portfolio import services as portfolio
from krsd.portfolio.models import Activity
from krsd.portfolio.rules import ActivityType, Category
from tests.clock import FROZEN_NOW, TODAY

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NEW_ACTIVITY = "/portfolio/activiteiten/nieuw"


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@pytest.fixture(autouse=True)
def upload_folder(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", tmp_path / "uploads")


@pytest.fixture
def accreditation(make_user):
    trainer = make_user(roles={RoleName.TRAINER}, email="tineke@example.nl")
    course = Course(
        title="Leergang Module 1 Wet- en regelgeving",
        provider="Ingrado Academie",
        status=CourseStatus.PUBLISHED,
        trainers=[CourseTrainer(user_id=trainer.id)],
    )
    item = Accreditation(
        course=course,
        number="KRSD-A-2026-001",
        hours=Decimal(16),
        valid_from=TODAY - timedelta(days=400),
        valid_until=TODAY + timedelta(days=400),
    )
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def bureau(make_user, make_browser):
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    b = make_browser()
    b.login("bureau@example.nl")
    return b


def logged(owner, accreditation, days_ago: int) -> Activity:
    """An accredited activity as the portfolio logged it: the hours copied."""
    activity = Activity(
        owner_id=owner.id,
        category=Category.ACCREDITED,
        type=ActivityType.ACCREDITED_COURSE,
        title=accreditation.course.title,
        provider=accreditation.course.provider,
        activity_date=TODAY - timedelta(days=days_ago),
        hours=accreditation.hours,
        reflection="Geleerd.",
        accreditation_id=accreditation.id,
    )
    db.session.add(activity)
    db.session.commit()
    return activity


def activity_form(accreditation_id: int, day) -> dict:
    return {
        "category": "accredited",
        "accreditation": str(accreditation_id),
        "type": "",
        "activity_date": day.isoformat(),
        "reflection_learned": "Ik ken nu de termijnen van de verzuimmelding.",
        "reflection_applied": "Ik meld verzuim nu binnen de termijn bij DUO.",
        "files": [(io.BytesIO(PDF), "deelname.pdf")],
    }


def accredited_form(accreditation, **overrides) -> dict:
    data = {
        "title": accreditation.course.title,
        "provider": accreditation.course.provider,
        "description": "",
        "number": accreditation.number,
        "hours": "12",
        "valid_from": accreditation.valid_from.isoformat(),
        "valid_until": accreditation.valid_until.isoformat(),
        "reason": "Programma ingekort tot drie dagdelen",
    }
    data.update(overrides)
    return data


def test_changed_hours_apply_to_activities_logged_afterwards(
    bureau, accreditation, make_user, make_browser
):
    first, second = make_user(email="a@example.nl"), make_user(email="b@example.nl")
    kept = [logged(first, accreditation, 30), logged(second, accreditation, 60)]
    url = f"/cursussen/geaccrediteerd/{accreditation.id}"
    form_page = _flat(bureau.get(url))
    assert "houden de uren waarmee ze zijn vastgelegd" in form_page and "(2 met deze" in form_page

    response = bureau.submit(url, accredited_form(accreditation), follow_redirects=True)
    assert "2 activiteiten in portfolio&#39;s houden hun eerdere uren" in _flat(response)
    db.session.expire_all()
    assert db.session.get(Accreditation, accreditation.id).hours == Decimal(12)
    assert [db.session.get(Activity, a.id).hours for a in kept] == [Decimal(16), Decimal(16)]
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "courses.accreditation_changed")
    )
    details = json.loads(entry.details)
    assert (details["old_hours"], details["new_hours"]) == ("16.00", "12")
    assert details["activities_keeping_old_hours"] == 2
    assert entry.reason == "Programma ingekort tot drie dagdelen"
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.subject.contains("gewijzigd"))
    )
    assert mail.recipient == "tineke@example.nl" and "(was 16)" in mail.body

    # Someone logging the course now gets the new hours.
    make_user(email="c@example.nl")
    later = make_browser()
    later.login("c@example.nl")
    assert later.submit(NEW_ACTIVITY, activity_form(accreditation.id, TODAY)).status_code == 302
    newest = db.session.scalar(select(Activity).order_by(Activity.id.desc()))
    assert newest.hours == Decimal(12) and newest.accreditation_id == accreditation.id


def test_a_withdrawal_keeps_earlier_activities_and_refuses_later_ones(
    bureau, accreditation, make_user, make_browser, register_clock
):
    owner = make_user(email="a@example.nl")
    earlier = logged(owner, accreditation, 10)
    withdrawn_on = TODAY + timedelta(days=5)
    url = f"/cursussen/geaccrediteerd/{accreditation.id}/intrekken"
    assert "1 activiteit<" in _flat(bureau.get(url))
    done = bureau.submit(url, {"withdrawn_on": withdrawn_on.isoformat(), "reason": "Gestopt"})
    assert done.status_code == 302
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "courses.accreditation_withdrawn")
    )
    assert json.loads(entry.details)["activities_keeping_hours"] == 1

    register_clock.move_to(FROZEN_NOW + timedelta(days=10))
    today = TODAY + timedelta(days=10)
    item = db.session.get(Accreditation, accreditation.id)
    assert item.covers(withdrawn_on - timedelta(days=1)) and not item.covers(withdrawn_on)
    # The earlier activity keeps its hours and still counts.
    assert db.session.get(Activity, earlier.id).hours == Decimal(16)

    other = make_user(email="b@example.nl")
    b = make_browser()
    b.login("b@example.nl")
    option = f'value="{accreditation.id}">Leergang Module 1'
    assert option not in b.get(NEW_ACTIVITY).get_data(as_text=True)
    refused = b.submit(NEW_ACTIVITY, activity_form(accreditation.id, today))
    assert refused.status_code == 200 and 'id="accreditation-error"' in _flat(refused)
    # The portfolio's own rule refuses a day on or after the withdrawal too.
    data = portfolio.ActivityInput(
        category=Category.ACCREDITED,
        activity_date=withdrawn_on,
        reflection_learned="Ik leerde de termijnen en de rolverdeling in het verzuimproces.",
        reflection_applied="Ik gebruik dit in elk eerste gesprek met een jongere en ouders.",
        accreditation_id=accreditation.id,
    )
    window, _deadline = counting_window(other.id, today)
    with pytest.raises(portfolio.PortfolioError, match="niet geaccrediteerd"):
        portfolio.log_activity(other, data, [], today, window)
    db.session.rollback()
    assert db.session.scalar(select(Activity).where(Activity.owner_id == other.id)) is None

    # The owner of the earlier activity can still open and edit it with its accreditation.
    own = make_browser()
    own.login("a@example.nl")
    edit = own.get(f"/portfolio/activiteiten/{earlier.id}/bewerken").get_data(as_text=True)
    assert option in edit
