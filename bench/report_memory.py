"""Peak memory of `dwelltime report` on 10,000 and on 200,000 demo issues: it should stay
nearly flat (staged batches on disk, rows streamed), not grow with the number of issues.

Run: `python -m bench.report_memory` (generating 200,000 demo issues takes several minutes).
Each report runs in its own process; its peak RSS comes from the kernel (`os.wait4`), exact.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench._inputs import Arguments

SIZES = (10_000, 200_000)
QUERY = "filterType=project&projectKey=PAY&columnsBy=statusDuration&outputType=CSV"
COMMAND = [str(Path(sys.executable).with_name("dwelltime"))]


def measured(arguments: list[str], home: Path) -> tuple[float, float]:
    """Run `dwelltime <arguments>`: (seconds, peak RSS in MiB)."""
    environment = {**os.environ, "DWELLTIME_HOME": str(home)}
    began = time.perf_counter()
    process = subprocess.Popen([*COMMAND, *arguments], env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"dwelltime {' '.join(arguments)} failed")
    return seconds, usage.ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    Arguments(sys.argv[1:], "python -m bench.report_memory", __doc__).positional(at_most=0)
    peaks = {}
    for size in SIZES:
        home = Path(tempfile.mkdtemp(prefix="dwelltime-bench-"))
        try:
            demo_seconds, _ = measured(
                ["demo-data", "--issues", str(size), "--projects", "1"], home
            )
            _, baseline = measured(["store", "stats"], home)
            out = home / "report.csv"
            seconds, peak = measured(["report", "--query", QUERY, "-o", str(out)], home)
            peaks[size] = peak
            print(
                f"{size:>8,} issues: report {seconds:6.1f} s, peak RSS {peak:6.1f} MiB "
                f"(file {out.stat().st_size / 2**20:.1f} MiB; `store stats` in the same "
                f"process setup: {baseline:.1f} MiB; demo data {demo_seconds:.0f} s)"
            )
        finally:
            shutil.rmtree(home, ignore_errors=True)
    small, large = peaks[SIZES[0]], peaks[SIZES[-1]]
    print(f"ratio {SIZES[-1]:,} / {SIZES[0]:,}: {large / small:.2f}× (aim < 1.5×, < 500 MiB)")


if __name__ == "__main__":
    main()
