"""Pure rules on conflicts of interest: who may judge an application or handle an appeal.

A reviewer never judges their own application; an application from a colleague (the same
employer) or with activities provided by the reviewer's own organisation is flagged and
needs the registerbureau's explicit assignment. An appeal is handled by someone who did not
take the decision objected to.
"""

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


def normalise_organisation(name: str | None) -> str:
    """An organisation's name for comparison: case, accents' forms and spaces ignored.

    ``"Ingrado  Academie"``, ``"ingrado academie"`` and ``"IngradoAcademie"`` are one name.
    """
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    return "".join(folded.split())


def same_organisation(a: str | None, b: str | None) -> bool:
    """Two names of one organisation; an empty name matches nothing."""
    left = normalise_organisation(a)
    return bool(left) and left == normalise_organisation(b)


@dataclass(frozen=True)
class Conflict:
    """Why a reviewer should not judge an application on their own initiative."""

    #: Dutch, shown in the queue and in the audit log
    reason: str


def conflicts_of_interest(
    reviewer_employer: str | None, applicant_employer: str | None, providers: Iterable[str]
) -> tuple[Conflict, ...]:
    """The conflicts between a reviewer and an application: a colleague of the same
    employer, and activities provided by the reviewer's employer (each named once)."""
    found = []
    if same_organisation(reviewer_employer, applicant_employer):
        found.append(Conflict(f"dezelfde werkgever als de aanvrager ({applicant_employer})"))
    provided = sorted(
        {p.strip() for p in providers if same_organisation(reviewer_employer, p)},
        key=str.casefold,
    )
    if provided:
        found.append(Conflict(f"activiteiten aangeboden door uw eigen organisatie ({provided[0]})"))
    return tuple(found)


def appeal_handler_problem(
    handler_id: int, applicant_id: int, decided_by_id: int | None
) -> str | None:
    """Why this reviewer may not handle an appeal (Dutch), or None."""
    if handler_id == applicant_id:
        return "U kunt geen bezwaar behandelen tegen een besluit over uw eigen aanvraag."
    if decided_by_id is not None and handler_id == decided_by_id:
        return (
            "U nam het besluit waartegen bezwaar is gemaakt; een andere beoordelaar "
            "behandelt het bezwaar."
        )
    return None
