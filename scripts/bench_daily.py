"""make bench ONLY=daily: the daily job over 200,000 certificates, run twice.

Seeds ``COUNT`` certified persons in bulk whose certificates end from 60 days before
``TODAY`` to about three years after it, each with two activities; a few are suspended,
revoked or have a renewal pending. Nothing was sent before, so the first run catches up on
every reminder that fell due (about 1 in 6 certificates) and every expiry of the last 30
days; the second run must send nothing.
"""

import re
import subprocess
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from bench_common import (
    DATABASE_LABELS,
    SEED_MOMENT,
    Loader,
    Results,
    Row,
    analyze,
    app_environment,
    database,
    migrate,
    query,
)

from tests.servers import BIN

COUNT = 200_000
TODAY = date(2027, 3, 1)
TARGET_SECONDS = 10.0


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def seed(database_url: str) -> None:
    now = SEED_MOMENT
    loader = Loader(database_url)
    (regulation,) = loader.execute("SELECT id FROM regulations")[0]
    numbers = range(1, COUNT + 1)
    # 7919 is prime: i * 7919 mod 1096 spreads the ends evenly over 1096 days.
    until = {i: TODAY + timedelta(days=(i * 7919) % 1096 - 60) for i in numbers}
    loader.insert(
        "users",
        "id email password_hash name function employer public_listing_consent active created_at "
        "email_confirmed_at",
        (
            (
                i,
                f"d{i}@example.nl",
                "x",
                f"Persoon {i}",
                "leerplichtambtenaar",
                "Gemeente Bench",
                True,
                True,
                now,
                now,
            )
            for i in numbers
        ),
    )
    loader.insert(
        "applications",
        "id applicant_id kind state window_start window_end regulation_id submitted_at "
        "queued_at decided_at",
        (
            (
                i,
                i,
                "initial",
                "approved",
                date(2020, 1, 1),
                date(2023, 1, 1),
                regulation,
                now,
                now,
                now,
            )
            for i in numbers
        ),
    )
    loader.insert(
        "certificates",
        "id holder_id application_id registration_number valid_from valid_until "
        "verification_code issued_at holder_name holder_function holder_employer "
        "suspended_at suspended_until revoked_at revocation_reason",
        (
            (
                i,
                i,
                i,
                f"KRSD-{i:06d}",
                _years_before(until[i], 3) + timedelta(days=1),
                until[i],
                f"B{i // 100_000_000:03d}-{i // 10_000 % 10_000:04d}-{i % 10_000:04d}",
                now,
                f"Persoon {i}",
                "leerplichtambtenaar",
                "Gemeente Bench",
                now if i % 997 == 0 or i % 991 == 0 else None,
                TODAY - timedelta(days=i % 20 + 1) if i % 997 == 0 else None,
                now if i % 983 == 0 else None,
                "Bench" if i % 983 == 0 else None,
            )
            for i in numbers
        ),
    )
    loader.insert(
        "applications",
        "id applicant_id kind state window_start window_end regulation_id submitted_at "
        "queued_at open_applicant_id previous_certificate_id",
        (
            (
                COUNT + i,
                i,
                "renewal",
                "submitted",
                date(2024, 1, 1),
                date(2027, 1, 1),
                regulation,
                now,
                now,
                i,
                i,
            )
            for i in numbers
            if i % 50 == 0
        ),
    )
    loader.insert(
        "activities",
        "owner_id category type title provider activity_date hours reflection verified "
        "created_at updated_at",
        (
            row
            for i in numbers
            for row in (
                (
                    i,
                    "accredited",
                    "accredited_course",
                    "Cursus",
                    "Aanbieder",
                    until[i] - timedelta(days=400),
                    8 + i % 20,
                    "Geleerd.",
                    False,
                    now,
                    now,
                ),
                (
                    i,
                    "free",
                    "intervisie",
                    "Intervisie",
                    "",
                    until[i] - timedelta(days=300),
                    30 + i % 50,
                    "Geleerd.",
                    False,
                    now,
                    now,
                ),
            )
        ),
    )
    loader.close()
    analyze(database_url)


def outbox_count(database_url: str) -> int:
    return query(database_url, "SELECT count(*) FROM outbox_messages")[0][0]


def bench_daily(kind: str, results: Results) -> None:
    label = DATABASE_LABELS[kind]
    with (
        tempfile.TemporaryDirectory(prefix="krsd-bench-daily-") as tmp,
        database(kind, "daily", Path(tmp)) as url,
    ):
        env = app_environment(url, Path(tmp))
        print(f"== The daily job over {COUNT:,} certificates ({label}), --today {TODAY}")
        started = time.monotonic()
        migrate(env)
        seed(url)
        print(f"   seeded in {time.monotonic() - started:.1f} s", flush=True)
        timings, sent = [], []
        for run in (1, 2):
            before = outbox_count(url)
            result = subprocess.run(  # noqa: S603 - our own arguments
                [str(BIN / "flask"), "krsd", "daily", "--today", TODAY.isoformat()],
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            if result.returncode:
                raise SystemExit(result.stdout + result.stderr)
            # The job's own time, as the command reports it ("Klaar in 7,2 s.").
            took = re.search(r"Klaar in ([\d,.]+) s", result.stdout)[1]
            timings.append(float(took.replace(".", "").replace(",", ".")))
            sent.append(outbox_count(url) - before)
            print(f"   run {run}: {timings[-1]:.1f} s, {sent[-1]:,} mails", flush=True)
            print("\n".join("     " + line for line in result.stdout.splitlines()))
    results.row(
        label,
        Row(
            f"daily job over {COUNT:,} certificates",
            note=f"first run {timings[0]:.1f} s ({sent[0]:,} mails), "
            f"second run {timings[1]:.1f} s ({sent[1]:,} mails)",
        ),
    )
    results.target(
        f"daily_job_{kind}",
        f"{timings[0]:.1f}s",
        f"<={TARGET_SECONDS:.0f}s",
        timings[0] <= TARGET_SECONDS,
    )
    results.target(f"daily_job_second_run_sends_{kind}", str(sent[1]), "=0", sent[1] == 0)
