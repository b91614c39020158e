"""The pieces every part of ``make bench`` shares: the two databases, the app's
production-like environment, bulk loading, wrk, logging in, and the results table.

Imported by scripts/bench.py, which puts the repository on sys.path.
"""

import functools
import http.cookiejar
import json
import math
import os
import re
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from tests.servers import app_env, flask

SCRIPTS = Path(__file__).resolve().parent
DATABASES = ("sqlite", "postgresql")
DATABASE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: every bench account shares it; the accounts live in throw-away databases
PASSWORD = "bench-wachtwoord-123"  # noqa: S105
#: the same on the login and on every measured request: Flask-Login's session
#: protection compares it, and a different one would mark the session as not fresh
USER_AGENT = "krsd-bench"
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: a moment for created_at and friends; its only job is to be in the past
SEED_MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


# ---------------------------------------------------------------- results


@dataclass
class Row:
    """One line of a database's table (a page under wrk, or another part's figure)."""

    label: str
    per_second: float | None = None
    of_trivial: float | None = None  # percent
    p50_ms: float | None = None
    p99_ms: float | None = None
    non_2xx: int | None = None
    note: str = ""


@dataclass
class Target:
    name: str
    measured: str
    goal: str
    ok: bool

    def line(self) -> str:
        return f"TARGET {self.name} {self.measured} {self.goal} {'ok' if self.ok else 'MISSED'}"


@dataclass
class Results:
    #: rows per table: "SQLite", "PostgreSQL", or "in process"
    tables: dict[str, list[Row]] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)

    def row(self, table: str, row: Row) -> None:
        self.tables.setdefault(table, []).append(row)

    def target(self, name: str, measured: str, goal: str, ok: bool) -> None:
        target = Target(name, measured, goal, ok)
        self.targets.append(target)
        print(f"   {target.line()}", flush=True)

    def print(self, footer: str = "") -> None:
        """The tables, then ``footer``, then the TARGET lines (the very end of the output)."""
        for table, rows in self.tables.items():
            print(f"\n== {table}")
            print(
                f"   {'page or part':<46} {'req/s':>9} {'of trivial':>10} {'p50':>9} "
                f"{'p99':>9} {'non-2xx':>8}  note"
            )
            for r in rows:
                print(
                    f"   {r.label:<46} {_fmt(r.per_second, '{:,.1f}'):>9} "
                    f"{_fmt(r.of_trivial, '{:.1f} %'):>10} {_fmt(r.p50_ms, '{:,.1f} ms'):>9} "
                    f"{_fmt(r.p99_ms, '{:,.1f} ms'):>9} {_fmt(r.non_2xx, '{:,}'):>8}  {r.note}"
                )
        print(f"\n{footer}" if footer else "")
        for target in self.targets:
            print(target.line())


def _fmt(value, pattern: str) -> str:
    return "–" if value is None else pattern.format(value)


# ---------------------------------------------------------------- databases


def postgres_server() -> str | None:
    """The throw-away server of scripts/with-postgres.sh, if the bench runs inside it."""
    url = os.environ.get("KRSD_TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


@contextmanager
def database(kind: str, name: str, tmp_path: Path) -> Iterator[str]:
    """An empty database for one part: a file, or a new database on the PostgreSQL server
    (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'{name}.sqlite3'}"
        return
    import psycopg

    server = postgres_server()
    if server is None:
        sys.exit("PostgreSQL: start the bench with scripts/with-postgres.sh (make bench does).")
    admin = psycopg.connect(_libpq(server), autocommit=True)
    db_name = f"bench_{name}"
    admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {db_name}")
    try:
        yield server.rsplit("/", 1)[0] + "/" + db_name
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        admin.close()


def app_environment(database_url: str, instance: Path, **extra: str) -> dict:
    """The environment of gunicorn and the flask CLI: the production configuration, with
    the shared Redis of scripts/with-redis.sh for the rate limits. Plain HTTP on 127.0.0.1
    stands in for the TLS proxy, so cookies may travel without TLS; the public register's
    limit is set high enough that the load generator (one address) is never limited."""
    return app_env(
        database_url,
        instance,
        KRSD_ENV="production",
        KRSD_PUBLIC_URL="http://127.0.0.1",
        KRSD_TRUSTED_HOSTS="127.0.0.1",
        KRSD_SECURE_COOKIES="false",
        KRSD_RATELIMIT_STORAGE_URI=os.environ.get("KRSD_TEST_REDIS_URL", "memory://"),
        KRSD_PUBLIC_RATE_PER_MINUTE="100000000",
        KRSD_UPLOAD_FOLDER=str(instance / "uploads"),
        **extra,
    )


def migrate(env: dict) -> None:
    result = flask("db", "upgrade", env=env)
    if result.returncode:
        sys.exit(result.stdout + result.stderr)


def app_for(database_url: str, instance: Path):
    """The app in this process, on ``database_url`` (for seeding through the models)."""
    from krsd import create_app
    from krsd.config import normalise_database_url

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "INSTANCE_PATH": instance,
            "UPLOAD_FOLDER": instance / "uploads",
            "SECRET_KEY": "bench",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


class Loader:
    """Rows straight into tables: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, database_url: str):
        self.sqlite = database_url.startswith("sqlite")
        if self.sqlite:
            self.conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            self.conn.execute("PRAGMA synchronous = OFF")
            self.conn.execute("PRAGMA cache_size = -200000")
        else:
            import psycopg

            self.conn = psycopg.connect(_libpq(database_url))
            # The rows are consistent by construction: no foreign-key trigger per row.
            self.conn.execute("SET session_replication_role = replica")

    def insert(self, table: str, columns: str, rows: Iterable[tuple]) -> None:
        names = columns.split()
        if self.sqlite:
            marks = ",".join("?" * len(names))
            self.conn.executemany(
                f"INSERT INTO {table} ({','.join(names)}) VALUES ({marks})",  # noqa: S608
                rows,
            )
            return
        with (
            self.conn.cursor() as cursor,
            cursor.copy(f"COPY {table} ({','.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def stage(self, table: str, columns: str, rows: Iterable[tuple]) -> None:
        """A temporary table (``columns`` as ``name type, ...``) holding ``rows``, for
        INSERT ... SELECT statements that both databases understand."""
        self.conn.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
        self.insert(table, " ".join(c.split()[0] for c in columns.split(",")), rows)

    def execute(self, sql: str, parameters: tuple = ()) -> list:
        """One statement with ``?`` placeholders on either database."""
        if self.sqlite:
            cursor = self.conn.execute(sql, parameters)
        else:  # without parameters psycopg leaves a % (as in LIKE) alone
            cursor = self.conn.execute(sql.replace("?", "%s"), parameters or None)
        return cursor.fetchall() if cursor.description else []

    def close(self) -> None:
        """Commit; on PostgreSQL move the id sequences past the ids given explicitly."""
        if not self.sqlite:
            tables = self.conn.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = 'id' AND table_schema = 'public'"
            ).fetchall()
            for (table,) in tables:
                (sequence,) = self.conn.execute(
                    "SELECT pg_get_serial_sequence(%s, 'id')", (table,)
                ).fetchone()
                if sequence:
                    self.conn.execute(
                        f"SELECT setval('{sequence}', "  # noqa: S608
                        f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
                    )
        self.conn.commit()
        self.conn.close()


@functools.cache
def _sqlite_moment(value: datetime) -> str:
    # As SQLAlchemy stores a timestamp in SQLite (cached: seeds repeat a few moments).
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


# Called by sqlite3 itself for these types only (ints and strings pass untouched).
sqlite3.register_adapter(datetime, _sqlite_moment)
sqlite3.register_adapter(date, functools.cache(date.isoformat))
sqlite3.register_adapter(Decimal, str)


def analyze(database_url: str) -> None:
    """Fresh planner statistics (and on PostgreSQL the visibility map for index-only scans);
    on SQLite also WAL mode with the log written back, as a server that ran a while has."""
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        conn.execute("ANALYZE")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return
    import psycopg

    with psycopg.connect(_libpq(database_url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def query(database_url: str, sql: str, parameters: tuple = ()) -> list:
    loader = Loader(database_url)
    try:
        return loader.execute(sql, parameters)
    finally:
        loader.conn.close()


# ---------------------------------------------------------------- HTTP


@dataclass
class Session:
    """A client logged in through the login form."""

    opener: urllib.request.OpenerDirector
    jar: http.cookiejar.CookieJar

    def cookie(self) -> str:
        """The Cookie header as the session stands now."""
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def get(self, url: str) -> str:
        return self.opener.open(url, timeout=60).read().decode()


def logged_in(url: str, email: str, password: str = PASSWORD) -> Session:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(url + "/inloggen", timeout=60).read().decode()
    body = urllib.parse.urlencode(
        {"csrf_token": TOKEN_RE.search(page).group(1), "email": email, "password": password}
    ).encode()
    landed = opener.open(url + "/inloggen", data=body, timeout=60).geturl()
    if "/inloggen" in landed:
        sys.exit(f"Bench: logging in as {email} failed (landed on {landed})")
    return Session(opener, jar)


def fetch(url: str, cookie: str | None = None) -> tuple[int, str]:
    """Status and text of one GET (redirects not followed)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *_args, **_kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect())
    headers = {"User-Agent": USER_AGENT} | ({"Cookie": cookie} if cookie else {})
    try:
        request = urllib.request.Request(url, headers=headers)  # noqa: S310 - http://127.0.0.1
        with opener.open(request, timeout=60) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as answer:
        return answer.code, answer.read().decode(errors="replace")


@dataclass(frozen=True)
class Load:
    """What wrk measured for one page."""

    per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    #: answers other than 2xx (a redirect to the login page is a failure here too)
    non_2xx: int
    socket_errors: int


def wrk(url: str, seconds: int, cookie: str | None = None, log: Path | None = None) -> Load:
    """``wrk -t2 -c16 --latency`` on one URL; the numbers from scripts/bench_wrk.lua."""
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    command += ["-s", str(SCRIPTS / "bench_wrk.lua"), "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    result = subprocess.run(  # noqa: S603 - our own arguments
        [*command, url], capture_output=True, text=True, timeout=seconds + 60
    )
    if log is not None:
        with log.open("a") as out:
            out.write(f"$ {' '.join(command)} {url}\n{result.stdout}{result.stderr}\n")
    found = re.search(r"^BENCH-JSON (.*)$", result.stdout, re.MULTILINE)
    if result.returncode or not found:
        sys.exit(f"wrk failed on {url}:\n{result.stdout}{result.stderr}")
    data = json.loads(found[1])
    return Load(
        per_second=data["requests"] / (data["duration_us"] / 1e6),
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        requests=data["requests"],
        non_2xx=data["redirected"] + data["failed"],
        socket_errors=sum(
            data[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")
        ),
    )


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]
