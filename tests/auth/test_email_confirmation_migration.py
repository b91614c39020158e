"""Accounts that existed before e-mail confirmation count as confirmed since their creation."""

from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import text

from krsd import create_app
from krsd.config import TestConfig
from krsd.extensions import db
from tests.test_migrations import empty_database_url  # noqa: F401 - the fixture


def test_existing_accounts_are_confirmed_as_of_their_creation(
    empty_database_url,  # noqa: F811
    tmp_path,
):
    # In this process, not through the flask command: two upgrades in a second.
    config = type(
        "MigrationConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": empty_database_url,
            "INSTANCE_PATH": tmp_path,
            "UPLOAD_FOLDER": tmp_path / "uploads",
        },
    )
    app = create_app(config)
    created = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="e2a2b3c4d019")
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, password_hash, name, function, employer,"
                        " public_listing_consent, active, created_at) VALUES (1, 'a@example.nl',"
                        " 'x', 'Anouk Jansen', 'doorstroomcoach', '', false, true, :created)"
                    ),
                    {"created": created},
                )
            flask_migrate.upgrade(revision="e3a2b3c4d020")
            with db.engine.connect() as conn:
                confirmed, made = conn.execute(
                    text("SELECT email_confirmed_at, created_at FROM users")
                ).one()
        finally:
            db.session.remove()
            db.engine.dispose()
    assert confirmed is not None and confirmed == made
