"""KRSD — Kwaliteitsregister Sociaal Domein."""

import os
import secrets
from pathlib import Path

from flask import Flask
from werkzeug.routing import IntegerConverter

from krsd import paths
from krsd.config import config_from_environment
from krsd.extensions import babel, csrf, db, limiter, login_manager, migrate
from krsd.navigation import menu_for
from krsd.storage_backends import configure_storage
from krsd.urls import configure_public_url


def create_app(config=None) -> Flask:
    """Build the app; ``config`` is a config class or a mapping of overrides."""
    app = Flask(
        __name__,
        template_folder=str(paths.TEMPLATES),
        static_folder=str(paths.STATIC),
    )
    app.config.from_object(config_from_environment())
    if isinstance(config, type):
        app.config.from_object(config)
    elif config:
        app.config.update(config)
    _ensure_secret_key(app)
    configure_public_url(app)  # refuses to start without KRSD_PUBLIC_URL
    configure_storage(app)  # refuses to start with KRSD_STORAGE settings that cannot work

    register_extensions(app)
    app.url_map.converters["int"] = IdConverter
    register_blueprints(app)
    register_signals(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _ensure_secret_key(app: Flask) -> None:
    """Without KRSD_SECRET_KEY, make a random key once and keep it in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    instance = Path(app.config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = key_file.read_text().strip()


class IdConverter(IntegerConverter):
    """``<int:…>`` in a URL: a number beyond a database id (32 bits) is a 404, not an overflow."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def register_extensions(app: Flask) -> None:
    from krsd.database import configure_sqlite, render_migration_item, watch_writes
    from krsd.formatting import DEFAULT_LOCALE, DEFAULT_TIMEZONE, register_filters
    from krsd.security import register_security
    from krsd.sessions import IdleTimeoutSessionInterface

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(paths.MIGRATIONS),
        render_as_batch=True,
        render_item=render_migration_item,
    )
    login_manager.init_app(app)
    app.session_interface = IdleTimeoutSessionInterface()
    login_manager.session_protection = "basic"
    csrf.init_app(app)
    babel.init_app(app, default_locale=DEFAULT_LOCALE, default_timezone=DEFAULT_TIMEZONE)
    limiter.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        watch_writes(db.engine)
    register_security(app)
    register_filters(app)

    app.context_processor(lambda: {"menu_for": menu_for})


def register_blueprints(app: Flask) -> None:
    # Views are imported here, not in the blueprints' __init__, so nothing imports in a cycle.
    from krsd.admin import bp as admin_bp
    from krsd.admin import certificate_views as _certificate_views  # noqa: F401
    from krsd.admin import dashboard_views as _dashboard_views  # noqa: F401
    from krsd.admin import extension_views as _admin_extension_views  # noqa: F401
    from krsd.admin import name_change_views as _name_change_views  # noqa: F401
    from krsd.admin import regulation_views as _regulation_views  # noqa: F401
    from krsd.admin import views as _admin_views  # noqa: F401
    from krsd.admin import worklist_views as _worklist_views  # noqa: F401
    from krsd.auth import access as _access  # noqa: F401
    from krsd.auth import bp as auth_bp
    from krsd.auth import confirmation_views as _confirmation_views  # noqa: F401
    from krsd.auth import views as _auth_views  # noqa: F401
    from krsd.certification import appeal_views as _appeal_views  # noqa: F401
    from krsd.certification import bp as certification_bp
    from krsd.certification import commission_views as _commission_views  # noqa: F401
    from krsd.certification import extension_views as _extension_views  # noqa: F401
    from krsd.certification import public_views as _public_views  # noqa: F401
    from krsd.certification import views as _certification_views  # noqa: F401
    from krsd.courses import accreditation_views as _accreditation_views  # noqa: F401
    from krsd.courses import attendance_views as _attendance_views  # noqa: F401
    from krsd.courses import bp as courses_bp
    from krsd.courses import calendar_views as _calendar_views  # noqa: F401
    from krsd.courses import edition_views as _edition_views  # noqa: F401
    from krsd.courses import enrolment_views as _enrolment_views  # noqa: F401
    from krsd.courses import leergang_views as _leergang_views  # noqa: F401
    from krsd.courses import public_catalogue_views as _public_catalogue_views  # noqa: F401
    from krsd.courses import trainer_views as _trainer_views  # noqa: F401
    from krsd.courses import views as _courses_views  # noqa: F401
    from krsd.main import accessibility_views as _accessibility_views  # noqa: F401
    from krsd.main import bp as main_bp
    from krsd.main import views as _main_views  # noqa: F401
    from krsd.portfolio import bp as portfolio_bp
    from krsd.portfolio import evidence_views as _evidence_views  # noqa: F401
    from krsd.portfolio import print_views as _print_views  # noqa: F401
    from krsd.portfolio import views as _portfolio_views  # noqa: F401
    from krsd.privacy import bp as privacy_bp
    from krsd.privacy import views as _privacy_views  # noqa: F401

    for blueprint in (main_bp, auth_bp, admin_bp, portfolio_bp, courses_bp, certification_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(privacy_bp)


def register_signals(app: Flask) -> None:
    """Connect the receivers through which a lower package makes a higher one react."""
    from krsd.auth.signals import profile_changed
    from krsd.certification.public import on_profile_changed
    from krsd.certification.registration_lookup import registration_numbers_for
    from krsd.courses.signals import registration_numbers_wanted, result_changed
    from krsd.portfolio.course_credits import on_result_changed

    # Module-level signals: connecting the same function again (a second app) is a no-op.
    profile_changed.connect(on_profile_changed)
    # A course result credits the portfolio; the register lends the courses its numbers.
    result_changed.connect(on_result_changed)
    registration_numbers_wanted.connect(registration_numbers_for)


def register_errorhandlers(app: Flask) -> None:
    from krsd.auth import drafts
    from krsd.security import register_errorhandlers as register

    register(app)
    drafts.register(app)  # after the CSRF handler it wraps


def register_commands(app: Flask) -> None:
    from krsd.cli import krsd_cli

    app.cli.add_command(krsd_cli)
