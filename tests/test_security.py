from krsd import create_app
from krsd.config import TestConfig


def test_security_headers_on_every_page(browser):
    response = browser.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_in_production(app, browser, monkeypatch):
    monkeypatch.setitem(app.config, "HSTS", True)
    assert "max-age=" in browser.get("/").headers["Strict-Transport-Security"]


def test_pages_have_no_inline_script_or_style(browser, make_user):
    make_user(email="prof@example.nl")
    browser.login("prof@example.nl")
    for url in ("/", "/account/wachtwoord"):
        html = browser.get(url).get_data(as_text=True)
        assert "<script>" not in html and "<style" not in html and "style=" not in html


def test_404_page_is_dutch(browser):
    response = browser.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.get_data(as_text=True)


def test_500_page_is_dutch_without_a_stack_trace(tmp_path):
    config = type(
        "Cfg",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}", "INSTANCE_PATH": tmp_path},
    )
    app = create_app(config)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/kapot")
    def broken():
        raise RuntimeError("geheime interne details")

    response = app.test_client().get("/kapot")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Er ging iets mis" in html
    assert "geheime interne details" not in html and "Traceback" not in html


def test_a_random_secret_key_is_made_once_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("KRSD_SECRET_KEY", raising=False)
    config = type(
        "Cfg",
        (TestConfig,),
        {
            "SECRET_KEY": None,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.db'}",
            "INSTANCE_PATH": tmp_path,
        },
    )
    first = create_app(config).config["SECRET_KEY"]
    second = create_app(config).config["SECRET_KEY"]
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
