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
    RoleName.PROFESSIONAL: (
        MenuItem("Mijn portfolio", "portfolio.dashboard"),
        MenuItem("Certificering", "certification.overview"),
        MenuItem("Cursussen", "courses.catalogue"),
        MenuItem("Mijn inschrijvingen", "courses.my_enrolments"),
        MenuItem("Leergang", "courses.leergang"),
        MenuItem("Agenda", "courses.calendar_settings"),
    ),
    RoleName.TRAINER: (
        MenuItem("Mijn cursussen", "courses.my_courses"),
        MenuItem("Agenda", "courses.calendar_settings"),
    ),
    RoleName.REVIEWER: (MenuItem("Commissie: wachtrij", "certification.queue"),),
    RoleName.ADMIN: (
        MenuItem("Dashboard", "admin.dashboard"),
        MenuItem("Aanvragen", "certification.queue"),
        MenuItem("Geaccrediteerde opleidingen", "courses.accredited"),
        MenuItem("Accreditatieaanvragen", "courses.accreditation_requests"),
        MenuItem("Reglement", "admin.regulations"),
        MenuItem("Accounts en rollen", "admin.users"),
        MenuItem("Naamswijzigingen", "admin.name_changes_list"),
        MenuItem("Certificaten", "admin.certificates"),
        MenuItem("Verloopt binnenkort", "admin.worklist"),
        MenuItem("Uitstelverzoeken", "admin.extension_requests"),
        MenuItem("Verwijderverzoeken", "privacy.erasure_requests"),
        MenuItem("Auditlog", "admin.audit_log"),
        MenuItem("Uitgaande e-mail", "admin.outbox"),
    ),
}


def menu_for(user) -> list[MenuSection]:
    """The sections of the navigation for ``user``, one per role held, in a fixed order."""
    if not getattr(user, "is_authenticated", False):
        return []
    sections, seen = [], set()
    for role in RoleName:
        if user.has_role(role):
            items = tuple(i for i in MENUS[role] if i.endpoint not in seen)
            seen.update(i.endpoint for i in items)
            sections.append(MenuSection(role, ROLE_LABELS[role], items))
    return sections
