"""The pure portfolio rules: the 96/24/72 count, windows, and what valid input is."""

import calendar
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

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


def parse_hours(text: str, max_hours: Decimal) -> tuple[Decimal | None, str | None]:
    """Read hours as typed ("12,5" or "12.5"); returns (hours, None) or (None, Dutch problem)."""
    cleaned = (text or "").strip().replace(",", ".")
    if not cleaned:
        return None, "Vul het aantal uren in."
    try:
        hours = Decimal(cleaned)
    except InvalidOperation:
        return None, "Vul een getal in, bijvoorbeeld 3 of 2,5."
    if not hours.is_finite():
        return None, "Vul een getal in, bijvoorbeeld 3 of 2,5."
    if hours <= 0:
        return None, "Het aantal uren moet meer dan 0 zijn."
    if hours.as_tuple().exponent < -2:
        return None, "Gebruik hoogstens twee cijfers achter de komma."
    if hours > max_hours:
        return None, f"Eén activiteit telt hoogstens {_nl(max_hours)} uur."
    return hours.quantize(Decimal("0.01")), None


def date_problem(day: date, today: date, earliest: date) -> str | None:
    """Why a date cannot be used for an activity, or None."""
    if day > today:
        return "Een datum in de toekomst kan niet; registreer de activiteit nadat u die volgde."
    if day < earliest:
        return f"Deze datum ligt vóór de periode die meetelt (vanaf {earliest:%d-%m-%Y})."
    return None


def _nl(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text.replace(".", ",")
