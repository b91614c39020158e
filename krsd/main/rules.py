"""The pure rules of the home page: the one step a professional should take next, and how
long the work of the commission, the trainers and the registerbureau has waited.

Plain values in (the view reads them from the certification, portfolio and courses
packages), a frozen step out; the template words it. Nothing here knows Flask or SQL.
"""

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

ZERO = Decimal("0")


class ApplicationStage(enum.StrEnum):
    """Where the person's open application stands, as far as the next step cares."""

    WAITING = "waiting"  # submitted, in the queue
    IN_REVIEW = "in_review"
    MORE_INFO = "more_info"  # the commission asks the applicant for more


class StepKind(enum.StrEnum):
    SUSPENDED = "suspended"
    SUPPLEMENT = "supplement"
    APPLICATION_WAITING = "application_waiting"
    APPEAL_RUNNING = "appeal_running"
    APPEAL_POSSIBLE = "appeal_possible"
    APPLY = "apply"
    APPLY_FROM = "apply_from"
    CYCLE_STARTS = "cycle_starts"
    ENROL = "enrol"
    ADD_ACTIVITIES = "add_activities"


@dataclass(frozen=True)
class Situation:
    """A professional's place today, in plain values."""

    #: a certificate of theirs is suspended: nothing can be applied for
    suspended: bool
    #: the portfolio meets the rule in the window that counts now
    eligible: bool
    missing_accredited: Decimal
    missing_total: Decimal
    #: an application can be submitted today (a first certification or an open renewal)
    can_apply: bool
    #: the application that can be submitted is a renewal (herregistratie)
    renewal: bool
    #: the last day of the current certificate: renewal is applied for up to and including
    #: it; None without a current certificate
    deadline: date | None = None
    #: the first day a renewal can be submitted, when that is still to come
    renewal_opens: date | None = None
    #: first day of the window when it has not started (a renewed certificate not yet in
    #: force); None when hours count today
    cycle_starts: date | None = None
    application: ApplicationStage | None = None
    #: an objection (bezwaar) against the latest rejection is being handled
    appeal_running: bool = False
    #: the last day to object to the latest rejection, while that is possible
    appeal_until: date | None = None
    #: a seat or waiting place in an accredited course that has not ended
    enrolled_accredited: bool = False


@dataclass(frozen=True)
class Step:
    """The one most useful thing to do (or to know) now."""

    kind: StepKind
    #: hours still needed: in total and of them accredited
    missing_total: Decimal = ZERO
    missing_accredited: Decimal = ZERO
    #: the date it has to be done by (inclusive), or the date something starts
    by: date | None = None
    opens: date | None = None
    renewal: bool = False


def next_step(s: Situation) -> Step:
    """The most useful step: what blocks everything first, then what the person can do
    that moves them on (answer the commission, object, apply), then what to gather."""
    if s.suspended:
        return Step(StepKind.SUSPENDED)
    if s.application == ApplicationStage.MORE_INFO:
        return Step(StepKind.SUPPLEMENT)
    if s.application is not None:
        return Step(StepKind.APPLICATION_WAITING)
    if s.appeal_running:
        return Step(StepKind.APPEAL_RUNNING)
    if s.appeal_until is not None:
        return Step(StepKind.APPEAL_POSSIBLE, by=s.appeal_until)
    if s.cycle_starts is not None:
        return Step(StepKind.CYCLE_STARTS, opens=s.cycle_starts)
    if s.eligible and s.can_apply:
        return Step(StepKind.APPLY, by=s.deadline, renewal=s.renewal)
    if s.eligible and s.renewal_opens is not None:
        return Step(StepKind.APPLY_FROM, by=s.deadline, opens=s.renewal_opens, renewal=True)
    kind = (
        StepKind.ENROL
        if s.missing_accredited > 0 and not s.enrolled_accredited
        else StepKind.ADD_ACTIVITIES
    )
    return Step(
        kind,
        missing_total=s.missing_total,
        missing_accredited=s.missing_accredited,
        by=s.deadline,
        renewal=s.deadline is not None,
    )


@dataclass(frozen=True)
class Waiting:
    """Work of one kind that waits for someone: how much, and since which day."""

    kind: str
    count: int
    #: the day the oldest item arrived (Dutch calendar day); None when nothing waits
    since: date | None

    def days(self, today: date) -> int:
        """How many days the oldest item has waited (0 when it arrived today)."""
        return (today - self.since).days if self.since else 0


def most_waited_first(items: Iterable[Waiting]) -> list[Waiting]:
    """The kinds with work waiting, the one waiting longest first (ties in the given
    order); kinds without work are left out."""
    present = [(n, w) for n, w in enumerate(items) if w.count > 0]
    present.sort(key=lambda pair: (pair[1].since or date.max, pair[0]))
    return [w for _n, w in present]
