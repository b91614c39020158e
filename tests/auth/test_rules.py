import pytest

from krsd.auth.rules import (
    RoleName,
    Throttle,
    ThrottleLimits,
    ThrottleState,
    login_is_throttled,
    looks_like_totp,
    needs_second_factor,
    normalise_code,
    password_problems,
    safe_next,
    throttle_message,
    totp_steps_around,
    usable_totp_step,
)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "\\/evil.example",
        "/%09/evil.example",
        "/\t/evil.example",
        "/%5Cevil.example",
        "%2F%2Fevil.example",
        "https:evil.example",
        "https://evil.example/",
        "http://localhost/beheer",
        "javascript:alert(1)",
        "evil.example",
        "/\r\nLocation: //evil.example",
        "",
        None,
    ],
)
def test_unsafe_next_targets_are_refused(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/beheer/accounts", "/beheer/auditlog?action=auth&page=2"])
def test_local_paths_are_kept(target):
    assert safe_next(target) == target


LIMITS = ThrottleLimits(per_account=5, per_address=100)


def _state(account=0, pair=0, address=0) -> ThrottleState:
    return ThrottleState(
        failures_for_account=account,
        failures_for_address_and_account=pair,
        failures_for_address=address,
    )


def test_an_account_is_throttled_from_its_fifth_failure():
    assert login_is_throttled(_state(account=4, pair=4, address=4), LIMITS) is None
    assert login_is_throttled(_state(account=5), LIMITS) is Throttle.ACCOUNT
    assert login_is_throttled(_state(pair=5), LIMITS) is Throttle.ACCOUNT


def test_an_address_has_a_much_higher_ceiling_than_an_account():
    # Five colleagues behind one address each mistyping four times: nobody is locked out.
    assert login_is_throttled(_state(account=0, pair=0, address=20), LIMITS) is None
    assert login_is_throttled(_state(address=99), LIMITS) is None
    assert login_is_throttled(_state(address=100), LIMITS) is Throttle.ADDRESS


def test_the_address_ceiling_wins_because_a_new_password_would_not_help():
    assert login_is_throttled(_state(account=5, pair=5, address=100), LIMITS) is Throttle.ADDRESS


def test_the_throttle_message_says_what_helps():
    account = throttle_message(Throttle.ACCOUNT, 15, LIMITS)
    assert "Wacht 15 minuten" in account
    assert "nieuw wachtwoord" in account
    address = throttle_message(Throttle.ADDRESS, 15, LIMITS)
    assert "vanaf dit netwerk" in address
    assert "100" in address
    assert "Wacht 15 minuten" in address
    assert "wachtwoord" not in address


def test_reviewers_and_the_registerbureau_need_a_second_factor():
    assert needs_second_factor({RoleName.REVIEWER})
    assert needs_second_factor({RoleName.ADMIN, RoleName.PROFESSIONAL})
    assert not needs_second_factor({RoleName.PROFESSIONAL, RoleName.TRAINER})
    assert not needs_second_factor(set())


def test_totp_codes_are_accepted_one_step_either_side_of_now():
    assert totp_steps_around(30 * 1000 + 29.9) == [1001, 1000, 999]


def test_a_totp_step_is_used_once_and_never_an_older_one_after_it():
    assert usable_totp_step([1000], None) == 1000
    assert usable_totp_step([1000], 999) == 1000
    assert usable_totp_step([1000], 1000) is None  # the same code again
    assert usable_totp_step([999], 1000) is None  # an older code after a newer one
    assert usable_totp_step([], None) is None


def test_typed_codes_are_normalised():
    assert normalise_code(" 123 456 ") == "123456"
    assert normalise_code("ABCDE-FGHJK") == "abcdefghjk"
    assert looks_like_totp("123456")
    assert not looks_like_totp("12345")
    assert not looks_like_totp("abcdefghjk")
    assert not looks_like_totp("١٢٣٤٥٦")  # Arabic-Indic digits are digits, but not ASCII


def test_password_rules_explain_in_dutch():
    assert password_problems("kort") == ["Kies een wachtwoord van minstens 10 tekens."]
    assert password_problems("aaaaaaaaaaaa")
    assert password_problems("jan@example.nl", email="JAN@example.nl")
    assert password_problems("een lange zin als wachtwoord") == []


@pytest.mark.parametrize(
    "password",
    ["wachtwoord", "Wachtwoord123", "welkom1234", "Welkom2026!", "1234567890", "qwertyuiop"],
)
def test_common_passwords_are_refused_also_with_digits_or_capitals_added(password):
    assert any("veelgebruikte" in p for p in password_problems(password))


@pytest.mark.parametrize("password", ["een lang wachtwoord", "correct-horse-battery"])
def test_a_passphrase_that_contains_a_common_word_is_fine(password):
    assert password_problems(password) == []
