"""The public register's search rules: words folded for the index, the display order's
name, and what a typed query asks for. Pure: no Flask, no SQLAlchemy."""

import functools
import re
import unicodedata
from dataclasses import dataclass

from krsd.certification.rules import format_registration_number

_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=65_536)  # employers repeat: Gemeente Utrecht, thousands of times
def _fold(text: str) -> str:
    """Lower case without accents, other characters than letters and digits as spaces."""
    if text.isascii():  # most names: the same result without the per-character work
        return _NOT_ASCII_ALNUM.sub(" ", text.lower())
    folded = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace("ł", "l").replace("ø", "o").replace("ß", "ss")
    return "".join(ch if ch.isalnum() else " " for ch in ascii_text)


def search_terms(*texts: str) -> set[str]:
    """Lower-case, accent-free words for the public register's prefix index."""
    return {word[:64] for text in texts for word in _fold(text or "").split()}


def register_sort_name(name: str) -> str:
    """A name folded for the register's display order: Çelik between Celen and Cem."""
    return " ".join(_fold(name or "").split())[:200]


@dataclass(frozen=True)
class RegisterQuery:
    """What a query on the public register asks for; every part must match."""

    #: beginnings of words in names and employers
    words: frozenset[str]
    #: registration numbers (their sequence), each matched in full
    numbers: frozenset[int]
    #: part of a number was typed (``krsd-00012``): that matches nobody
    matches_nobody: bool = False


def parse_register_query(text: str) -> RegisterQuery:
    """Split a query into name/employer words and whole registration numbers.

    ``KRSD-000123``, ``000123`` and ``123`` are number 123; ``00012`` or ``krsd-0001`` are
    parts of a number and match nobody, so that the register cannot be listed by typing
    ``krsd`` or a few digits. ``krsd`` beside a number is the number's prefix.
    """
    words, numbers, partial = set(), set(), False
    for term in search_terms(text):
        digits = term.removeprefix("krsd")
        if not digits.isdigit():
            words.add(term)
        elif _is_whole_number(digits):
            numbers.add(int(digits))
        else:
            partial = True
    if numbers or partial:
        words.discard("krsd")
    return RegisterQuery(frozenset(words), frozenset(numbers), partial)


def _is_whole_number(digits: str) -> bool:
    """As printed after ``KRSD-`` (000123), or the number without leading zeros (123)."""
    number = int(digits)
    if not 1 <= number <= 2**31 - 1:  # beyond any sequence the database can hold
        return False
    return digits == str(number) or format_registration_number(number).endswith("-" + digits)
