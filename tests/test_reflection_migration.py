"""The guided-reflection migration keeps every reflection readable, up and down."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine, text

from tests.servers import app_env, flask
from tests.test_migrations import empty_database_url  # noqa: F401 - the fixture

pytestmark = pytest.mark.real_clock

BEFORE, GUIDED = "e3a2b3c4d020", "e4a2b3c4d021"


def _activity(conn, id_: int, reflection: str) -> None:
    conn.execute(
        text(
            "INSERT INTO activities (id, owner_id, category, type, title, provider,"
            " activity_date, hours, reflection, verified, created_at, updated_at) VALUES"
            " (:id, 1, 'free', 'workshop', 'Workshop', '', :day, 4, :reflection, false,"
            " :now, :now)"
        ),
        {"id": id_, "day": date(2026, 5, 1), "reflection": reflection, "now": datetime.now(UTC)},
    )


def test_earlier_reflections_stay_and_answers_survive_a_downgrade(
    empty_database_url,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    env = app_env(empty_database_url, tmp_path)
    assert flask("db", "upgrade", BEFORE, env=env).returncode == 0
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (id, email, password_hash, name, function, employer,"
                    " public_listing_consent, active, created_at) VALUES (1, 'a@example.nl',"
                    " 'x', 'Anouk Jansen', 'doorstroomcoach', 'Gemeente Ede', true, true, :now)"
                ),
                {"now": datetime.now(UTC)},
            )
            _activity(conn, 1, "Mijn reflectie van vroeger.")
            _activity(conn, 2, "")
        upgrade = flask("db", "upgrade", GUIDED, env=env)
        assert upgrade.returncode == 0, upgrade.stderr
        with engine.begin() as conn:
            rows = conn.execute(
                text("SELECT reflection, reflection_learned FROM activities ORDER BY id")
            ).all()
            assert [tuple(r) for r in rows] == [("Mijn reflectie van vroeger.", None), ("", None)]
            conn.execute(
                text(
                    "UPDATE activities SET reflection_learned = 'Geleerd.',"
                    " reflection_applied = 'Toegepast.' WHERE id = 2"
                )
            )
        downgrade = flask("db", "downgrade", BEFORE, env=env)
        assert downgrade.returncode == 0, downgrade.stderr
        with engine.connect() as conn:
            kept = conn.execute(text("SELECT reflection FROM activities ORDER BY id")).scalars()
            assert list(kept) == ["Mijn reflectie van vroeger.", "Geleerd.\n\nToegepast."]
    finally:
        engine.dispose()
