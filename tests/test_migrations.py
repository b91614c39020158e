"""The schema comes from migrations/ only: upgrade an empty database, then compare."""

import os
import uuid
from datetime import UTC, date, datetime

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from krsd.config import normalise_database_url
from tests.servers import app_env, flask

pytestmark = pytest.mark.real_clock


@pytest.fixture
def empty_database_url(tmp_path):
    url = os.environ.get("KRSD_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    server = make_url(normalise_database_url(url))
    name = f"krsd_empty_{uuid.uuid4().hex[:8]}"
    conninfo = dict(
        host=server.host, port=server.port, user=server.username, dbname=server.database
    )
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield server.set(database=name).render_as_string(hide_password=False)
    with psycopg.connect(**conninfo, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE {name} WITH (FORCE)")


def test_upgrade_on_an_empty_database_matches_the_models(empty_database_url, tmp_path):
    env = app_env(empty_database_url, tmp_path)
    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_migrations_downgrade_and_upgrade_again(empty_database_url, tmp_path):
    env = app_env(empty_database_url, tmp_path)
    assert flask("db", "upgrade", env=env).returncode == 0
    down = flask("db", "downgrade", "base", env=env)
    assert down.returncode == 0, down.stderr
    assert flask("db", "upgrade", env=env).returncode == 0


def test_seed_demo_loads_once(empty_database_url, tmp_path):
    env = app_env(empty_database_url, tmp_path)
    assert flask("db", "upgrade", env=env).returncode == 0
    first = flask("krsd", "seed-demo", env=env)
    assert first.returncode == 0, first.stderr
    assert "Demodata geladen" in first.stdout
    second = flask("krsd", "seed-demo", env=env)
    assert second.returncode == 0, second.stderr
    assert "al geladen" in second.stdout


def test_certificates_issued_before_the_holder_record_get_their_holders_details(
    empty_database_url, tmp_path
):
    env = app_env(empty_database_url, tmp_path)
    assert flask("db", "upgrade", "160d275bdcb4", env=env).returncode == 0
    engine = create_engine(empty_database_url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, name, function, employer,"
                    " public_listing_consent, active, created_at) VALUES (1, 'a@example.nl',"
                    " 'x', 'Anouk Jansen', 'doorstroomcoach', 'Gemeente Ede', true, true, :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO applications (id, applicant_id, kind, state, window_start,"
                    " window_end, regulation_id, submitted_at, queued_at) VALUES (1, 1,"
                    " 'initial', 'approved', :day, :day, (SELECT min(id) FROM regulations),"
                    " :now, :now)"
                ),
                {"now": now, "day": date(2026, 1, 1)},
            )
            conn.execute(
                text(
                    "INSERT INTO certificates (id, holder_id, application_id, registration_number,"
                    " valid_from, valid_until, verification_code, issued_at) VALUES (1, 1, 1,"
                    " 'KRSD-000001', :day, :day, 'ABCD-EFGH-JKMN', :now)"
                ),
                {"now": now, "day": date(2026, 1, 1)},
            )
        upgrade = flask("db", "upgrade", "a1c3f0e7d001", env=env)
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT holder_name, holder_function, holder_employer, reissued_at"
                    " FROM certificates"
                )
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("Anouk Jansen", "doorstroomcoach", "Gemeente Ede", None)


def test_an_existing_database_with_courses_upgrades_to_the_head(empty_database_url, tmp_path):
    """The courses migration rebuilds tables that accreditations point at: on SQLite that
    failed ("FOREIGN KEY constraint failed" dropping courses) for any database with data."""
    env = app_env(empty_database_url, tmp_path)
    assert flask("db", "upgrade", "b0f1a2b3c010", env=env).returncode == 0
    engine = create_engine(empty_database_url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO courses (id, title, provider, description, created_at)"
                    " VALUES (1, 'Module 1 Wet- en regelgeving', 'Ingrado', '', :now)"
                ),
                {"now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO accreditations (id, course_id, number, hours, valid_from,"
                    " valid_until, granted_at) VALUES (1, 1, 'KRSD-A-1', 8, :start, :end, :now)"
                ),
                {"now": now, "start": date(2026, 1, 1), "end": date(2027, 12, 31)},
            )
        upgrade = flask("db", "upgrade", env=env)
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.connect() as conn:
            course, accredited = conn.execute(
                text(
                    "SELECT c.title, a.number FROM accreditations a"
                    " JOIN courses c ON c.id = a.course_id"
                )
            ).one()
        assert (course, accredited) == ("Module 1 Wet- en regelgeving", "KRSD-A-1")
    finally:
        engine.dispose()
