"""The home page after login: for each role held, what to do next."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from krsd.auth.rules import RoleName
from krsd.certification import services
from krsd.certification.bureau_requests import ExtensionRequest, NameChangeRequest
from krsd.certification.models import Application
from krsd.certification.rules import ExtensionReason, Kind, State
from krsd.clock import AMSTERDAM
from krsd.courses.models import AccreditationRequest, EnrolmentState, RequestState
from krsd.database import utcnow
from krsd.extensions import db
from krsd.portfolio.models import regulation_in_force
from krsd.portfolio.rules import Category
from krsd.privacy.models import ErasureOrigin, ErasureRequest, ErasureState
from tests.certification.conftest import add_activity, fill_portfolio
from tests.certification.renewing import holder_certificate
from tests.clock import TODAY
from tests.courses.edition_factories import make_course, make_edition, seat


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _block(html: str, role: str) -> str:
    start = html.index(f'data-role="{role}"')
    return html[start : html.index("</section>", start)]


def _text(html: str) -> str:
    """The words as read, without tags."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _moment(day) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=AMSTERDAM)


@pytest.fixture
def professional(make_user, browser):
    user = make_user(email="prof@example.nl", name="Anna de Vries")
    browser.login(user.email)
    return user


def _application(user, state: State, queued_on=TODAY, **fields) -> Application:
    app = Application(
        applicant_id=user.id,
        kind=Kind.INITIAL,
        state=state,
        window_start=TODAY - timedelta(days=1000),
        window_end=TODAY,
        regulation_id=regulation_in_force(TODAY).id,
        queued_at=_moment(queued_on),
        **fields,
    )
    db.session.add(app)
    db.session.commit()
    return app


# --- the professional ---------------------------------------------------------------------


def test_login_lands_on_the_home_page_with_the_next_step(make_user, browser):
    make_user(email="nieuw@example.nl")
    response = browser.login("nieuw@example.nl")
    assert response.headers["Location"] == "/"
    block = _block(_flat(browser.get("/")), "professional")
    assert (
        "Volgende stap: Schrijf u in voor een geaccrediteerde cursus: nog 24 uur geaccrediteerd "
        "nodig, in totaal nog 96 uur." in _text(block)
    )
    assert 'href="/cursussen/"' in block and "0 van 96 uur" in block


def test_enrolled_in_an_accredited_course_the_step_is_to_add_activities(browser, professional):
    add_activity(professional, Category.ACCREDITED, "16")
    add_activity(professional, Category.FREE, "36")
    course = make_course("Module 1 Wet- en regelgeving", hours="8")
    seat(make_edition(course, starts_in=20), professional, EnrolmentState.WAITING)
    block = _block(_flat(browser.get("/")), "professional")
    assert "Voeg activiteiten toe: nog 44 uur, waarvan 8 uur geaccrediteerd." in block
    assert 'href="/portfolio/activiteiten/nieuw"' in block
    assert "Module 1 Wet- en regelgeving, vanaf 5 juli 2026 (wachtlijst, plaats 1)" in block


def test_enough_hours_the_step_is_to_apply(browser, professional):
    fill_portfolio(professional)
    block = _block(_flat(browser.get("/")), "professional")
    assert "Vraag uw certificering aan: u heeft genoeg uren." in block
    assert 'href="/certificering/aanvragen/nieuw"' in block


def test_a_first_certification_says_when_the_oldest_hours_stop_counting(browser, professional):
    add_activity(professional, Category.FREE, "4", days_ago=400)
    add_activity(professional, Category.FREE, "2,5".replace(",", "."), days_ago=400)
    add_activity(professional, Category.FREE, "8", days_ago=10)
    block = _block(_flat(browser.get("/")), "professional")
    oldest = TODAY - timedelta(days=400)
    assert oldest.replace(year=oldest.year + 3) == datetime(2028, 5, 11).date()
    assert "Op 11 mei 2028 vallen 6,5 uur uit uw venster." in block


def test_a_holder_short_of_hours_is_told_the_renewal_deadline(browser, professional):
    holder_certificate(professional)  # 1 September 2023 – 31 August 2026
    add_activity(professional, Category.ACCREDITED, "24")
    block = _block(_flat(browser.get("/")), "professional")
    assert "Voeg activiteiten toe: nog 72 uur, uiterlijk 31 augustus 2026." in block
    assert "31 augustus 2026 (einde van uw certificaat)" in block


def test_a_submitted_application_waits(browser, professional):
    fill_portfolio(professional)
    app = services.submit_application(professional, TODAY)
    block = _block(_flat(browser.get("/")), "professional")
    assert "Uw aanvraag voor certificering wacht op beoordeling. U hoeft nu niets te doen." in block
    assert f'href="/certificering/aanvragen/{app.id}"' in block


def test_after_a_rejection_the_step_is_the_objection_until_its_deadline(browser, professional):
    app = _application(professional, State.REJECTED, decided_at=utcnow())
    block = _block(_flat(browser.get("/")), "professional")
    assert "Maak uiterlijk 27 juli 2026 bezwaar." in block  # six weeks after 15 June
    assert f'href="/certificering/aanvragen/{app.id}"' in block


def test_a_later_application_makes_an_old_rejection_no_longer_the_step(browser, professional):
    _application(professional, State.REJECTED, decided_at=utcnow() - timedelta(days=3))
    later = _application(professional, State.WITHDRAWN)
    later.submitted_at = utcnow()
    db.session.commit()
    assert "bezwaar" not in _block(_flat(browser.get("/")), "professional")


def test_a_suspended_holder_is_told_so(browser, professional):
    holder_certificate(professional, suspended_at=utcnow(), suspension_reason="Onderzoek")
    fill_portfolio(professional)
    block = _block(_flat(browser.get("/")), "professional")
    assert "Uw certificaat is geschorst." in block and "aanvragen" not in block.split("Uren")[0]


def test_a_pending_extension_request_is_shown(browser, professional):
    certificate = holder_certificate(professional)
    db.session.add(
        ExtensionRequest(
            certificate_id=certificate.id, reason=ExtensionReason.ILLNESS, explanation="Ziek."
        )
    )
    db.session.commit()
    block = _block(_flat(browser.get("/")), "professional")
    assert "Uitstel Aangevraagd op 15 juni 2026; het registerbureau beslist." in _text(block)


def test_the_professional_block_runs_the_same_statements_at_any_size(
    browser, professional, make_user
):
    few = browser.queries_for("/")
    fill_portfolio(professional)
    for n in range(30):
        add_activity(professional, Category.FREE, "1", days_ago=n + 1)
    course = make_course(hours="8")
    for n in range(5):
        seat(make_edition(course, starts_in=10 + n), professional)
    _application(professional, State.REJECTED, decided_at=utcnow())
    assert browser.queries_for("/") == few


# --- the commission -----------------------------------------------------------------------


@pytest.fixture
def reviewer(make_user, browser):
    user = make_user(roles={RoleName.REVIEWER}, email="commissie@example.nl")
    browser.login(user.email)
    return user


def test_a_reviewer_sees_how_many_wait_and_since_when(browser, reviewer, make_user):
    for days in (34, 3, 0):
        _application(make_user(), State.SUBMITTED, queued_on=TODAY - timedelta(days=days))
    _application(make_user(), State.IN_REVIEW, reviewer_id=reviewer.id, claimed_at=utcnow())
    block = _block(_flat(browser.get("/")), "reviewer")
    assert "3 aanvragen wachten; de oudste sinds 12 mei 2026 (34 dagen)." in _text(block)
    assert "U heeft 1 aanvraag in behandeling." in block
    assert 'href="/commissie"' in block


def test_a_reviewer_with_nothing_waiting_is_told_so(browser, reviewer):
    assert "Er wachten geen aanvragen op een beoordelaar." in _flat(browser.get("/"))


def test_the_reviewer_block_runs_the_same_statements_at_any_size(browser, reviewer, make_user):
    applicant = make_user()
    _application(applicant, State.SUBMITTED)
    few = browser.queries_for("/")
    for n in range(20):
        _application(applicant, State.SUBMITTED, queued_on=TODAY - timedelta(days=n))
    assert browser.queries_for("/") == few


# --- the trainer --------------------------------------------------------------------------


@pytest.fixture
def trainer(make_user, browser):
    user = make_user(roles={RoleName.TRAINER}, email="trainer@example.nl")
    browser.login(user.email)
    return user


def test_a_trainer_sees_the_editions_that_need_them(browser, trainer, make_user):
    course = make_course("Module 2 Het netwerk in beeld", trainers=[trainer])
    a, b, c = make_user(), make_user(), make_user()
    ended = make_edition(course, starts_in=-10)
    seat(ended, a)
    seat(ended, b, attended=True, passed=None)
    seat(ended, c, attended=True, passed=True)
    done = make_edition(course, starts_in=-20)
    seat(done, a, attended=False)
    full = make_edition(course, starts_in=12, capacity=1)
    seat(full, a)
    seat(full, b, EnrolmentState.WAITING)
    seat(full, c, EnrolmentState.WAITING)
    db.session.add(
        AccreditationRequest(
            course_id=course.id,
            requested_by_id=trainer.id,
            hours_requested=Decimal(8),
            programme_text="p",
            learning_goals="l",
            state=RequestState.REFUSED,
            decided_at=utcnow() - timedelta(days=2),
        )
    )
    db.session.commit()
    block = _block(_flat(browser.get("/")), "trainer")
    assert f'href="/cursussen/uitvoering/{ended.id}/resultaten"' in block
    assert "afgelopen op 5 juni 2026: 2 deelnemers zonder resultaat" in block
    assert f"/cursussen/uitvoering/{done.id}/resultaten" not in block
    assert f'href="/cursussen/uitvoering/{full.id}"' in block
    assert "vanaf 27 juni 2026: 2 wachten op een plaats" in block
    assert "Module 2 Het netwerk in beeld</a>: afgewezen op 13 juni 2026" in block


def test_a_trainer_with_nothing_to_do_is_told_so(browser, trainer):
    make_course(trainers=[trainer])
    assert "Geen uitvoeringen die op u wachten." in _flat(browser.get("/"))


def test_the_trainer_block_runs_the_same_statements_at_any_size(browser, trainer, make_user):
    course = make_course(trainers=[trainer])
    participant, waiting = make_user(), make_user()
    seat(make_edition(course, starts_in=-5), participant)
    few = browser.queries_for("/")
    for n in range(8):
        seat(make_edition(course, starts_in=-30 - n), participant)
        full = make_edition(course, starts_in=5 + n, capacity=1)
        seat(full, participant)
        seat(full, waiting, EnrolmentState.WAITING)
    html = _flat(browser.get("/"))
    assert "En nog 4 meer onder Mijn cursussen." in html
    assert browser.queries_for("/") == few


# --- the registerbureau -------------------------------------------------------------------


@pytest.fixture
def admin(make_user, browser):
    user = make_user(roles={RoleName.ADMIN}, email="bureau@example.nl")
    browser.login(user.email)
    return user


def _requests(make_user, days_ago: int) -> None:
    person = make_user()
    moment = _moment(TODAY - timedelta(days=days_ago))
    certificate = holder_certificate(person)
    db.session.add_all(
        [
            NameChangeRequest(
                user_id=person.id,
                old_name=person.name,
                requested_name="Nieuwe Naam",
                explanation="Getrouwd.",
                requested_at=moment,
            ),
            ExtensionRequest(
                certificate_id=certificate.id,
                reason=ExtensionReason.LEAVE,
                explanation="Verlof.",
                requested_at=moment - timedelta(days=1),
            ),
            ErasureRequest(
                user_id=person.id,
                origin=ErasureOrigin.REQUEST,
                state=ErasureState.PENDING,
                requested_at=moment - timedelta(days=2),
            ),
        ]
    )
    db.session.commit()


def test_the_registerbureau_sees_what_waits_for_a_decision_longest_first(browser, admin, make_user):
    _requests(make_user, days_ago=3)
    _application(make_user(), State.SUBMITTED, queued_on=TODAY - timedelta(days=1))
    block = _block(_flat(browser.get("/")), "admin")
    erasures = block.index("1 verwijderverzoek wacht</a>; de oudste sinds 10 juni 2026 (5 dagen)")
    extensions = block.index("1 uitstelverzoek wacht</a>; de oudste sinds 11 juni 2026")
    names = block.index("1 naamswijziging wacht</a>; de oudste sinds 12 juni 2026")
    queued = block.index("1 aanvraag wacht op een beoordelaar</a>")
    assert erasures < extensions < names < queued
    assert 'href="/beheer/verwijderverzoeken"' in block and 'href="/beheer/uitstel"' in block
    assert "accreditatieaanvra" not in block


def test_the_registerbureau_with_nothing_waiting_is_told_so(browser, admin):
    assert "Er wacht niets op een besluit van het registerbureau." in _flat(browser.get("/"))


def test_the_bureau_block_runs_the_same_statements_at_any_size(browser, admin, make_user):
    _requests(make_user, days_ago=1)
    few = browser.queries_for("/")
    for n in range(3):
        _requests(make_user, days_ago=n + 2)
    assert browser.queries_for("/") == few


# --- several roles ------------------------------------------------------------------------


def test_a_person_with_several_roles_sees_each_block(make_user, browser):
    make_user(
        roles={RoleName.PROFESSIONAL, RoleName.TRAINER, RoleName.REVIEWER},
        email="alles@example.nl",
    )
    browser.login("alles@example.nl")
    html = _flat(browser.get("/"))
    assert "Volgende stap:" in _block(html, "professional")
    assert "Geen uitvoeringen die op u wachten." in _block(html, "trainer")
    assert "Er wachten geen aanvragen op een beoordelaar." in _block(html, "reviewer")


def test_a_reviewer_never_counts_their_own_application(make_user, browser):
    both = make_user(roles={RoleName.PROFESSIONAL, RoleName.REVIEWER}, email="beide@example.nl")
    browser.login(both.email)
    _application(both, State.SUBMITTED)
    assert "Er wachten geen aanvragen op een beoordelaar." in _flat(browser.get("/"))
