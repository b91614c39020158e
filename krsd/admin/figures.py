"""A figure of the dashboard as the page and the downloads show it: its table, its chart
bars, Dutch cells and month labels (the numbers themselves come from admin.dashboard)."""

import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from krsd.formatting import nl_date, nl_month, nl_number


@dataclass(frozen=True)
class Figure:
    """One table of the dashboard: its frame (first column names the rows) and its chart."""

    key: str
    title: str
    frame: object  # pandas.DataFrame
    #: the columns drawn as bars, each with its CSS class
    chart: tuple[str, ...]
    #: the chart's scale: None for the largest value, 100 for percentages
    scale_max: float | None = None
    note: str = ""
    #: how a cell is shown on the page, per column (default: by its type)
    formats: dict[str, Callable] = field(default_factory=dict)
    #: the chart's name of a row (default: the first cell as shown)
    row_label: Callable | None = None
    #: stacked chart: this column is the whole bar, the ``chart`` columns its segments
    stacked_total: str | None = None

    @property
    def columns(self) -> list[str]:
        return list(self.frame.columns)

    def rows(self) -> list[list[str]]:
        """The cells as the page shows them: Dutch numbers and dates, "—" for no value."""
        return [
            [self.formats.get(c, show)(v) for c, v in zip(self.columns, values, strict=True)]
            for values in self.frame.itertuples(index=False, name=None)
        ]

    def chart_rows(self) -> list[dict]:
        """Per row its label and, per charted column, the value (0 for none) and its text."""
        shown = self.rows()
        out = []
        for values, cells in zip(self.frame.itertuples(index=False), shown, strict=True):
            bars = []
            for column in self.chart:
                value = values[self.columns.index(column)]
                text = cells[self.columns.index(column)]
                number = 0.0 if value is None or value != value else float(value)
                bars.append({"value": number, "text": text})
            label = self.row_label(values) if self.row_label else cells[0]
            row = {"label": label, "bars": bars}
            if self.stacked_total:
                index = self.columns.index(self.stacked_total)
                row["total"] = {"value": float(values[index]), "text": cells[index]}
            out.append(row)
        return out

    @property
    def largest(self) -> float:
        """The chart's full length: the scale, or the largest value drawn (at least 1)."""
        if self.scale_max is not None:
            return float(self.scale_max)
        rows = self.chart_rows()
        if self.stacked_total:
            values = [row["total"]["value"] for row in rows]
        else:
            values = [b["value"] for row in rows for b in row["bars"]]
        return max([1.0, *values])


def show(value) -> str:
    """A cell on the page: 1.234 for counts, 12,5 for fractions, dates in Dutch, "—" if none."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return nl_date(value)
    if isinstance(value, numbers.Integral):
        return nl_number(int(value))
    if isinstance(value, numbers.Real):
        if value != value:  # NaN: no decisions that month
            return "—"
        return nl_number(float(value), decimals=1)
    return str(value)


def month_label(day: date) -> str:
    """jun 2026."""
    return nl_month(day)
