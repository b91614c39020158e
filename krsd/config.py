"""Configuration, read from KRSD_* environment variables."""

import os
from datetime import timedelta
from pathlib import Path

from krsd.paths import DEFAULT_INSTANCE


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(f"KRSD_{name}")
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "ja"}


def _env_int(name: str, default: int) -> int:
    value = _env(name)
    return int(value) if value is not None else default


def _env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list, e.g. KRSD_TRUSTED_HOSTS=krsd.nl,www.krsd.nl."""
    value = _env(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


class ConfigurationError(RuntimeError):
    """A setting the app cannot run without is missing or wrong; the message names it."""


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Defaults for development; every value can be overridden from the environment."""

    INSTANCE_PATH = Path(_env("INSTANCE_PATH", str(DEFAULT_INSTANCE)))
    SECRET_KEY = _env("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalise_database_url(
        _env("DATABASE_URL", f"sqlite:///{INSTANCE_PATH / 'krsd.sqlite3'}")
    )
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    UPLOAD_FOLDER = Path(_env("UPLOAD_FOLDER", str(INSTANCE_PATH / "uploads")))
    #: where evidence files are stored: "local" (UPLOAD_FOLDER, one machine) or "s3" (shared);
    #: with s3, UPLOAD_FOLDER only stages uploads on the machine that receives them
    STORAGE = _env("STORAGE", "local")
    S3_BUCKET = _env("S3_BUCKET")
    #: key prefix inside the bucket
    S3_PREFIX = _env("S3_PREFIX", "evidence/")
    #: for MinIO, Ceph and other S3-compatible stores; empty for AWS itself
    S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
    S3_REGION = _env("S3_REGION")
    #: empty: boto3's own chain (AWS_* variables, an instance role)
    S3_ACCESS_KEY_ID = _env("S3_ACCESS_KEY_ID")
    S3_SECRET_ACCESS_KEY = _env("S3_SECRET_ACCESS_KEY")
    #: largest evidence file; a larger one gets a message on the form
    MAX_UPLOAD_BYTES = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
    MAX_FILES_PER_REQUEST = _env_int("MAX_FILES_PER_REQUEST", 10)  # more get a Dutch message
    #: years evidence files and inactive accounts are kept after their cycle (privacy, AVG)
    RETENTION_YEARS = _env_int("RETENTION_YEARS", 7)
    #: largest request body (several files at once); a larger one gets the Dutch 413 page
    MAX_CONTENT_LENGTH = _env_int("MAX_REQUEST_MB", 25) * 1024 * 1024
    #: form text fields may be long enough to get a message instead of a 413
    MAX_FORM_MEMORY_SIZE = 2 * 1024 * 1024

    # Mail: with no KRSD_MAIL_SERVER every message stays in the outbox in the app.
    MAIL_SERVER = _env("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_SENDER = _env("MAIL_SENDER", "KRSD Registerbureau <noreply@krsd.nl>")

    # Sessions: idle timeout through the signed cookie's age, hard limit server-side.
    SESSION_COOKIE_NAME = "krsd_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", False)
    SESSION_REFRESH_EACH_REQUEST = True
    PERMANENT_SESSION_LIFETIME = timedelta(minutes=_env_int("IDLE_TIMEOUT_MINUTES", 30))
    SESSION_MAX_HOURS = _env_int("SESSION_MAX_HOURS", 12)
    HSTS = _env_bool("HSTS", False)

    #: TrueType fonts embedded in PDFs (Debian package fonts-dejavu-core)
    PDF_FONT_DIR = Path(_env("PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
    #: requests per minute per address on the public register and verification pages
    PUBLIC_RATE_PER_MINUTE = _env_int("PUBLIC_RATE_PER_MINUTE", 30)
    #: reset links per hour for one e-mail address, and from one client address
    RESET_LIMIT_PER_EMAIL = _env("RESET_LIMIT_PER_EMAIL", "5 per hour")
    RESET_LIMIT_PER_ADDRESS = _env("RESET_LIMIT_PER_ADDRESS", "20 per hour")
    #: registrations per hour from one client address that hit an existing e-mail address
    REGISTRATION_LIMIT_PER_ADDRESS = _env("REGISTRATION_LIMIT_PER_ADDRESS", "10 per hour")
    #: where the rate limits are counted: memory:// for one process, redis://host:port for all
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "sliding-window-counter"
    #: Redis unreachable: count in this process's memory instead of failing the page, and
    #: give up on a slow Redis quickly (krsd/limits.py does the same for its budgets)
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    #: the address in every link the app writes (mail, QR code, verification link)
    PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
    #: host names requests may use besides the PUBLIC_URL's; others get a 400
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS", ["127.0.0.1", "localhost"])
    #: proxies in front of the app (e.g. 1 behind nginx); their X-Forwarded-For is believed
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    #: failed logins per account, and per account from one address, within the window
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    #: failed logins from one address over all accounts (an office behind one NAT address)
    LOGIN_MAX_FAILURES_PER_ADDRESS = _env_int("LOGIN_MAX_FAILURES_PER_ADDRESS", 100)
    LOGIN_WINDOW_MINUTES = _env_int("LOGIN_WINDOW_MINUTES", 15)
    PASSWORD_RESET_MINUTES = _env_int("PASSWORD_RESET_MINUTES", 60)
    #: how long the link that confirms a new account's e-mail address works
    EMAIL_CONFIRMATION_HOURS = _env_int("EMAIL_CONFIRMATION_HOURS", 24)
    #: a self-registered account never confirmed is removed by the daily job after this
    UNCONFIRMED_ACCOUNT_DAYS = _env_int("UNCONFIRMED_ACCOUNT_DAYS", 7)
    #: new confirmation links per hour for one e-mail address, and from one client address
    CONFIRMATION_LIMIT_PER_EMAIL = _env("CONFIRMATION_LIMIT_PER_EMAIL", "5 per hour")
    CONFIRMATION_LIMIT_PER_ADDRESS = _env("CONFIRMATION_LIMIT_PER_ADDRESS", "20 per hour")
    #: where people reach the registerbureau, e.g. about an accessibility problem
    SUPPORT_EMAIL = _env("SUPPORT_EMAIL", "registerbureau@krsd.nl")

    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class ProductionConfig(Config):
    """Production: secure cookies and HSTS unless explicitly switched off."""

    SESSION_COOKIE_SECURE = _env_bool("SECURE_COOKIES", True)
    HSTS = _env_bool("HSTS", True)
    PREFERRED_URL_SCHEME = "https"
    #: required: the app refuses to start without KRSD_PUBLIC_URL
    PUBLIC_URL = _env("PUBLIC_URL")
    TRUSTED_HOSTS = _env_list("TRUSTED_HOSTS", [])
    #: every gunicorn worker counts in the same Redis (Debian's redis-server listens here)
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379")


class TestConfig(Config):
    """Tests: CSRF stays on, a database from KRSD_TEST_DATABASE_URL."""

    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SERVER_NAME = "localhost"
    # Tests share one app: a test that checks a limit sets its own.
    PUBLIC_RATE_PER_MINUTE = 100_000
    RESET_LIMIT_PER_EMAIL = RESET_LIMIT_PER_ADDRESS = "100000 per hour"
    REGISTRATION_LIMIT_PER_ADDRESS = "100000 per hour"
    CONFIRMATION_LIMIT_PER_EMAIL = CONFIRMATION_LIMIT_PER_ADDRESS = "100000 per hour"
    RATELIMIT_STORAGE_URI = "memory://"
    PUBLIC_URL = "http://localhost"
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
    TRUSTED_PROXIES = 0


def config_from_environment() -> type[Config]:
    return ProductionConfig if _env("ENV", "development") == "production" else Config
