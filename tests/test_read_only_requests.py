"""A read-only request ends with COMMIT when it wrote nothing, and never commits a change.

The COMMIT keeps psycopg's prepared statements (a ROLLBACK makes it forget them all, so
PostgreSQL would plan every query of every page anew); for the data it is the same as the
rollback it replaces, which the tests below hold it to.
"""

from contextlib import contextmanager

from sqlalchemy import event, select, update

from krsd.auth.models import User
from krsd.database import write_intent
from krsd.extensions import db
from krsd.security import end_read_only_transaction
from tests.conftest import own_app_context


@contextmanager
def _transaction_ends():
    """The ends of transactions seen by the engine: 'commit' or 'rollback', in order."""
    ends: list[str] = []

    def committed(_conn):
        ends.append("commit")

    def rolled_back(_conn):
        ends.append("rollback")

    event.listen(db.engine, "commit", committed)
    event.listen(db.engine, "rollback", rolled_back)
    try:
        yield ends
    finally:
        event.remove(db.engine, "commit", committed)
        event.remove(db.engine, "rollback", rolled_back)


@contextmanager
def _read_only_request(app):
    with own_app_context(), app.test_request_context("/", method="GET"):
        token = write_intent.set(False)
        try:
            yield
        finally:
            write_intent.reset(token)
            db.session.remove()


def _name(user_id: int) -> str:
    db.session.rollback()
    return db.session.scalar(select(User.name).where(User.id == user_id))


def test_a_page_that_only_reads_ends_with_commit(app, browser):
    with _transaction_ends() as ends:
        assert browser.get("/register?q=jansen").status_code == 200
    assert ends == ["commit"]


def test_a_change_left_in_the_session_is_not_committed(app, make_user):
    anouk = make_user(name="Anouk Jansen")
    with _read_only_request(app):
        db.session.get(User, anouk.id).name = "Gewijzigd zonder opslaan"
        end_read_only_transaction()
    assert _name(anouk.id) == "Anouk Jansen"


def test_a_flushed_change_is_not_committed(app, make_user):
    anouk = make_user(name="Anouk Jansen")
    with _read_only_request(app):
        db.session.get(User, anouk.id).name = "Gewijzigd en geflusht"
        db.session.flush()
        end_read_only_transaction()
    assert _name(anouk.id) == "Anouk Jansen"


def test_a_core_update_is_not_committed(app, make_user):
    anouk = make_user(name="Anouk Jansen")
    with _read_only_request(app):
        db.session.execute(update(User).where(User.id == anouk.id).values(name="Via Core"))
        end_read_only_transaction()
    assert _name(anouk.id) == "Anouk Jansen"


def test_a_driver_level_write_is_not_committed(app, make_user):
    anouk = make_user(name="Anouk Jansen")
    with _read_only_request(app):
        db.session.connection().exec_driver_sql(
            f"UPDATE users SET name = 'Via de driver' WHERE id = {int(anouk.id)}"
        )
        end_read_only_transaction()
    assert _name(anouk.id) == "Anouk Jansen"


def test_reads_only_commit_and_leave_no_transaction_open(app, make_user):
    anouk = make_user(name="Anouk Jansen")
    with _read_only_request(app), _transaction_ends() as ends:
        assert db.session.get(User, anouk.id).name == "Anouk Jansen"
        end_read_only_transaction()
        assert not db.session().in_transaction()
    assert ends == ["commit"]
