"""`flask krsd daily` removes self-registered accounts never confirmed, once."""

from datetime import timedelta

from sqlalchemy import func, select

from krsd.audit import AuditEntry
from krsd.auth.email_confirmation import remove_unconfirmed
from krsd.auth.models import User
from krsd.extensions import db
from krsd.privacy.models import ErasureOrigin, ErasureRequest, ErasureState
from tests.auth.mailbox import confirmation_path
from tests.auth.test_registration import VALID
from tests.races import race


def _register(make_browser, email: str) -> None:
    response = make_browser().submit("/registreren", {**VALID, "email": email})
    assert response.status_code == 302


def _emails() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(select(User.email)))


def _removals() -> list[AuditEntry]:
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "auth.unconfirmed_account_removed")
        )
    )


def test_an_account_unconfirmed_for_a_week_is_removed_once_and_the_address_is_free(
    app, make_browser, make_user, register_clock
):
    make_user(email="bevestigd@example.nl")
    _register(make_browser, "vergeten@example.nl")
    old_link = confirmation_path("vergeten@example.nl")
    register_clock.shift(timedelta(days=2))
    _register(make_browser, "recent@example.nl")
    register_clock.shift(timedelta(days=5, minutes=1))

    runner = app.test_cli_runner()
    first = runner.invoke(args=["krsd", "daily"])
    assert "nooit bevestigde accounts verwijderd: 1" in first.output, first.output
    assert _emails() == {"bevestigd@example.nl", "recent@example.nl"}
    [entry] = _removals()
    assert entry.details_dict == {"email": "vergeten@example.nl"}
    assert entry.actor_id is None and "7 dagen" in entry.reason

    again = runner.invoke(args=["krsd", "daily"])
    assert "nooit bevestigde accounts verwijderd: 0" in again.output
    assert len(_removals()) == 1

    # The address can be registered again; the old link does not confirm the new account.
    browser = make_browser()
    browser.submit("/registreren", {**VALID, "email": "vergeten@example.nl"})
    assert browser.get(old_link).headers["Location"] == "/registreren/nieuwe-link"
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(User.email_confirmed_at).where(User.email == "vergeten@example.nl")
        )
        is None
    )


def _foreign_keys_enforced() -> bool:
    if db.engine.dialect.name != "sqlite":
        return True
    return bool(db.session.connection().exec_driver_sql("PRAGMA foreign_keys").scalar())


def test_an_account_the_registerbureau_acted_on_is_left_alone(make_browser, register_clock):
    # Every connection enforces foreign keys, also the one the migrations ran on.
    assert _foreign_keys_enforced()
    _register(make_browser, "verzoek@example.nl")
    _register(make_browser, "vergeten@example.nl")
    user_id = db.session.scalar(select(User.id).where(User.email == "verzoek@example.nl"))
    db.session.add(
        ErasureRequest(user_id=user_id, origin=ErasureOrigin.REQUEST, state=ErasureState.PENDING)
    )
    db.session.commit()
    register_clock.shift(timedelta(days=8))

    assert remove_unconfirmed() == 1
    assert _emails() == {"verzoek@example.nl"}
    assert remove_unconfirmed() == 0


def test_two_runs_at_once_remove_each_account_once(app, make_browser, register_clock):
    for n in range(3):
        _register(make_browser, f"vergeten{n}@example.nl")
    register_clock.shift(timedelta(days=8))

    results = race(app, remove_unconfirmed, remove_unconfirmed)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3
    assert len(_removals()) == 3
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
