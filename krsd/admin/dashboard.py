"""The registerbureau's figures: persons by standing, function and province; applications by
state; the commission's turnaround; course fill rates and waiting lists.

Each figure is one aggregated SQL statement (GROUP BY in the database) turned into a pandas
frame with Dutch column names, so the page and its CSV/XLSX downloads show the same numbers
and the page runs the same few statements whatever the size of the register.

A person's standing is that of their certificates as the register sees it
(``Certificate.status_on``, the SQL twin of ``rules.certificate_status``): *gecertificeerd*
when one certificate is valid today (``Certificate.valid_on``), else *geschorst* when one is
suspended, else *nog niet ingegaan*, else what the most recently issued certificate says
(verlopen or ingetrokken).
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from sqlalchemy import BigInteger, case, func, literal, select, union_all

from krsd.admin.figures import Figure, month_label
from krsd.auth.models import User, UserRole
from krsd.auth.rules import FUNCTION_LABELS, PROVINCE_LABELS, RoleName
from krsd.certification.models import Application, Certificate
from krsd.certification.rules import KIND_LABELS, STATE_LABELS, CertificateStatus, Kind, State
from krsd.clock import AMSTERDAM
from krsd.courses.models import Course, Edition, Enrolment, EnrolmentState
from krsd.extensions import db
from krsd.formatting import nl_date

#: months of decisions in the turnaround figure (the current month included)
TURNAROUND_MONTHS = 12
NO_PROVINCE = "Niet opgegeven"

#: the standings counted, in the order of the tables (status value → Dutch column)
STANDING_COLUMNS = {
    CertificateStatus.VALID: "Gecertificeerd",
    CertificateStatus.SUSPENDED: "Geschorst",
    CertificateStatus.EXPIRED: "Verlopen",
    CertificateStatus.REVOKED: "Ingetrokken",
    CertificateStatus.NOT_YET_VALID: "Nog niet ingegaan",
}
REGISTERED = "Geregistreerd"
#: the standings drawn in the charts (the rest is in the tables)
CHARTED = ("Gecertificeerd", "Geschorst", "Verlopen", "Ingetrokken")


def _first_of_month(day: date, back: int = 0) -> date:
    month0 = day.year * 12 + day.month - 1 - back
    return date(month0 // 12, month0 % 12 + 1, 1)


#: a person's standing from their certificates: the lowest rank wins; among certificates of
#: the last rank (expired, revoked) the most recently issued (highest id) speaks
_RANKS = {
    CertificateStatus.VALID: 0,
    CertificateStatus.SUSPENDED: 1,
    CertificateStatus.NOT_YET_VALID: 2,
    CertificateStatus.EXPIRED: 3,
    CertificateStatus.REVOKED: 3,
}
_CODES = {status: n for n, status in enumerate(CertificateStatus, start=1)}
_ID_ROOM = 10**12


def _standing_key(today: date):
    """SQL: rank, then the id counted down, then the status code, as one sortable integer.

    ``MIN`` of it per holder picks the certificate that decides a person's standing in a
    plain GROUP BY (no window over every certificate), and its last digit is the status.
    """
    status = Certificate.status_on(today)
    rank = case(*((status == s.value, r) for s, r in _RANKS.items()), else_=3)
    code = case(*((status == s.value, c) for s, c in _CODES.items()), else_=0)
    room = literal(_ID_ROOM, BigInteger)  # 64-bit arithmetic on PostgreSQL too
    return (rank * room + (room - 1 - Certificate.id)) * 10 + code


def standing_counts(today: date):
    """Persons per (function, province, standing): one statement, a few hundred rows at most.

    Persons are the holders of the professional role and everyone who ever held a
    certificate; ``status`` is empty for those who never held one.
    """
    import pandas as pd

    key = func.min(_standing_key(today)).label("key")
    per_holder = select(Certificate.holder_id, key).group_by(Certificate.holder_id).subquery()
    code = (per_holder.c.key % 10).label("code")
    holders = (
        select(User.function, User.province, code, func.count())
        .select_from(per_holder)
        .join(User, User.id == per_holder.c.holder_id)
        .group_by(User.function, User.province, code)
    )
    never = (
        select(User.function, User.province, literal(0), func.count())
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == RoleName.PROFESSIONAL,
            ~select(Certificate.id).where(Certificate.holder_id == User.id).exists(),
        )
        .group_by(User.function, User.province)
    )
    statuses = {c: s.value for s, c in _CODES.items()}
    rows = db.session.execute(union_all(holders, never)).all()
    return pd.DataFrame(
        [
            (
                str(function),
                str(province) if province else "",
                statuses.get(int(code), ""),
                int(count),
            )
            for function, province, code, count in rows
        ],
        columns=["function", "province", "status", "persons"],
    )


def _standing_table(counts, by: str, labels: dict, first: str):
    """Rows per ``by`` value (in the order of ``labels``), columns per standing."""
    import pandas as pd

    if counts.empty:
        table = pd.DataFrame()
    else:
        table = counts.pivot_table(
            index=by, columns="status", values="persons", aggfunc="sum", fill_value=0
        )
    table = table.reindex(index=list(labels), columns=list(STANDING_COLUMNS), fill_value=0)
    registered = counts.groupby(by)["persons"].sum().reindex(list(labels), fill_value=0)
    frame = pd.DataFrame({first: list(labels.values()), REGISTERED: registered.to_numpy()})
    for status, column in STANDING_COLUMNS.items():
        frame[column] = table[status.value].to_numpy()
    for column in frame.columns[1:]:
        frame[column] = frame[column].astype("int64")
    return frame


def standing_figures(today: date) -> list[Figure]:
    """The three tables of persons: in total, by function, by province."""
    import pandas as pd

    counts = standing_counts(today)
    total = pd.DataFrame(
        {
            "Stand": [REGISTERED, *STANDING_COLUMNS.values()],
            "Personen": [
                int(counts["persons"].sum()),
                *(
                    int(counts.loc[counts["status"] == s.value, "persons"].sum())
                    for s in STANDING_COLUMNS
                ),
            ],
        }
    )
    functions = {f.value: label for f, label in FUNCTION_LABELS.items()}
    provinces = {p.value: label for p, label in PROVINCE_LABELS.items()} | {"": NO_PROVINCE}
    return [
        Figure(
            "stand",
            "Personen in het register",
            total,
            ("Personen",),
            note="Gecertificeerd: met een certificaat dat vandaag geldig is, zoals het openbare "
            "register telt. Wie geen geldig certificaat heeft, telt bij de stand van zijn "
            "schorsing of van zijn laatste certificaat.",
        ),
        Figure(
            "functie",
            "Personen per functie",
            _standing_table(counts, "function", functions, "Functie"),
            CHARTED,
            stacked_total=REGISTERED,
        ),
        Figure(
            "provincie",
            "Personen per provincie",
            _standing_table(counts, "province", provinces, "Provincie"),
            CHARTED,
            stacked_total=REGISTERED,
            note="De provincie waar iemand werkt, zoals die onder Mijn gegevens staat.",
        ),
    ]


def applications_figure() -> Figure:
    """Applications per state and kind: one GROUP BY."""
    import pandas as pd

    rows = db.session.execute(
        select(Application.state, Application.kind, func.count()).group_by(
            Application.state, Application.kind
        )
    ).all()
    counts = {(State(state), Kind(kind)): int(n) for state, kind, n in rows}
    frame = pd.DataFrame(
        {
            "Status": list(STATE_LABELS.values()),
            **{
                KIND_LABELS[kind]: [counts.get((state, kind), 0) for state in STATE_LABELS]
                for kind in Kind
            },
        }
    )
    frame["Totaal"] = frame[[KIND_LABELS[k] for k in Kind]].sum(axis=1).astype("int64")
    return Figure("aanvragen", "Aanvragen per status", frame, ("Totaal",))


def turnaround_frame(today: date, months: int = TURNAROUND_MONTHS):
    """Median and 90th percentile of calendar days from first submission to decision, per
    month of decision (Amsterdam), for the last ``months`` months.

    One statement of two timestamps per decision in those months. That is bounded by the
    months, not by the register's size: the commission decides each person about once in
    three years, so 200,000 persons give some 70,000 decisions a year, a few megabytes.
    (SQLite has no percentile function, so the quantiles are computed by pandas.)
    """
    import pandas as pd

    start = _first_of_month(today, months - 1)
    since = datetime.combine(start, time(), tzinfo=AMSTERDAM).astimezone(UTC)
    rows = db.session.execute(
        select(Application.submitted_at, Application.decided_at).where(
            Application.state.in_((State.APPROVED, State.REJECTED)),
            Application.decided_at >= since,
        )
    ).all()
    decisions = pd.DataFrame(rows, columns=["submitted", "decided"])
    if len(decisions):
        # Calendar days in Amsterdam: the local wall-clock days, so that a change to or from
        # summer time in between does not make a day of 23 hours count as none.
        submitted = pd.to_datetime(decisions["submitted"], utc=True).dt.tz_convert(AMSTERDAM)
        decided = pd.to_datetime(decisions["decided"], utc=True).dt.tz_convert(AMSTERDAM)
        submitted_day = submitted.dt.tz_localize(None).dt.normalize()
        decided_day = decided.dt.tz_localize(None).dt.normalize()
        decisions["days"] = (decided_day - submitted_day).dt.days
        decisions["month"] = decided_day.dt.to_period("M")
    else:
        decisions = pd.DataFrame({"days": pd.Series(dtype="int64"), "month": []})
    grouped = decisions.groupby("month")["days"]
    stats = pd.DataFrame(
        {
            "count": grouped.count(),
            "median": grouped.median(),
            "p90": grouped.quantile(0.9),
        }
    )
    month_list = [_first_of_month(today, back) for back in range(months - 1, -1, -1)]
    periods = [pd.Period(m, "M") for m in month_list]
    stats = stats.reindex(periods)
    return pd.DataFrame(
        {
            "Maand": month_list,
            "Besluiten": stats["count"].fillna(0).astype("int64").to_numpy(),
            "Mediaan (dagen)": stats["median"].astype("float64").round(1).to_numpy(),
            "90e percentiel (dagen)": stats["p90"].astype("float64").round(1).to_numpy(),
        }
    )


def turnaround_figure(today: date) -> Figure:
    return Figure(
        "doorlooptijd",
        "Doorlooptijd van de beoordeling per maand",
        turnaround_frame(today),
        ("Mediaan (dagen)", "90e percentiel (dagen)"),
        note="Kalenderdagen van de eerste indiening tot het besluit (goedgekeurd of "
        "afgewezen), per maand van het besluit; een aanvulling telt mee.",
        formats={"Maand": month_label},
    )


def courses_frame(today: date):
    """Editions running or still to come: seats, fill rate and waiting list, one statement."""
    import pandas as pd

    waiting = (
        select(func.count())
        .where(Enrolment.edition_id == Edition.id, Enrolment.state == EnrolmentState.WAITING)
        .correlate(Edition)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            Course.title,
            Edition.starts_on,
            Edition.ends_on,
            Edition.capacity,
            Edition.seats_taken,
            waiting,
        )
        .join(Course, Course.id == Edition.course_id)
        .where(Edition.ends_on >= today)
        .order_by(Edition.starts_on, Course.title, Edition.id)
    ).all()
    frame = pd.DataFrame(
        [(t, s, e, int(c), int(taken), int(w)) for t, s, e, c, taken, w in rows],
        columns=["Cursus", "Begint op", "Eindigt op", "Plaatsen", "Bezet", "Wachtlijst"],
    )
    frame["Bezetting (%)"] = (
        (100 * frame["Bezet"] / frame["Plaatsen"]).astype("float64").round(1)
        if len(frame)
        else pd.Series(dtype="float64")
    )
    for column in ("Plaatsen", "Bezet", "Wachtlijst"):
        frame[column] = frame[column].astype("int64")
    return frame[
        ["Cursus", "Begint op", "Eindigt op", "Plaatsen", "Bezet", "Bezetting (%)", "Wachtlijst"]
    ]


def courses_figure(today: date) -> Figure:
    return Figure(
        "cursussen",
        "Bezetting en wachtlijsten van lopende en komende uitvoeringen",
        courses_frame(today),
        ("Bezetting (%)",),
        scale_max=100,
        note="Bezetting: bezette plaatsen gedeeld door het aantal plaatsen.",
        row_label=lambda row: f"{row[0]} ({nl_date(row[1])})",
    )


#: the downloads, by the key in their address
BUILDERS: dict[str, Callable[[date], list[Figure]]] = {
    "stand": standing_figures,
    "functie": standing_figures,
    "provincie": standing_figures,
    "aanvragen": lambda _today: [applications_figure()],
    "doorlooptijd": lambda today: [turnaround_figure(today)],
    "cursussen": lambda today: [courses_figure(today)],
}


def all_figures(today: date) -> list[Figure]:
    """Every figure of the page: four statements."""
    return [
        *standing_figures(today),
        applications_figure(),
        turnaround_figure(today),
        courses_figure(today),
    ]


def figure(key: str, today: date) -> Figure | None:
    """One figure for a download (None for an unknown key)."""
    builder = BUILDERS.get(key)
    if builder is None:
        return None
    return next(f for f in builder(today) if f.key == key)
