"""The app's own address: absolute links from KRSD_PUBLIC_URL, trusted host names, and
secret links hidden from staff."""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, current_app
from werkzeug.routing import Map

from krsd.config import ConfigurationError

#: a route variable with this name carries a secret (a reset or confirmation token)
SECRET_ARGUMENT = "token"  # noqa: S105 - a route variable's name, not a secret
REDACTED = "[verborgen]"
TRAILING_PUNCTUATION = ".,;:!?)]>'\""


def configure_public_url(app: Flask) -> None:
    """Check PUBLIC_URL and trust its host name besides the configured ones."""
    url = app.config.get("PUBLIC_URL")
    if not url:
        raise ConfigurationError(
            "KRSD_PUBLIC_URL ontbreekt: zet het adres waarop het register bereikbaar is, "
            "bijvoorbeeld KRSD_PUBLIC_URL=https://register.krsd.nl. Alle links in e-mails "
            "en op certificaten worden daarmee gemaakt."
        )
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(
            f"KRSD_PUBLIC_URL={url!r} is geen volledig adres: begin met https:// (of http://) "
            "en noem de hostnaam, bijvoorbeeld https://register.krsd.nl."
        )
    hosts = [*(app.config.get("TRUSTED_HOSTS") or []), parts.hostname]
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys(host.lower() for host in hosts))


def external_url(endpoint: str, **values) -> str:
    """An absolute URL on KRSD_PUBLIC_URL, whatever Host header the request came with."""
    parts = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    return adapter.build(endpoint, values, force_external=True)


_VARIABLE = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


@lru_cache(maxsize=8)
def _secret_link_patterns(url_map: Map) -> tuple[re.Pattern, ...]:
    """For each route with a secret, its path as a pattern whose group 1 is the secret."""
    patterns = []
    for rule in url_map.iter_rules():
        if SECRET_ARGUMENT not in rule.arguments:
            continue
        pattern, end = "", 0
        for match in _VARIABLE.finditer(rule.rule):
            pattern += re.escape(rule.rule[end : match.start()])
            secret = match.group(1) == SECRET_ARGUMENT
            pattern += r"([^\s/?#]+)" if secret else r"(?:[^\s/?#]+)"
            end = match.end()
        patterns.append(re.compile(pattern + re.escape(rule.rule[end:])))
    return tuple(patterns)


def redact_secret_links(text: str, url_map: Map | None = None) -> str:
    """The text with the token of every secret link (a route with a ``<token>``) hidden.

    Used where staff read mail (the outbox); the message itself keeps the real link.
    """

    def hide(match: re.Match) -> str:
        secret = match.group(1)
        # Punctuation after a link in a sentence is not part of it; dots inside are.
        trailing = secret[len(secret.rstrip(TRAILING_PUNCTUATION)) :]
        start, end = match.start(1) - match.start(), match.end(1) - match.start()
        return match.group(0)[:start] + REDACTED + trailing + match.group(0)[end:]

    for pattern in _secret_link_patterns(url_map or current_app.url_map):
        text = pattern.sub(hide, text)
    return text
