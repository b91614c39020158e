"""Rate limits live in one store shared by every worker (KRSD_RATELIMIT_STORAGE_URI)."""

import os
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.servers import app_env, flask, gunicorn

REDIS_URL = os.environ.get("KRSD_TEST_REDIS_URL")
LIMIT = 10
REQUESTS = 40

pytestmark = pytest.mark.slow


def _statuses_under_four_workers(tmp_path, storage_uri: str) -> list[int]:
    env = app_env(
        f"sqlite:///{tmp_path / 'krsd.sqlite3'}",
        tmp_path,
        KRSD_RATELIMIT_STORAGE_URI=storage_uri,
        KRSD_PUBLIC_RATE_PER_MINUTE=str(LIMIT),
    )
    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    with gunicorn(env, workers=4, log=tmp_path / "gunicorn.log") as url:

        def get(_n: int) -> int:
            try:
                return urllib.request.urlopen(url + "/register?q=xx", timeout=30).status
            except urllib.error.HTTPError as error:
                return error.code

        with ThreadPoolExecutor(8) as pool:  # several workers answer at the same time
            return list(pool.map(get, range(REQUESTS)))


@pytest.mark.skipif(
    not REDIS_URL,
    reason="needs KRSD_TEST_REDIS_URL: run under scripts/with-redis.sh (make test does)",
)
def test_the_public_limit_holds_across_four_gunicorn_workers_with_redis(tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    statuses = _statuses_under_four_workers(tmp_path, REDIS_URL)
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == REQUESTS - LIMIT


@pytest.mark.skipif(
    bool(os.environ.get("KRSD_TEST_DATABASE_URL")),
    reason="runs once, in the SQLite pass: the store is under test, not the database",
)
def test_with_memory_storage_each_worker_counts_on_its_own(tmp_path):
    # Why make run's memory storage is not for production: the limit multiplies.
    statuses = _statuses_under_four_workers(tmp_path, "memory://")
    assert statuses.count(200) > LIMIT
