"""Synchronous report benchmark (SPEC §8): what one page and one aggregation cost.

1. `/rest/issues?pageSize=100` (JSON) at the first and at a deep `startIssueIndex` of a
   store of `--issues` demo issues (200,000 by default), the first page again right after
   a store write (one demo issue written again, not timed) on a store object that has
   not yet remembered anything (a new process: "cold"), the deep page right after the
   page before it (as a walk by `startIssueIndex` asks them), the deep page cold (after a
   write, nothing remembered: the database walks the index to it), and a deep
   `/rest/issues/v2` page
   reached by a `nextPageToken` (which carries the first page's total and columns, and the
   order key of the row before it: a keyset), against
   computing the whole report (`run_report` to CSV, the export's work) in the same run.
   Aim: a page costs at most 1/100 of the whole report.
2. `/rest/aggregation?aggregationType=average` on `--aggregation-issues` demo issues
   (100,000 by default) against the export's `outputType=CSVAVERAGE` for the same
   parameters. Aim: at most 1.1x.

Both call the services in process (the HTTP layer is the same thin route for either side),
alternating A B A B; medians of `--rounds` rounds, CPU seconds beside wall seconds.
Usage: `python -m bench.sync_reports [--issues N] [--aggregation-issues N] [--home DIR]
[--aggregation-home DIR] [--rounds N] [--only pages|aggregation]`; homes that already hold
demo issues are reused.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from itertools import islice
from pathlib import Path
from types import MappingProxyType

import jwt

from bench._inputs import whole_number
from dwelltime.config import Settings
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import run_report
from dwelltime.reports.page_tokens import PageTokens
from dwelltime.reports.service import ReportService
from dwelltime.sources.demo.generator import generate_demo, write_demo
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.tokens import load_secret

EVERYTHING = {
    "filterType": ["customjql"],
    "customjql": ["created is not empty"],
    "columnsBy": ["statusDuration"],
}
Measured = tuple[float, float]  # wall seconds, CPU seconds


def _store(home: Path, issues: int) -> IssueStore:
    store = IssueStore.open(Settings(home=home))
    if store.is_empty():
        began = time.perf_counter()
        write_demo(store, issues)
        print(f"demo store of {issues:,} issues written in {time.perf_counter() - began:.0f} s")
    return store


def _measure(run: Callable[[], object]) -> Measured:
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _alternate(
    runs: dict[str, Callable[[], object]],
    rounds: int,
    before: Mapping[str, Callable[[], object]] = MappingProxyType({}),
) -> dict[str, list[Measured]]:
    """Every run once per round, in the same order each round (A B A B); `before` a run,
    untimed, what it names for it."""
    results: dict[str, list[Measured]] = {name: [] for name in runs}
    for round_number in range(rounds):
        for name, run in runs.items():
            if name in before:
                before[name]()
            results[name].append(_measure(run))
            wall, cpu = results[name][-1]
            print(f"  round {round_number + 1} {name}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    return results


def _medians(samples: list[Measured]) -> Measured:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def _report(title: str, results: dict[str, list[Measured]], baseline: str) -> None:
    base_wall, base_cpu = _medians(results[baseline])
    print(f"\n{title}\n| what | wall s | CPU s | CPU x {baseline} |\n|---|---:|---:|---:|")
    for name, samples in results.items():
        wall, cpu = _medians(samples)
        print(f"| {name} | {wall:.3f} | {cpu:.3f} | {cpu / base_cpu:.4f} |")
    print(f"(baseline medians: {base_wall:.3f} s wall, {base_cpu:.3f} s CPU)")


def _service(store: IssueStore, settings: Settings) -> tuple[ReportService, StoreParamContext]:
    context = StoreParamContext(store)
    return ReportService(store, settings, load_secret(settings)), context


def _selected(context: StoreParamContext) -> int:
    """How many issues EVERYTHING selects: the store's, whatever `--issues` said (a reused
    home keeps the issues it was built with)."""
    return context.source.count(
        parse_params({**EVERYTHING, "outputType": ["CSV"]}, context).selection()
    )


def _export(context: StoreParamContext, settings: Settings, output_type: str) -> object:
    """What an export job computes and writes for EVERYTHING, into /dev/null."""
    params = parse_params({**EVERYTHING, "outputType": [output_type]}, context)
    with open(os.devnull, "wb") as sink:
        now_ms = time.time_ns() // 1_000_000
        return run_report(params, context.source, now_ms, sink, batch_size=settings.batch_size)


def pages(home: Path, issues: int, rounds: int) -> None:
    store = _store(home, issues)
    settings = Settings(home=home, sync_budget_seconds=3600)
    service, context = _service(store, settings)
    total = _selected(context)

    def page(start: int, cold: bool = False) -> Callable[[], object]:
        raw = {**EVERYTHING, "pageSize": ["100"], "startIssueIndex": [str(start)]}

        def run() -> object:
            # Cold: a store object that has remembered nothing (a new process), just
            # after a store write.
            answering = _service(IssueStore(store.engine), settings)[0] if cold else service
            return b"".join(answering.page("bench", raw, None).chunks())

        return run

    # The store's first demo issue written again, as it is, before each cold page.
    chunk = next(islice(generate_demo(total), 1, None))
    rewritten = replace(chunk, issues=chunk.issues[:1])
    token_raw = {**EVERYTHING, "pageSize": ["100"]}
    deep_token = _deep_token(service, context, settings, token_raw, total)
    deep = {**token_raw, "nextPageToken": [deep_token]}
    results = _alternate(
        {
            "whole report (CSV)": lambda: _export(context, settings, "CSV"),
            "first page": page(0),
            "first page, cold": page(0, cold=True),
            "deep page": page(total - 200),
            "deep page, cold": page(total - 200, cold=True),
            "deep v2 page (token)": lambda: b"".join(
                service.token_page("bench", deep, None).chunks()
            ),
        },
        rounds,
        before={
            "first page, cold": lambda: store.write(rewritten),
            "deep page": page(total - 300),
            "deep page, cold": lambda: store.write(rewritten),
        },
    )
    _report(f"pages of 100 out of {total:,} issues", results, "whole report (CSV)")


def _deep_token(
    service: ReportService,
    context: StoreParamContext,
    settings: Settings,
    raw: dict[str, list[str]],
    total: int,
) -> str:
    """The first v2 page's own token (its `now`, total, columns and ceiling) moved to a
    deep position, as a client walking every page would hold it 1,998 pages later: after
    the issue at position `total - 201`, the order key the page before would have signed."""
    first = service.token_page("bench", raw, None)
    b"".join(first.chunks())
    token = first.headers["X-Next-Page-Token"]
    digest = jwt.decode(token, options={"verify_signature": False})["fp"]
    tokens = PageTokens(load_secret(settings), settings.retention)
    position = tokens.read(token, digest)
    selection = parse_params({**EVERYTHING, "outputType": ["CSV"]}, context).selection(
        position.now_ms
    )
    before = replace(selection, start_index=total - 201, max_issues=1)
    deep = replace(position, start_index=total - 200, after=context.source.resume_key(before))
    return tokens.sign(deep, digest)


def aggregation(home: Path, issues: int, rounds: int) -> None:
    store = _store(home, issues)
    settings = Settings(home=home, sync_budget_seconds=3600)
    service, context = _service(store, settings)

    def sync() -> object:
        raw = {**EVERYTHING, "aggregationType": ["average"], "outputType": ["csv"]}
        return b"".join(service.aggregation("bench", raw, None).chunks())

    def export() -> object:
        return _export(context, settings, "CSVAVERAGE")

    results = _alternate({"export CSVAVERAGE": export, "/rest/aggregation": sync}, rounds)
    _report(f"aggregation of {_selected(context):,} issues", results, "export CSVAVERAGE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--issues", type=whole_number, default=200_000)
    parser.add_argument("--aggregation-issues", type=whole_number, default=100_000)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--aggregation-home", type=Path)
    parser.add_argument("--rounds", type=whole_number, default=3)
    parser.add_argument("--only", choices=["pages", "aggregation"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.only != "aggregation":
            pages(args.home or Path(folder) / "pages", args.issues, args.rounds)
        if args.only != "pages":
            aggregation(
                args.aggregation_home or Path(folder) / "aggregation",
                args.aggregation_issues,
                args.rounds,
            )


if __name__ == "__main__":
    main()
