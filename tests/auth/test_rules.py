import pytest

from krsd.auth.rules import ThrottleState, login_is_throttled, password_problems, safe_next


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


def test_throttle_starts_at_the_maximum_for_the_account_or_the_address():
    assert not login_is_throttled(ThrottleState(4, 4), max_failures=5)
    assert login_is_throttled(ThrottleState(5, 0), max_failures=5)
    assert login_is_throttled(ThrottleState(0, 5), max_failures=5)


def test_password_rules_explain_in_dutch():
    assert password_problems("kort") == ["Kies een wachtwoord van minstens 10 tekens."]
    assert password_problems("aaaaaaaaaaaa")
    assert password_problems("jan@example.nl", email="JAN@example.nl")
    assert password_problems("een lange zin als wachtwoord") == []
