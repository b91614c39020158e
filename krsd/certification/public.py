"""The public register and certificate verification: queries only, no login."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import aliased

from krsd.auth.models import User
from krsd.auth.rules import FUNCTION_LABELS
from krsd.certification.models import Certificate, RegisterTerm, Registration
from krsd.certification.rules import (
    normalise_verification_code,
    parse_register_query,
    search_terms,
)
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
    #: past its end and still valid: a renewal submitted in time awaits the decision
    renewal_pending: bool = False


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    total: int
    page: int
    pages: int


def recorded_name(user_id: int) -> str:
    """The name on the person's latest unrevoked certificate: what the register shows.

    A name the account has but no certificate records (a request still pending) is not
    searchable, and neither is a former name once a name change was approved.
    """
    name = db.session.scalar(
        select(Certificate.holder_name)
        .where(Certificate.holder_id == user_id, Certificate.revoked_at.is_(None))
        .order_by(Certificate.valid_until.desc(), Certificate.id.desc())
        .limit(1)
    )
    return name or ""


def index_person(user: User, registration: Registration) -> None:
    """(Re)write the search terms of a registered person (the caller commits).

    Only name and employer words: a registration number is looked up whole in
    ``registrations``, so no prefix of it (``krsd``, ``0001``) can list the register.
    """
    db.session.execute(delete(RegisterTerm).where(RegisterTerm.user_id == user.id))
    terms = search_terms(recorded_name(user.id), user.employer)
    db.session.add_all(RegisterTerm(user_id=user.id, term=t) for t in sorted(terms))


def _prefix_filter(word: str):
    # A range instead of LIKE 'word%': uses the index on every database and collation.
    upper = word[:-1] + chr(ord(word[-1]) + 1)
    return and_(RegisterTerm.term >= word, RegisterTerm.term < upper)


def search_register(query: str, page: int, today: date) -> RegisterPage:
    """People with a valid certificate who agreed to be listed, matching every word typed
    (names and employers by the start of a word, registration numbers in full)."""
    asked = parse_register_query(query)
    too_short = not asked.numbers and len("".join(asked.words)) < MIN_QUERY
    if asked.matches_nobody or too_short:
        return RegisterPage([], 0, 1, 0)
    matches = select(User.id).where(User.public_listing_consent.is_(True), User.active.is_(True))
    for word in sorted(asked.words):
        matches = matches.where(
            User.id.in_(select(RegisterTerm.user_id).where(_prefix_filter(word)))
        )
    for number in asked.numbers:
        matches = matches.where(
            User.id.in_(select(Registration.user_id).where(Registration.sequence == number))
        )
    # Per person the valid certificate that runs longest, whose record the row shows.
    other = aliased(Certificate)
    shown = (
        select(other.id)
        .where(other.holder_id == User.id, other.valid_on(today))
        .order_by(other.valid_until.desc(), other.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    # Driven by the term index: only the matching people's certificates are read.
    base = (
        select(
            Certificate.holder_name,
            Certificate.holder_function,
            Registration.number,
            Certificate.valid_until,
            (Certificate.valid_until < today).label("past_end"),
        )
        .select_from(User)
        .join(Registration, Registration.user_id == User.id)
        .join(Certificate, Certificate.id == shown)
        .where(User.id.in_(matches))
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    pages = min(MAX_PAGES, -(-total // PER_PAGE))
    page = max(1, min(page, pages or 1))
    rows = db.session.execute(
        base.order_by(Certificate.holder_name, Registration.number)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    return RegisterPage(
        [
            RegisterRow(
                r.holder_name,
                FUNCTION_LABELS[r.holder_function],
                r.number,
                r.valid_until,
                renewal_pending=bool(r.past_end),  # only a pending renewal keeps it listed
            )
            for r in rows
        ],
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
    """Re-index a registered person after their details changed (the caller commits)."""
    registration = db.session.get(Registration, user.id)
    if registration is not None:
        index_person(user, registration)


def reindex_register() -> int:
    """Rewrite every registered person's search terms (the caller commits); how many."""
    people = db.session.execute(
        select(User, Registration).join(Registration, Registration.user_id == User.id)
    ).all()
    for user, registration in people:
        index_person(user, registration)
    return len(people)


def on_profile_changed(user: User, **_changes) -> None:
    """Receiver of ``krsd.auth.signals.profile_changed``: the register follows the account.

    Runs inside the transaction that changes the profile, so both commit together.
    """
    refresh_person(user)
