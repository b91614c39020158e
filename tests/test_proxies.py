"""Behind KRSD_TRUSTED_PROXIES hops the client's address comes from X-Forwarded-For."""

import pytest
from sqlalchemy import select

from krsd import create_app
from krsd.audit import AuditEntry
from krsd.config import TestConfig
from krsd.extensions import db
from tests.conftest import Browser

CLIENT = "203.0.113.9"


@pytest.fixture
def app_behind_proxy(app):
    """A second app on the same test database, configured for one proxy in front."""
    config = type(
        "ProxiedConfig",
        (TestConfig,),
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "INSTANCE_PATH": app.config["INSTANCE_PATH"],
            "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
            "TRUSTED_PROXIES": 1,
        },
    )
    proxied = create_app(config)
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def _reset_request_ip(browser) -> str | None:
    response = browser.submit(
        "/wachtwoord-vergeten",
        {"email": "niemand@example.nl"},
        headers={"X-Forwarded-For": CLIENT},
    )
    assert response.status_code == 302
    return db.session.scalar(
        select(AuditEntry.ip).where(AuditEntry.action == "auth.reset_requested_unknown")
    )


def test_behind_one_trusted_proxy_the_audit_log_records_the_client(app_behind_proxy):
    assert _reset_request_ip(Browser(app_behind_proxy.test_client())) == CLIENT


def test_without_a_trusted_proxy_the_header_is_ignored(browser):
    assert _reset_request_ip(browser) == "127.0.0.1"


def test_behind_one_proxy_only_the_address_it_adds_counts(app_behind_proxy):
    # A client that sends its own X-Forwarded-For cannot push a made-up address past the
    # proxy: the proxy appends the real one, and only the last hop is trusted.
    browser = Browser(app_behind_proxy.test_client())
    response = browser.submit(
        "/wachtwoord-vergeten",
        {"email": "niemand@example.nl"},
        headers={"X-Forwarded-For": f"198.51.100.1, {CLIENT}"},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(AuditEntry.ip)) == CLIENT
