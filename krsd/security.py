"""HTTP security headers, trusted proxies and the Dutch error pages."""

from html import escape

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from krsd.database import write_intent, wrote
from krsd.extensions import db

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

ERRORS = {
    400: ("Ongeldig verzoek", "Uw browser stuurde een verzoek dat wij niet begrijpen."),
    403: (
        "Geen toegang",
        "U heeft niet de rol die nodig is voor deze pagina. Denkt u dat dit niet klopt, "
        "neem dan contact op met het registerbureau.",
    ),
    404: (
        "Pagina niet gevonden",
        "Deze pagina bestaat niet (meer) of u heeft er geen toegang toe.",
    ),
    405: ("Niet toegestaan", "Deze pagina kan niet op deze manier worden gebruikt."),
    413: (
        "Bestand te groot",
        "Het bestand dat u wilde versturen is groter dan toegestaan. Er is niets opgeslagen.",
    ),
    429: (
        "Te veel verzoeken",
        "U heeft in korte tijd te veel verzoeken gedaan. Wacht even en probeer het opnieuw.",
    ),
    500: (
        "Er ging iets mis",
        "Er is een fout opgetreden aan onze kant. Er is niets half opgeslagen; probeer het "
        "later opnieuw.",
    ),
}


def _error_page(code: int, message: str | None = None):
    title, default = ERRORS[code]
    return render_template(
        "errors/error.html", code=code, title=title, message=message or default
    ), code


def trust_proxies(app: Flask) -> None:
    """Behind KRSD_TRUSTED_PROXIES proxies, take the client's address and scheme from the
    X-Forwarded-For/-Proto headers they add. With 0 (the default) the headers are ignored,
    so nobody can make up an address."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _unknown_host_page():
    # The Host header is not trusted, so no URL can be built: a page without links.
    public_url = escape(current_app.config["PUBLIC_URL"])
    body = (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        "<title>Onbekend adres</title></head><body><h1>Onbekend adres</h1>"
        f'<p>Het KRSD is bereikbaar op <a href="{public_url}">{public_url}</a>.</p>'
        "</body></html>"
    )
    return body, 400, {"Content-Type": "text/html; charset=utf-8"}


def end_read_only_transaction() -> None:
    """End a read-only request's transaction with COMMIT when it wrote nothing.

    For the database that is the same as the ROLLBACK that would follow, but psycopg
    forgets every prepared statement on a rollback: PostgreSQL would parse and plan each
    query of each page anew, which costs more than running most of them. Anything written,
    flushed or left pending keeps the rollback: a read-only request never commits a change.
    """
    session = db.session()  # the request's Session itself (not the scoped proxy)
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if not wrote(session.connection()):
        session.commit()


def register_security(app: Flask) -> None:
    trust_proxies(app)

    @app.before_request
    def _mark_read_only_requests() -> None:
        write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _end_request_transaction(exc) -> None:
        try:
            if exc is None and not write_intent.get():
                end_read_only_transaction()
        finally:
            write_intent.set(True)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        # A view may allow framing by this site only (evidence shown in the review page).
        if headers.get("X-Frame-Options") != "SAMEORIGIN":
            headers["X-Frame-Options"] = "DENY"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint and not request.endpoint.startswith("static"):
            headers.setdefault("Cache-Control", "no-store")
        return response


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def _unknown_host(_error):
        db.session.rollback()
        return _unknown_host_page()

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        db.session.rollback()
        return _error_page(
            400,
            "Het formulier is verlopen of niet vanaf deze site verstuurd. Ga terug, "
            "vernieuw de pagina en probeer het opnieuw.",
        )

    for code in ERRORS:

        def handler(error, code=code):
            db.session.rollback()
            return _error_page(code)

        app.register_error_handler(code, handler)
