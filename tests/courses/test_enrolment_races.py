"""Simultaneous enrolments and cancellations on the real database (SQLite and PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from krsd.auth.models import User, UserRole
from krsd.auth.rules import Function, RoleName
from krsd.courses import enrolment
from krsd.courses.models import Edition, Enrolment, EnrolmentState
from krsd.courses.participants import participants
from krsd.extensions import db
from tests.courses.edition_factories import make_course, make_edition, seat
from tests.races import race


def _people(count: int, prefix: str = "p") -> list[int]:
    """Professionals without a usable password: quick to make, never logged in."""
    users = [
        User(
            email=f"{prefix}{n}@example.nl",
            password_hash="!",
            name=f"Persoon {prefix}{n:03d}",
            function=Function.LEERPLICHTAMBTENAAR,
            employer="Gemeente Test",
            roles=[UserRole(role=RoleName.PROFESSIONAL)],
        )
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return [u.id for u in users]


def _all_at_once(app, count: int, work) -> list:
    """``work(n)`` in ``count`` threads released together, each with its own app context
    and database session; the results or exceptions, in order of n."""
    barrier = threading.Barrier(count)
    db.session.remove()

    def run(n):
        with app.app_context(), app.test_request_context("/"):
            barrier.wait(timeout=60)
            try:
                return work(n)
            except Exception as exc:  # noqa: BLE001 - the test inspects what each got
                db.session.rollback()
                return exc
            finally:
                db.session.remove()

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def _counts(edition_id: int) -> dict:
    rows = db.session.execute(
        select(Enrolment.state, func.count())
        .where(Enrolment.edition_id == edition_id)
        .group_by(Enrolment.state)
    ).all()
    return dict(rows)


def test_200_people_enrolling_at_once_for_20_seats(app):
    edition_id = make_edition(make_course(), capacity=20).id
    ids = _people(200)

    def enrol(n):
        result = enrolment.enrol(edition_id, db.session.get(User, ids[n]))
        return ids[n], result.position

    results = _all_at_once(app, 200, enrol)
    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures, failures[:3]
    told = dict(results)
    assert sum(1 for p in told.values() if p is None) == 20
    # everyone waiting was told a different place: 1..180, no gaps, no duplicates
    assert sorted(p for p in told.values() if p is not None) == list(range(1, 181))

    db.session.expire_all()
    assert db.session.get(Edition, edition_id).seats_taken == 20
    assert _counts(edition_id) == {EnrolmentState.SEATED: 20, EnrolmentState.WAITING: 180}
    # the list keeps the order in which they arrived: each is where they were told
    waiting = participants(edition_id).waiting
    assert [p.position for p in waiting] == list(range(1, 181))
    by_email = {u.email: u.id for u in db.session.scalars(select(User))}
    assert all(told[by_email[p.email]] == p.position for p in waiting)


def test_a_cancel_racing_with_enrolments_never_leaves_a_seat_free_while_people_wait(app):
    edition = make_edition(make_course(), capacity=3)
    seated_ids = _people(3, "s")
    waiting_ids = _people(2, "w")
    newcomer_ids = _people(5, "n")
    leaving = None
    for user_id in seated_ids:
        row = seat(edition, db.session.get(User, user_id))
        leaving = leaving or row.id
    for user_id in waiting_ids:
        seat(edition, db.session.get(User, user_id), EnrolmentState.WAITING)
    edition_id = edition.id

    def cancel():
        mine = db.session.get(Enrolment, leaving)
        return enrolment.cancel(mine, mine.user)

    def enrol_one(user_id):
        return lambda: enrolment.enrol(edition_id, db.session.get(User, user_id)).position

    results = race(app, cancel, *(enrol_one(u) for u in newcomer_ids))
    assert not [r for r in results if isinstance(r, Exception)], results

    db.session.expire_all()
    edition = db.session.get(Edition, edition_id)
    counts = _counts(edition_id)
    assert edition.seats_taken == counts[EnrolmentState.SEATED] == 3
    assert counts[EnrolmentState.WAITING] == 6
    # the seat went to the first person waiting, never to a newcomer
    states = dict(
        db.session.execute(
            select(Enrolment.user_id, Enrolment.state).where(Enrolment.edition_id == edition_id)
        ).all()
    )
    assert states[waiting_ids[0]] == EnrolmentState.SEATED
    assert all(states[u] == EnrolmentState.WAITING for u in newcomer_ids)
    # the list: the one who already waited first, then the newcomers in arrival order
    # (a place told before the cancel (3..7) moved up by one since; told after it: 2..6)
    waiting = participants(edition_id).waiting
    assert [p.position for p in waiting] == [1, 2, 3, 4, 5, 6]
    assert waiting[0].email == "w1@example.nl"
    told = {f"n{n}@example.nl": position for n, position in enumerate(results[1:])}
    in_line = [told[p.email] for p in waiting[1:]]
    assert in_line == sorted(in_line) and all(2 <= t <= 7 for t in in_line)


def test_two_cancels_of_one_enrolment_at_once_free_one_seat(app):
    edition = make_edition(make_course(), capacity=1)
    first, second = _people(2)
    mine = seat(edition, db.session.get(User, first))
    seat(edition, db.session.get(User, second), EnrolmentState.WAITING)
    edition_id, mine_id = edition.id, mine.id

    def cancel():
        row = db.session.get(Enrolment, mine_id)
        return enrolment.cancel(row, row.user)

    results = race(app, cancel, cancel)
    refused = [r for r in results if isinstance(r, enrolment.EnrolmentError)]
    assert len(refused) == 1, results
    db.session.expire_all()
    assert db.session.get(Edition, edition_id).seats_taken == 1
    assert _counts(edition_id) == {EnrolmentState.SEATED: 1, EnrolmentState.CANCELLED: 1}
