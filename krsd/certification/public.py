"""The public register and certificate verification: queries only, no login."""

import functools
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, bindparam, delete, func, insert, select
from sqlalchemy.orm import aliased

from krsd.auth.models import User
from krsd.auth.rules import FUNCTION_LABELS
from krsd.certification.models import Certificate, RegisterTerm, Registration
from krsd.certification.register_rules import parse_register_query, register_sort_name, search_terms
from krsd.certification.rules import (
    normalise_verification_code,
)
from krsd.extensions import db

PER_PAGE = 20
#: the register shows at most this many matches; a broader query asks to be more precise
MAX_SHOWN = 200
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
    #: how many were found, counted up to MAX_SHOWN only
    found: int
    page: int
    pages: int
    #: fewer than MIN_QUERY letters and no number: not searched, the page asks for more
    too_short: bool = False

    @property
    def more_than_shown(self) -> bool:
        """Broader than the register shows: the query should be more precise."""
        return self.found > MAX_SHOWN


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


def _term_rows(user_id: int, name: str, employer: str | None, number: str) -> list[dict]:
    sort_name = register_sort_name(name)
    return [
        {"user_id": user_id, "term": t, "sort_name": sort_name, "registration_number": number}
        for t in sorted(search_terms(name, employer))
    ]


def listable(user: User) -> bool:
    """May the register list this person (when certified)? They agreed, the account is open.

    Only such people have search terms: the search need not look at their account.
    """
    return bool(user.public_listing_consent and user.active)


def index_person(user: User, registration: Registration) -> None:
    """(Re)write the search terms of a registered person (the caller commits); none for
    someone who may not be listed (no consent, or a blocked account).

    Only name and employer words: a registration number is looked up whole in
    ``registrations``, so no prefix of it (``krsd``, ``0001``) can list the register.
    """
    db.session.execute(delete(RegisterTerm).where(RegisterTerm.user_id == user.id))
    if not listable(user):
        return
    rows = _term_rows(user.id, recorded_name(user.id), user.employer, registration.number)
    if rows:
        db.session.execute(insert(RegisterTerm), rows)


def _upper_bound(word: str) -> str:
    # A range instead of LIKE 'word%': uses the index on every database and collation.
    return word[:-1] + chr(ord(word[-1]) + 1)


def _in_range(term, n: int):
    return and_(term >= bindparam(f"lo{n}"), term < bindparam(f"hi{n}"))


@functools.cache
def _search_statement(by_number: bool, words: int):
    """The register's query for a number or a leading word, and ``words`` more words.

    Built once per shape and reused with parameters: building a statement of this size
    costs more than running it. It asks only *whether* a person holds a valid certificate
    (EXISTS stops at the first); which certificate the row shows is read for the page's
    people only (``_shown_records``), not for every match counted.
    """
    term = aliased(RegisterTerm)
    if by_number:
        person = select(Registration.user_id).where(Registration.sequence == bindparam("number"))
        lead = term.user_id == person.scalar_subquery()
    else:
        lead = _in_range(term.term, 0)
    certificate = aliased(Certificate)
    certified = (
        select(certificate.id)
        .where(certificate.holder_id == term.user_id, certificate.valid_on(bindparam("today")))
        .exists()
    )
    # Only people who may be listed have terms (``index_person``): no look at their account.
    statement = select(term.user_id).select_from(term).where(lead, certified)
    for n in range(1, words + 1):
        also = aliased(RegisterTerm)
        statement = statement.where(
            select(also.id).where(also.user_id == term.user_id, _in_range(also.term, n)).exists()
        )
    return statement.order_by(term.term, term.sort_name, term.registration_number).limit(
        bindparam("limit")
    )


#: the valid certificates of the page's people, the one that runs longest first per person
_SHOWN_RECORDS = (
    select(
        Certificate.holder_id,
        Certificate.holder_name,
        Certificate.holder_function,
        Certificate.registration_number,
        Certificate.valid_until,
    )
    .where(
        Certificate.holder_id.in_(bindparam("people", expanding=True)),
        Certificate.valid_on(bindparam("today")),
    )
    .order_by(Certificate.holder_id, Certificate.valid_until.desc(), Certificate.id.desc())
)


def _people(statement, params: dict) -> list[int]:
    """The first MAX_SHOWN + 1 people found, each once, in display order.

    A person matches once per word of theirs that starts with the word typed (Jansen at
    Jansen Jeugdzorg): such repeats are dropped here, and in the rare case that they leave
    fewer people than asked while there were more rows, the query is repeated for more.
    Plain tuples from the connection: this runs on every search of the public register.
    """
    limit = MAX_SHOWN + 1
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # One plan serves every word (the index in display order); PostgreSQL would
        # otherwise plan this statement anew for each search, which costs more than
        # running it. LOCAL: for this transaction only.
        connection.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
    while True:
        rows = connection.execute(statement, {**params, "limit": limit}).fetchall()
        people = list(dict.fromkeys(user_id for (user_id,) in rows))
        if len(people) > MAX_SHOWN or len(rows) < limit:
            return people[: MAX_SHOWN + 1]
        limit *= 2


def _shown_records(people: list[int], today: date) -> dict:
    """Per person of the page, the record of the valid certificate that runs longest."""
    records: dict = {}
    if people:
        rows = db.session.connection().execute(_SHOWN_RECORDS, {"people": people, "today": today})
        for record in rows:
            records.setdefault(record.holder_id, record)
    return records


def search_register(query: str, page: int, today: date) -> RegisterPage:
    """People with a valid certificate who agreed to be listed, matching every word typed
    (names and employers by the start of a word, registration numbers in full), in the
    order of the word typed, then name and number.

    Two statements whatever the size of the register: the index on (term, sort_name,
    registration_number) delivers the matches in display order and the first stops after
    MAX_SHOWN + 1 of them, so a broad word (``jansen``) never counts or sorts every match;
    the second reads the certificates of the page shown.
    """
    asked = parse_register_query(query)
    too_short = not asked.numbers and len("".join(asked.words)) < MIN_QUERY
    if too_short and not asked.matches_nobody:
        return RegisterPage([], 0, 1, 0, too_short=True)
    if asked.matches_nobody or len(asked.numbers) > 1:
        return RegisterPage([], 0, 1, 0)
    # The longest word leads (the fewest matches); a number leads when one was typed.
    words = sorted(asked.words, key=lambda w: (-len(w), w))
    params: dict = {"today": today}
    if asked.numbers:
        (params["number"],) = asked.numbers
        words = [None, *words]  # nothing in range 0: the number leads
    for n, word in enumerate(words):
        if word is not None:
            params[f"lo{n}"], params[f"hi{n}"] = word, _upper_bound(word)
    statement = _search_statement(bool(asked.numbers), len(words) - 1)
    people = _people(statement, params)
    pages = -(-min(len(people), MAX_SHOWN) // PER_PAGE)
    page = max(1, min(page, pages or 1))
    shown = people[(page - 1) * PER_PAGE : page * PER_PAGE]
    # Only the page's people have their certificate read (the 201 matches are one number each).
    # A certificate that ended between the two statements drops its person from the page.
    records = _shown_records(shown, today)
    return RegisterPage(
        [
            RegisterRow(
                r.holder_name,
                FUNCTION_LABELS[r.holder_function],
                r.registration_number,
                r.valid_until,
                # past its end and still valid: only a pending renewal keeps it listed
                renewal_pending=r.valid_until < today,
            )
            for r in (records[p] for p in shown if p in records)
        ],
        len(people),
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
    """Rewrite the search terms of every registered person who may be listed (the caller
    commits); how many.

    In bulk: one query for the people, one multi-row insert, so that a national register
    (200,000 people) is reindexed in seconds.
    """
    latest = (
        select(
            Certificate.holder_id,
            Certificate.holder_name,
            func.row_number()
            .over(
                partition_by=Certificate.holder_id,
                order_by=(Certificate.valid_until.desc(), Certificate.id.desc()),
            )
            .label("rank"),
        )
        .where(Certificate.revoked_at.is_(None))
        .subquery()
    )
    people = db.session.execute(
        select(Registration.user_id, Registration.number, User.employer, latest.c.holder_name)
        .join(User, User.id == Registration.user_id)
        .outerjoin(latest, and_(latest.c.holder_id == User.id, latest.c.rank == 1))
        .where(User.public_listing_consent.is_(True), User.active.is_(True))
    ).all()
    db.session.execute(delete(RegisterTerm))
    rows = [
        row
        for p in people
        for row in _term_rows(p.user_id, p.holder_name or "", p.employer, p.number)
    ]
    # Core executemany on the session's connection: the ORM's bulk path costs more per row.
    connection = db.session.connection()
    for start in range(0, len(rows), 20_000):
        connection.execute(RegisterTerm.__table__.insert(), rows[start : start + 20_000])
    return len(people)


def on_profile_changed(user: User, **_changes) -> None:
    """Receiver of ``krsd.auth.signals.profile_changed``: the register follows the account.

    Runs inside the transaction that changes the profile, so both commit together.
    """
    refresh_person(user)
