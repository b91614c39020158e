"""make bench ONLY=enrol: the enrolment storm through gunicorn (SQLite).

Seeds one published course with an edition of 20 seats and 200 professionals, logs them
all in, then releases 200 enrolment POSTs at the same moment (one thread each, a barrier)
and reports how many were seated and waiting, the latencies, and TARGET lines.
Called from scripts/bench.py, which puts the repository on sys.path.
"""

import http.cookiejar
import math
import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from tests.servers import app_env, flask, gunicorn

PEOPLE = 200
SEATS = 20
WORKERS = 4
PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - the seeded accounts' password
P99_TARGET_MS = 200
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def seed(env: dict) -> tuple[int, int]:
    """The course, its edition and the professionals; returns (course id, edition id)."""
    import os

    os.environ.update({k: v for k, v in env.items() if k.startswith("KRSD_")})
    from werkzeug.security import generate_password_hash

    from krsd import create_app
    from krsd.auth.models import User, UserRole
    from krsd.auth.rules import Function, RoleName
    from krsd.courses.models import Course, CourseStatus, CourseTargetGroup, Edition, TargetGroup
    from krsd.extensions import db

    app = create_app()
    today = date.today()
    # A cheap scrypt cost for these accounts: logging 200 people in is set-up, not measured.
    password = generate_password_hash(PASSWORD, method="scrypt:2048:8:1")
    with app.app_context():
        course = Course(
            title="Leerplicht en RMC voor ondersteuners",
            provider="Ingrado Academie",
            description="Populair: de wachtlijst loopt snel vol.",
            status=CourseStatus.PUBLISHED,
            target_groups=[CourseTargetGroup(group=TargetGroup.ONDERSTEUNERS)],
        )
        db.session.add(course)
        db.session.flush()
        edition = Edition(
            course_id=course.id,
            starts_on=today + timedelta(days=60),
            ends_on=today + timedelta(days=60),
            enrolment_deadline=today + timedelta(days=50),
            capacity=SEATS,
            location="Utrecht",
        )
        db.session.add(edition)
        db.session.add_all(
            User(
                email=f"storm{n}@example.nl",
                password_hash=password,
                name=f"Storm Deelnemer {n}",
                function=Function.ONDERSTEUNER,
                employer="Gemeente Bench",
                roles=[UserRole(role=RoleName.PROFESSIONAL)],
            )
            for n in range(PEOPLE)
        )
        db.session.commit()
        return course.id, edition.id


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # the 302 itself is the answer we time


def _signed_in(url: str, n: int, course_id: int):
    """A logged-in client of person ``n`` and the CSRF token of the course page's form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/inloggen", timeout=60).read().decode()
    login = {
        "csrf_token": TOKEN_RE.search(page).group(1),
        "email": f"storm{n}@example.nl",
        "password": PASSWORD,
    }
    opener.open(url + "/inloggen", data=urllib.parse.urlencode(login).encode(), timeout=60)
    page = opener.open(f"{url}/cursussen/{course_id}", timeout=60).read().decode()
    if "Inschrijven" not in page:
        raise RuntimeError(f"storm{n}: geen inschrijfknop op de cursuspagina")
    token = TOKEN_RE.search(page).group(1)
    poster = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    return poster, token


def _storm(target: str, clients: list) -> list[tuple[float, int]]:
    """All requests released at once (a POST with the client's CSRF token, or a GET when
    it has none); (milliseconds, status) per request."""
    barrier = threading.Barrier(len(clients))

    def post(client):
        opener, token = client
        body = urllib.parse.urlencode({"csrf_token": token}).encode() if token else None
        barrier.wait(timeout=60)
        started = time.perf_counter()
        try:
            with opener.open(target, data=body, timeout=60) as response:
                status = response.status
        except urllib.error.HTTPError as answer:
            status = answer.code
        return (time.perf_counter() - started) * 1000, status

    with ThreadPoolExecutor(len(clients)) as pool:
        return list(pool.map(post, clients))


def _state(database: str, edition_id: int) -> tuple[dict, int]:
    conn = sqlite3.connect(database)
    try:
        counts = dict(
            conn.execute(
                "SELECT state, count(*) FROM enrolments WHERE edition_id = ? GROUP BY state",
                (edition_id,),
            ).fetchall()
        )
        taken = conn.execute(
            "SELECT seats_taken FROM editions WHERE id = ?", (edition_id,)
        ).fetchone()[0]
        return counts, taken
    finally:
        conn.close()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def bench_enrol() -> None:
    with tempfile.TemporaryDirectory(prefix="krsd-bench-enrol-") as tmp:
        tmp_path = Path(tmp)
        database = tmp_path / "enrol.sqlite3"
        env = app_env(f"sqlite:///{database}", tmp_path, KRSD_PUBLIC_RATE_PER_MINUTE="1000000")
        print(f"== The enrolment storm: {PEOPLE} people, {SEATS} seats (SQLite)")
        started = time.monotonic()
        result = flask("db", "upgrade", env=env)
        if result.returncode:
            sys.exit(result.stderr)
        course_id, edition_id = seed(env)
        print(f"   seeded in {time.monotonic() - started:.1f} s")
        with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as url:
            started = time.monotonic()
            with ThreadPoolExecutor(16) as pool:
                clients = list(pool.map(lambda n: _signed_in(url, n, course_id), range(PEOPLE)))
            print(f"   {PEOPLE} people logged in in {time.monotonic() - started:.1f} s")
            # the floor on this machine: as many requests at once to a trivial route
            plain = [(urllib.request.build_opener(), None)] * PEOPLE
            floor = [ms for ms, _status in _storm(url + "/gezondheid", plain)]
            started = time.monotonic()
            timings = _storm(f"{url}/cursussen/uitvoering/{edition_id}/inschrijven", clients)
            wall = time.monotonic() - started
        latencies = [ms for ms, _status in timings]
        answered = sum(1 for _ms, status in timings if status == 302)
        counts, taken = _state(str(database), edition_id)
        seated, waiting = counts.get("seated", 0), counts.get("waiting", 0)
        p50, p99 = _percentile(latencies, 0.50), _percentile(latencies, 0.99)
        print(
            f"   gunicorn, {WORKERS} workers: {PEOPLE} POSTs at once, all answered in {wall:.2f} s"
        )
        print(f"   answered with a redirect (enrolled or waiting): {answered} of {PEOPLE}")
        print(f"   seated {seated}, waiting {waiting}, seats_taken {taken}")
        print(f"   latency p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(latencies):.0f} ms")
        print(
            f"   for comparison, {PEOPLE} GETs of /gezondheid at once: "
            f"p50 {_percentile(floor, 0.5):.0f} ms, p99 {_percentile(floor, 0.99):.0f} ms"
        )
        ok = seated == taken == SEATS and waiting == PEOPLE - SEATS and answered == PEOPLE
        print(f"TARGET enrol_seated {seated} {SEATS} {'ok' if ok else 'MISSED'}")
        verdict = "ok" if p99 < P99_TARGET_MS else "MISSED"
        print(f"TARGET enrol_p99 {p99:.0f}ms {P99_TARGET_MS}ms {verdict}")
