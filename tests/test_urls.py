"""Absolute URLs come from KRSD_PUBLIC_URL, never from the request's Host header."""

import pytest
from sqlalchemy import func, select

from krsd import create_app
from krsd.config import ConfigurationError, ProductionConfig, TestConfig
from krsd.extensions import db
from krsd.mail import OutboxMessage
from krsd.urls import external_url
from tests.conftest import CSRF_RE
from tests.servers import app_env, flask


def _outbox_bodies() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.body)))


def _request_reset(browser, email, host):
    """Ask for a reset link as a visitor who uses ``host`` for every request."""
    headers = {"Host": host}
    form = browser.get("/wachtwoord-vergeten", headers=headers).get_data(as_text=True)
    token = CSRF_RE.search(form)
    data = {"email": email, "csrf_token": token.group(1) if token else ""}
    return browser.post("/wachtwoord-vergeten", data=data, headers=headers)


def test_a_reset_request_for_a_foreign_host_is_refused_and_mails_nothing(browser, make_user):
    make_user(email="prof@example.nl")
    response = _request_reset(browser, "prof@example.nl", "evil.example")
    assert response.status_code == 400
    assert "evil.example" not in "".join(_outbox_bodies())
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_refusal_of_a_foreign_host_is_dutch_even_without_server_name(app, browser, monkeypatch):
    # Production has no SERVER_NAME: the refusal must not need to build a URL.
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    response = browser.get("/wachtwoord-vergeten", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Onbekend adres" in response.get_data(as_text=True)


def test_the_mailed_link_starts_with_the_public_url_whatever_host_was_used(
    app, browser, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://register.krsd.example/app")
    make_user(email="prof@example.nl")
    # 127.0.0.1 is a trusted host too, but not the public address.
    response = _request_reset(browser, "prof@example.nl", "127.0.0.1:5000")
    assert response.status_code == 302
    (body,) = _outbox_bodies()
    assert "https://register.krsd.example/app/wachtwoord-herstellen/" in body
    assert "127.0.0.1" not in body and "localhost" not in body


def test_external_url_follows_the_public_url_with_a_path(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://register.krsd.example/app/")
    assert (
        external_url("certification.verify", code="ABCD-EFGH-JKMN")
        == "https://register.krsd.example/app/verify/ABCD-EFGH-JKMN"
    )


def test_development_trusts_the_public_host_and_this_machine(app):
    assert set(app.config["TRUSTED_HOSTS"]) == {"localhost", "127.0.0.1"}


def _config(base, tmp_path, **values):
    return type(
        "Cfg",
        (base,),
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "INSTANCE_PATH": tmp_path,
            "SECRET_KEY": "x" * 32,
            # The limiter is one object per process: keep it on memory for the shared app.
            "RATELIMIT_STORAGE_URI": "memory://",
            **values,
        },
    )


def test_production_refuses_to_start_without_a_public_url(tmp_path):
    with pytest.raises(ConfigurationError, match="KRSD_PUBLIC_URL"):
        create_app(_config(ProductionConfig, tmp_path, PUBLIC_URL=None))


@pytest.mark.parametrize(
    "url", ["register.krsd.example", "ftp://register.krsd.example", "https://"]
)
def test_a_public_url_without_scheme_or_host_is_refused(tmp_path, url):
    with pytest.raises(ConfigurationError, match="KRSD_PUBLIC_URL"):
        create_app(_config(TestConfig, tmp_path, PUBLIC_URL=url))


def test_production_trusts_only_the_public_host_and_the_listed_ones(tmp_path):
    app = create_app(
        _config(
            ProductionConfig,
            tmp_path,
            PUBLIC_URL="https://register.krsd.example",
            TRUSTED_HOSTS=["intern.krsd.example"],
        )
    )
    assert set(app.config["TRUSTED_HOSTS"]) == {"register.krsd.example", "intern.krsd.example"}
    with app.app_context():
        db.engine.dispose()


@pytest.mark.real_clock
def test_the_flask_command_in_production_names_the_missing_setting(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'x.db'}", tmp_path, KRSD_ENV="production")
    result = flask("db", "current", env=env)
    assert result.returncode != 0
    assert "KRSD_PUBLIC_URL" in result.stderr
    env["KRSD_PUBLIC_URL"] = "https://register.krsd.example"
    result = flask("db", "current", env=env)
    assert result.returncode == 0, result.stderr
