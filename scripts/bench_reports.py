"""make bench ONLY=reports: the registerbureau's dashboard and the worklist export over a
register of 200,000 persons and 5,000,000 activities (SQLite, gunicorn with one worker).

The register is seeded with bulk SQL (recursive CTEs, no Python loop per row). Each page is
timed on a fresh single-worker gunicorn, so the worker's high-water mark of resident memory
(VmHWM in /proc) is the peak of that one request on top of the booted app.
"""

import http.cookiejar
import re
import sqlite3
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import date
from pathlib import Path

import pyotp

from tests.servers import app_env, flask, gunicorn

PERSONS = 200_000
ACTIVITIES_PER_PERSON = 25  # 5,000,000 activities (the SQL below says 25 too)
TARGET_SECONDS = 10
TARGET_MB = 1024
ADMIN_ID = 1
ADMIN_EMAIL = "bureau@example.nl"
ADMIN_PASSWORD = "bench-wachtwoord-123"  # noqa: S105 - a throw-away bench database
ADMIN_SECRET = "KRSDBENCHKRSDBENCHKRSDBENCHKRSD2"  # noqa: S105 - idem
NOW = "2026-01-01 00:00:00.000000"

NUMBERS = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)"
#: ends spread evenly (7919 is prime) from a year ago to three years ahead
UNTIL = "date(:today, ((i * 7919) % 1461 - 365) || ' days')"
FROM = "date(" + UNTIL + ", '-3 years', '+1 day')"
#: the function and province of person i (every 13th gave no province)
FUNCTION = (
    "CASE i % 4 WHEN 0 THEN 'leerplichtambtenaar' WHEN 1 THEN 'doorstroomcoach' "
    "WHEN 2 THEN 'ondersteuner' ELSE 'other' END"
)
PROVINCES = [
    "groningen",
    "friesland",
    "drenthe",
    "overijssel",
    "flevoland",
    "gelderland",
    "utrecht",
    "noord-holland",
    "zuid-holland",
    "zeeland",
    "noord-brabant",
    "limburg",
]
PROVINCE = (
    "CASE i % 13 "
    + " ".join(f"WHEN {n} THEN '{p}'" for n, p in enumerate(PROVINCES))
    + " ELSE NULL END"
)
CERTIFIED = "i % 10 <> 0"  # nine in ten persons hold a certificate

SEED = (
    """INSERT INTO users (id, email, password_hash, name, function, province, employer,
           public_listing_consent, active, created_at)
       {numbers} SELECT 1000 + i, 'p' || i || '@example.nl', 'x', 'Persoon ' || i,
           {function}, {province}, 'Gemeente ' || (i % 300), 1, 1, :now FROM n""",
    """INSERT INTO user_roles (user_id, role, granted_at)
       {numbers} SELECT 1000 + i, 'professional', :now FROM n""",
    """INSERT INTO registrations (user_id, sequence, number, issued_at)
       {numbers} SELECT 1000 + i, i, printf('KRSD-%06d', i), :now FROM n WHERE {certified}""",
    # The approved first applications: submitted 5-94 days before the decision (the day the
    # certificate starts, 14:00 UTC).
    """INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
           regulation_id, submitted_at, queued_at, decided_at)
       {numbers} SELECT i, 1000 + i, 'initial', 'approved', date({from}, '-3 years'), {from},
           :regulation,
           strftime('%Y-%m-%d 09:00:00.000000', {from}, '-' || (5 + i % 90) || ' days'),
           strftime('%Y-%m-%d 09:00:00.000000', {from}, '-' || (5 + i % 90) || ' days'),
           strftime('%Y-%m-%d 14:00:00.000000', {from})
       FROM n WHERE {certified}""",
    """INSERT INTO certificates (id, holder_id, application_id, registration_number,
           valid_from, valid_until, verification_code, issued_at, holder_name,
           holder_function, holder_employer, suspended_at, suspended_until,
           revoked_at, revocation_reason)
       {numbers} SELECT i, 1000 + i, i, printf('KRSD-%06d', i), {from}, {until},
           printf('R%03d-%04d-%04d', i / 100000000, (i / 10000) % 10000, i % 10000),
           :now, 'Persoon ' || i, {function}, 'Gemeente ' || (i % 300),
           CASE WHEN i % 997 = 0 OR i % 991 = 0 THEN :now END,
           CASE WHEN i % 997 = 0 THEN date(:today, '-' || (i % 20 + 1) || ' days') END,
           CASE WHEN i % 983 = 0 THEN :now END,
           CASE WHEN i % 983 = 0 THEN 'Bench' END
       FROM n WHERE {certified}""",
    # Renewals: one in 40 certified persons has one open (submitted, in review or asked for
    # more), one in 120 was rejected and one in 200 withdrew.
    """INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end,
           regulation_id, submitted_at, queued_at, decided_at, open_applicant_id,
           previous_certificate_id)
       {numbers} SELECT :count + i, 1000 + i, 'renewal',
           CASE WHEN i % 40 = 1 THEN
               CASE i % 3 WHEN 0 THEN 'submitted' WHEN 1 THEN 'in_review'
                   ELSE 'more_info_requested' END
               WHEN i % 120 = 3 THEN 'rejected' ELSE 'withdrawn' END,
           {from}, {until}, :regulation,
           strftime('%Y-%m-%d 09:00:00.000000', :today, '-' || (10 + i % 150) || ' days'),
           strftime('%Y-%m-%d 09:00:00.000000', :today, '-' || (10 + i % 150) || ' days'),
           CASE WHEN i % 120 = 3 THEN
               strftime('%Y-%m-%d 15:00:00.000000', :today, '-' || (i % 9) || ' days') END,
           CASE WHEN i % 40 = 1 THEN 1000 + i END, i
       FROM n WHERE {certified} AND (i % 40 = 1 OR i % 120 = 3 OR i % 200 = 7)""",
    # 25 activities per person in owner order (the index grows at its end): one in four
    # accredited (20 accredited courses), dates over the last three years.
    """INSERT INTO activities (owner_id, category, type, title, provider, activity_date,
           hours, reflection, accreditation_id, verified, created_at, updated_at)
       {numbers} SELECT 1001 + (i - 1) / 25,
           CASE WHEN i % 4 = 0 THEN 'accredited' ELSE 'free' END,
           CASE WHEN i % 4 = 0 THEN 'accredited_course' ELSE 'intervisie' END,
           'Activiteit', 'Aanbieder', date(:today, '-' || ((i * 7907) % 1095) || ' days'),
           1 + i % 8, 'Geleerd.', CASE WHEN i % 4 = 0 THEN 1 + i % 20 END,
           i % 4 = 0, :now, :now
       FROM n""",
)


def expand(statement: str) -> str:
    """The statement with its shared pieces filled in (from before until: it contains it)."""
    for token, sql in (
        ("{numbers}", NUMBERS),
        ("{from}", FROM),
        ("{until}", UNTIL),
        ("{function}", FUNCTION),
        ("{province}", PROVINCE),
        ("{certified}", CERTIFIED),
    ):
        statement = statement.replace(token, sql)
    return statement


def seed_small(env: dict, today: date) -> int:
    """The registerbureau (with a linked authenticator), 20 accredited courses and 60
    coming editions with waiting lists, through the ORM; returns the regulation's id."""
    import os
    from datetime import timedelta
    from decimal import Decimal

    os.environ.update({k: v for k, v in env.items() if k.startswith("KRSD_")})
    from werkzeug.security import generate_password_hash

    from krsd import create_app
    from krsd.auth.models import SecondFactor, User, UserRole
    from krsd.auth.rules import Function, RoleName
    from krsd.courses.models import Accreditation, Course, CourseStatus, Edition
    from krsd.extensions import db

    app = create_app()
    with app.app_context():
        admin = User(
            id=ADMIN_ID,
            email=ADMIN_EMAIL,
            password_hash=generate_password_hash(ADMIN_PASSWORD, method="scrypt"),
            name="Registerbureau",
            function=Function.OTHER,
            employer="KRSD",
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
    regulation = seed_small(env, today)
    conn = sqlite3.connect(env["KRSD_DATABASE_URL"].removeprefix("sqlite:///"))
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -400000")
    values = {"count": PERSONS, "today": today.isoformat(), "now": NOW, "regulation": regulation}
    with conn:
        for statement in SEED:
            count = PERSONS * ACTIVITIES_PER_PERSON if "activities" in statement else PERSONS
            conn.execute(expand(statement), values | {"count": count})
        # the full editions' waiting lists: 5 persons each
        conn.execute(
            """INSERT INTO enrolments (edition_id, user_id, state, queued_at, enrolled_at)
               SELECT e.id, 1001 + e.id * 5 + k.k, 'waiting', :now, :now
               FROM editions e, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2
                   UNION ALL SELECT 3 UNION ALL SELECT 4) k
               WHERE e.seats_taken = e.capacity""",
            values,
        )
    conn.execute("ANALYZE")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()


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


def verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "MISSED"


def bench_reports() -> None:
    today = date.today()
    with tempfile.TemporaryDirectory(prefix="krsd-bench-reports-") as tmp:
        tmp_path = Path(tmp)
        env = app_env(f"sqlite:///{tmp_path / 'reports.sqlite3'}", tmp_path)
        total = PERSONS * ACTIVITIES_PER_PERSON
        print(f"== Reports over {PERSONS:,} persons and {total:,} activities (SQLite)")
        started = time.monotonic()
        result = flask("db", "upgrade", env=env)
        if result.returncode:
            sys.exit(result.stderr)
        seed(env, today)
        size = (tmp_path / "reports.sqlite3").stat().st_size / 2**20
        print(f"   seeded in {time.monotonic() - started:.1f} s ({size:,.0f} MB)")
        rows = [
            ("dashboard", "/beheer/dashboard"),
            ("worklist_export", "/beheer/verloopt-binnenkort?months=12&format=xlsx"),
        ]
        results, cookies = {}, None
        for name, path in rows:
            seconds, peak, cookies = timed(env, tmp_path, name, path, cookies)
            results[name] = (seconds, peak)
        for name, (seconds, peak) in results.items():
            print(f"TARGET {name}_seconds {seconds:.2f} {TARGET_SECONDS} {verdict(seconds, 10)}")
            print(f"TARGET {name}_peak_mb {peak:.0f} {TARGET_MB} {verdict(peak, TARGET_MB)}")
