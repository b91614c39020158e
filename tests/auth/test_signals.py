"""The accounts package tells higher packages of a change by a signal, never by importing them."""

import ast
from pathlib import Path

from sqlalchemy import select

from krsd.audit import AuditEntry
from krsd.auth import services
from krsd.auth.rules import Function
from krsd.auth.signals import profile_changed
from krsd.extensions import db

AUTH = Path(__file__).resolve().parents[2] / "krsd" / "auth"
HIGHER = ("krsd.portfolio", "krsd.courses", "krsd.certification", "krsd.reports", "krsd.admin")


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_auth_rules_models_and_services_import_no_higher_package():
    # Views may compose the services of several packages; the rest of auth stays below.
    for path in sorted(AUTH.glob("*.py")):
        if path.name == "views.py":
            continue
        higher = {n for n in _imported_modules(path) if n.startswith(HIGHER)}
        assert not higher, f"krsd/auth/{path.name} imports {sorted(higher)}"


def test_update_profile_sends_profile_changed_before_the_commit(make_user):
    user = make_user(name="Anouk Jansen", employer="Gemeente Ede")
    heard = []

    def receiver(sender, **kwargs):
        heard.append((sender, kwargs["changed"]))

    with profile_changed.connected_to(receiver):
        changed = services.update_profile(
            user, services.Profile("Anouk Jansen", Function.OTHER, "Gemeente Zeist", True)
        )
    assert changed == ["employer", "function"]
    assert heard == [(user, {"function": Function.OTHER, "employer": "Gemeente Zeist"})]
    # The caller commits: the change, its audit entry and the receivers' work go together.
    db.session.rollback()
    assert user.employer == "Gemeente Ede"
    assert not db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "auth.profile_changed")
    )


def test_nothing_changed_sends_nothing(make_user):
    user = make_user(name="Anouk Jansen", employer="Gemeente Ede")
    heard = []
    with profile_changed.connected_to(lambda sender, **kw: heard.append(sender)):
        services.update_profile(
            user,
            services.Profile(
                "Anouk Jansen", user.function, "Gemeente Ede", user.public_listing_consent
            ),
        )
    assert heard == []
