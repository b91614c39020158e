"""The periods (cycles) of a person's portfolio that can be printed besides the current one:
the hours that earned a first certification, and the validity of each certificate that is
no longer the current one (the hours earned for its renewal)."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from krsd.certification.models import Application, Certificate
from krsd.certification.rules import Kind
from krsd.extensions import db
from krsd.formatting import nl_date
from krsd.portfolio.rules import Window


@dataclass(frozen=True)
class Period:
    #: the value in the address (``?periode=``)
    key: str
    window: Window
    registration_number: str
    #: the hours that earned a first certification (else: a certificate's validity)
    first_certification: bool

    @property
    def title(self) -> str:
        if self.first_certification:
            return f"Eerste certificering ({self.registration_number})"
        return f"Geldigheid certificaat {self.registration_number}"

    @property
    def span(self) -> str:
        return f"{nl_date(self.window.start)} tot en met {nl_date(self.window.end)}"

    @property
    def label(self) -> str:
        """The period in words, as the PDF prints it."""
        return f"{self.title}: {self.span}"


def past_periods(user_id: int, current_id: int | None, today: date) -> list[Period]:
    """The person's earlier periods, the latest first, in one statement. ``current_id``:
    the current certificate, whose validity is the current period."""
    rows = db.session.execute(
        select(
            Certificate.id,
            Certificate.registration_number,
            Certificate.valid_from,
            Certificate.valid_until,
            Application.kind,
            Application.window_start,
            Application.window_end,
        )
        .join(Application, Application.id == Certificate.application_id)
        .where(Certificate.holder_id == user_id)
        .order_by(Certificate.valid_from.desc(), Certificate.id.desc())
    ).all()
    periods = []
    for row in rows:
        if row.id != current_id and row.valid_from <= today:
            window = Window(row.valid_from, min(row.valid_until, today))
            periods.append(Period(f"certificaat-{row.id}", window, row.registration_number, False))
        if row.kind == Kind.INITIAL:
            window = Window(row.window_start, row.window_end)
            periods.append(Period(f"eerste-{row.id}", window, row.registration_number, True))
    return periods
