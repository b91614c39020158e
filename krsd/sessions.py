"""The session cookie: idle timeout checked on the server, the cookie kept by the browser.

Flask uses PERMANENT_SESSION_LIFETIME both for the cookie's Expires and for the signed age
it accepts. Here the browser keeps the cookie up to the hard maximum (SESSION_MAX_HOURS),
while the server still refuses a cookie idle for longer than the lifetime (30 minutes):
a form posted after the timeout can then be tied to its author and kept (auth/drafts.py).
"""

from datetime import UTC, datetime, timedelta

from flask.sessions import SecureCookieSessionInterface


class IdleTimeoutSessionInterface(SecureCookieSessionInterface):
    def get_expiration_time(self, app, session):
        if not session.permanent:
            return None
        return datetime.now(UTC) + timedelta(hours=app.config["SESSION_MAX_HOURS"])
