"""Rate limits live in one store shared by every worker (KRSD_RATELIMIT_STORAGE_URI)."""

import os
import urllib.error
import urllib.parse
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


@pytest.mark.skipif(
    bool(os.environ.get("KRSD_TEST_DATABASE_URL")),
    reason="runs once, in the SQLite pass: the store is under test, not the database",
)
def test_with_redis_down_the_pages_answer_and_the_limits_hold_per_process(tmp_path):
    # A shared Redis that is down must not take the register, login or reset pages down.
    import http.cookiejar
    import re

    from tests.servers import free_port

    env = app_env(
        f"sqlite:///{tmp_path / 'krsd.sqlite3'}",
        tmp_path,
        KRSD_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}",  # nobody listens
        KRSD_PUBLIC_RATE_PER_MINUTE=str(LIMIT),
    )
    assert flask("db", "upgrade", env=env).returncode == 0
    with gunicorn(env, workers=1, log=tmp_path / "gunicorn.log") as url:
        # First the reset form (its budgets are checked by krsd/limits.py), then the register
        # (limited by Flask-Limiter's decorator): both before anything found Redis gone.
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        form = opener.open(url + "/wachtwoord-vergeten", timeout=30).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        data = urllib.parse.urlencode({"csrf_token": token, "email": "iemand@example.nl"})
        answer = opener.open(url + "/wachtwoord-vergeten", data.encode(), timeout=30)
        page = answer.read().decode()
        statuses = []
        for _ in range(LIMIT + 3):
            try:
                statuses.append(urllib.request.urlopen(url + "/register?q=xx", timeout=30).status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
    assert statuses == [200] * LIMIT + [429] * 3  # counted in the worker's memory meanwhile
    assert answer.status == 200 and "Als dit e-mailadres bij ons bekend is" in page
