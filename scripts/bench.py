"""make bench: throughput of the busy pages next to a trivial route, on gunicorn + SQLite.

Seeds a temporary database with a 500-activity portfolio and 50,000 certified persons,
starts gunicorn (4 workers) on 127.0.0.1, and reports requests per second. Also prints
the query plan of the register's name search, to show that it uses the index.
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

from tests.servers import app_env, flask, gunicorn  # noqa: E402

PERSONS = 50_000
ACTIVITIES = 500
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


def main() -> None:
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
