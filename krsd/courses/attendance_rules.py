"""The pure rules of a participant's result: what may be recorded when, and upload cells.

A result is three answers, each possibly not yet recorded (None): attended, passed and,
for graded courses, the grade (voldoende / onvoldoende). Attendance can be recorded from
the edition's first day; passed and the grade from its last day, so that the hours a
completed course credits are never dated in the future.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

VOLDOENDE = "voldoende"
ONVOLDOENDE = "onvoldoende"
GRADES = (VOLDOENDE, ONVOLDOENDE)
YES, NO = "ja", "nee"
NOT_RECORDED = "—"


@dataclass(frozen=True)
class Result:
    attended: bool | None = None
    passed: bool | None = None
    grade: str | None = None

    def completed(self, graded: bool) -> bool:
        """Attended and passed (with voldoende when the course is graded)."""
        if not (self.attended and self.passed):
            return False
        return not graded or self.grade == VOLDOENDE

    @property
    def empty(self) -> bool:
        return self.attended is None and self.passed is None and self.grade is None

    def merged_into(self, current: "Result") -> "Result":
        """This (uploaded) result over ``current``: an empty cell keeps what was recorded."""
        return replace(current, **{k: v for k, v in vars(self).items() if v is not None})


def result_problem(
    result: Result,
    *,
    graded: bool,
    today: date,
    starts_on: date,
    ends_on: date,
    show_date: Callable[[date], str] = date.isoformat,
) -> str | None:
    """Why this result cannot be recorded today, in Dutch; None when it can. ``show_date``
    writes a date (the caller passes krsd.formatting's, which rules cannot import)."""
    if result.grade is not None and not graded:
        return "Deze cursus wordt niet beoordeeld: laat de beoordeling leeg."
    if result.grade is not None and result.grade not in GRADES:
        return "Kies voldoende of onvoldoende."
    if not result.empty and today < starts_on:
        return (
            f"De uitvoering begint op {show_date(starts_on)}; resultaten legt u vast vanaf die dag."
        )
    if (result.passed is not None or result.grade is not None) and today < ends_on:
        return (
            "Geslaagd en de beoordeling legt u vast vanaf de laatste dag van de uitvoering "
            f"({show_date(ends_on)})."
        )
    if result.passed and result.attended is not True:
        return "Wie niet aanwezig was, kan niet geslaagd zijn."
    if result.grade is not None and result.attended is not True:
        return "Een beoordeling hoort bij een deelnemer die aanwezig was."
    if graded and result.passed and result.grade is None:
        return "Geef bij deze beoordeelde cursus ook de beoordeling: voldoende of onvoldoende."
    if graded and result.passed and result.grade == ONVOLDOENDE:
        return "Geslaagd met een onvoldoende kan niet: kies voldoende, of geslaagd ‘nee’."
    if graded and result.passed is False and result.grade == VOLDOENDE:
        return "Een voldoende hoort bij geslaagd: kies geslaagd ‘ja’, of onvoldoende."
    return None


def answer_label(value: bool | str | None) -> str:
    if value is None:
        return NOT_RECORDED
    if isinstance(value, bool):
        return YES if value else NO
    return value


def changes(old: Result, new: Result) -> list[str]:
    """What changes, in Dutch: ["aanwezig: — → ja", ...]; empty when nothing does."""
    names = (("aanwezig", "attended"), ("geslaagd", "passed"), ("beoordeling", "grade"))
    return [
        f"{label}: {answer_label(getattr(old, name))} → {answer_label(getattr(new, name))}"
        for label, name in names
        if getattr(old, name) != getattr(new, name)
    ]


def parse_yes_no(text: str | None, column: str) -> tuple[bool | None, str | None]:
    """An upload cell ja / nee (any case); empty is None. Returns (value, Dutch problem)."""
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return None, None
    if cleaned in (YES, NO):
        return cleaned == YES, None
    return None, f"{column}: vul ja of nee in (er staat ‘{text.strip()[:40]}’)."


def parse_grade(text: str | None) -> tuple[str | None, str | None]:
    cleaned = (text or "").strip().lower()
    if not cleaned:
        return None, None
    if cleaned in GRADES:
        return cleaned, None
    return None, f"Beoordeling: vul voldoende of onvoldoende in (er staat ‘{text.strip()[:40]}’)."
