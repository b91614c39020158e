"""The audit log is append-only in the database itself, not only through the ORM."""

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DatabaseError

from krsd import audit
from krsd.audit import AuditEntry
from krsd.auth.models import User
from krsd.extensions import db


@pytest.fixture
def entry_id(app, make_user):
    actor = make_user(email="bureau@example.nl")
    entry = audit.record("admin.test", actor, actor=actor, reason="Zomaar")
    db.session.flush()
    entry_id = entry.id
    db.session.commit()
    return entry_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_entries SET action = 'iets anders'",
        "UPDATE audit_entries SET reason = NULL",
        "UPDATE audit_entries SET actor_id = NULL, actor_email = 'ander@example.nl'",
        "DELETE FROM audit_entries",
    ],
)
def test_raw_sql_cannot_change_or_remove_audit_entries(entry_id, statement):
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
    db.session.rollback()
    entry = db.session.get(AuditEntry, entry_id)
    assert (entry.action, entry.reason, entry.actor_email) == (
        "admin.test",
        "Zomaar",
        "bureau@example.nl",
    )


def test_core_statements_from_the_app_are_refused_too(entry_id):
    for statement in (
        update(AuditEntry).values(action="x").execution_options(synchronize_session=False),
        delete(AuditEntry).execution_options(synchronize_session=False),
    ):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.get(AuditEntry, entry_id) is not None


def test_truncate_is_refused_on_postgresql(entry_id):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE")
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text("TRUNCATE audit_entries"))
    db.session.rollback()


def test_deleting_an_account_keeps_its_entries_with_the_e_mail_address(entry_id):
    # No page deletes accounts, but the foreign key may: its ON DELETE SET NULL is the one
    # change the triggers let through, and only that column changes.
    user = db.session.scalar(select(User).where(User.email == "bureau@example.nl"))
    db.session.delete(user)
    db.session.commit()
    entry = db.session.get(AuditEntry, entry_id)
    assert (entry.actor_id, entry.actor_email, entry.reason) == (
        None,
        "bureau@example.nl",
        "Zomaar",
    )
