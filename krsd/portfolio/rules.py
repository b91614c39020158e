"""The pure portfolio rules: the 96/24/72 count, windows, and what valid input is."""

import calendar
import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

ZERO = Decimal("0")


class Category(enum.StrEnum):
    ACCREDITED = "accredited"
    FREE = "free"


CATEGORY_LABELS = {Category.ACCREDITED: "Geaccrediteerd", Category.FREE: "Vrije ruimte"}


class ActivityType(enum.StrEnum):
    ACCREDITED_COURSE = "accredited_course"
    INTERVISIE = "intervisie"
    WORKSHOP = "workshop"
    CASUISTIEK = "casuistiek"
    CONGRES = "congres"
    VAKLITERATUUR = "vakliteratuur"
    WEBINAR = "webinar"
    NON_ACCREDITED_COURSE = "non_accredited_course"
    OTHER = "other"


TYPE_LABELS = {
    ActivityType.ACCREDITED_COURSE: "Geaccrediteerde opleiding",
    ActivityType.INTERVISIE: "Intervisie",
    ActivityType.WORKSHOP: "Workshop",
    ActivityType.CASUISTIEK: "Casuïstiekbespreking",
    ActivityType.CONGRES: "Congres of symposium",
    ActivityType.VAKLITERATUUR: "Vakliteratuur",
    ActivityType.WEBINAR: "Webinar",
    ActivityType.NON_ACCREDITED_COURSE: "Niet-geaccrediteerde opleiding",
    ActivityType.OTHER: "Overig",
}
FREE_TYPES = tuple(t for t in ActivityType if t != ActivityType.ACCREDITED_COURSE)


class Labelled:
    """The Dutch names of an activity's category and type, for anything that has both
    (the model, and the plain rows of the portfolio's list)."""

    __slots__ = ()  # its users have ``category`` and ``type``

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def type_label(self) -> str:
        return TYPE_LABELS[self.type]


@dataclass(frozen=True)
class RegulationTerms:
    """The numbers of one version of the Reglement Persoonscertificering."""

    total_hours: Decimal
    min_accredited: Decimal
    max_free: Decimal
    cycle_years: int
    renewal_window_months: int
    max_activity_hours: Decimal
    reminder_days: tuple[int, ...]


@dataclass(frozen=True)
class Window:
    """A period of days, both ends included."""

    start: date
    end: date

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class Entry:
    category: Category
    type: ActivityType
    hours: Decimal
    day: date
    accepted: bool = True
    key: object = None
    #: entries with the same value count once in a window (an accredited course: its
    #: accreditation), so old duplicates never count twice; None: each entry counts
    once: object = None


@dataclass(frozen=True)
class Progress:
    accredited: Decimal
    free: Decimal
    free_counted: Decimal
    total_counted: Decimal
    eligible: bool
    missing_accredited: Decimal
    missing_total: Decimal
    hours_per_type: dict[ActivityType, Decimal]
    outside_window: tuple[Entry, ...]
    min_accredited: Decimal
    max_free: Decimal
    total_required: Decimal
    window: Window = field(compare=False)

    @property
    def free_not_counted(self) -> Decimal:
        return self.free - self.free_counted


def _entry_order(entry: Entry) -> tuple:
    return (
        entry.day,
        entry.category,
        entry.type,
        entry.hours,
        entry.accepted,
        str(entry.key),
        str(entry.once),
    )


def compute_progress(entries: Iterable[Entry], terms: RegulationTerms, window: Window) -> Progress:
    """Count accepted hours in the window: accredited in full, free space up to the cap.

    Entries that share a ``once`` value count once (the one with the most hours).
    """
    accredited = free = ZERO
    per_type: dict[ActivityType, Decimal] = {}
    outside = []
    counted = []
    alike: dict[object, list[Entry]] = {}
    for entry in entries:
        if entry.day not in window:
            outside.append(entry)
        elif entry.accepted and entry.once is None:
            counted.append(entry)
        elif entry.accepted:
            alike.setdefault(entry.once, []).append(entry)
    for group in alike.values():
        counted.append(max(group, key=lambda e: (e.hours, _entry_order(e))))
    for entry in counted:
        if entry.category == Category.ACCREDITED:
            accredited += entry.hours
        else:
            free += entry.hours
        per_type[entry.type] = per_type.get(entry.type, ZERO) + entry.hours
    free_counted = min(free, terms.max_free)
    total = accredited + free_counted
    return Progress(
        accredited=accredited,
        free=free,
        free_counted=free_counted,
        total_counted=total,
        eligible=accredited >= terms.min_accredited and total >= terms.total_hours,
        missing_accredited=max(ZERO, terms.min_accredited - accredited),
        missing_total=max(ZERO, terms.total_hours - total),
        hours_per_type=per_type,
        outside_window=tuple(sorted(outside, key=_entry_order)),
        min_accredited=terms.min_accredited,
        max_free=terms.max_free,
        total_required=terms.total_hours,
        window=window,
    )


def add_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (or earlier); 29 February becomes 28 February."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def first_certification_window(today: date, cycle_years: int) -> Window:
    """The cycle (three years) up to and including today: 25 Nov 2023 – 24 Nov 2026."""
    return Window(add_years(today, -cycle_years) + timedelta(days=1), today)


def leaves_first_window(day: date, cycle_years: int) -> date:
    """The first day on which an activity of ``day`` no longer counts for a first
    certification (whose window rolls on every day): 3 February 2024 → 3 February 2027;
    29 February 2024 → 1 March 2027."""
    leaves = add_years(day, cycle_years)
    while day in first_certification_window(leaves, cycle_years):
        leaves += timedelta(days=1)
    return leaves


def date_problem(
    day: date, today: date, earliest: date, show_date: Callable[[date], str] = date.isoformat
) -> str | None:
    """Why a date cannot be used for an activity, or None; ``show_date`` writes a date (the
    caller passes krsd.formatting's, which this pure module cannot import)."""
    if day > today:
        return "Een datum in de toekomst kan niet; registreer de activiteit nadat u die volgde."
    if day < earliest:
        return f"Deze datum ligt vóór de periode die meetelt (vanaf {show_date(earliest)})."
    return None


@dataclass(frozen=True)
class ReflectionQuestion:
    """One question of the guided reflection; its answer is the column ``reflection_<key>``."""

    key: str
    text: str
    required: bool
    hint: str


REFLECTION_QUESTIONS = (
    ReflectionQuestion(
        "learned",
        "Wat heeft u geleerd?",
        True,
        "Bijvoorbeeld nieuwe kennis, een andere aanpak of een inzicht over uw eigen werk.",
    ),
    ReflectionQuestion(
        "applied",
        "Hoe gebruikt u dit in uw werk?",
        True,
        "Bijvoorbeeld in gesprekken met jongeren, ouders, scholen of collega's.",
    ),
    ReflectionQuestion("change", "Wat gaat u nu anders doen?", False, "Niet verplicht."),
)
#: a required answer says at least this much (a sentence, not "ok")
REFLECTION_MIN = 30
REFLECTION_MAX = 5000
#: how an activity logged before the questions existed heads its one free text
EARLIER_REFLECTION = "Reflectie"


def reflection_problem(text: str | None, required: bool) -> str | None:
    """Why an answer to a reflection question cannot be used, or None."""
    length = len((text or "").strip())
    if length > REFLECTION_MAX:
        return f"Hoogstens {REFLECTION_MAX} tekens."
    if not required or length >= REFLECTION_MIN:
        return None
    if length == 0:
        return f"Beantwoord deze vraag in minstens {REFLECTION_MIN} tekens."
    return f"Schrijf minstens {REFLECTION_MIN} tekens; nu zijn het er {length}."


def reflection_answers(
    answers: dict[str, str | None], earlier: str | None
) -> tuple[tuple[str, str], ...]:
    """(question, answer) pairs to show; an activity from before the questions shows its
    earlier text as it was written."""
    given = tuple((q.text, answers[q.key]) for q in REFLECTION_QUESTIONS if answers.get(q.key))
    if given:
        return given
    return ((EARLIER_REFLECTION, earlier),) if earlier else ()
