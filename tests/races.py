"""Run requests or use cases at the same moment, in the worst interleaving for the code.

Each racer gets its own thread, app context and database session; a barrier starts them
together. On PostgreSQL the first racer to commit is held back until every other racer
has read what it needs and is about to commit, has given up, or is waiting for a row
lock: so every racer decides on the state from before the first change, unless the code
locks and re-reads. (SQLite serialises writing transactions with BEGIN IMMEDIATE, so
there the racers simply run one after the other, in whatever order they arrive.)
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from krsd.extensions import db

HOLD_POLLS = 1500  # of 10 ms each: a racer that is neither done nor waiting fails the test


def _lock_waiters() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
        )


def race(app, *works) -> list:
    """Run each ``work()`` in its own thread; returns their results or exceptions, in order."""
    count = len(works)
    barrier = threading.Barrier(count)
    changed = threading.Condition()
    racers: set[int] = set()
    settled: set[int] = set()
    holder: list[int] = []
    forced: list[bool] = []
    postgres = db.engine.dialect.name == "postgresql"

    def settle() -> None:
        with changed:
            settled.add(threading.get_ident())
            changed.notify_all()

    def hold_the_first_commit(_session) -> None:
        me = threading.get_ident()
        if not postgres or me not in racers:
            return
        with changed:
            if holder:
                settled.add(me)
                changed.notify_all()
                return
            holder.append(me)
        for _ in range(HOLD_POLLS):
            with changed:
                others_settled = len(settled - {me})
                if others_settled >= count - 1:
                    forced.append(True)
                    return
                changed.wait(0.01)
            if others_settled + _lock_waiters() >= count - 1:
                forced.append(True)
                return
        forced.append(False)

    def run(work):
        with app.app_context(), app.test_request_context("/"):
            with changed:
                racers.add(threading.get_ident())
            barrier.wait(timeout=30)
            try:
                return work()
            except Exception as exc:  # noqa: BLE001 - the test inspects what each racer got
                db.session.rollback()
                return exc
            finally:
                db.session.remove()
                settle()

    db.session.remove()
    event.listen(Session, "before_commit", hold_the_first_commit)
    try:
        with ThreadPoolExecutor(count) as pool:
            results = list(pool.map(run, works))
    finally:
        event.remove(Session, "before_commit", hold_the_first_commit)
    assert forced != [False], "a racer neither finished nor waited for a lock"
    return results
