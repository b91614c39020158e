"""make bench ONLY=pages: the busy pages under wrk, next to a trivial route.

Per database: 200,000 certified persons listed in the public register (one in ten called
Jansen) and one professional with a 500-activity portfolio, loaded in bulk; the register's
search terms written by ``reindex_register()``; gunicorn with 4 workers; then
``wrk -t2 -c16 -d8s`` on /gezondheid, /portfolio/ (logged in), /register?q=jansen and
/register?q=KRSD-000012, each after a short warm-up.
"""

import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench_common import (
    DATABASE_LABELS,
    PASSWORD,
    SEED_MOMENT,
    Load,
    Loader,
    Results,
    Row,
    analyze,
    app_environment,
    app_for,
    database,
    fetch,
    logged_in,
    migrate,
    wrk,
)

from tests.servers import gunicorn

PERSONS = 200_000
ACTIVITIES = 500
SECONDS = 8
WARM_UP_SECONDS = 2
OWNER_ID = 1
OWNER_EMAIL = "bench@example.nl"
#: a registration number shown in full (the register's number search)
NUMBER = "KRSD-000012"
NAME_TARGET_RATIO, PORTFOLIO_TARGET_RATIO, P99_TARGET_MS = 35.0, 20.0, 50.0

# fmt: off
FIRST = [
    "Anouk", "Bram", "Fatima", "Şükrü", "Łukasz", "Sanne", "Mohammed", "Eva", "Joris", "Noor",
    "Daan", "Lotte", "Sem", "Julia", "Finn", "Emma", "Lucas", "Sophie", "Milan", "Tess", "Levi",
    "Zoë", "Thijs", "Yara", "Bilal", "Iris", "Ruben", "Lieke", "Youssef", "Fenna",
]
#: one in ten people is called Jansen; the others share these names evenly
OTHER_LAST = [
    "de Vries", "van den Berg", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer",
    "de Wit", "Dijkstra", "Smits", "de Graaf", "van der Meer", "van der Linden", "Kok", "Jacobs",
    "de Haan", "Vermeulen", "van den Heuvel", "van der Veen", "van den Broek", "de Bruijn",
    "de Jong", "Çelik", "Nowak", "Yılmaz", "El Amrani", "Kaya", "Öztürk", "Schouten", "Post",
]
PLACES = [
    "Utrecht", "Amersfoort", "Nijmegen", "Zwolle", "Tilburg", "Groningen", "Leiden", "Almere",
    "Breda", "Arnhem", "Delft", "Enschede", "Haarlem", "Maastricht", "Venlo", "Assen", "Emmen",
    "Leeuwarden", "Gouda", "Zaanstad",
]
# fmt: on
FUNCTIONS = ("leerplichtambtenaar", "doorstroomcoach", "ondersteuner", "other")


def seed(database_url: str, instance: Path, today) -> None:
    """The persons and the portfolio in bulk, then the register's search terms."""
    from werkzeug.security import generate_password_hash

    started = time.monotonic()
    rng = random.Random(7)
    loader = Loader(database_url)
    (regulation,) = loader.execute("SELECT id FROM regulations")[0]
    owner_number = PERSONS + 1
    owner = (
        OWNER_ID,
        owner_number,
        OWNER_EMAIL,
        generate_password_hash(PASSWORD),
        "Bench Professional",
        "Gemeente Bench",
        "leerplichtambtenaar",
        False,
        today - timedelta(days=400),
    )
    people = [owner]
    for n in range(1, PERSONS + 1):
        last = "Jansen" if rng.random() < 0.1 else rng.choice(OTHER_LAST)
        # Certificates started over the last three years, so their ends spread too.
        start = today - timedelta(days=(n * 7919) % 1000)
        people.append(
            (
                1000 + n,
                n,
                f"p{n}@example.nl",
                "x",
                f"{rng.choice(FIRST)} {last}",
                f"Gemeente {rng.choice(PLACES)}",
                FUNCTIONS[n % 4],
                True,
                start,
            )
        )
    loader.stage(
        "bench_people",
        "uid integer, n integer, email text, password_hash text, name text, employer text, "
        "function text, listed boolean, valid_from date, valid_until date, "
        "window_start date, number text, code text",
        (
            (
                *p,
                _shift_years(p[8], 3) - timedelta(days=1),
                _shift_years(p[8], -3),
                f"KRSD-{p[1]:06d}",
                _code(p[1]),
            )
            for p in people
        ),
    )
    # One INSERT ... SELECT per table: the databases do the work, both understand it.
    now = SEED_MOMENT
    loader.execute(
        "INSERT INTO users (id, email, password_hash, name, function, employer, "
        "public_listing_consent, active, created_at, email_confirmed_at) SELECT uid, email, "
        "password_hash, name, function, employer, listed, ?, ?, ? FROM bench_people",
        (True, now, now),
    )
    loader.execute(
        "INSERT INTO user_roles (user_id, role, granted_at) "
        "SELECT uid, 'professional', ? FROM bench_people",
        (now,),
    )
    loader.execute(
        "INSERT INTO registrations (user_id, sequence, number, issued_at) "
        "SELECT uid, n, number, ? FROM bench_people",
        (now,),
    )
    loader.execute(
        "INSERT INTO applications (id, applicant_id, kind, state, window_start, window_end, "
        "regulation_id, submitted_at, queued_at, decided_at) SELECT n, uid, 'initial', "
        "'approved', window_start, valid_from, ?, ?, ?, ? FROM bench_people",
        (regulation, now, now, now),
    )
    loader.execute(
        "INSERT INTO certificates (id, holder_id, application_id, registration_number, "
        "valid_from, valid_until, verification_code, issued_at, holder_name, holder_function, "
        "holder_employer) SELECT n, uid, n, number, valid_from, valid_until, code, ?, name, "
        "function, employer FROM bench_people",
        (now,),
    )
    (jansen,) = loader.execute("SELECT count(*) FROM bench_people WHERE name LIKE '% Jansen'")[0]
    loader.execute("DROP TABLE bench_people")
    loader.insert(
        "activities",
        "owner_id category type title provider activity_date hours reflection verified "
        "created_at updated_at",
        (
            (
                OWNER_ID,
                "free" if k % 4 else "accredited",
                "webinar" if k % 4 else "accredited_course",
                f"Activiteit {k}",
                "Aanbieder",
                today - timedelta(days=k * 2),
                Decimal("1.5"),
                "Geleerd.",
                False,
                now,
                now,
            )
            for k in range(ACTIVITIES)
        ),
    )
    loader.execute("UPDATE registration_counter SET last_value = ?", (owner_number,))
    loader.close()
    print(f"   loaded in {time.monotonic() - started:.1f} s ({jansen:,} called Jansen)", flush=True)

    from krsd.certification.public import reindex_register
    from krsd.extensions import db

    app = app_for(database_url, instance)
    with app.app_context():
        started = time.monotonic()
        reindex_register()
        db.session.commit()
        db.engine.dispose()
    print(f"   reindex_register() and commit: {time.monotonic() - started:.1f} s", flush=True)
    analyze(database_url)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _code(n: int) -> str:
    digits = f"{n:012d}"
    return f"{digits[:4]}-{digits[4:8]}-{digits[8:]}"


def search_plans(database_url: str, instance: Path, today) -> str:
    """The query plan of every query the name search sends."""
    from sqlalchemy import event

    from krsd.certification import public
    from krsd.extensions import db

    sqlite = database_url.startswith("sqlite")
    app = app_for(database_url, instance)
    captured, shown = [], []
    with app.app_context():

        def grab(_conn, _cursor, statement, parameters, _context, _many):
            if statement.lstrip().upper().startswith("SELECT"):  # not SET LOCAL …
                captured.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", grab)
        public.search_register("jansen", 1, today)
        event.remove(db.engine, "before_cursor_execute", grab)
        connection = db.session.connection()
        for number, (statement, parameters) in enumerate(captured, 1):
            explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
            plan = connection.exec_driver_sql(explain + statement, parameters).all()
            shown.append(f"    statement {number} of {len(captured)}:")
            if sqlite:  # rows of (id, parent, _, detail): indent children under parents
                depth = {0: 0}
                for node, parent, _unused, detail in plan:
                    depth[node] = depth.get(parent, 0) + 1
                    shown.append(f"    {'  ' * depth[node]}{detail}")
            else:
                shown.extend(f"      {line}" for (line,) in plan)
        db.session.rollback()
        db.engine.dispose()
    return "\n".join(shown)


def bench_pages(kind: str, results: Results) -> None:
    from krsd.clock import register_today

    label = DATABASE_LABELS[kind]
    today = register_today()
    with (
        tempfile.TemporaryDirectory(prefix="krsd-bench-pages-") as tmp,
        database(kind, "pages", Path(tmp)) as url,
    ):
        tmp_path = Path(tmp)
        env = app_environment(url, tmp_path)
        print(
            f"== Pages on {label}: seeding {PERSONS:,} certified persons and a portfolio "
            f"of {ACTIVITIES} activities",
            flush=True,
        )
        started = time.monotonic()
        migrate(env)
        seed(url, tmp_path, today)
        print(f"   seeded and indexed in {time.monotonic() - started:.1f} s", flush=True)
        print(f"   query plans of the name search ({label}):")
        print(search_plans(url, tmp_path, today), flush=True)
        log = tmp_path / "wrk.log"
        with gunicorn(env, workers=4, log=tmp_path / "gunicorn.log") as base:
            cookie = logged_in(base, OWNER_EMAIL).cookie()
            pages = [
                ("trivial /gezondheid", "/gezondheid", None, "ok"),
                (
                    f"Mijn portfolio ({ACTIVITIES} activities)",
                    "/portfolio/",
                    cookie,
                    "Activiteit 1",
                ),
                ("/register?q=jansen", "/register?q=jansen", None, "Jansen"),
                (f"/register?q={NUMBER}", f"/register?q={NUMBER}", None, NUMBER),
            ]
            loads: dict[str, Load] = {}
            for name, path, page_cookie, expected in pages:
                status, text = fetch(base + path, page_cookie)
                if status != 200 or expected not in text:
                    raise SystemExit(f"{label} {path}: answered {status} without {expected!r}")
                wrk(base + path, WARM_UP_SECONDS, page_cookie)
                loads[path] = load = wrk(base + path, SECONDS, page_cookie, log=log)
                trivial = loads["/gezondheid"].per_second
                results.row(
                    label,
                    Row(
                        name,
                        load.per_second,
                        100 * load.per_second / trivial,
                        load.p50_ms,
                        load.p99_ms,
                        load.non_2xx,
                        f"{load.socket_errors} socket errors" if load.socket_errors else "",
                    ),
                )
                print(
                    f"   {name}: {load.per_second:,.1f} req/s, p50 {load.p50_ms:.1f} ms, "
                    f"p99 {load.p99_ms:.1f} ms, non-2xx {load.non_2xx}",
                    flush=True,
                )
    trivial = loads["/gezondheid"].per_second
    for target, path in (
        ("register_name", "/register?q=jansen"),
        ("register_number", f"/register?q={NUMBER}"),
    ):
        load = loads[path]
        ratio = 100 * load.per_second / trivial
        clean = load.non_2xx == 0 and load.socket_errors == 0
        results.target(
            f"{target}_ratio_{kind}",
            f"{ratio:.1f}%",
            f">={NAME_TARGET_RATIO:.0f}%",
            ratio >= NAME_TARGET_RATIO and clean,
        )
        results.target(
            f"{target}_p99_{kind}",
            f"{load.p99_ms:.1f}ms",
            f"<{P99_TARGET_MS:.0f}ms",
            load.p99_ms < P99_TARGET_MS and clean,
        )
    load = loads["/portfolio/"]
    ratio = 100 * load.per_second / trivial
    results.target(
        f"portfolio_ratio_{kind}",
        f"{ratio:.1f}%",
        f">={PORTFOLIO_TARGET_RATIO:.0f}%",
        ratio >= PORTFOLIO_TARGET_RATIO and load.non_2xx == 0,
    )
