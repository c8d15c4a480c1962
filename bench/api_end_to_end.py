"""Seconds from POST to a downloadable file through the API, against `dwelltime report`.

100,000 demo issues, statusDuration, business calendar "1", CSV and XLSX. Each output is
first exported through a real `dwelltime serve` (POST, poll, download), then written by
`dwelltime report` with the same parameters and the same `now` in its own process: the
ratio says what the service adds. Worker peak RSS is the worker's own (ru_maxrss, logged
by the runner); the report's comes from the kernel (`os.wait4`).

Run: `python -m bench.api_end_to_end [HOME]` (a kept HOME skips the minutes of demo data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench._served import (
    DWELLTIME,
    Served,
    auth_header,
    demo_home,
    environment,
    wait_until_finished,
)
from dwelltime.config import Settings
from dwelltime.exports.records import ExportStore
from dwelltime.sources.store import IssueStore

ISSUES = 100_000
PARAMS = {
    "filterType": "customjql",
    "customjql": "created is not empty",
    "columnsBy": "statusDuration",
    "calendar": "1",
}
OUTPUTS = ("CSV", "XLSX")


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
        [DWELLTIME, "report", "--query", query, "--now", str(now_ms), "-o", str(target)],
        env=environment(home),
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


def main() -> None:
    home = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "home"
    demo_seconds = demo_home(home, ISSUES)
    print(f"demo data: {ISSUES:,} issues ready in {demo_seconds:.0f} s ({home})")
    store = ExportStore(IssueStore.open(Settings(home=home)).engine)
    headers = auth_header(home, "bench")
    log = home.parent / "serve-end-to-end.log"
    rows = []
    with Served(home, log) as url:
        for output in OUTPUTS:
            served_file = home.parent / f"served.{output.lower()}"
            api_seconds, export_id = through_api(url, headers, output, served_file)
            record = store.get(export_id)
            assert record is not None
            report_file = home.parent / f"report.{output.lower()}"
            report_seconds, report_peak = through_report(home, output, record.now_ms, report_file)
            rows.append(
                (
                    output,
                    api_seconds,
                    worker_peak_mib(log, export_id),
                    report_seconds,
                    report_peak,
                    served_file.stat().st_size / 2**20,
                )
            )
    print(
        "| output | API POST→downloaded s | worker peak RSS MiB | `dwelltime report` s "
        "| report peak RSS MiB | ratio | file MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for output, api_s, worker_peak, report_s, report_peak, size in rows:
        print(
            f"| {output} | {api_s:.1f} | {worker_peak:.0f} | {report_s:.1f} | {report_peak:.0f} "
            f"| {api_s / report_s:.2f} | {size:.1f} |"
        )


if __name__ == "__main__":
    main()
