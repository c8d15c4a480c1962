"""statusDuration on a business calendar over 1.1 million visits: the vectorized engine
against the tests' reference model (one visit at a time) on the first issues of the same data.

Run: `python -m bench.engine` (about a minute on 2 cores). Prints visits per second of both
and their ratio; record the output in bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from datetime import date

import numpy as np
import polars as pl
from tests.engine.reference.report import expected_report

from bench._inputs import Arguments
from dwelltime.domain.calendars import CalendarSpec, Holiday, WorkingTime
from dwelltime.domain.issue_batch import CHANGE_COLUMNS, ISSUE_COLUMNS, IssueBatch, field_column
from dwelltime.domain.issues import STATUS_FIELD, ChangeItem, History, Issue, Status
from dwelltime.engine.context import ReportContext
from dwelltime.engine.report import ReportEngine
from dwelltime.engine.staging import MemoryStaging
from dwelltime.params.model import OutputType, ReportParams, ReportType

ISSUES = 100_000
CHANGES_PER_ISSUE = 10  # so 11 visits per issue: 1,100,000 visits
BATCH = 2_000
REFERENCE_ISSUES = 500
HOUR = 3_600_000
START = 1_735_689_600_000  # 2025-01-01T00:00Z
NOW = START + 600 * 24 * HOUR
STATUSES = tuple(Status(str(10_000 + n), f"Step {n}") for n in range(6))
CALENDAR = CalendarSpec(
    "1",
    "Berlin shifts",
    "Europe/Berlin",
    tuple(
        WorkingTime(day, start * HOUR, end * HOUR)
        for day in range(5)
        for start, end in ((8, 12), (13, 17))
    ),
    (
        Holiday("New Year", date(2025, 1, 1), recurring=True),
        Holiday("Labour Day", date(2025, 5, 1), recurring=True),
        Holiday("Christmas", date(2025, 12, 25), recurring=True),
    ),
)
PARAMS = ReportParams(
    filter_type="project",
    filter_value="B",
    columns_by=ReportType.STATUS_DURATION,
    output_type=OutputType.CSV,
    calendar_id="1",
)


class Histories:
    """Random walks over the statuses: created instants, change instants and targets."""

    def __init__(self, seed: int = 7) -> None:
        rng = np.random.default_rng(seed)
        self.created = START + rng.integers(0, 300 * 24 * HOUR, ISSUES)
        gaps = rng.exponential(30 * HOUR, (ISSUES, CHANGES_PER_ISSUE)).astype(np.int64) + 1
        self.ts = self.created[:, None] + np.cumsum(gaps, axis=1)
        steps = rng.integers(1, len(STATUSES), (ISSUES, CHANGES_PER_ISSUE + 1))
        self.path = np.cumsum(steps, axis=1) % len(STATUSES)

    def batch(self, first: int, last: int) -> IssueBatch:
        count = last - first
        ids = np.arange(first, last, dtype=np.int64)
        path = self.path[first:last]
        ids_per_change = np.repeat(ids, CHANGES_PER_ISSUE)
        status_ids = np.array([s.id for s in STATUSES])
        issues = pl.DataFrame(
            {
                "issue_id": ids,
                "key": [f"B-{n}" for n in ids],
                "created_ms": self.created[first:last],
                "status_id": status_ids[path[:, -1]],
                "assignee": [None] * count,
                "assignee_name": [None] * count,
                field_column("summary"): [f"Issue {n}" for n in ids],
            },
            schema={**ISSUE_COLUMNS, field_column("summary"): pl.Utf8},
        )
        changes = pl.DataFrame(
            {
                "issue_id": ids_per_change,
                "history_id": ids_per_change * 100 + np.tile(np.arange(CHANGES_PER_ISSUE), count),
                "ts_ms": self.ts[first:last].ravel(),
                "field_id": STATUS_FIELD,
                "from_value": status_ids[path[:, :-1]].ravel(),
                "from_string": None,
                "to_value": status_ids[path[:, 1:]].ravel(),
                "to_string": None,
                "author": "Ann",
            },
            schema=CHANGE_COLUMNS,
        )
        return IssueBatch(issues=issues, changes=changes)

    def batches(self) -> Iterator[IssueBatch]:
        for first in range(0, ISSUES, BATCH):
            yield self.batch(first, min(first + BATCH, ISSUES))

    def issue(self, index: int) -> Issue:
        """The same issue as a domain object, for the reference model."""
        path = self.path[index]
        histories = tuple(
            History(
                index * 100 + n,
                int(self.ts[index, n]),
                "Ann",
                "Ann",
                (
                    ChangeItem(
                        STATUS_FIELD,
                        STATUS_FIELD,
                        "jira",
                        STATUSES[path[n]].id,
                        None,
                        STATUSES[path[n + 1]].id,
                        None,
                    ),
                ),
            )
            for n in range(CHANGES_PER_ISSUE)
        )
        return Issue(
            id=index,
            key=f"B-{index}",
            project_key="B",
            summary=f"Issue {index}",
            created_ms=int(self.created[index]),
            status_id=STATUSES[path[-1]].id,
            histories=histories,
        )


def main() -> None:
    Arguments(sys.argv[1:], "python -m bench.engine", __doc__).positional(at_most=0)
    data = Histories()
    visits = ISSUES * (CHANGES_PER_ISSUE + 1)
    batches = list(data.batches())  # built before timing: the source's work, not the engine's
    context = ReportContext(STATUSES, CALENDAR, NOW)

    began = time.perf_counter()
    engine = ReportEngine(PARAMS, context)
    staging = MemoryStaging()
    for batch in batches:
        staging.add(engine.process(batch))
    processed = time.perf_counter()
    table = engine.finish(staging)
    rows = sum(1 for _ in table.listing.rows())
    for sheet in table.aggregates.values():
        sum(1 for _ in sheet.rows())
    finished = time.perf_counter()
    engine_rate = visits / (processed - began)
    print(f"engine: {visits:,} visits of {rows:,} issues")
    print(
        f"  process (visits → staged cells): {processed - began:.2f} s, {engine_rate:,.0f} visits/s"
    )
    print(f"  finish + all rows rendered: {finished - processed:.2f} s")
    total_rate = visits / (finished - began)
    print(f"  end to end: {finished - began:.2f} s, {total_rate:,.0f} visits/s")

    sample = [data.issue(index) for index in range(REFERENCE_ISSUES)]
    sample_visits = REFERENCE_ISSUES * (CHANGES_PER_ISSUE + 1)
    began = time.perf_counter()
    expected = expected_report(sample, PARAMS, STATUSES, CALENDAR, NOW)
    reference_seconds = time.perf_counter() - began
    reference_rate = sample_visits / reference_seconds
    print(
        f"reference: {sample_visits:,} visits (first {REFERENCE_ISSUES} issues) in "
        f"{reference_seconds:.2f} s, {reference_rate:,.0f} visits/s"
    )
    same = [list(row) for row in expected.listing.rows] == [
        list(row) for row, _ in zip(table.listing.rows(), range(REFERENCE_ISSUES), strict=False)
    ]
    print(f"  engine rows equal the reference's on the sample: {same}")
    print(f"ratio (engine process / reference): {engine_rate / reference_rate:,.0f}×")
    print(f"ratio (engine end to end / reference): {total_rate / reference_rate:,.0f}×")


if __name__ == "__main__":
    main()
