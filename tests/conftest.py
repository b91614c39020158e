"""Fixtures: one migrated database per run, emptied after every test."""

import os
import re
from contextlib import contextmanager
from pathlib import Path

import flask_migrate
import pytest
import time_machine
from flask.globals import _cv_app
from sqlalchemy import event, insert, select

from krsd import create_app
from krsd.auth.models import User
from krsd.auth.rules import Function, RoleName
from krsd.auth.services import Registration, create_user
from krsd.config import TestConfig, normalise_database_url
from krsd.extensions import db
from tests import second_factor
from tests.clock import FROZEN_NOW

PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def test_database_url(tmp_dir: Path) -> str:
    url = os.environ.get("KRSD_TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    return f"sqlite:///{tmp_dir / 'krsd-test.sqlite3'}"


def _database_label() -> str:
    url = os.environ.get("KRSD_TEST_DATABASE_URL")
    if url:
        return f"KRSD test database: PostgreSQL ({url.split('@')[-1]})"
    return "KRSD test database: SQLite (temporary file)"


def pytest_report_header(config):
    return _database_label()


def pytest_terminal_summary(terminalreporter):
    terminalreporter.write_line(_database_label())


@pytest.fixture(autouse=True)
def register_clock(request):
    """Every test runs at FROZEN_NOW (the clock ticks on from there); a test moves it with
    ``register_clock.move_to(...)``. Tests that start other processes (marked slow or
    real_clock) keep the real clock, because those processes do."""
    if request.node.get_closest_marker("slow") or request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(FROZEN_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(scope="session")
def base_app(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("krsd")
    config = type(
        "RunConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": test_database_url(tmp),
            "INSTANCE_PATH": tmp,
            "UPLOAD_FOLDER": tmp / "uploads",
        },
    )
    app = create_app(config)
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            db.metadata.drop_all(conn)
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        flask_migrate.upgrade()
        # Rows the migrations put in (reference data) come back after every test.
        with db.engine.connect() as conn:
            app.extensions["krsd_reference_rows"] = {
                table: [dict(row) for row in conn.execute(select(table)).mappings()]
                for table in db.metadata.sorted_tables
            }
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def _audit_log_writable(conn):
    """The audit log refuses DELETE (database triggers); emptying the tables after a test
    lifts that inside the cleanup's own transaction only."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("ALTER TABLE audit_entries DISABLE TRIGGER USER")
        yield
        conn.exec_driver_sql("ALTER TABLE audit_entries ENABLE TRIGGER USER")
        return
    triggers = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_entries'"
    ).all()
    for name, _sql in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _name, sql in triggers:
        conn.exec_driver_sql(sql)


def empty_database(base_app) -> None:
    """Delete every row, then put back the reference rows of the migrations (in an app context)."""
    db.session.remove()
    reference = base_app.extensions["krsd_reference_rows"]
    with db.engine.begin() as conn, _audit_log_writable(conn):
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
        for table in db.metadata.sorted_tables:
            if reference.get(table):
                conn.execute(insert(table), reference[table])


@pytest.fixture
def app(base_app):
    with base_app.app_context():
        yield base_app
        empty_database(base_app)


@contextmanager
def own_app_context():
    """Let a test-client request run in an app context of its own, as in production.

    The test keeps its own app context (for factories and queries); without this,
    requests would share its ``g`` and database session. The test's open
    transaction is ended first so that it holds no lock and sees fresh rows after.
    """
    db.session.rollback()
    token = _cv_app.set(None)
    try:
        yield
    finally:
        _cv_app.reset(token)


class Browser:
    """A test client that fills in forms as a person would, CSRF token included."""

    def __init__(self, client):
        self.client = client

    def open(self, *args, **kwargs):
        with own_app_context():
            return self.client.open(*args, **kwargs)

    def get(self, url, **kwargs):
        return self.open(url, method="GET", **kwargs)

    def post(self, url, **kwargs):
        return self.open(url, method="POST", **kwargs)

    def csrf_token(self, url: str) -> str:
        page = self.get(url)
        match = CSRF_RE.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {url} ({page.status_code})"
        return match.group(1)

    def submit(self, url: str, data: dict | None = None, form_url: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(form_url or url))
        return self.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = PASSWORD, **kwargs):
        """Log in; reviewers and admins pass the second factor too (the app linked if needed)."""
        response = self.submit("/inloggen", {"email": email, "password": password}, **kwargs)
        if kwargs.get("follow_redirects"):
            step = response.request.path
        else:
            step = response.headers.get("Location", "") if response.status_code == 302 else ""
        if step.startswith((second_factor.ENROL_PATH, second_factor.CODE_PATH)):
            return self.pass_second_factor(email, **kwargs)
        return response

    def pass_second_factor(self, email: str, **kwargs):
        """At the second step of a login: link the app from the secret on the page and show
        the recovery codes, or give a fresh code for the secret in the database."""
        page = self.get(second_factor.ENROL_PATH)
        if page.status_code == 200:
            secret = second_factor.secret_on_page(page.get_data(as_text=True))
            code = second_factor.code_at(secret, second_factor.current_step())
            response = self.submit(second_factor.ENROL_PATH, {"code": code}, **kwargs)
            second_factor.recovery_codes_on_page(response.get_data(as_text=True), secret)
            return response
        code = second_factor.fresh_code(email)
        return self.submit(second_factor.CODE_PATH, {"code": code}, **kwargs)

    def logout(self):
        return self.submit("/uitloggen", form_url="/")

    def queries_for(self, url: str) -> int:
        """How many SQL statements a successful GET of ``url`` runs."""
        statements = []

        def count(*_args, **_kwargs):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert self.get(url).status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)


@pytest.fixture
def browser(app):
    return Browser(app.test_client())


@pytest.fixture
def make_browser(app):
    return lambda: Browser(app.test_client())


@pytest.fixture
def make_user(app):
    """Create a user: ``make_user(roles={RoleName.ADMIN}, email=...)``."""
    counter = iter(range(1, 10_000))

    def make(
        roles=frozenset({RoleName.PROFESSIONAL}),
        email: str | None = None,
        name: str | None = None,
        password: str = PASSWORD,
        **fields,
    ) -> User:
        n = next(counter)
        data = Registration(
            name=name or f"Persoon {n}",
            email=email or f"persoon{n}@example.nl",
            password=password,
            function=fields.pop("function", Function.LEERPLICHTAMBTENAAR),
            # Each person their own employer unless a test says otherwise: colleagues (the
            # same employer) are a conflict of interest for the commission.
            employer=fields.pop("employer", f"Gemeente Testdorp {n}"),
            public_listing_consent=fields.pop("public_listing_consent", True),
        )
        user = create_user(data, set(roles))
        db.session.commit()
        return user

    return make
