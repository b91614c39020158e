"""Test helpers for the second factor: codes computed with pyotp at this very moment."""

import re

import pyotp
from sqlalchemy import select

from krsd.auth.models import SecondFactor, User
from krsd.auth.rules import TOTP_STEP_SECONDS
from krsd.auth.services import normalise_email
from krsd.database import utcnow
from krsd.extensions import db

ENROL_PATH = "/inloggen/app-koppelen"
CODE_PATH = "/inloggen/code"
SECRET_RE = re.compile(r'id="totp-secret">([A-Z2-7 ]+)<')
RECOVERY_RE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")

#: recovery codes shown at enrolment, per secret: the way in once every TOTP step is used
_spare_codes: dict[str, list[str]] = {}


def current_step() -> int:
    return int(utcnow().timestamp() // TOTP_STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret).at(step * TOTP_STEP_SECONDS)


def secret_on_page(html: str) -> str:
    match = SECRET_RE.search(html)
    assert match, "no TOTP secret on the enrolment page"
    return match.group(1).replace(" ", "")


def recovery_codes_on_page(html: str, secret: str | None = None) -> list[str]:
    codes = RECOVERY_RE.findall(html)
    if secret:
        _spare_codes[secret] = list(codes)
    return codes


def stored_factor(email: str) -> tuple[str, int | None]:
    """The secret and last used step in the database, read without holding a transaction."""
    db.session.rollback()
    try:
        user_id = db.session.scalar(select(User.id).where(User.email == normalise_email(email)))
        factor = db.session.get(SecondFactor, user_id)
        assert factor is not None, f"{email} has no linked app"
        return factor.totp_secret, factor.last_used_step
    finally:
        db.session.rollback()


def fresh_code(email: str) -> str:
    """A code the server accepts now: the oldest unused step in the window, else a recovery code.

    The tests' clock starts at the same moment in every test, so a test that logs in one
    person three times within 30 seconds has used every step of the window.
    """
    secret, last_used = stored_factor(email)
    now = current_step()
    for step in (now, now + 1):
        if last_used is None or step > last_used:
            return code_at(secret, step)
    spare = _spare_codes.get(secret)
    assert spare, f"every TOTP step for {email} is used and no recovery code is known"
    return spare.pop()


def pass_in_chromium(page, email: str) -> None:
    """After the password in Chromium (Playwright): link the app or type a fresh code.

    The live server runs in this process, so the code is computed here at this moment.
    """
    page.wait_for_url(re.compile(r"/(inloggen/(code|app-koppelen))?(\?.*)?$"))
    if page.url.endswith(ENROL_PATH):
        secret = page.locator("#totp-secret").inner_text().replace(" ", "")
        page.get_by_label("Code").fill(code_at(secret, current_step()))
        page.get_by_role("button", name="Koppelen en inloggen").click()
        _spare_codes[secret] = page.locator(".recovery-codes code").all_inner_texts()
        page.get_by_role("link", name="Ik heb de codes bewaard").click()
    elif page.url.endswith(CODE_PATH):
        page.get_by_label("Code").fill(fresh_code(email))
        page.get_by_role("button", name="Inloggen").click()
