"""Rate limits, counted in one store for every worker (Flask-Limiter; the store is
KRSD_RATELIMIT_STORAGE_URI: memory for ``make run``, Redis in production).

Whole pages are limited with a decorator (``public_pages``). Limits that depend on what a
form says, such as the e-mail address typed, are checked by the view with ``spend``.
"""

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from flask import current_app, request
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES

from krsd.extensions import limiter

log = logging.getLogger(__name__)
_fallback = {}


def _strategy():
    """The shared store's strategy; this process's memory while the store cannot be reached.

    A Redis outage must not take the login, reset and register pages down with it: the
    limits then hold per process (as ``make run`` counts them) until Redis answers again.
    Flask-Limiter does the same for the decorated pages (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED).
    """
    return limiter.limiter


def _in_memory():
    name = current_app.config["RATELIMIT_STRATEGY"]
    if name not in _fallback:
        _fallback[name] = STRATEGIES[name](MemoryStorage())
    return _fallback[name]


def _call(method: str, *args):
    try:
        return getattr(_strategy(), method)(*args)
    except Exception as exc:  # redis-py raises its own errors; any store failure counts
        log.warning("rate-limit storage unreachable, counting in memory: %s", exc)
        return getattr(_in_memory(), method)(*args)


def _public_limit() -> str:
    return f"{current_app.config['PUBLIC_RATE_PER_MINUTE']} per minute"


#: the public register and certificate verification share one budget per client address
public_pages = limiter.shared_limit(_public_limit, scope="public")


class Limited(Exception):
    """A budget is used up; ``wait`` says in Dutch how long until it frees up."""

    def __init__(self, seconds: float):
        minutes = max(1, math.ceil(seconds / 60))
        self.wait = "1 minuut" if minutes == 1 else f"{minutes} minuten"
        super().__init__(self.wait)


@dataclass(frozen=True)
class Budget:
    """The limit named by a setting (e.g. ``RESET_LIMIT_PER_EMAIL``) for one key."""

    setting: str
    key: str

    def _args(self):
        # Keys are hashed: the shared store holds no e-mail or IP address.
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        return parse(current_app.config[self.setting]), "krsd", self.setting.lower(), digest

    def available(self) -> bool:
        return _call("test", *self._args())

    def spend(self) -> bool:
        return _call("hit", *self._args())

    def seconds_left(self) -> float:
        stats = _call("get_window_stats", *self._args())
        return max(0.0, stats.reset_time - time.time())


def per_address(setting: str) -> Budget:
    """The budget of the client's address (behind KRSD_TRUSTED_PROXIES: the real client)."""
    return Budget(setting, request.remote_addr or "-")


def per_email(setting: str, email: str) -> Budget:
    return Budget(setting, (email or "").strip().lower())


def check(*budgets: Budget) -> None:
    """Raise ``Limited`` when one of the budgets is used up; spend nothing."""
    for budget in budgets:
        if not budget.available():
            raise Limited(budget.seconds_left())


def spend(*budgets: Budget) -> None:
    """Spend one from every budget, or raise ``Limited`` and spend none."""
    check(*budgets)
    for budget in budgets:
        budget.spend()


def link_request_refused(email: str, setting: str, what: str) -> str | None:
    """Spend a request for a link mailed to ``email`` (``{setting}_PER_EMAIL`` and
    ``{setting}_PER_ADDRESS``); the Dutch refusal when a budget is used up, else None.

    Counted for known and unknown addresses alike: the answer reveals nothing.
    """
    try:
        spend(per_email(f"{setting}_PER_EMAIL", email), per_address(f"{setting}_PER_ADDRESS"))
    except Limited as exc:
        return (
            f"U heeft te vaak {what} aangevraagd voor dit e-mailadres of vanaf dit netwerk. "
            f"Probeer het over {exc.wait} opnieuw; een link die u al ontving, blijft geldig tot "
            "hij verloopt."
        )
    return None
