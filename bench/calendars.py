"""Working-time benchmark: `WorkClock.between` over many intervals on a business calendar.

The baseline is the tests' reference model (plain Python, one local day at a time) on a
sample of the same intervals, timed in the same run; the ratio compares per-interval costs.
Both must agree on the sample. The clock is built fresh, so its table build is included.
Usage: `python -m bench.calendars [--intervals N] [--sample N]`.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, date, datetime

import numpy as np
from tests.engine.reference.working_time import reference_working_ms

from bench._inputs import whole_number
from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.engine.timeline.work_clock import WorkClock

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS

CALENDAR = CalendarSpec(
    id="bench",
    name="Berlin office with a lunch break",
    time_zone="Europe/Berlin",
    working_times=tuple(
        WorkingTime(day, start * HOUR_MS, end * HOUR_MS)
        for day in range(5)
        for start, end in ((8, 12), (13, 17))
    ),
    holidays=(
        Holiday("New Year", date(2024, 1, 1), recurring=True),
        Holiday("Christmas", date(2024, 12, 25), recurring=True),
        Holiday("Offsite", date(2025, 6, 13)),
    ),
)


def intervals(count: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Visits entered anywhere in 2024-2026, lasting up to 30 days (log-uniform-ish)."""
    rng = np.random.default_rng(seed)
    first = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp() * 1000)
    starts = first + rng.integers(0, 3 * 365 * DAY_MS, count, dtype=np.int64)
    lengths = (np.exp(rng.uniform(0, np.log(30 * DAY_MS), count))).astype(np.int64)
    return starts, starts + lengths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--intervals", type=whole_number, default=1_000_000)
    parser.add_argument("--sample", type=whole_number, default=2_000)
    args = parser.parse_args()
    starts, ends = intervals(args.intervals)

    began = time.perf_counter()
    working = WorkClock.for_calendar(CALENDAR).between(starts, ends)
    engine_seconds = time.perf_counter() - began

    began = time.perf_counter()
    expected = [
        reference_working_ms(CALENDAR, int(start), int(end))
        for start, end in zip(starts[: args.sample], ends[: args.sample], strict=True)
    ]
    reference_seconds = time.perf_counter() - began
    if working[: args.sample].tolist() != expected:
        raise SystemExit("WorkClock disagrees with the reference model")

    engine_rate = args.intervals / engine_seconds
    reference_rate = args.sample / reference_seconds
    print(f"WorkClock.between: {args.intervals:,} intervals in {engine_seconds:.3f} s")
    print(f"  {engine_rate:,.0f} intervals/s")
    print(f"reference model: {args.sample:,} intervals in {reference_seconds:.3f} s")
    print(f"  {reference_rate:,.0f} intervals/s")
    print(f"ratio: {engine_rate / reference_rate:,.0f}x faster (sample agrees to the ms)")


if __name__ == "__main__":
    main()
