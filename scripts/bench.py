"""make bench: throughput of the busy pages next to a trivial route, on gunicorn + SQLite,
and the daily job over 200,000 certificates.

pages: seeds a temporary database with a 500-activity portfolio and 50,000 certified
persons, starts gunicorn (4 workers) on 127.0.0.1, and reports requests per second. Also
prints the query plan of the register's name search, to show that it uses the index.
daily: seeds 200,000 certificates with SQL, runs ``flask krsd daily --today`` twice and
prints TARGET lines (time of the first run, mails of the second).
enrol: 200 simultaneous enrolment POSTs through gunicorn for 20 seats (scripts/bench_enrol.py).
reports: the dashboard and the worklist export over 200,000 persons and 5,000,000
activities, time and peak memory of the serving worker (scripts/bench_reports.py).
``make bench ONLY=daily`` (or ONLY=pages, ONLY=enrol, ONLY=reports) runs one part.
Timing targets belong here, never in the test suite.
"""

import http.cookiejar
import os
import random
import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_enrol import bench_enrol  # noqa: E402
from bench_reports import bench_reports  # noqa: E402

from tests.servers import app_env, flask, gunicorn  # noqa: E402

PERSONS = 50_000
ACTIVITIES = 500
DAILY_CERTIFICATES = 200_000
DAILY_TODAY = date(2027, 3, 1)
DAILY_TARGET_SECONDS = 10
SECONDS = 5
CLIENTS = 8
FIRST = ["Anouk", "Bram", "Fatima", "Şükrü", "Łukasz", "Sanne", "Mohammed", "Eva", "Joris", "Noor"]
LAST = [
    "Jansen",
    "de Vries",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "Çelik",
    "Nowak",
]
PLACES = ["Utrecht", "Amersfoort", "Nijmegen", "Zwolle", "Tilburg", "Groningen", "Leiden", "Almere"]


def seed(env: dict) -> None:
    os.environ.update({k: v for k, v in env.items() if k.startswith("KRSD_")})
    from werkzeug.security import generate_password_hash

    from krsd import create_app
    from krsd.auth.models import User, UserRole
    from krsd.auth.rules import Function, RoleName
    from krsd.certification.rules import format_registration_number, search_terms
    from krsd.extensions import db
    from krsd.portfolio.models import Activity
    from krsd.portfolio.rules import ActivityType, Category

    app = create_app()
    today = date.today()
    rng = random.Random(7)
    password = generate_password_hash("bench-wachtwoord-123", method="scrypt")
    with app.app_context():
        owner = User(
            email="bench@example.nl",
            password_hash=password,
            name="Bench Professional",
            function=Function.LEERPLICHTAMBTENAAR,
            employer="Gemeente Bench",
            public_listing_consent=False,
        )
        owner.roles = [UserRole(role=RoleName.PROFESSIONAL)]
        db.session.add(owner)
        db.session.flush()
        for n in range(ACTIVITIES):
            db.session.add(
                Activity(
                    owner_id=owner.id,
                    category=Category.FREE if n % 4 else Category.ACCREDITED,
                    type=ActivityType.WEBINAR if n % 4 else ActivityType.ACCREDITED_COURSE,
                    title=f"Activiteit {n}",
                    provider="Aanbieder",
                    activity_date=today - timedelta(days=n * 2),
                    hours=Decimal("1.5"),
                    reflection="Geleerd.",
                )
            )
        db.session.commit()
        regulation_id = db.session.execute(db.text("SELECT id FROM regulations")).scalar()

    conn = sqlite3.connect(env["KRSD_DATABASE_URL"].removeprefix("sqlite:///"))
    now = "2026-01-01 00:00:00.000000"
    start, until = (
        (today - timedelta(days=100)).isoformat(),
        (today + timedelta(days=900)).isoformat(),
    )
    users, roles, regs, apps, certs, terms = [], [], [], [], [], []
    for n in range(1, PERSONS + 1):
        uid = 1000 + n
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}"
        employer = f"Gemeente {rng.choice(PLACES)}"
        number = format_registration_number(n)
        users.append(
            (uid, f"p{n}@example.nl", password, name, "leerplichtambtenaar", employer, 1, 1, now)
        )
        roles.append((uid, "professional", now))
        regs.append((uid, n, number, now))
        apps.append((uid, uid, "initial", "approved", start, start, regulation_id, now, now, now))
        certs.append(
            (
                uid,
                uid,
                uid,
                number,
                start,
                until,
                f"{n:012d}"[:4] + "-" + f"{n:012d}"[4:8] + "-" + f"{n:012d}"[8:],
                now,
            )
        )
        terms.extend((uid, t) for t in search_terms(name, employer, number) | {str(n)})
    with conn:
        _insert(
            conn,
            "users",
            "id email password_hash name function employer "
            "public_listing_consent active created_at",
            users,
        )
        _insert(conn, "user_roles", "user_id role granted_at", roles)
        _insert(conn, "registrations", "user_id sequence number issued_at", regs)
        _insert(
            conn,
            "applications",
            "id applicant_id kind state window_start window_end "
            "regulation_id submitted_at queued_at decided_at",
            apps,
        )
        _insert(
            conn,
            "certificates",
            "id holder_id application_id registration_number "
            "valid_from valid_until verification_code issued_at",
            certs,
        )
        _insert(conn, "register_terms", "user_id term", terms)
        conn.execute("UPDATE registration_counter SET last_value = ?", (PERSONS,))
    conn.execute("ANALYZE")
    conn.close()


def _insert(conn, table: str, columns: str, rows: list) -> None:
    names = columns.split()
    marks = ",".join("?" * len(names))
    conn.executemany(f"INSERT INTO {table} ({','.join(names)}) VALUES ({marks})", rows)  # noqa: S608


def search_plan(env: dict) -> str:
    from sqlalchemy import event

    from krsd import create_app
    from krsd.certification import public
    from krsd.extensions import db

    app = create_app()
    captured = []
    with app.app_context():

        def grab(_conn, _cursor, statement, parameters, _context, _many):
            captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", grab)
        public.search_register("jansen", 1, date.today())
        event.remove(db.engine, "before_cursor_execute", grab)
    statement, parameters = captured[-1]
    conn = sqlite3.connect(env["KRSD_DATABASE_URL"].removeprefix("sqlite:///"))
    rows = conn.execute("EXPLAIN QUERY PLAN " + statement, parameters).fetchall()
    conn.close()
    return "\n".join(f"    {'  ' * (r[1] > 0)}{r[3]}" for r in rows)


def logged_in_opener(url: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url + "/inloggen").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode(
        {"csrf_token": token, "email": "bench@example.nl", "password": "bench-wachtwoord-123"}
    ).encode()
    opener.open(url + "/inloggen", data=body)
    return opener


def rate(url: str, path: str, opener=None) -> tuple[float, int]:
    """Requests per second over SECONDS with CLIENTS parallel clients; and failures."""
    done, failed = [], []
    stop = time.monotonic() + SECONDS

    def client():
        local = opener or urllib.request.build_opener()
        while time.monotonic() < stop:
            try:
                with local.open(url + path, timeout=30) as response:
                    response.read()
                done.append(1)
            except OSError:
                failed.append(1)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(done) / SECONDS, len(failed)


SEED_NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
# 7919 is prime: i * 7919 mod 1096 spreads the ends evenly over 1096 days.
SEED_UNTIL = "date(:today, ((i * 7919) % 1096 - 60) || ' days')"
DAILY_SEED = (
    """INSERT INTO users (id, email, password_hash, name, function, employer,
           public_listing_consent, active, created_at)
       {numbers} SELECT i, 'd' || i || '@example.nl', 'x', 'Persoon ' || i,
           'leerplichtambtenaar', 'Gemeente Bench', 1, 1, :now FROM n""",
    """INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
           regulation_id, submitted_at, queued_at, decided_at)
       {numbers} SELECT i, i, 'initial', 'approved', '2020-01-01', '2023-01-01',
           :regulation, :now, :now, :now FROM n""",
    """INSERT INTO certificates (id, holder_id, application_id, registration_number,
           valid_from, valid_until, verification_code, issued_at, holder_name,
           holder_function, holder_employer, suspended_at, suspended_until,
           revoked_at, revocation_reason)
       {numbers} SELECT i, i, i, printf('KRSD-%06d', i),
           date({until}, '-3 years', '+1 day'), {until},
           printf('B%03d-%04d-%04d', i / 100000000, (i / 10000) % 10000, i % 10000),
           :now, 'Persoon ' || i, 'leerplichtambtenaar', 'Gemeente Bench',
           CASE WHEN i % 997 = 0 OR i % 991 = 0 THEN :now END,
           CASE WHEN i % 997 = 0 THEN date(:today, '-' || (i % 20 + 1) || ' days') END,
           CASE WHEN i % 983 = 0 THEN :now END,
           CASE WHEN i % 983 = 0 THEN 'Bench' END
       FROM n""",
    """INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
           regulation_id, submitted_at, queued_at, open_applicant_id, previous_certificate_id)
       {numbers} SELECT :count + i, i, 'renewal', 'submitted', '2024-01-01', '2027-01-01',
           :regulation, :now, :now, i, i FROM n WHERE i % 50 = 0""",
    """INSERT INTO activities (owner_id, category, type, title, provider, activity_date,
           hours, reflection, verified, created_at, updated_at)
       {numbers} SELECT i, 'accredited', 'accredited_course', 'Cursus', 'Aanbieder',
           date({until}, '-400 days'), 8 + i % 20, 'Geleerd.', 0, :now, :now FROM n
       UNION ALL SELECT i, 'free', 'intervisie', 'Intervisie', '',
           date({until}, '-300 days'), 30 + i % 50, 'Geleerd.', 0, :now, :now FROM n""",
)


def seed_daily(env: dict, count: int, today: date) -> None:
    """``count`` certified persons whose ends spread from 60 days ago to about three years
    ahead, each with two activities; a few suspended, revoked or with a pending renewal.

    Nothing was sent before: the first run catches up on every reminder that fell due
    (about 1 in 6 certificates) and every expiry of the last 30 days.
    """
    conn = sqlite3.connect(env["KRSD_DATABASE_URL"].removeprefix("sqlite:///"))
    values = {
        "count": count,
        "today": today.isoformat(),
        "now": "2026-01-01 00:00:00.000000",
        "regulation": conn.execute("SELECT id FROM regulations").fetchone()[0],
    }
    with conn:
        for statement in DAILY_SEED:
            conn.execute(
                statement.replace("{numbers}", SEED_NUMBERS).replace("{until}", SEED_UNTIL),
                values,
            )
    conn.execute("ANALYZE")
    conn.close()


def outbox_count(env: dict) -> int:
    conn = sqlite3.connect(env["KRSD_DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        return conn.execute("SELECT count(*) FROM outbox_messages").fetchone()[0]
    finally:
        conn.close()


def bench_daily() -> None:
    with tempfile.TemporaryDirectory(prefix="krsd-bench-daily-") as tmp:
        tmp_path = Path(tmp)
        env = app_env(f"sqlite:///{tmp_path / 'daily.sqlite3'}", tmp_path)
        count = DAILY_CERTIFICATES
        print(f"== The daily job over {count:,} certificates (SQLite), --today {DAILY_TODAY}")
        started = time.monotonic()
        result = flask("db", "upgrade", env=env)
        if result.returncode:
            sys.exit(result.stderr)
        seed_daily(env, count, DAILY_TODAY)
        print(f"   seeded in {time.monotonic() - started:.1f} s")
        timings, sent = [], []
        for run in (1, 2):
            before = outbox_count(env)
            started = time.monotonic()
            result = flask("krsd", "daily", "--today", DAILY_TODAY.isoformat(), env=env)
            wall = time.monotonic() - started
            if result.returncode:
                sys.exit(result.stdout + result.stderr)
            # The job's own time, as the command reports it ("Klaar in 7,2 s.").
            timings.append(
                float(re.search(r"Klaar in ([\d,]+) s", result.stdout)[1].replace(",", "."))
            )
            sent.append(outbox_count(env) - before)
            print(f"   run {run}: job {timings[-1]:.1f} s, {wall:.1f} s with process start")
            print("\n".join("     " + line for line in result.stdout.splitlines()))
            print(f"     mails in the outbox: +{sent[-1]}")
        first = timings[0]
        verdict = "ok" if first <= DAILY_TARGET_SECONDS else "MISSED"
        print(f"TARGET daily_job {first:.1f}s {DAILY_TARGET_SECONDS}s {verdict}")
        verdict = "ok" if sent[1] == 0 else "MISSED"
        print(f"TARGET daily_job_second_run_sends {sent[1]} 0 {verdict}")


def main() -> None:
    only = os.environ.get("ONLY", "").strip()
    if only not in ("", "pages", "daily", "enrol", "reports"):
        sys.exit(
            f"ONLY={only!r}: kies pages, daily, enrol of reports (of laat ONLY weg voor alle)."
        )
    if only in ("", "pages"):
        bench_pages()
    if only in ("", "daily"):
        bench_daily()
    if only in ("", "enrol"):
        bench_enrol()
    if only in ("", "reports"):
        bench_reports()


def bench_pages() -> None:
    with tempfile.TemporaryDirectory(prefix="krsd-bench-") as tmp:
        tmp_path = Path(tmp)
        env = app_env(
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            tmp_path,
            KRSD_PUBLIC_RATE_PER_MINUTE="1000000",
        )
        print(f"== Seeding: a portfolio of {ACTIVITIES} activities, {PERSONS:,} certified persons")
        started = time.monotonic()
        result = flask("db", "upgrade", env=env)
        if result.returncode:
            sys.exit(result.stderr)
        seed(env)
        print(f"   done in {time.monotonic() - started:.1f} s")
        print("== Query plan of the register's name search (SQLite)")
        print(search_plan(env))
        with gunicorn(env, workers=4, log=tmp_path / "gunicorn.log") as url:
            opener = logged_in_opener(url)
            rows = [
                ("trivial route /gezondheid", "/gezondheid", None),
                (f"Mijn portfolio ({ACTIVITIES} activities)", "/portfolio/", opener),
                (f"register search over {PERSONS:,} persons", "/register?q=jansen", None),
            ]
            print(f"== gunicorn, 4 workers, {CLIENTS} clients, {SECONDS} s each")
            print(f"   {'page':<44} {'req/s':>8} {'failed':>7}")
            for label, path, client in rows:
                per_second, failures = rate(url, path, client)
                print(f"   {label:<44} {per_second:>8.1f} {failures:>7}")


if __name__ == "__main__":
    main()
