"""The navigation each role sees: only pages that exist."""

from dataclasses import dataclass

from krsd.auth.rules import ROLE_LABELS, RoleName


@dataclass(frozen=True)
class MenuItem:
    label: str
    endpoint: str


@dataclass(frozen=True)
class MenuSection:
    role: RoleName
    label: str
    items: tuple[MenuItem, ...]


MENUS: dict[RoleName, tuple[MenuItem, ...]] = {
    RoleName.PROFESSIONAL: (),
    RoleName.TRAINER: (),
    RoleName.REVIEWER: (),
    RoleName.ADMIN: (
        MenuItem("Accounts en rollen", "admin.users"),
        MenuItem("Auditlog", "admin.audit_log"),
        MenuItem("Uitgaande e-mail", "admin.outbox"),
    ),
}


def menu_for(user) -> list[MenuSection]:
    """The sections of the navigation for ``user``, one per role held, in a fixed order."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        MenuSection(role, ROLE_LABELS[role], MENUS[role])
        for role in RoleName
        if user.has_role(role)
    ]
