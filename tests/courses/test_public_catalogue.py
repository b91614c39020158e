"""The public catalogue and a course's page: for anyone, searched and filtered."""

from datetime import timedelta
from decimal import Decimal

import pytest

from krsd.courses.models import (
    Accreditation,
    CourseFormat,
    CourseStatus,
    EnrolmentState,
    TargetGroup,
)
from krsd.extensions import db
from tests.clock import TODAY
from tests.courses.edition_factories import make_course, make_edition, seat


def titles(browser, query="") -> list[str]:
    page = browser.get("/cursussen/" + query).get_data(as_text=True)
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = body.split('<td class="stack-head"><a href="/cursussen/')[1:]
    return [line.split(">", 1)[1] for line in rows]


@pytest.fixture
def catalogue(app):
    """Four courses: two published (one accredited), a draft and an archived one."""
    accredited = make_course(
        "BOA PHB Domein III",
        provider="Politieacademie",
        description="Handhaving en opsporing voor de BOA.",
        groups=(TargetGroup.LEERPLICHT,),
        hours="16",
    )
    webinar = make_course(
        "Webinar verzuim en zorg",
        provider="Ingrado",
        description="Samenwerken met de jeugdarts.",
        format=CourseFormat.WEBINAR,
        groups=(TargetGroup.RMC, TargetGroup.ONDERSTEUNERS),
    )
    make_course("Concept cursus", status=CourseStatus.DRAFT)
    make_course("Oude cursus", status=CourseStatus.ARCHIVED)
    return accredited, webinar


def clean(names):
    return [n.split("<")[0] for n in names]


def test_anyone_sees_the_published_courses_only(browser, catalogue):
    page = browser.get("/cursussen/").get_data(as_text=True)
    assert clean(titles(browser)) == ["BOA PHB Domein III", "Webinar verzuim en zorg"]
    assert "16 uur" in page and "niet geaccrediteerd" in page
    assert browser.get("/cursussen").status_code in (301, 308)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=politieacademie", ["BOA PHB Domein III"]),
        ("?q=JEUGDARTS", ["Webinar verzuim en zorg"]),
        ("?q=webinar+ingrado", ["Webinar verzuim en zorg"]),
        ("?q=concept", []),
        ("?q=100%25", []),
        ("?group=rmc", ["Webinar verzuim en zorg"]),
        ("?group=leerplicht", ["BOA PHB Domein III"]),
        ("?format=webinar", ["Webinar verzuim en zorg"]),
        ("?format=klassikaal&group=ondersteuners", []),
        ("?accredited=y", ["BOA PHB Domein III"]),
        ("?group=onzin&format=", ["BOA PHB Domein III", "Webinar verzuim en zorg"]),
    ],
)
def test_the_catalogue_is_searched_and_filtered(browser, catalogue, query, expected):
    assert clean(titles(browser, query)) == expected


def test_alleen_geaccrediteerd_means_an_accreditation_covering_today(browser, catalogue):
    accredited, webinar = catalogue
    db.session.add_all(
        [
            Accreditation(
                course_id=webinar.id,
                number="KRSD-A-OUD",
                hours=Decimal(4),
                valid_from=TODAY - timedelta(days=800),
                valid_until=TODAY - timedelta(days=1),
            ),
        ]
    )
    accreditation = db.session.get(Accreditation, accredited.accreditations[0].id)
    accreditation.withdrawn_on = TODAY
    db.session.commit()
    assert titles(browser, "?accredited=y") == []
    assert "16 uur" not in browser.get("/cursussen/").get_data(as_text=True)


def test_each_row_names_the_next_edition(browser, catalogue):
    accredited, _webinar = catalogue
    make_edition(accredited, starts_in=-3, days=5)  # running: not next
    make_edition(accredited, starts_in=40)
    make_edition(accredited, starts_in=20)
    page = browser.get("/cursussen/").get_data(as_text=True)
    assert "5 juli 2026" in page  # TODAY + 20
    assert "—" in page  # the webinar has none


def test_the_course_page_shows_accreditation_editions_sessions_and_seats(
    browser, catalogue, make_user
):
    accredited, _webinar = catalogue
    free = make_edition(accredited, capacity=10, sessions=2, location="Utrecht, Jaarbeurs")
    full = make_edition(accredited, capacity=1, starts_in=60)
    seat(free, make_user())
    seat(full, make_user())
    make_edition(accredited, starts_in=-20)  # ended: not shown
    page = browser.get(f"/cursussen/{accredited.id}").get_data(as_text=True)
    assert "Handhaving en opsporing voor de BOA." in page
    assert "Leerplicht" in page and "8 uur" in page
    assert "16 geaccrediteerde uren" in page and accredited.accreditations[0].number in page
    assert "Utrecht, Jaarbeurs" in page and "09:00–10:00" in page and "10:00–11:00" in page
    assert "9 van 10 vrij" in page and "Vol — wachtlijst" in page
    assert page.count("<article") == 2
    assert "Log in om u in te schrijven" in page


def test_unpublished_courses_have_no_public_page(browser, app):
    for status in (CourseStatus.DRAFT, CourseStatus.ARCHIVED):
        course = make_course(status=status)
        assert browser.get(f"/cursussen/{course.id}").status_code == 404
    assert browser.get("/cursussen/999999").status_code == 404


def test_the_catalogue_and_course_page_run_a_constant_number_of_queries(browser, make_user, app):
    user = make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    course = make_course(hours="8")
    catalogue_counts, page_counts = [], []
    for n in (1, 5):
        while len(course.editions) < n:
            edition = make_edition(course, sessions=2, starts_in=10 + len(course.editions))
            state = EnrolmentState.WAITING if len(course.editions) % 2 else EnrolmentState.SEATED
            seat(edition, user, state)
            make_course(f"Cursus {len(course.editions)}", hours="4")
            db.session.refresh(course)
        catalogue_counts.append(browser.queries_for("/cursussen/?q=cursus"))
        page_counts.append(browser.queries_for(f"/cursussen/{course.id}"))
    assert catalogue_counts[0] == catalogue_counts[1]
    assert page_counts[0] == page_counts[1]
