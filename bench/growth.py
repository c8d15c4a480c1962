"""How `dwelltime report` grows with the issue count: CPU seconds and peak RSS per store,
and the fitted exponent k of CPU ∝ issues^k (aim ≤ 1.0: linear or better).

Run: `python -m bench.growth HOME [HOME …] [--rounds N]`, each HOME a `dwelltime demo-data`
store (seed 1). The stores are run in turn, round after round (A B C A B C), medians kept.
"""

from __future__ import annotations

import math
import sqlite3
import statistics
import sys
import tempfile
from pathlib import Path

from bench._inputs import Arguments
from bench.floor import Run, measured, report_command


def issue_count(home: Path) -> int:
    with sqlite3.connect(home / "dwelltime.db") as connection:
        (count,) = connection.execute("SELECT count(*) FROM issues").fetchone()
    return int(count)


def exponent(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of log(cpu) over log(issues)."""
    xs = [math.log(issues) for issues, _ in points]
    ys = [math.log(cpu) for _, cpu in points]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    numerator = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    return numerator / sum((x - mean_x) ** 2 for x in xs)


def main() -> None:
    given = Arguments(sys.argv[1:], "python -m bench.growth HOME [HOME …] [--rounds N]", __doc__)
    rounds = given.count("--rounds", 2)
    homes = [Path(argument) for argument in given.positional(needed=True)]
    runs: dict[Path, list[Run]] = {home: [] for home in homes}
    with tempfile.TemporaryDirectory(prefix="dwelltime-growth-") as folder:
        out = Path(folder) / "report.csv"
        for _ in range(rounds):
            for home in homes:
                runs[home].append(measured(report_command(out, "CSV", None), home))
    print("| issues | CPU s | wall s | peak RSS MiB | CPU µs per issue |")
    print("|---:|---:|---:|---:|---:|")
    points = []
    for home in homes:
        issues = issue_count(home)
        cpu = statistics.median(run.cpu for run in runs[home])
        wall = statistics.median(run.wall for run in runs[home])
        peak = statistics.median(run.peak_mib for run in runs[home])
        points.append((issues, cpu))
        print(f"| {issues:,} | {cpu:.2f} | {wall:.2f} | {peak:.0f} | {cpu / issues * 1e6:.1f} |")
    print(f"fitted exponent (CPU ∝ issues^k): k = {exponent(points):.2f}")


if __name__ == "__main__":
    main()
