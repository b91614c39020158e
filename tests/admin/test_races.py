"""Two admins changing accounts at the same moment (threads, on SQLite and PostgreSQL)."""

from sqlalchemy import func, select

from krsd.admin import services
from krsd.auth.models import User, UserRole
from krsd.auth.rules import RoleName
from krsd.auth.services import LastAdmin
from krsd.extensions import db
from tests.races import race


def _active_admins() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(UserRole)
        .join(User, UserRole.user_id == User.id)
        .where(UserRole.role == RoleName.ADMIN, User.active.is_(True))
    )


def _two_admins(make_user) -> tuple[int, int]:
    roles = {RoleName.ADMIN, RoleName.PROFESSIONAL}
    return (
        make_user(roles=roles, email="anna@example.nl").id,
        make_user(roles=roles, email="bram@example.nl").id,
    )


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app, make_user):
    anna, bram = _two_admins(make_user)

    def demote(target, actor):
        def work():
            return services.set_roles(
                db.session.get(User, target),
                {RoleName.PROFESSIONAL},
                "Taken overgedragen",
                db.session.get(User, actor),
            )

        return work

    results = race(app, demote(bram, anna), demote(anna, bram))
    assert sorted(map(type, results), key=str) == sorted([bool, LastAdmin], key=str), results
    assert "minstens één actief account" in str(next(r for r in results if r is not True))
    assert _active_admins() == 1


def test_two_admins_blocking_each_other_at_once_leave_one_admin(app, make_user):
    anna, bram = _two_admins(make_user)

    def block(target, actor):
        def work():
            user = db.session.get(User, target)
            services.set_active(user, False, "Vertrokken", db.session.get(User, actor))
            return "blocked"

        return work

    results = race(app, block(bram, anna), block(anna, bram))
    assert results.count("blocked") == 1, results
    assert any(isinstance(r, LastAdmin) for r in results), results
    assert _active_admins() == 1


def test_a_double_clicked_role_change_changes_once(app, make_user):
    anna, _bram = _two_admins(make_user)
    target = make_user(email="cor@example.nl").id

    def promote():
        return services.set_roles(
            db.session.get(User, target),
            {RoleName.PROFESSIONAL, RoleName.REVIEWER},
            "Benoemd in de commissie",
            db.session.get(User, anna),
        )

    results = race(app, promote, promote)
    assert sorted(results, key=str) == [False, True], results
    assert db.session.get(User, target).role_names == {RoleName.PROFESSIONAL, RoleName.REVIEWER}
