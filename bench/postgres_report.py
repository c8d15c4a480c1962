"""`dwelltime report` (statusDuration, CSV, 7/24) over the same demo data stored in SQLite
and in PostgreSQL, alternating A B A B, each side in its own process: wall, client CPU
seconds (user + system, from the kernel) and peak RSS, and the PostgreSQL server's CPU
when it runs on this machine (from /proc). The two CSV files must hold the same cells
under the same headers; whether they are byte-identical is printed beside (they are for
stores loaded since migration 0025 numbered the status catalog; a PostgreSQL store loaded
before it keeps listing its status columns in id order).

Inputs: a demo store's home (a copy: the report brings its schema up to date) and a
PostgreSQL database loaded with the same demo data (`DWELLTIME_DATABASE_URL=…
dwelltime demo-data --issues N --seed 1`).
Usage: `python -m bench.postgres_report HOME URL [--rounds N]`.
"""

from __future__ import annotations

import argparse
import filecmp
import statistics
import sys
import tempfile
from pathlib import Path

import polars as pl

from bench._inputs import require, whole_number
from bench._server_cpu import server_cpu
from bench.floor import Run, measured, report_command


def _same_cells(one: Path, other: Path) -> bool:
    """The same rows, in the same order, with the same text under each header."""
    left = pl.read_csv(one, infer_schema=False)
    right = pl.read_csv(other, infer_schema=False)
    return sorted(left.columns) == sorted(right.columns) and left.equals(right.select(left.columns))


def main() -> None:
    require(sys.argv[1:], "python -m bench.postgres_report HOME URL [--rounds N]")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home", type=Path)
    parser.add_argument("url")
    parser.add_argument("--rounds", type=whole_number, default=2)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dwelltime-postgres-report-"))
    sides = {"SQLite": (arguments.home, None), "PostgreSQL": (work / "home", arguments.url)}
    runs: dict[str, list[tuple[Run, float | None]]] = {name: [] for name in sides}
    for _ in range(arguments.rounds):
        for name, (home, url) in sides.items():
            before = server_cpu()
            run = measured(report_command(work / f"{name}.csv", "CSV", None), home, None, url)
            after = server_cpu()
            runs[name].append((run, None if before is None or after is None else after - before))
            print(f"{name}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU", flush=True)
    identical = filecmp.cmp(work / "SQLite.csv", work / "PostgreSQL.csv", shallow=False)
    same = _same_cells(work / "SQLite.csv", work / "PostgreSQL.csv")
    print(f"\nCSV files byte-identical: {identical}; same cells by header: {same}")
    print(f"medians of {arguments.rounds}")
    print("| store | wall s (runs) | client CPU s | server CPU s | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, each in runs.items():
        walls = ", ".join(f"{run.wall:.1f}" for run, _ in each)
        servers = [server for _, server in each if server is not None]
        server = f"{statistics.median(servers):.1f}" if servers else "n/a"
        print(
            f"| {name} | {statistics.median(run.wall for run, _ in each):.1f} ({walls}) "
            f"| {statistics.median(run.cpu for run, _ in each):.1f} | {server} "
            f"| {statistics.median(run.peak_mib for run, _ in each):.0f} |"
        )
    if not same:
        raise SystemExit("the CSV files hold different cells")


if __name__ == "__main__":
    main()
