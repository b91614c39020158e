"""The tests' clock: every test runs at a fixed moment in Amsterdam, never the real date.

KRSD_TEST_NOW=2027-01-01T00:30 runs the whole suite on another day (the calendar's edges
are also covered for good by tests/test_calendar_days.py).
"""

import os
from datetime import datetime

from krsd.clock import AMSTERDAM

FROZEN_NOW = datetime.fromisoformat(os.environ.get("KRSD_TEST_NOW") or "2026-06-15T10:00").replace(
    tzinfo=AMSTERDAM
)
TODAY = FROZEN_NOW.date()
