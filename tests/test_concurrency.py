"""SQLite under several gunicorn workers: no lost update, no "database is locked"."""

import http.cookiejar
import os
import re
import sqlite3
import threading
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import app_env, flask, gunicorn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("KRSD_TEST_DATABASE_URL")), reason="checks the embedded SQLite set-up"
    ),
]

CONCURRENT = 32


def test_32_concurrent_registrations_under_4_gunicorn_workers(tmp_path):
    database = tmp_path / "krsd.sqlite3"
    env = app_env(f"sqlite:///{database}", tmp_path)
    assert flask("db", "upgrade", env=env).returncode == 0
    barrier = threading.Barrier(CONCURRENT)
    log = tmp_path / "gunicorn.log"

    with gunicorn(env, workers=4, log=log) as url:

        def register(n: int) -> tuple[int, str]:
            opener = urllib.request.build_opener(
                urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
            )
            form = opener.open(url + "/registreren", timeout=30).read().decode()
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
            body = urllib.parse.urlencode(
                {
                    "csrf_token": token,
                    "name": f"Deelnemer {n}",
                    "email": f"deelnemer{n}@example.nl",
                    "function": "leerplichtambtenaar",
                    "employer": "Gemeente Gelijktijdig",
                    "password": "een lang wachtwoord",
                    "confirm": "een lang wachtwoord",
                }
            ).encode()
            barrier.wait(timeout=60)  # all POSTs leave together
            response = opener.open(url + "/registreren", data=body, timeout=60)
            return response.status, response.read().decode()

        with ThreadPoolExecutor(CONCURRENT) as pool:
            results = list(pool.map(register, range(CONCURRENT)))

    for n, (status, html) in enumerate(results):
        assert status == 200, html
        assert "Controleer uw e-mail" in html and f"deelnemer{n}@example.nl" in html
    with sqlite3.connect(database) as conn:
        users = conn.execute("SELECT count(*) FROM users").fetchone()[0]
        audit = conn.execute(
            "SELECT count(*) FROM audit_entries WHERE action = 'auth.account_created'"
        ).fetchone()[0]
        mails = conn.execute("SELECT count(DISTINCT recipient) FROM outbox_messages").fetchone()[0]
    assert users == CONCURRENT
    assert audit == CONCURRENT
    assert mails == CONCURRENT  # each a confirmation link
    assert "database is locked" not in log.read_text()
