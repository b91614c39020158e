"""make bench: the register at national scale, measured like a load test, on SQLite and on
a throw-away PostgreSQL (never part of the test suite).

Parts (``make bench ONLY=<part>``; ``DB=sqlite`` or ``DB=postgresql`` runs one database):
  pdf      certificate PDFs rendered in process (median of 50)
  pages    gunicorn (4 workers) under ``wrk -t2 -c16 -d8s``: /gezondheid, Mijn portfolio
           (500 activities), /register?q=jansen and a full registration number, over
           200,000 certified persons (scripts/bench_pages.py)
  daily    the daily job over 200,000 certificates, twice (scripts/bench_daily.py)
  enrol    200 simultaneous enrolment POSTs for 20 seats (scripts/bench_enrol.py)
  reports  the dashboard and the worklist export over 200,000 persons and 5,000,000
           activities, each on a fresh one-worker gunicorn (scripts/bench_reports.py)

Prints a table per database (page, req/s, ratio to trivial, p50, p99, non-2xx) and ends
with one line per target: ``TARGET <name> <measured> <goal> ok|MISSED``. PostgreSQL comes
from scripts/with-postgres.sh, Redis (the shared rate-limit store) from
scripts/with-redis.sh; ``make bench`` starts both.
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_common import DATABASES, Results, Row, postgres_server  # noqa: E402
from bench_daily import bench_daily  # noqa: E402
from bench_enrol import bench_enrol  # noqa: E402
from bench_pages import bench_pages  # noqa: E402
from bench_reports import bench_reports  # noqa: E402

PARTS = ("pdf", "pages", "daily", "enrol", "reports")
PDF_RENDERS = 50
PDF_TARGET_MS = 40.0


def bench_pdf(results: Results) -> None:
    """The certificate as the holder downloads it: render_certificate in this process."""
    from krsd.certification.pdf import CertificateData, render_certificate
    from krsd.config import Config

    data = CertificateData(
        name="Şükrü van den Heuvel-Łukaszewicz",
        function="Leerplichtambtenaar",
        employer="Gemeente Súdwest-Fryslân",
        registration_number="KRSD-012345",
        valid_from=date(2026, 6, 15),
        valid_until=date(2029, 6, 14),
        decided_on=date(2026, 6, 12),
        verification_code="7KQ2-M9XD-4T8P",
        verification_url="https://register.krsd.nl/verify/7KQ2-M9XD-4T8P",
        kind_label="Eerste registratie",
    )
    print(f"== Certificate PDF: {PDF_RENDERS} renders in process", flush=True)
    render_certificate(data, Config.PDF_FONT_DIR)  # fonts and imports warm
    timings = []
    for _ in range(PDF_RENDERS):
        started = time.perf_counter()
        pdf = render_certificate(data, Config.PDF_FONT_DIR)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    results.row(
        "in process",
        Row(
            "certificate PDF (render_certificate)",
            p50_ms=median,
            note=f"{PDF_RENDERS} renders: fastest {min(timings):.1f} ms, slowest "
            f"{max(timings):.1f} ms, {len(pdf) / 1024:.0f} kB",
        ),
    )
    results.target(
        "certificate_pdf_ms", f"{median:.1f}ms", f"<={PDF_TARGET_MS:.0f}ms", median <= PDF_TARGET_MS
    )


def main() -> None:
    only = os.environ.get("ONLY", "").strip()
    if only and only not in PARTS:
        sys.exit(f"ONLY={only!r}: kies {', '.join(PARTS)} (of laat ONLY weg voor alle delen).")
    chosen = os.environ.get("DB", "").strip()
    if chosen and chosen not in DATABASES:
        sys.exit(f"DB={chosen!r}: kies sqlite of postgresql (of laat DB weg voor beide).")
    parts = [only] if only else list(PARTS)
    databases = [chosen] if chosen else list(DATABASES)
    if parts == ["pdf"]:
        databases = []
    if "postgresql" in databases and postgres_server() is None:
        if chosen:
            sys.exit("DB=postgresql: start the bench with scripts/with-postgres.sh (make does).")
        print("== No PostgreSQL server (scripts/with-postgres.sh): SQLite only")
        databases.remove("postgresql")
    if "KRSD_TEST_REDIS_URL" not in os.environ:
        print("== No Redis (scripts/with-redis.sh): rate limits counted in memory per worker")

    started, load_before = time.monotonic(), os.getloadavg()[0]
    results = Results()
    if "pdf" in parts:
        bench_pdf(results)
    runs = {
        "pages": bench_pages,
        "daily": bench_daily,
        "enrol": bench_enrol,
        "reports": bench_reports,
    }
    for part in (p for p in parts if p in runs):
        for kind in databases:
            runs[part](kind, results)
    minutes = (time.monotonic() - started) / 60
    # Other work on the machine shows in every number: the load average tells how much.
    results.print(
        f"make bench ({', '.join(parts)}) took {minutes:.1f} minutes; load average "
        f"{load_before:.2f} at the start, {os.getloadavg()[0]:.2f} at the end"
    )


if __name__ == "__main__":
    main()
