"""Where the CPU and the peak memory of one `dwelltime report` go: a clock around each
phase, in one process.

Runs the report `bench.floor` measures (statusDuration, CSV or XLSX, 7/24) through the
CLI's own code path, with CPU clocks (`time.process_time`: every thread, so Polars' workers count)
wrapped around the functions of each phase, and beside them the process's peak RSS
(`ru_maxrss`, from the kernel: Polars' allocations count, which tracemalloc does not see):
how far each phase raised it. Both are exclusive: a phase called inside another (the
staged batches loaded while rows are pivoted) is charged to itself only.

Run: `python -m bench.report_phases HOME [--calendar ID] [--output-type XLSX]` with HOME a
`dwelltime demo-data` store (seed 1).
"""

from __future__ import annotations

import functools
import importlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

_BEGAN = time.process_time()

from bench._inputs import Arguments  # noqa: E402  (the start-up clock runs first)
from bench.floor import NOW, report_command  # noqa: E402  (the start-up clock runs first)
from dwelltime.params.model import OutputType  # noqa: E402  (the start-up clock runs first)

#: Phase → (module, attribute) of the functions it covers.
PHASES: dict[str, list[tuple[str, str]]] = {
    "selection (ids)": [("dwelltime.sources.store.source", "window_ids")],
    "batch reads: issue rows": [("dwelltime.sources.store.batches", "read_frame")],
    "batch reads: change rows": [("dwelltime.sources.store.batches", "read_changes")],
    "engine (visits, cells)": [("dwelltime.engine.report", "ReportEngine.process")],
    "staging writes": [("dwelltime.pipeline", "IpcStaging.add")],
    "staging reads": [("dwelltime.pipeline", "IpcStaging.load")],
    "assembly (columns, names)": [("dwelltime.engine.report", "assemble_table")],
    "pivot and cell rendering": [("dwelltime.engine.output.listing", "pivoted_sheet.blocks")],
    "CSV text and writing": [("dwelltime.writers.csv", "_write_block")],
    "XLSX: cells to Arrow columns": [("dwelltime.writers.xlsx", "excel_frame")],
    "XLSX: columns into the sheet": [("dwelltime.writers.xlsx", "_write_block")],
    "XLSX: workbook (sheets set up, zip, copy)": [("dwelltime.writers.xlsx", "write_xlsx")],
    "aggregates: cells read": [("dwelltime.engine.output.aggregates", "_compact_cells")],
    "aggregates: cells spilled and read back": [
        ("dwelltime.engine.output.aggregates", "column_shares")
    ],
    "aggregates: statistics": [("dwelltime.engine.output.aggregates", "_share_statistics")],
}

#: Generator functions among the phases': their own steps are charged, not their consumer's.
GENERATORS = {"pivoted_sheet.blocks", "_compact_cells", "column_shares"}


def peak_mib() -> float:
    """The process's peak RSS so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clocks:
    """Exclusive CPU seconds and peak-RSS rise (MiB) per phase: entering a phase pauses the
    one it runs inside."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self.rise: dict[str, float] = dict.fromkeys(PHASES, 0.0)
        self._stack: list[tuple[str, float, float]] = []

    def enter(self, phase: str) -> None:
        now, peak = time.process_time(), peak_mib()
        if self._stack:
            self._charge(self._stack[-1], now, peak)
        self._stack.append((phase, now, peak))

    def leave(self) -> None:
        now, peak = time.process_time(), peak_mib()
        self._charge(self._stack.pop(), now, peak)
        if self._stack:
            self._stack[-1] = (self._stack[-1][0], now, peak)

    def _charge(self, since: tuple[str, float, float], now: float, peak: float) -> None:
        phase, began, peak_then = since
        self.seconds[phase] += now - began
        self.rise[phase] += peak - peak_then

    def wrap(self, phase: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.enter(phase)
            try:
                return function(*args, **kwargs)
            finally:
                self.leave()

        return timed

    def wrap_generator(self, phase: str, function: Callable[..., Iterator[Any]]) -> Any:
        """A generator's own steps are charged to `phase`, not the time its consumer spends."""

        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Iterator[Any]:
            iterator = function(*args, **kwargs)
            while True:
                self.enter(phase)
                try:
                    item = next(iterator)
                except StopIteration:
                    return
                finally:
                    self.leave()
                yield item

        return timed


def install(clocks: Clocks) -> None:
    """Wrap every phase's functions where the code under test looks them up."""
    from dwelltime.engine.output import listing

    for phase, targets in PHASES.items():
        for module_name, attribute in targets:
            if attribute == "pivoted_sheet.blocks":
                continue  # a closure: wrapped through its Sheet below
            module = importlib.import_module(module_name)
            owner_name, _, name = attribute.rpartition(".")
            owner = getattr(module, owner_name) if owner_name else module
            wrap = clocks.wrap_generator if attribute in GENERATORS else clocks.wrap
            setattr(owner, name, wrap(phase, getattr(owner, name)))
    pivoted = listing.pivoted_sheet

    def sheet_with_timed_blocks(*args: Any, **kwargs: Any) -> Any:
        sheet = pivoted(*args, **kwargs)
        assert sheet.blocks is not None  # the List sheet always streams blocks
        phase = "pivot and cell rendering"
        return replace(sheet, blocks=clocks.wrap_generator(phase, sheet.blocks))

    assembly = importlib.import_module("dwelltime.engine.output.assembly")
    setattr(assembly, "pivoted_sheet", sheet_with_timed_blocks)  # noqa: B010  (mypy)


def main() -> None:
    usage = "python -m bench.report_phases HOME [--calendar ID] [--output-type XLSX]"
    given = Arguments(sys.argv[1:], usage, __doc__)
    calendar = given.value("--calendar")
    output_type = given.choice("--output-type", [kind.value for kind in OutputType], "CSV")
    home = Path(given.positional(needed=True, at_most=1)[0])
    os.environ["DWELLTIME_HOME"] = str(home)
    clocks = Clocks()
    from dwelltime.cli import main as cli_main  # the CLI's imports: part of start-up

    install(clocks)
    startup = time.process_time() - _BEGAN
    startup_peak = peak_mib()
    with tempfile.TemporaryDirectory(prefix="dwelltime-phases-") as folder:
        out = Path(folder) / f"report.{output_type.lower()}"
        command = report_command(out, output_type, calendar)
        sys.argv = ["dwelltime", *command[1:]]
        began = time.process_time()
        try:
            cli_main()
        except SystemExit as exit_:
            if exit_.code:
                raise
        run = time.process_time() - began
    total = startup + run
    peak = peak_mib()
    print(
        f"{home.name}, {output_type}: {total:.2f} CPU s in all, peak RSS {peak:.0f} MiB (now {NOW})"
    )
    print("| phase | CPU s | share | peak RSS raised MiB |")
    print("|---|---:|---:|---:|")
    rest = run - sum(clocks.seconds.values())
    rest_rise = peak - startup_peak - sum(clocks.rise.values())
    ran = [
        (phase, seconds, clocks.rise[phase])
        for phase, seconds in clocks.seconds.items()
        if seconds or clocks.rise[phase]
    ]
    rows = [("start-up (imports)", startup, startup_peak), *ran, ("the rest", rest, rest_rise)]
    for phase, seconds, rise in rows:
        print(f"| {phase} | {seconds:.2f} | {seconds / total:.0%} | {rise:.0f} |")


if __name__ == "__main__":
    main()
