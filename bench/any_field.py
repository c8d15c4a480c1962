"""anyFieldDuration with three historyFields against statusDuration, on one demo store.

Both reports run the whole pipeline (`run_report`: store reads, engine, staging, CSV) over
every issue of a demo store, alternating A B A B so that the machine's load hits both alike;
medians of wall and CPU seconds (`time.process_time`, this process only) and their ratios.
The store is an existing one (`--store PATH`) or a fresh demo store of `--issues` issues.
Usage: `python -m bench.any_field [--issues N] [--store PATH] [--rounds N]`.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench._inputs import whole_number
from dwelltime.config import Settings
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.sources.demo.fields import SPRINT_FIELD_ID
from dwelltime.sources.demo.generator import DEFAULT_NOW_MS, write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource

HISTORY_FIELDS = ("priority", "labels", SPRINT_FIELD_ID)


def _params(projects: list[str], columns_by: str, output: str = "CSV") -> dict[str, list[str]]:
    raw = {
        "filterType": ["customjql"],
        "customjql": [f"project in ({', '.join(projects)})"],
        "columnsBy": [columns_by],
        "outputType": [output],
    }
    if columns_by == "anyFieldDuration":
        raw["historyFields"] = [",".join(HISTORY_FIELDS)]
    return raw


def _run(store: IssueStore, raw: dict[str, list[str]], out: Path) -> tuple[float, float, int]:
    """(wall s, CPU s, List columns) of one report run."""
    params = parse_params(raw, StoreParamContext(store))
    wall, cpu = time.perf_counter(), time.process_time()
    with out.open("wb") as destination:
        outcome = run_report(params, LocalSource(store), DEFAULT_NOW_MS, destination)
    return time.perf_counter() - wall, time.process_time() - cpu, outcome.columns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=100_000)
    parser.add_argument("--store", type=Path, help="an existing dwelltime.db to read")
    parser.add_argument("--rounds", type=whole_number, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.store is not None:
            store = IssueStore.open(Settings(database_url=f"sqlite:///{args.store.resolve()}"))
        else:
            store = IssueStore.open(Settings(home=Path(folder)))
            start = time.perf_counter()
            write_demo(store, args.issues)
            print(f"demo store of {args.issues:,} issues in {time.perf_counter() - start:.0f} s")
        projects = [project.key for project in store.stats().projects]
        # CSV writes the List (anyFieldDuration's is much wider); CSVSUM computes the same
        # report and writes only the Sum table, so it shows the computation alone
        for output in ("CSV", "CSVSUM"):
            reports = {
                name: _params(projects, name, output)
                for name in ("statusDuration", "anyFieldDuration")
            }
            times: dict[str, list[tuple[float, float]]] = {name: [] for name in reports}
            for round_number in range(args.rounds):
                for name, raw in reports.items():
                    wall, cpu, columns = _run(store, raw, Path(folder) / f"{name}.csv")
                    times[name].append((wall, cpu))
                    print(
                        f"{output:6} round {round_number + 1} {name:17} {wall:6.1f} s wall "
                        f"{cpu:6.1f} s CPU {columns} columns",
                        flush=True,
                    )
            _summary(output, times)
        store.engine.dispose()


def _summary(output: str, times: dict[str, list[tuple[float, float]]]) -> None:
    medians = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in times.items()
    }
    (base_wall, base_cpu), (any_wall, any_cpu) = (
        medians["statusDuration"],
        medians["anyFieldDuration"],
    )
    print(f"{output:6} median statusDuration   {base_wall:6.1f} s wall {base_cpu:6.1f} s CPU")
    print(f"{output:6} median anyFieldDuration {any_wall:6.1f} s wall {any_cpu:6.1f} s CPU")
    print(
        f"{output:6} ratio {any_wall / base_wall:.2f}x wall, {any_cpu / base_cpu:.2f}x CPU",
        flush=True,
    )


if __name__ == "__main__":
    main()
