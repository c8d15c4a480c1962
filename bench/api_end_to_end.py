"""Seconds from POST to a downloadable file through the API, against `dwelltime report`.

100,000 demo issues, statusDuration, business calendar "1", CSV and XLSX. Each output is
first exported through a real `dwelltime serve` (POST, poll, download), then written by
`dwelltime report` with the same parameters and the same `now` in its own process: the
ratio says what the service adds. Each side runs twice, in alternating order, and the best
runs are compared (the shared machine's load drifts by minutes). Worker peak RSS is the
worker's own (ru_maxrss, logged by the runner); the report's comes from the kernel
(`os.wait4`).

Run: `python -m bench.api_end_to_end [HOME]` (a kept HOME skips the minutes of demo data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench._inputs import Arguments
from bench._served import (
    DWELLTIME,
    auth_header,
    demo_home,
    dwelltime_env,
    served,
    wait_until_finished,
)
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.sources.store.issue_store import IssueStore

ISSUES = 100_000
PARAMS = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "calendar": "1",
}
OUTPUTS = ("CSV", "XLSX")
#: Runs of each side; the shared machine is noisy, so the best of each is compared.
ROUNDS = 2
LOG_NAME = "serve-end-to-end.log"


def through_api(url: str, headers: dict[str, str], output: str, target: Path) -> tuple[float, str]:
    """(seconds from POST to the file downloaded, export id)."""
    began = time.perf_counter()
    response = httpx.post(
        f"{url}/rest/export", params={**PARAMS, "outputType": output}, headers=headers
    )
    response.raise_for_status()
    export_id: str = response.json()["exportId"]
    status = wait_until_finished(url, headers, export_id)
    if status["status"] != "Successful":
        raise SystemExit(f"export {export_id} ended {status}")
    link = str(status["downloadLink"])
    with (
        httpx.stream("GET", link, headers=headers, timeout=300) as reply,
        target.open("wb") as file,
    ):
        for chunk in reply.iter_bytes():
            file.write(chunk)
    return time.perf_counter() - began, export_id


def through_report(home: Path, output: str, now_ms: int, target: Path) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of `dwelltime report` for the same parameters and now."""
    query = urlencode({**PARAMS, "outputType": output})
    began = time.perf_counter()
    process = subprocess.Popen(
        [str(DWELLTIME), "report", "--query", query, "--now", str(now_ms), "-o", str(target)],
        env=dwelltime_env(home),
        stdout=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit("dwelltime report failed")
    return time.perf_counter() - began, usage.ru_maxrss / 1024


def worker_peak_mib(log: Path, export_id: str) -> float:
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            event = json.loads(line)
            if event.get("export_id") == export_id and event["event"] == "export_successful":
                return float(event["peak_rss_mib"])
    raise SystemExit(f"no export_successful line for {export_id} in {log}")


@dataclass
class Comparison:
    """Both sides' runs of one output type, with the same `now` (fixed by the first export)."""

    url: str
    home: Path
    headers: dict[str, str]
    store: ExportStore
    output: str
    now_ms: int = 0
    api_runs: list[float] = field(default_factory=list)
    report_runs: list[float] = field(default_factory=list)
    worker_peak: float = 0.0
    report_peak: float = 0.0

    @property
    def served_file(self) -> Path:
        return self.home.parent / f"served.{self.output.lower()}"

    def api(self) -> None:
        seconds, export_id = through_api(self.url, self.headers, self.output, self.served_file)
        self.api_runs.append(seconds)
        log = self.home.parent / LOG_NAME
        self.worker_peak = max(self.worker_peak, worker_peak_mib(log, export_id))
        record = self.store.get(export_id)
        assert record is not None
        self.now_ms = self.now_ms or record.now_ms

    def report(self) -> None:
        target = self.home.parent / f"report.{self.output.lower()}"
        seconds, peak = through_report(self.home, self.output, self.now_ms, target)
        self.report_runs.append(seconds)
        self.report_peak = max(self.report_peak, peak)

    def row(self) -> str:
        best_api, best_report = min(self.api_runs), min(self.report_runs)
        return (
            f"| {self.output} | {best_api:.1f} ({_runs(self.api_runs)}) | {self.worker_peak:.0f} "
            f"| {best_report:.1f} ({_runs(self.report_runs)}) | {self.report_peak:.0f} "
            f"| {best_api / best_report:.2f} | {self.served_file.stat().st_size / 2**20:.1f} |"
        )


def _runs(seconds: list[float]) -> str:
    return ", ".join(f"{value:.1f}" for value in seconds)


def main() -> None:
    given = Arguments(sys.argv[1:], "python -m bench.api_end_to_end [HOME]", __doc__)
    homes = given.positional(at_most=1)
    home = Path(homes[0]) if homes else Path(tempfile.mkdtemp()) / "home"
    demo_seconds = demo_home(home, ISSUES)
    print(f"demo data: {ISSUES:,} issues ready in {demo_seconds:.0f} s ({home})")
    store = ExportStore(IssueStore.open(Settings(home=home)).engine)
    headers = auth_header(home, "bench")
    print(
        "| output | API POST→downloaded s (runs) | worker peak RSS MiB | `dwelltime report` s "
        "(runs) | report peak RSS MiB | ratio of the bests | file MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    with served(home, home.parent / LOG_NAME) as server:
        url = server.url
        for output in OUTPUTS:
            comparison = Comparison(url, home, headers, store, output)
            for round_number in range(ROUNDS):
                # The first round fixes `now`; later rounds alternate the order, so the
                # machine's drifting load does not always favour the same side.
                if round_number % 2 == 0:
                    comparison.api()
                    comparison.report()
                else:
                    comparison.report()
                    comparison.api()
            print(comparison.row(), flush=True)


if __name__ == "__main__":
    main()
