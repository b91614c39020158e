"""make bench ONLY=enrol: the enrolment storm through gunicorn (4 workers).

Seeds one published course with an edition of 20 seats and 200 professionals, and logs
them all in (set-up, not measured). Then 200 sockets are opened to gunicorn and 200
prepared enrolment POSTs (each with its own session cookie and CSRF token) are written on
them at the same moment from one asyncio loop, timing each answer until the server closes
the connection. The client does almost nothing while the server works, so it does not take
the server's CPU. For comparison the same is done with 200 GETs of /gezondheid.
"""

import asyncio
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from bench_common import (
    DATABASE_LABELS,
    PASSWORD,
    TOKEN_RE,
    USER_AGENT,
    Results,
    Row,
    app_environment,
    app_for,
    database,
    logged_in,
    migrate,
    percentile,
    query,
)

from tests.servers import gunicorn

PEOPLE = 200
SEATS = 20
WORKERS = 4
P99_TARGET_MS = 200.0


def seed(database_url: str, instance: Path) -> tuple[int, int]:
    """The course, its edition and the professionals; returns (course id, edition id)."""
    from werkzeug.security import generate_password_hash

    from krsd.auth.models import User, UserRole
    from krsd.auth.rules import Function, RoleName
    from krsd.clock import register_today
    from krsd.courses.models import Course, CourseStatus, CourseTargetGroup, Edition, TargetGroup
    from krsd.database import utcnow
    from krsd.extensions import db

    today = register_today()
    # A cheap scrypt cost for these accounts: logging 200 people in is set-up, not measured.
    password = generate_password_hash(PASSWORD, method="scrypt:2048:8:1")
    app = app_for(database_url, instance)
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
                email_confirmed_at=utcnow(),
                roles=[UserRole(role=RoleName.PROFESSIONAL)],
            )
            for n in range(PEOPLE)
        )
        db.session.commit()
        ids = course.id, edition.id
        db.engine.dispose()
        return ids


def prepared_post(base: str, n: int, course_id: int, edition_id: int) -> bytes:
    """Person ``n`` logged in; their enrolment POST as raw HTTP, ready to be sent."""
    session = logged_in(base, f"storm{n}@example.nl")
    page = session.get(f"{base}/cursussen/{course_id}")
    if "Inschrijven" not in page:
        raise SystemExit(f"storm{n}: geen inschrijfknop op de cursuspagina")
    body = urllib.parse.urlencode({"csrf_token": TOKEN_RE.search(page).group(1)})
    # The cookie as it stands after the course page (the session carries the CSRF secret).
    path = f"/cursussen/uitvoering/{edition_id}/inschrijven"
    return raw_request(base, "POST", path, session.cookie(), body)


def raw_request(base: str, method: str, path: str, cookie: str = "", body: str = "") -> bytes:
    host = base.removeprefix("http://")
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"User-Agent: {USER_AGENT}"]
    if cookie:
        lines.append(f"Cookie: {cookie}")
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n" + body).encode()


async def _storm(base: str, requests: list[bytes]) -> list[tuple[float, int]]:
    """Every request written at once on an already open connection; (ms, status) each."""
    host, port = base.removeprefix("http://").split(":")
    connections = await asyncio.gather(
        *(asyncio.open_connection(host, int(port)) for _ in requests)
    )
    sent = []
    for (_reader, writer), request in zip(connections, requests, strict=True):
        sent.append(time.perf_counter())
        writer.write(request)  # goes out at once: the socket's buffer is empty

    async def answer(k: int, reader: asyncio.StreamReader) -> tuple[float, int]:
        status_line = await reader.readline()
        await reader.read()  # gunicorn's sync workers close after the response
        return (time.perf_counter() - sent[k]) * 1000, int(status_line.split()[1])

    try:
        return await asyncio.gather(
            *(answer(k, reader) for k, (reader, _writer) in enumerate(connections))
        )
    finally:
        for _reader, writer in connections:
            writer.close()


def storm(base: str, requests: list[bytes]) -> tuple[list[tuple[float, int]], float]:
    started = time.monotonic()
    answers = asyncio.run(_storm(base, requests))
    return answers, time.monotonic() - started


def bench_enrol(kind: str, results: Results) -> None:
    label = DATABASE_LABELS[kind]
    with (
        tempfile.TemporaryDirectory(prefix="krsd-bench-enrol-") as tmp,
        database(kind, "enrol", Path(tmp)) as url,
    ):
        tmp_path = Path(tmp)
        env = app_environment(url, tmp_path)
        print(f"== The enrolment storm on {label}: {PEOPLE} people, {SEATS} seats", flush=True)
        started = time.monotonic()
        migrate(env)
        course_id, edition_id = seed(url, tmp_path)
        with gunicorn(env, workers=WORKERS, log=tmp_path / "gunicorn.log") as base:
            with ThreadPoolExecutor(8) as pool:
                posts = list(
                    pool.map(lambda n: prepared_post(base, n, course_id, edition_id), range(PEOPLE))
                )
            print(f"   seeded, {PEOPLE} logged in: {time.monotonic() - started:.1f} s")
            floor, _wall = storm(base, [raw_request(base, "GET", "/gezondheid")] * PEOPLE)
            answers, wall = storm(base, posts)
        rows = query(
            url,
            "SELECT state, count(*) FROM enrolments WHERE edition_id = ? GROUP BY state",
            (edition_id,),
        )
        counts = dict(rows)
        (taken,) = query(url, "SELECT seats_taken FROM editions WHERE id = ?", (edition_id,))[0]
    latencies = [ms for ms, _status in answers]
    redirected = sum(1 for _ms, status in answers if status == 302)
    seated, waiting = counts.get("seated", 0), counts.get("waiting", 0)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    floor_ms = [ms for ms, _status in floor]
    print(
        f"   {PEOPLE} POSTs at once, all answered in {wall:.2f} s; redirected {redirected}; "
        f"seated {seated}, waiting {waiting}, seats_taken {taken}"
    )
    print(
        f"   latency p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(latencies):.0f} ms; "
        f"{PEOPLE} GETs of /gezondheid at once: p50 {percentile(floor_ms, 0.5):.0f} ms, "
        f"p99 {percentile(floor_ms, 0.99):.0f} ms",
        flush=True,
    )
    results.row(
        label,
        Row(
            f"enrolment storm ({PEOPLE} POSTs, {SEATS} seats)",
            PEOPLE / wall,
            None,
            p50,
            p99,
            PEOPLE - redirected,
            f"302 expected; seated {seated}, waiting {waiting}; {PEOPLE} × /gezondheid at once: "
            f"p99 {percentile(floor_ms, 0.99):.0f} ms",
        ),
    )
    ok = seated == taken == SEATS and waiting == PEOPLE - SEATS and redirected == PEOPLE
    results.target(f"enrol_seated_{kind}", str(seated), f"={SEATS}", ok)
    results.target(
        f"enrol_p99_{kind}", f"{p99:.0f}ms", f"<{P99_TARGET_MS:.0f}ms", p99 < P99_TARGET_MS
    )
