"""The public register over many people: display order from the index, no full count."""

import re
from datetime import timedelta

from krsd.auth.models import User, UserRole
from krsd.auth.rules import Function, RoleName
from krsd.certification.certificates import registration_for
from krsd.certification.models import Application, Certificate
from krsd.certification.public import reindex_register
from krsd.certification.rules import Kind, State, new_verification_code
from krsd.database import utcnow
from krsd.extensions import db
from krsd.portfolio.models import regulation_in_force
from tests.certification.conftest import TODAY
from tests.certification.test_public import certify


def _listed(names: list[str], employer: str = "Gemeente Testdorp") -> None:
    """Certified, listed people in bulk (the certify() factory one by one is too slow)."""
    regulation = regulation_in_force(TODAY).id
    start = TODAY - timedelta(days=10)
    users = [
        User(
            email=f"veel{n}-{abs(hash(name))}@example.nl",
            password_hash="!",
            name=name,
            function=Function.DOORSTROOMCOACH,
            employer=employer,
            public_listing_consent=True,
            roles=[UserRole(role=RoleName.PROFESSIONAL)],
        )
        for n, name in enumerate(names)
    ]
    db.session.add_all(users)
    db.session.flush()
    for user in users:
        application = Application(
            applicant_id=user.id,
            kind=Kind.INITIAL,
            state=State.APPROVED,
            window_start=start - timedelta(days=1000),
            window_end=start,
            regulation_id=regulation,
            decided_at=utcnow(),
        )
        db.session.add(application)
        db.session.flush()
        db.session.add(
            Certificate(
                holder_id=user.id,
                application_id=application.id,
                registration_number=registration_for(user.id).number,
                valid_from=start,
                valid_until=start.replace(year=start.year + 3) - timedelta(days=1),
                verification_code=new_verification_code(),
                holder_name=user.name,
                holder_function=user.function,
                holder_employer=user.employer,
            )
        )
    db.session.flush()
    reindex_register()
    db.session.commit()


def _names(html: str) -> list[str]:
    return re.findall(r"<tr><td[^>]*>([^<]+)</td>", html)


def _flat(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_a_broad_query_asks_to_be_more_precise_instead_of_counting(browser):
    _listed([f"Jansen {n:03d}" for n in range(230)])
    html = _flat(browser.get("/register?q=jansen"))
    assert "Meer dan 200 gevonden — maak uw zoekopdracht preciezer" in html
    assert "230" not in html.split("Meer dan")[1].split("</p>")[0]  # never the full count
    assert _names(html) == [f"Jansen {n:03d}" for n in range(20)]
    assert "Pagina 1 van 10" in html
    last = _flat(browser.get("/register?q=jansen&page=10"))
    assert _names(last) == [f"Jansen {n:03d}" for n in range(180, 200)]
    beyond = _flat(browser.get("/register?q=jansen&page=11"))
    assert _names(beyond) == _names(last)  # the last page the register shows


def test_a_precise_query_says_how_many_and_lists_them_all(browser):
    _listed([f"Jansen {n:03d}" for n in range(30)] + ["Anouk Jansen"])
    html = _flat(browser.get("/register?q=anouk+jansen"))
    assert "1 gevonden" in html and _names(html) == ["Anouk Jansen"]
    assert "Meer dan" not in html


def test_rows_come_by_the_word_matched_then_by_name_without_accents(browser):
    _listed(["Zoë Janssen", "Ćamil Jansen", "Bram Jans", "Anouk Janssen", "Cees Jansen"])
    html = _flat(browser.get("/register?q=jans"))
    # Jans, then Jansen (Ćamil folded to camil, before Cees), then Janssen.
    assert _names(html) == [
        "Bram Jans",
        "Ćamil Jansen",
        "Cees Jansen",
        "Anouk Janssen",
        "Zoë Janssen",
    ]


def test_a_person_matching_with_two_words_is_listed_once(browser, make_user):
    certify(make_user(name="Jan Jansen", employer="Jansen Jeugdzorg"))
    html = _flat(browser.get("/register?q=jans"))
    assert _names(html) == ["Jan Jansen"] and "1 gevonden" in html


def test_every_word_must_match_and_a_number_finds_one_person(browser, make_user):
    anouk = make_user(name="Anouk Jansen", employer="Gemeente Amersfoort")
    certify(anouk)
    certify(make_user(name="Anouk Bakker", employer="Gemeente Amersfoort"))
    number = registration_for(anouk.id).number
    assert _names(_flat(browser.get("/register?q=amersfoort+jansen"))) == ["Anouk Jansen"]
    assert _names(_flat(browser.get(f"/register?q={number}"))) == ["Anouk Jansen"]
    assert _names(_flat(browser.get(f"/register?q={number}+bakker"))) == []


def test_the_broad_search_costs_the_same_statements_at_any_size(browser):
    _listed([f"Jansen {n:03d}" for n in range(5)])
    few = browser.queries_for("/register?q=jansen")
    _listed([f"Jansen {n:03d}" for n in range(5, 240)])
    assert browser.queries_for("/register?q=jansen") == few


def test_a_person_with_two_valid_certificates_shows_the_one_that_runs_longest(browser):
    _listed(["Fenna Overlap"])
    holder = db.session.scalar(db.select(User).where(User.name == "Fenna Overlap"))
    first = db.session.scalar(db.select(Certificate).where(Certificate.holder_id == holder.id))
    renewal = Application(
        applicant_id=holder.id,
        kind=Kind.RENEWAL,
        state=State.APPROVED,
        window_start=TODAY - timedelta(days=1000),
        window_end=TODAY,
        regulation_id=regulation_in_force(TODAY).id,
        previous_certificate_id=first.id,
        decided_at=utcnow(),
    )
    db.session.add(renewal)
    db.session.flush()
    later = Certificate(
        holder_id=holder.id,
        application_id=renewal.id,
        registration_number=first.registration_number,
        valid_from=TODAY - timedelta(days=1),
        valid_until=first.valid_until + timedelta(days=400),
        verification_code=new_verification_code(),
        holder_name=holder.name,
        holder_function=holder.function,
        holder_employer=holder.employer,
    )
    db.session.add(later)
    db.session.commit()
    html = _flat(browser.get("/register?q=overlap"))
    assert _names(html) == ["Fenna Overlap"] and "1 gevonden" in html
    assert str(later.valid_until.year) in html and str(first.valid_until.year) not in html
