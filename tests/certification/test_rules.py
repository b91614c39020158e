from datetime import date

import pytest

from krsd.certification.register_rules import parse_register_query, search_terms
from krsd.certification.rules import (
    Action,
    CertificateStatus,
    State,
    TransitionNotAllowed,
    add_years,
    certificate_status,
    format_registration_number,
    new_verification_code,
    next_state,
    normalise_verification_code,
    validity,
)

S, A = State, Action
# Written out by hand from DOMAIN.md, not copied from the code's table.
ALLOWED = {
    (S.SUBMITTED, A.CLAIM): S.IN_REVIEW,
    (S.SUBMITTED, A.REASSIGN): S.IN_REVIEW,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.REQUEST_INFO): S.MORE_INFO_REQUESTED,
    (S.IN_REVIEW, A.APPROVE): S.APPROVED,
    (S.IN_REVIEW, A.REJECT): S.REJECTED,
    (S.IN_REVIEW, A.WITHDRAW): S.WITHDRAWN,
    (S.IN_REVIEW, A.REASSIGN): S.IN_REVIEW,
    (S.MORE_INFO_REQUESTED, A.RESUBMIT): S.SUBMITTED,
    (S.MORE_INFO_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    # A granted appeal (bezwaar) returns a rejected application to the queue.
    (S.REJECTED, A.REOPEN): S.SUBMITTED,
}
EVERY_PAIR = [(state, action) for state in State for action in Action]


@pytest.mark.parametrize(("state", "action"), EVERY_PAIR, ids=lambda v: v.value)
def test_every_state_and_action_pair(state, action):
    if (state, action) in ALLOWED:
        assert next_state(state, action) == ALLOWED[(state, action)]
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            next_state(state, action)
        assert "kunt u niet" in str(refused.value)


def test_approving_a_withdrawn_application_is_refused_in_dutch():
    with pytest.raises(TransitionNotAllowed, match="status 'ingetrokken' kunt u niet goedkeuren"):
        next_state(S.WITHDRAWN, A.APPROVE)


def test_a_certificate_runs_three_years_to_the_day_before():
    assert validity(date(2026, 3, 1), 3) == (date(2026, 3, 1), date(2029, 2, 28))
    assert validity(date(2027, 1, 15), 3) == (date(2027, 1, 15), date(2030, 1, 14))


def test_a_leap_day_start_ends_on_27_february():
    assert add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert validity(date(2028, 2, 29), 3)[1] == date(2031, 2, 27)


def test_registration_numbers():
    assert format_registration_number(123) == "KRSD-000123"
    with pytest.raises(ValueError):
        format_registration_number(0)


def test_verification_codes_are_random_and_survive_retyping():
    codes = {new_verification_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert normalise_verification_code(code) == code
    assert normalise_verification_code(code.lower().replace("-", " ")) == code
    assert normalise_verification_code("O0IL-0000-0000") == "0011-0000-0000"


@pytest.mark.parametrize(
    "text", ["", "ABC", "ABCD-EFGH-IJK!", "<script>", "ABCD-EFGH-IJKLM", "U" * 12]
)
def test_tampered_codes_are_refused(text):
    assert normalise_verification_code(text) is None


def test_certificate_status_on_a_day():
    start, end = date(2026, 3, 1), date(2029, 2, 28)
    assert certificate_status(start, end, date(2026, 3, 1)) == CertificateStatus.VALID
    assert certificate_status(start, end, date(2029, 2, 28)) == CertificateStatus.VALID
    assert certificate_status(start, end, date(2029, 3, 1)) == CertificateStatus.EXPIRED
    assert certificate_status(start, end, date(2026, 2, 28)) == CertificateStatus.NOT_YET_VALID
    pending = certificate_status(start, end, date(2029, 3, 1), renewal_pending=True)
    assert pending == CertificateStatus.VALID
    assert certificate_status(start, end, date(2027, 1, 1), suspended=True) == "suspended"
    assert (
        certificate_status(start, end, date(2027, 1, 1), revoked=True, suspended=True) == "revoked"
    )


def test_search_terms_fold_accents_and_case():
    assert search_terms("Şükrü Çelik", "RMC-regio Utrecht") == {
        "sukru",
        "celik",
        "rmc",
        "regio",
        "utrecht",
    }
    assert search_terms("Łukasz Nowak-Ørsted") == {"lukasz", "nowak", "orsted"}


@pytest.mark.parametrize(
    ("query", "words", "numbers", "nobody"),
    [
        ("KRSD-000123", set(), {123}, False),
        ("000123", set(), {123}, False),
        ("123", set(), {123}, False),
        ("krsd000123 Jansen", {"jansen"}, {123}, False),
        ("krsd", {"krsd"}, set(), False),
        ("krsd-00012", set(), set(), True),
        ("0123", set(), set(), True),
        ("0", set(), set(), True),
        ("99999999999", set(), set(), True),
        ("Çelik gemeente", {"celik", "gemeente"}, set(), False),
    ],
)
def test_a_register_query_takes_numbers_only_whole(query, words, numbers, nobody):
    asked = parse_register_query(query)
    assert (asked.words, asked.numbers, asked.matches_nobody) == (words, numbers, nobody)
