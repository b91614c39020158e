"""The public register and certificate verification: queries only, no login."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, func, select

from krsd.auth.models import User
from krsd.auth.rules import FUNCTION_LABELS
from krsd.certification.models import Certificate, RegisterTerm, Registration
from krsd.certification.rules import normalise_verification_code, search_terms
from krsd.extensions import db

PER_PAGE = 20
MAX_PAGES = 10
MIN_QUERY = 2


@dataclass(frozen=True)
class RegisterRow:
    name: str
    function_label: str
    registration_number: str
    valid_until: date


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int


def index_person(user: User, registration: Registration) -> None:
    """(Re)write the search terms of a registered person (the caller commits)."""
    db.session.execute(delete(RegisterTerm).where(RegisterTerm.user_id == user.id))
    terms = search_terms(user.name, user.employer, registration.number)
    terms.add(str(registration.sequence))
    db.session.add_all(RegisterTerm(user_id=user.id, term=t) for t in sorted(terms))


def _prefix_filter(word: str):
    # A range instead of LIKE 'word%': uses the index on every database and collation.
    upper = word[:-1] + chr(ord(word[-1]) + 1)
    return and_(RegisterTerm.term >= word, RegisterTerm.term < upper)


def search_register(query: str, page: int, today: date) -> RegisterPage:
    """People with a valid certificate who agreed to be listed, matching every word typed."""
    words = sorted(search_terms(query))
    if len("".join(words)) < MIN_QUERY:
        return RegisterPage([], 0, 1, 0)
    matches = select(User.id).where(User.public_listing_consent.is_(True), User.active.is_(True))
    for word in words:
        matches = matches.where(
            User.id.in_(select(RegisterTerm.user_id).where(_prefix_filter(word)))
        )
    # Driven by the term index: only the matching people's certificates are read.
    base = (
        select(
            User.name,
            User.function,
            Registration.number,
            func.max(Certificate.valid_until).label("valid_until"),
        )
        .join(Registration, Registration.user_id == User.id)
        .join(Certificate, Certificate.holder_id == User.id)
        .where(
            User.id.in_(matches),
            Certificate.valid_from <= today,
            Certificate.valid_until >= today,
            Certificate.suspended_at.is_(None),
            Certificate.revoked_at.is_(None),
        )
        .group_by(User.id, User.name, User.function, Registration.number)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = min(MAX_PAGES, -(-total // PER_PAGE))
    page = max(1, min(page, pages or 1))
    rows = db.session.execute(
        base.order_by(User.name, Registration.number).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return RegisterPage(
        [RegisterRow(r.name, FUNCTION_LABELS[r.function], r.number, r.valid_until) for r in rows],
        total,
        page,
        pages,
    )


def certificate_for_code(text: str) -> Certificate | None:
    code = normalise_verification_code(text)
    if code is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.verification_code == code))


def refresh_person(user: User) -> None:
    """Re-index a person after their name or employer changed (the caller commits)."""
    registration = db.session.get(Registration, user.id)
    if registration is not None:
        index_person(user, registration)
