"""Writers benchmark: 100,000 issues x 15 value columns in every outputType.

Each measurement runs in its own process so its peak RSS is its own. The baseline is plain
`csv.writer` over the same rows held as Python lists, measured in the same run.
Usage: `python -m bench.writers [--issues N]`.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from bench._inputs import whole_number
from dwelltime.engine.table import AggregateKind, Cell, Column, ColumnKind, ReportTable, Sheet
from dwelltime.params.model import OutputType
from dwelltime.writers import write_report

VALUE_COLUMNS = 15
ISSUE_TYPES = ("Bug", "Task", "Story", "Epic", "Sub-task")
BASELINE = "csv.writer baseline"
ROWS_ONLY = "rows only (no file)"
MEASURED = [
    BASELINE,
    ROWS_ONLY,
    OutputType.CSV.value,
    OutputType.CSV_SUM.value,
    OutputType.XLSX.value,
    OutputType.XLS.value,
]


def make_row(index: int) -> list[Cell]:
    """A deterministic list row: key, summary, then durations with some never-visited."""
    values: list[Cell] = [f"ACME-{index + 1}", f"Summary of issue {index + 1} – ünïcødé"]
    for column in range(VALUE_COLUMNS):
        seed = (index * 7919 + column * 104_729) % 100_003
        values.append(None if seed % 5 == 0 else round(seed / 7.0, 2))
    return values


def bench_table(issues: int) -> ReportTable:
    status_columns = [Column(f"Status {n}", ColumnKind.DURATION) for n in range(VALUE_COLUMNS)]
    list_columns = [Column("Key", ColumnKind.TEXT), Column("Summary", ColumnKind.TEXT)]

    def rows() -> Iterator[Sequence[Cell]]:
        return (make_row(index) for index in range(issues))

    aggregate_columns = [
        Column("Issue Type", ColumnKind.TEXT),
        Column("Issue Count", ColumnKind.COUNT),
        *status_columns,
    ]
    aggregate_rows: list[Sequence[Cell]] = [
        [name, issues // len(ISSUE_TYPES), *make_row(n)[2:]] for n, name in enumerate(ISSUE_TYPES)
    ]
    aggregates = {
        kind: Sheet(kind.value, aggregate_columns, lambda: iter(aggregate_rows), len(ISSUE_TYPES))
        for kind in AggregateKind
    }
    return ReportTable(
        listing=Sheet("List", [*list_columns, *status_columns], rows, issues),
        aggregates=aggregates,
        parameters=[("columnsBy", "statusDuration"), ("viewFormat", "minutes")],
    )


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def measure_one(name: str, issues: int, folder: Path) -> dict[str, float]:
    """Run one measurement in this process; only the writing is timed."""
    table = bench_table(issues)
    path = folder / f"bench-{name.split()[0]}"
    if name == BASELINE:
        header: list[Cell] = [column.title for column in table.listing.columns]
        lists: list[list[Cell]] = [header, *(list(row) for row in table.listing.rows())]
        before = peak_rss_mib()
        start = time.perf_counter()
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(lists)
    elif name == ROWS_ONLY:
        before = peak_rss_mib()
        start = time.perf_counter()
        for _ in table.listing.rows():
            pass
    else:
        before = peak_rss_mib()
        start = time.perf_counter()
        with path.open("wb") as handle:
            write_report(table, OutputType(name), handle)
    seconds = time.perf_counter() - start
    size = path.stat().st_size if path.exists() else 0
    return {
        "seconds": seconds,
        "rss_before_mib": before,
        "peak_rss_mib": peak_rss_mib(),
        "size_mib": size / 2**20,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=100_000)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dwelltime-bench-") as folder:
        if args.one:
            print(json.dumps(measure_one(args.one, args.issues, Path(folder))))
            return 0
        results = {}
        for name in MEASURED:
            child = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.writers",
                    "--issues",
                    str(args.issues),
                    "--one",
                    name,
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            results[name] = json.loads(child.stdout)
    baseline = results[BASELINE]["seconds"]
    print(f"{args.issues:,} issues x {VALUE_COLUMNS} value columns (+ Key, Summary)")
    print(f"| {'what':<22} | seconds | x csv.writer | peak RSS MiB (before) | file MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, result in results.items():
        print(
            f"| {name:<22} | {result['seconds']:7.2f} | {result['seconds'] / baseline:12.1f} | "
            f"{result['peak_rss_mib']:6.0f} ({result['rss_before_mib']:.0f}) | "
            f"{result['size_mib']:8.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
