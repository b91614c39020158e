"""make bench ONLY=reports: the registerbureau's dashboard and the worklist export over a
register of 200,000 persons and 5,000,000 activities (gunicorn with one worker).

The register is seeded with bulk SQL (numbers from a recursive CTE or generate_series, no
Python loop per row). Each page is timed on a fresh single-worker gunicorn, so the worker's
high-water mark of resident memory (VmHWM in /proc) is the peak of that one request on top
of the booted app.
"""
# ruff: noqa: S608 - the SQL is put together from this file's own constants, no input

import http.cookiejar
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pyotp
from bench_common import (
    DATABASE_LABELS,
    SEED_MOMENT,
    Results,
    Row,
    analyze,
    app_environment,
    app_for,
    database,
    migrate,
)

from tests.servers import gunicorn

PERSONS = 200_000
ACTIVITIES_PER_PERSON = 25  # 5,000,000 activities (the SQL below says 25 too)
TARGET_SECONDS = 10
TARGET_MB = 1024
ADMIN_ID = 1
ADMIN_EMAIL = "bureau@example.nl"
ADMIN_PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - a throw-away bench database
ADMIN_SECRET = "KRSDBENCHKRSDBENCHKRSDBENCHKRSD2"  # noqa: S105 - idem

#: the function and province of person i (every 13th gave no province)
FUNCTION = (
    "CASE i % 4 WHEN 0 THEN 'leerplichtambtenaar' WHEN 1 THEN 'doorstroomcoach' "
    "WHEN 2 THEN 'ondersteuner' ELSE 'other' END"
)
# fmt: off
PROVINCES = [
    "groningen", "friesland", "drenthe", "overijssel", "flevoland", "gelderland", "utrecht",
    "noord-holland", "zuid-holland", "zeeland", "noord-brabant", "limburg",
]
# fmt: on
PROVINCE = (
    "CASE i % 13 "
    + " ".join(f"WHEN {n} THEN '{p}'" for n, p in enumerate(PROVINCES))
    + " ELSE NULL END"
)
CERTIFIED = "i % 10 <> 0"  # nine in ten persons hold a certificate


class SQLiteSQL:
    """The few expressions whose spelling differs between the databases."""

    numbers = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
    today = ":today"

    @staticmethod
    def days(day: str, offset: str) -> str:
        return f"date({day}, ({offset}) || ' days')"

    @staticmethod
    def years_back(day: str, years: int) -> str:
        return f"date({day}, '-{years} years')"

    @staticmethod
    def at(day: str, clock: str) -> str:
        """A timestamp at ``clock`` (UTC) on ``day``."""
        return f"strftime('%Y-%m-%d {clock}:00.000000', {day})"

    @staticmethod
    def padded(number: str, width: int) -> str:
        return f"substr('{'0' * width}' || ({number}), -{width})"


class PostgreSQL(SQLiteSQL):
    #: bigint: i * 7907 passes the 32-bit range at 5,000,000 activities
    numbers = "WITH n(i) AS (SELECT generate_series(CAST(1 AS bigint), :count))"
    today = "CAST(:today AS date)"

    @staticmethod
    def days(day: str, offset: str) -> str:
        return f"({day} + CAST({offset} AS integer))"

    @staticmethod
    def years_back(day: str, years: int) -> str:
        return f"CAST({day} - interval '{years} years' AS date)"

    @staticmethod
    def at(day: str, clock: str) -> str:
        return f"(({day}) + time '{clock}') AT TIME ZONE 'UTC'"

    @staticmethod
    def padded(number: str, width: int) -> str:
        return f"lpad(CAST({number} AS text), {width}, '0')"


def seed_statements(sql: type[SQLiteSQL]) -> list[str]:
    """The bulk INSERT ... SELECT statements of the register, in ``sql``'s spelling."""
    today, days, at = sql.today, sql.days, sql.at
    #: ends spread evenly (7919 is prime) from a year ago to three years ahead
    until = days(today, "(i * 7919) % 1461 - 365")
    valid_from = days(sql.years_back(until, 3), "1")
    number = f"'KRSD-' || {sql.padded('i', 6)}"
    code = (
        f"'R' || {sql.padded('i / 100000000', 3)} || '-' || "
        f"{sql.padded('(i / 10000) % 10000', 4)} || '-' || {sql.padded('i % 10000', 4)}"
    )
    return [
        f"""INSERT INTO users (id, email, password_hash, name, function, province, employer,
               public_listing_consent, active, created_at, email_confirmed_at)
           {sql.numbers} SELECT 1000 + i, 'p' || i || '@example.nl', 'x', 'Persoon ' || i,
               {FUNCTION}, {PROVINCE}, 'Gemeente ' || (i % 300), :yes, :yes, :now, :now FROM n""",
        f"""INSERT INTO user_roles (user_id, role, granted_at)
           {sql.numbers} SELECT 1000 + i, 'professional', :now FROM n""",
        f"""INSERT INTO registrations (user_id, sequence, number, issued_at)
           {sql.numbers} SELECT 1000 + i, i, {number}, :now FROM n WHERE {CERTIFIED}""",
        # The approved first applications: submitted 5-94 days before the decision (the day
        # the certificate starts, 14:00 UTC).
        f"""INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
               regulation_id, submitted_at, queued_at, decided_at)
           {sql.numbers} SELECT i, 1000 + i, 'initial', 'approved',
               {sql.years_back(valid_from, 3)}, {valid_from}, :regulation,
               {at(days(valid_from, "-(5 + i % 90)"), "09:00")},
               {at(days(valid_from, "-(5 + i % 90)"), "09:00")},
               {at(valid_from, "14:00")}
           FROM n WHERE {CERTIFIED}""",
        f"""INSERT INTO certificates (id, holder_id, application_id, registration_number,
               valid_from, valid_until, verification_code, issued_at, holder_name,
               holder_function, holder_employer, suspended_at, suspended_until,
               revoked_at, revocation_reason)
           {sql.numbers} SELECT i, 1000 + i, i, {number}, {valid_from}, {until}, {code},
               :now, 'Persoon ' || i, {FUNCTION}, 'Gemeente ' || (i % 300),
               CASE WHEN i % 997 = 0 OR i % 991 = 0 THEN :now END,
               CASE WHEN i % 997 = 0 THEN {days(today, "-(i % 20 + 1)")} END,
               CASE WHEN i % 983 = 0 THEN :now END,
               CASE WHEN i % 983 = 0 THEN 'Bench' END
           FROM n WHERE {CERTIFIED}""",
        # Renewals: one in 40 certified persons has one open (submitted, in review or asked
        # for more), one in 120 was rejected and one in 200 withdrew.
        f"""INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
               regulation_id, submitted_at, queued_at, decided_at, open_applicant_id,
               previous_certificate_id)
           {sql.numbers} SELECT :count + i, 1000 + i, 'renewal',
               CASE WHEN i % 40 = 1 THEN
                   CASE i % 3 WHEN 0 THEN 'submitted' WHEN 1 THEN 'in_review'
                       ELSE 'more_info_requested' END
                   WHEN i % 120 = 3 THEN 'rejected' ELSE 'withdrawn' END,
               {valid_from}, {until}, :regulation,
               {at(days(today, "-(10 + i % 150)"), "09:00")},
               {at(days(today, "-(10 + i % 150)"), "09:00")},
               CASE WHEN i % 120 = 3 THEN {at(days(today, "-(i % 9)"), "15:00")} END,
               CASE WHEN i % 40 = 1 THEN 1000 + i END, i
           FROM n WHERE {CERTIFIED} AND (i % 40 = 1 OR i % 120 = 3 OR i % 200 = 7)""",
        # 25 activities per person in owner order (the index grows at its end): one in four
        # accredited (20 accredited courses), dates over the last three years.
        f"""INSERT INTO activities (owner_id, category, type, title, provider, activity_date,
               hours, reflection, accreditation_id, verified, created_at, updated_at)
           {sql.numbers} SELECT 1001 + (i - 1) / 25,
               CASE WHEN i % 4 = 0 THEN 'accredited' ELSE 'free' END,
               CASE WHEN i % 4 = 0 THEN 'accredited_course' ELSE 'intervisie' END,
               'Activiteit', 'Aanbieder', {days(today, "-((i * 7907) % 1095)")},
               1 + i % 8, 'Geleerd.', CASE WHEN i % 4 = 0 THEN 1 + i % 20 END,
               i % 4 = 0, :now, :now
           FROM n""",
        # the full editions' waiting lists: 5 persons each
        """INSERT INTO enrolments (edition_id, user_id, state, queued_at, enrolled_at)
           SELECT e.id, 1001 + e.id * 5 + k.k, 'waiting', :now, :now
           FROM editions e, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2
               UNION ALL SELECT 3 UNION ALL SELECT 4) k
           WHERE e.seats_taken = e.capacity""",
    ]


def seed_small(env: dict, today: date) -> int:
    """The registerbureau (with a linked authenticator), 20 accredited courses and 60
    coming editions with waiting lists, through the ORM; returns the regulation's id."""
    from datetime import timedelta
    from decimal import Decimal

    from werkzeug.security import generate_password_hash

    from krsd.auth.models import SecondFactor, User, UserRole
    from krsd.auth.rules import Function, RoleName
    from krsd.courses.models import Accreditation, Course, CourseStatus, Edition
    from krsd.database import utcnow
    from krsd.extensions import db

    app = app_for(env["KRSD_DATABASE_URL"], Path(env["KRSD_INSTANCE_PATH"]))
    with app.app_context():
        admin = User(
            id=ADMIN_ID,
            email=ADMIN_EMAIL,
            password_hash=generate_password_hash(ADMIN_PASSWORD, method="scrypt"),
            name="Registerbureau",
            function=Function.OTHER,
            employer="KRSD",
            email_confirmed_at=utcnow(),
        )
        admin.roles = [UserRole(role=RoleName.ADMIN)]
        db.session.add(admin)
        db.session.add(SecondFactor(user_id=ADMIN_ID, totp_secret=ADMIN_SECRET))
        for n in range(1, 21):
            course = Course(
                title=f"Geaccrediteerde cursus {n}",
                provider="Ingrado",
                status=CourseStatus.PUBLISHED,
            )
            db.session.add(course)
            db.session.flush()
            db.session.add(
                Accreditation(
                    id=n,
                    course_id=course.id,
                    number=f"KRSD-A-{n:03d}",
                    hours=Decimal(8),
                    valid_from=today - timedelta(days=2000),
                    valid_until=today + timedelta(days=2000),
                )
            )
            for k in range(3):
                starts = today + timedelta(days=7 + 30 * k + n)
                db.session.add(
                    Edition(
                        course_id=course.id,
                        starts_on=starts,
                        ends_on=starts + timedelta(days=1),
                        enrolment_deadline=starts - timedelta(days=3),
                        capacity=20,
                        seats_taken=(n * 7 + k * 5) % 21,
                    )
                )
        db.session.commit()
        regulation = db.session.execute(db.text("SELECT id FROM regulations")).scalar()
        db.session.rollback()
        db.engine.dispose()  # the bulk insert below wants the database to itself
        return regulation


def seed(env: dict, today: date) -> None:
    from sqlalchemy import create_engine, text

    from krsd.config import normalise_database_url

    url = env["KRSD_DATABASE_URL"]
    regulation = seed_small(env, today)
    engine = create_engine(normalise_database_url(url))
    sqlite = url.startswith("sqlite")
    values = {"today": today, "now": SEED_MOMENT, "yes": True, "regulation": regulation}
    with engine.begin() as conn:
        if sqlite:  # analyze() turns WAL back on
            conn.exec_driver_sql("PRAGMA journal_mode = OFF")
            conn.exec_driver_sql("PRAGMA synchronous = OFF")
            conn.exec_driver_sql("PRAGMA cache_size = -400000")
        else:
            # A bulk load into a throw-away database: no per-row foreign-key triggers, and
            # the activities' plain indexes built once afterwards instead of row by row.
            conn.exec_driver_sql("SET session_replication_role = replica")
            indexes = conn.exec_driver_sql(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'activities' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ).all()
            for name, _definition in indexes:
                conn.exec_driver_sql(f"DROP INDEX {name}")
        for statement in seed_statements(SQLiteSQL if sqlite else PostgreSQL):
            count = PERSONS * ACTIVITIES_PER_PERSON if "activities" in statement else PERSONS
            conn.execute(text(statement), values | {"count": count})
        if not sqlite:
            for _name, definition in indexes:
                conn.exec_driver_sql(definition)
            # ids were given explicitly
            for table in ("users", "applications", "certificates"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
    engine.dispose()
    analyze(url)


def admin_opener(url: str):
    """Logged in as the registerbureau: password, then a TOTP code of the seeded secret."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def post(path: str, fields: dict) -> str:
        page = opener.open(url + path).read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        return opener.open(url + path, data=body).geturl()

    post("/inloggen", {"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
    landed = post("/inloggen/code", {"code": pyotp.TOTP(ADMIN_SECRET).now()})
    if "/inloggen" in landed:
        sys.exit(f"Bench: login as the registerbureau failed ({landed})")
    return opener


def peak_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) / 1024


def timed(env: dict, tmp_path: Path, name: str, path: str, cookies) -> tuple[float, float, object]:
    """A fresh one-worker gunicorn; the wall time of GET ``path`` and the worker's peak."""
    env = env | {"GUNICORN_CMD_ARGS": "--timeout 600"}
    with gunicorn(env, workers=1, log=tmp_path / f"gunicorn-{name}.log") as url:
        opener = cookies or admin_opener(url)
        worker = int(re.search(r"Booting worker with pid: (\d+)", _log(tmp_path, name))[1])
        before = peak_mb(worker)
        started = time.monotonic()
        with opener.open(url + path, timeout=600) as response:
            body = response.read()
            status = response.status
        seconds = time.monotonic() - started
        peak = peak_mb(worker)
        if status != 200:
            sys.exit(f"Bench: {path} answered {status}")
        print(
            f"   {name}: {seconds:.2f} s, {len(body) / 1024:,.0f} kB, worker peak {peak:.0f} MB "
            f"(booted and logged in: {before:.0f} MB)"
        )
        return seconds, peak, opener


def _log(tmp_path: Path, name: str) -> str:
    # gunicorn logs the worker's pid at boot; the helper waited for /gezondheid already.
    return (tmp_path / f"gunicorn-{name}.log").read_text()


def bench_reports(kind: str, results: Results) -> None:
    from krsd.clock import register_today

    label = DATABASE_LABELS[kind]
    today = register_today()
    with (
        tempfile.TemporaryDirectory(prefix="krsd-bench-reports-") as tmp,
        database(kind, "reports", Path(tmp)) as url,
    ):
        tmp_path = Path(tmp)
        env = app_environment(url, tmp_path)
        total = PERSONS * ACTIVITIES_PER_PERSON
        print(f"== Reports over {PERSONS:,} persons and {total:,} activities ({label})")
        started = time.monotonic()
        migrate(env)
        seed(env, today)
        print(f"   seeded in {time.monotonic() - started:.1f} s", flush=True)
        rows = [
            ("dashboard", "/beheer/dashboard"),
            ("worklist_export", "/beheer/verloopt-binnenkort?months=12&format=xlsx"),
        ]
        cookies = None
        for name, path in rows:
            seconds, peak, cookies = timed(env, tmp_path, name, path, cookies)
            results.row(
                label,
                Row(
                    f"{name.replace('_', ' ')} ({PERSONS:,} persons)",
                    note=f"{seconds:.2f} s, worker peak {peak:.0f} MB",
                ),
            )
            results.target(
                f"{name}_seconds_{kind}",
                f"{seconds:.2f}s",
                f"<={TARGET_SECONDS}s",
                seconds <= TARGET_SECONDS,
            )
            results.target(
                f"{name}_peak_mb_{kind}", f"{peak:.0f}MB", f"<={TARGET_MB}MB", peak <= TARGET_MB
            )
