"""Trainers' own courses: create, edit, publish, co-trainers, and who may touch them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.rules import RoleName
from krsd.courses.models import (
    Accreditation,
    AccreditationRequest,
    Course,
    CourseStatus,
    CourseTrainer,
    Edition,
    TargetGroup,
)
from krsd.extensions import db
from tests.clock import TODAY

NEW = "/cursussen/mijn/nieuw"


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def course_form(**overrides) -> dict:
    data = {
        "title": "Leerplicht en RMC voor ondersteuners",
        "provider": "Ingrado Academie",
        "description": "Voor wie leerplichtambtenaren en RMC-coaches ondersteunt.",
        "format": "klassikaal",
        "study_load_hours": "12,5",
        "target_groups": ["ondersteuners", "rmc"],
        "graded": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_course(trainers, title="Module 1 Wet- en regelgeving", **fields) -> Course:
    course = Course(title=title, provider="Ingrado Academie", **fields)
    course.trainers = [CourseTrainer(user_id=t.id) for t in trainers]
    db.session.add(course)
    db.session.commit()
    return course


def _audit(action: str) -> list[AuditEntry]:
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="tineke@example.nl", name="Tineke de Vries")
    browser.login("tineke@example.nl")
    return user


def test_a_trainer_creates_a_draft_course_and_becomes_its_trainer(browser, trainer):
    response = browser.submit(NEW, course_form())
    course = db.session.scalar(select(Course))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cursussen/mijn/{course.id}"
    assert course.status == CourseStatus.DRAFT and course.graded
    assert course.study_load_hours == Decimal("12.5")
    assert course.group_values == [TargetGroup.ONDERSTEUNERS, TargetGroup.RMC]
    assert [t.user_id for t in course.trainers] == [trainer.id]
    (entry,) = _audit("courses.course_created")
    assert entry.actor_id == trainer.id and entry.object_id == str(course.id)
    listing = _flat(browser.get("/cursussen/mijn"))
    assert "Leerplicht en RMC voor ondersteuners" in listing
    assert "Concept" in listing and "Niet geaccrediteerd" in listing


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_groups": None}, "Kies minstens één doelgroep."),
        ({"study_load_hours": "veel"}, "Vul een aantal uren in, bijv. 8 of 8,5."),
        ({"study_load_hours": "0"}, "Tussen 0,5 en 999 uur."),
        ({"study_load_hours": "2,555"}, "hoogstens twee cijfers achter de komma"),
        ({"title": ""}, "Dit veld is verplicht."),
        ({"format": "cursus-op-zee"}, "Kies een van de mogelijkheden."),
        ({"target_groups": ["iedereen"]}, "Kies een van de mogelijkheden."),
    ],
)
def test_bad_course_input_gets_a_message_and_keeps_the_rest(browser, trainer, change, message):
    response = browser.submit(NEW, course_form(**change))
    html = _flat(response)
    assert response.status_code == 400
    assert message in html
    assert "Ingrado Academie" in html  # other input kept
    assert db.session.scalar(select(func.count()).select_from(Course)) == 0


def test_a_trainer_edits_their_course_and_the_change_is_audited(browser, trainer):
    course = make_course([trainer], target_groups=[])
    page = _flat(browser.get(f"/cursussen/mijn/{course.id}/bewerken"))
    assert 'value="Module 1 Wet- en regelgeving"' in page
    response = browser.submit(
        f"/cursussen/mijn/{course.id}/bewerken",
        course_form(title="Module 1 Wet- en regelgeving (2026)", format="online", graded=None),
    )
    assert response.status_code == 302
    db.session.refresh(course)
    assert course.title == "Module 1 Wet- en regelgeving (2026)" and not course.graded
    assert course.format.value == "online"
    (entry,) = _audit("courses.course_changed")
    assert "Module 1 Wet- en regelgeving (2026)" in entry.details
    assert '"format": {"old": "klassikaal", "new": "online"}' in entry.details


def test_publish_archive_and_back_to_draft(browser, trainer):
    course = make_course([trainer])
    url = f"/cursussen/mijn/{course.id}/status"
    page = _flat(browser.get(f"/cursussen/mijn/{course.id}"))
    assert 'value="publish"' in page and 'value="draft"' not in page
    assert browser.submit(url, {"action": "publish"}).status_code == 302
    assert db.session.get(Course, course.id).status == CourseStatus.PUBLISHED
    again = browser.submit(url, {"action": "publish"}, follow_redirects=True)
    assert "De cursus is al gepubliceerd." in _flat(again)
    browser.submit(url, {"action": "archive"})
    assert db.session.get(Course, course.id).status == CourseStatus.ARCHIVED
    browser.submit(url, {"action": "draft"})
    assert db.session.get(Course, course.id).status == CourseStatus.DRAFT
    changes = [
        (e.details, e.actor_id)
        for e in _audit("courses.course_status_changed")
        if e.object_id == str(course.id)
    ]
    assert len(changes) == 3 and all(actor == trainer.id for _d, actor in changes)
    assert '"new_status": "archived"' in changes[1][0]


def test_co_trainers_are_added_by_email_and_the_last_one_stays(browser, trainer, make_user):
    colleague = make_user(roles={RoleName.TRAINER}, email="karim@example.nl", name="Karim Amrani")
    make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl")
    course = make_course([trainer])
    url = f"/cursussen/mijn/{course.id}/trainers"
    unknown = browser.submit(
        url, {"email": "niemand@example.nl"}, form_url=f"/cursussen/mijn/{course.id}"
    )
    assert unknown.status_code == 400
    assert "Er is geen account met de rol trainer en dit e-mailadres" in _flat(unknown)
    not_trainer = browser.submit(url, {"email": "prof@example.nl"}, form_url=NEW)
    assert "Er is geen account met de rol trainer" in _flat(not_trainer)
    assert browser.submit(url, {"email": " Karim@Example.nl "}, form_url=NEW).status_code == 302
    twice = browser.submit(url, {"email": "karim@example.nl"}, form_url=NEW)
    assert "Karim Amrani is al trainer van deze cursus." in _flat(twice)
    trainers = {t.user_id for t in db.session.get(Course, course.id).trainers}
    assert trainers == {trainer.id, colleague.id}
    assert _audit("courses.trainer_added")[0].actor_id == trainer.id

    remove = f"/cursussen/mijn/{course.id}/trainers/{{}}/verwijderen"
    assert browser.submit(remove.format(colleague.id), form_url=NEW).status_code == 302
    last = browser.submit(remove.format(trainer.id), form_url=NEW, follow_redirects=True)
    assert "Een cursus houdt minstens één trainer" in _flat(last)
    assert [t.user_id for t in db.session.get(Course, course.id).trainers] == [trainer.id]
    assert len(_audit("courses.trainer_removed")) == 1


# -- the access matrix ------------------------------------------------------------------


def _course_urls(course_id: int, co_trainer_id: int) -> list[tuple[str, str, dict | None]]:
    base = f"/cursussen/mijn/{course_id}"
    request = {"hours_requested": "8", "programme_text": "Drie dagdelen.", "learning_goals": "Wet."}
    return [
        ("GET", base, None),
        ("GET", f"{base}/bewerken", None),
        ("GET", f"{base}/accreditatie", None),
        ("POST", f"{base}/bewerken", course_form(title="Overgenomen")),
        ("POST", f"{base}/status", {"action": "publish"}),
        ("POST", f"{base}/trainers", {"email": "yvonne@example.nl"}),
        ("POST", f"{base}/trainers/{co_trainer_id}/verwijderen", {}),
        ("POST", f"{base}/accreditatie", request),
    ]


def _untouched(course_id: int, title: str) -> None:
    db.session.expire_all()
    course = db.session.get(Course, course_id)
    assert course.title == title and course.status == CourseStatus.DRAFT
    assert len(course.trainers) == 2
    assert db.session.scalar(select(func.count()).select_from(AccreditationRequest)) == 0


def test_access_matrix_over_every_trainer_url(app, make_user, make_browser):
    x = make_user(roles={RoleName.TRAINER}, email="xander@example.nl")
    x_co = make_user(roles={RoleName.TRAINER}, email="xena@example.nl")
    y = make_user(roles={RoleName.TRAINER}, email="yvonne@example.nl")
    make_user(roles={RoleName.PROFESSIONAL}, email="prof@example.nl")
    make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    course_x = make_course([x, x_co], title="Cursus van X")
    make_course([y], title="Cursus van Y")
    urls = _course_urls(course_x.id, x_co.id)
    general = [("GET", "/cursussen/mijn", None), ("GET", NEW, None), ("POST", NEW, course_form())]

    def browse(email):
        b = make_browser()
        if email:
            b.login(email)
        return b

    def send(b, method, url, data, token_page):
        if method == "GET":
            return b.get(url)
        return b.submit(url, data, form_url=token_page)

    # Every other trainer page that names a course (editions too) hides course X from Y.
    course_rules = [
        r.rule
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/cursussen/mijn/<int:course_id>") and "GET" in r.methods
    ]
    extra = [re.sub(r"<int:course_id>", str(course_x.id), r) for r in course_rules]
    extra = [u for u in extra if "<" not in u]

    anonymous = browse(None)
    for method, url, data in urls + general:
        response = send(anonymous, method, url, data, "/inloggen")
        assert response.status_code == 302, (method, url)
        assert response.headers["Location"].startswith("/inloggen?next="), url
    for email in ("prof@example.nl", "bureau@example.nl"):
        b = browse(email)
        for method, url, data in urls + general:
            assert send(b, method, url, data, "/").status_code == 403, (email, method, url)
    other = browse("yvonne@example.nl")
    for method, url, data in urls:
        assert send(other, method, url, data, NEW).status_code == 404, (method, url)
    for url in extra:
        assert other.get(url).status_code == 404, url
    assert "Cursus van X" not in _flat(other.get("/cursussen/mijn"))
    _untouched(course_x.id, "Cursus van X")

    own = browse("xander@example.nl")
    for method, url, data in urls:
        status = send(own, method, url, data, NEW).status_code
        assert status == (200 if method == "GET" else 302), (method, url, status)
    for method, url, data in general:
        assert send(own, method, url, data, NEW).status_code == (200 if method == "GET" else 302)
    course = db.session.get(Course, course_x.id)
    assert course.title == "Overgenomen" and course.status == CourseStatus.PUBLISHED
    assert {t.user_id for t in course.trainers} == {x.id, y.id}


# -- the home page and the list -----------------------------------------------------------


def test_the_trainers_home_page_links_to_my_courses(browser, trainer, make_user):
    course = make_course([trainer])
    make_course([trainer], title="Module 2 Het netwerk in beeld")
    db.session.add(
        AccreditationRequest(
            course_id=course.id,
            requested_by_id=trainer.id,
            hours_requested=Decimal(8),
            programme_text="p",
            learning_goals="l",
        )
    )
    db.session.commit()
    home = _flat(browser.get("/"))
    assert "Voor deze rol zijn nog geen onderdelen beschikbaar" not in home
    assert 'href="/cursussen/mijn"' in home and "Mijn cursussen" in home
    assert "U bent trainer van <strong>2</strong> cursussen" in home
    assert "<strong>1</strong> accreditatieaanvraag wacht op het registerbureau" in home


def _add_courses(trainer, start: int, count: int) -> None:
    for n in range(start, start + count):
        course = make_course([trainer], title=f"Cursus {n:02d}", target_groups=[])
        db.session.add(
            Accreditation(
                course_id=course.id,
                number=f"KRSD-A-{n:03d}",
                hours=Decimal(8),
                valid_from=TODAY - timedelta(days=10),
                valid_until=TODAY + timedelta(days=300),
            )
        )
        db.session.add(
            Edition(
                course_id=course.id,
                starts_on=TODAY + timedelta(days=20),
                ends_on=TODAY + timedelta(days=20),
                enrolment_deadline=TODAY + timedelta(days=10),
                capacity=12,
            )
        )
    db.session.commit()


def test_my_courses_runs_a_constant_number_of_queries(browser, trainer):
    _add_courses(trainer, 1, 1)
    small = browser.queries_for("/cursussen/mijn")
    _add_courses(trainer, 2, 7)
    large = browser.queries_for("/cursussen/mijn")
    assert small == large
    page = _flat(browser.get("/cursussen/mijn"))
    assert page.count("Geaccrediteerd, 8 uur") == 8
