"""`dwelltime report` from an older source tree against this one, on one demo store.

Each side runs in its own process, alternating A B A B; CPU seconds (user + system, from
the kernel) beside wall seconds and peak RSS, medians. The older side runs this
interpreter with `PYTHONPATH` set to the older tree's `src` (e.g. one exported with
`git archive <commit> src | tar -x -C /tmp/before`), so both use the same installed
dependencies. `--floor` adds bench.floor's native-writer XLSX floor to the rotation.

Run: `python -m bench.before_after HOME --before SRC [--output-type XLSX] [--rounds N]
[--floor]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench._inputs import require, whole_number
from bench.floor import Run, measured, report_command

#: The console script's body, so the older tree's package is the one imported.
_MAIN = "import sys; from dwelltime.cli import main; sys.argv[0] = 'dwelltime'; main()"


def side_command(out: Path, output_type: str) -> list[str]:
    """`dwelltime report …` as `python -c`, which honours PYTHONPATH."""
    return [sys.executable, "-c", _MAIN, *report_command(out, output_type, None)[1:]]


def main() -> None:
    require(sys.argv[1:], "python -m bench.before_after HOME --before SRC [--output-type T]")
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("home", type=Path)
    parser.add_argument("--before", type=Path, required=True, help="the older tree's src")
    parser.add_argument("--output-type", default="CSV")
    parser.add_argument("--rounds", type=whole_number, default=3)
    parser.add_argument("--floor", action="store_true", help="add the native XLSX floor")
    args = parser.parse_args()
    extension = args.output_type.lower()
    with tempfile.TemporaryDirectory(prefix="dwelltime-before-after-") as folder:
        work = Path(folder)
        commands = {
            "before": side_command(work / f"before.{extension}", args.output_type),
            "after": side_command(work / f"after.{extension}", args.output_type),
        }
        if args.floor:
            database = args.home / "dwelltime.db"
            floor = [sys.executable, "-m", "bench.floor", "--side", "floor-xlsx"]
            commands["floor XLSX"] = [*floor, str(database), str(work / "floor.xlsx")]
        runs: dict[str, list[Run]] = {name: [] for name in commands}
        older = {**os.environ, "PYTHONPATH": str(args.before.resolve())}
        for _ in range(args.rounds):
            for name, command in commands.items():
                os.environ.update(older if name == "before" else {"PYTHONPATH": ""})
                runs[name].append(measured(command, args.home))
    print(f"\n{args.home.name}: report {args.output_type}, {args.rounds} rounds (medians)")
    print("| side | CPU s | wall s | peak RSS MiB | CPU runs |")
    print("|---|---:|---:|---:|---|")
    for name, measured_runs in runs.items():
        cpus = [run.cpu for run in measured_runs]
        print(
            f"| {name} | {statistics.median(cpus):.2f} "
            f"| {statistics.median(run.wall for run in measured_runs):.2f} "
            f"| {statistics.median(run.peak_mib for run in measured_runs):.0f} "
            f"| {', '.join(f'{cpu:.2f}' for cpu in cpus)} |"
        )


if __name__ == "__main__":
    main()
