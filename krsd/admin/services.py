"""Registerbureau use cases on accounts: roles and (de)activation."""

from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from krsd import audit
from krsd.auth.models import AuthSession, User, UserRole
from krsd.auth.rules import RoleName
from krsd.auth.services import AccountError, LastAdmin
from krsd.certification.public import refresh_person
from krsd.extensions import db
from krsd.portfolio.models import Regulation


class RegulationError(Exception):
    """A regulation version that cannot be added, changed or removed; the message is Dutch."""


LAST_ADMIN = "Er moet minstens één actief account met de rol Registerbureau blijven."
CONFLICT = "Iemand anders wijzigde dit account op hetzelfde moment. Bekijk het opnieuw."


def _lock_account(user: User) -> None:
    """Lock the account's row and re-read it with its roles, before deciding on a change:
    two changes to one account go one after the other, the second seeing the first.

    ``FOR NO KEY UPDATE``, not ``FOR UPDATE``: the audit entry naming this account as actor
    checks its foreign key with a share lock, which ``FOR UPDATE`` would block (deadlock).
    """
    db.session.execute(
        select(User)
        .where(User.id == user.id)
        .options(selectinload(User.roles))
        .with_for_update(of=User, key_share=True)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _commit() -> None:
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError) as exc:
        db.session.rollback()
        raise AccountError(CONFLICT) from exc


def _other_active_admins(user: User) -> int:
    """How many other active admins there are, counted under a lock on every admin role row.

    Two admins demoting or blocking each other at the same moment would each count the
    other and both go through; with the rows locked (``SELECT … FOR NO KEY UPDATE`` on
    PostgreSQL; SQLite lets one writer in at a time) the second waits, then counts what the
    first left.
    """
    db.session.execute(
        select(UserRole.user_id)
        .where(UserRole.role == RoleName.ADMIN)
        .with_for_update(key_share=True)
    ).all()
    return db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, UserRole.user_id == User.id)
        .where(UserRole.role == RoleName.ADMIN, User.active.is_(True), User.id != user.id)
    )


def set_roles(user: User, roles: set[RoleName], reason: str, actor: User) -> bool:
    """Give ``user`` exactly ``roles``; returns False when nothing changed."""
    _lock_account(user)
    before = user.role_names
    if roles == before:
        return False
    if RoleName.ADMIN in before and RoleName.ADMIN not in roles and not _other_active_admins(user):
        raise LastAdmin(LAST_ADMIN)
    user.roles = [r for r in user.roles if r.role in roles] + [
        UserRole(role=r) for r in sorted(roles - before)
    ]
    audit.record(
        "admin.roles_changed",
        user,
        reason=reason,
        actor=actor,
        added=sorted(r.value for r in roles - before),
        removed=sorted(r.value for r in before - roles),
    )
    _commit()
    return True


def set_active(user: User, active: bool, reason: str, actor: User) -> None:
    """Block or unblock an account; blocking ends its sessions."""
    _lock_account(user)
    if user.active == active:
        return
    if not active:
        if user.id == actor.id:
            raise AccountError("U kunt uw eigen account niet blokkeren.")
        if user.has_role(RoleName.ADMIN) and not _other_active_admins(user):
            raise LastAdmin(LAST_ADMIN)
        db.session.execute(delete(AuthSession).where(AuthSession.user_id == user.id))
    user.active = active
    refresh_person(user)  # a blocked account is not listed in the register
    audit.record(
        "admin.account_unblocked" if active else "admin.account_blocked",
        user,
        reason=reason,
        actor=actor,
    )
    _commit()


def add_regulation(values: dict, reason: str, actor: User, today: date) -> Regulation:
    """A new version of the regulation from a future date; earlier versions stay as they were."""
    if values["starts_on"] <= today:
        raise RegulationError("Een nieuwe versie gaat in op een datum in de toekomst.")
    if db.session.scalar(select(Regulation.id).where(Regulation.starts_on == values["starts_on"])):
        raise RegulationError("Op die datum gaat al een versie in.")
    if values["min_accredited"] > values["total_hours"]:
        raise RegulationError("Het minimum geaccrediteerd kan niet hoger zijn dan het totaal.")
    version = (db.session.scalar(select(func.max(Regulation.version))) or 0) + 1
    regulation = Regulation(version=version, **values)
    db.session.add(regulation)
    db.session.flush()
    audit.record(
        "admin.regulation_added",
        regulation,
        reason=reason,
        actor=actor,
        **{k: str(v) for k, v in values.items()},
    )
    db.session.commit()
    return regulation


def _future_version(regulation_id: int, today: date) -> Regulation:
    """The version, its row locked; refused once it has started (it may have been applied)."""
    regulation = db.session.execute(
        select(Regulation)
        .where(Regulation.id == regulation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if regulation is None:
        raise RegulationError("Deze versie bestaat niet (meer).")
    if regulation.starts_on <= today:
        raise RegulationError(
            "Deze versie is al ingegaan en blijft zoals ze was; voeg een nieuwe versie toe."
        )
    return regulation


def _regulation_values(regulation: Regulation, names) -> dict:
    return {name: getattr(regulation, name) for name in names}


def change_regulation(
    regulation_id: int, values: dict, reason: str, actor: User, today: date
) -> Regulation:
    """Correct a version that has not started yet; a started version stays as it was."""
    regulation = _future_version(regulation_id, today)
    if values["starts_on"] <= today:
        raise RegulationError("Een versie gaat in op een datum in de toekomst.")
    if db.session.scalar(
        select(Regulation.id).where(
            Regulation.starts_on == values["starts_on"], Regulation.id != regulation.id
        )
    ):
        raise RegulationError("Op die datum gaat al een versie in.")
    if values["min_accredited"] > values["total_hours"]:
        raise RegulationError("Het minimum geaccrediteerd kan niet hoger zijn dan het totaal.")
    before = _regulation_values(regulation, values)
    changed = {
        name: {"van": str(before[name]), "naar": str(value)}
        for name, value in values.items()
        if before[name] != value
    }
    if not changed:
        return regulation
    for name, value in values.items():
        setattr(regulation, name, value)
    audit.record(
        "admin.regulation_changed",
        regulation,
        reason=reason,
        actor=actor,
        version=regulation.version,
        changed=changed,
    )
    db.session.commit()
    return regulation


def remove_regulation(regulation_id: int, reason: str, actor: User, today: date) -> int:
    """Remove a version that has not started yet; returns its number."""
    regulation = _future_version(regulation_id, today)
    version = regulation.version
    audit.record(
        "admin.regulation_removed",
        regulation,
        reason=reason,
        actor=actor,
        version=version,
        starts_on=regulation.starts_on.isoformat(),
    )
    db.session.delete(regulation)
    db.session.commit()
    return version
