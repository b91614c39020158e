"""The schema comes from migrations/ only: upgrade an empty database, then compare."""

import os
import uuid

import psycopg
import pytest
from sqlalchemy.engine import make_url

from krsd.config import normalise_database_url
from tests.servers import app_env, flask


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
