"""`dwelltime export start|status|list|download|abort`: a client of a running server.

It speaks only the public export API (SPEC §2), so it works against any dwelltime (or
Timepiece) server; `start --wait` follows the export with a progress bar and fetches the
file. Exit codes are `ExitCode` (docs/cli.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as Bar
from rich.table import Table

from dwelltime.cli.app import app
from dwelltime.cli.export_client import ClientError, ExitCode, ExportClient
from dwelltime.cli.report import ParamOption, QueryOption, raw_parameters
from dwelltime.errors import InvalidParameters

export_app = typer.Typer(
    help="Start, follow, download and abort exports on a running dwelltime server.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")

DEFAULT_URL = "http://127.0.0.1:8080"
FINISHED = {"Successful": ExitCode.OK, "Failed": ExitCode.FAILED, "Aborted": ExitCode.ABORTED}

Url = Annotated[str, typer.Option(envvar="DWELLTIME_URL", help="Base URL of the dwelltime server.")]
Token = Annotated[
    str | None,
    typer.Option(envvar="DWELLTIME_TOKEN", help="API token (`dwelltime token create USER`)."),
]
ExportId = Annotated[str, typer.Argument(help="The exportId that `start` printed.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the server's JSON answer.")]
Output = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Where to write the file (default: its server name)."),
]

_err = Console(stderr=True, highlight=False, soft_wrap=True)
_out = Console(highlight=False, soft_wrap=True)


@contextmanager
def _client(url: str, token: str | None) -> Iterator[ExportClient]:
    """The client, with every ClientError printed and turned into its exit code."""
    try:
        with ExportClient(url, token) as client:
            yield client
    except ClientError as error:
        _err.print(f"[red]error[/red] {error.message}")
        for line in error.messages:
            _err.print(f"  {line}")
        raise typer.Exit(int(error.code)) from error


def _line(record: dict[str, Any]) -> str:
    """One export as a line: id, status, progress and what happened."""
    completed, total = record.get("completed", 0), record.get("total", 0)
    percent = f" ({100 * completed // total}%)" if total else ""
    # Timepiece leaves an aborted export's message null and names who in `abortedBy`.
    reason = record.get("message") or (
        f"Aborted by {record['abortedBy']}." if record.get("abortedBy") else None
    )
    message = f"  {reason}" if reason else ""
    return f"{record['exportId']}  {record['status']}  {completed}/{total}{percent}{message}"


def _target(output: Path | None, record: dict[str, Any]) -> Path:
    """`-o` as given, else the server's file name in the current folder (never a path the
    server chose: only its last part is used)."""
    if output is not None:
        return output
    return Path(Path(str(record.get("fileName") or record["exportId"])).name)


def _follow(client: ExportClient, export_id: str, interval: float) -> dict[str, Any]:
    """Poll until the export finishes, drawing a bar; Ctrl-C offers to abort it."""
    columns = (
        TextColumn("{task.fields[status]:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Bar(*columns, console=_err, transient=True) as bar:
        task = bar.add_task("export", total=None, status="Queued")
        while True:
            try:
                record = client.status(export_id)
                bar.update(
                    task,
                    total=record["total"] or None,
                    completed=record["completed"],
                    status=record["status"],
                )
                if record["status"] in FINISHED:
                    return record
                time.sleep(interval)
            except KeyboardInterrupt:
                bar.stop()
                return _interrupted(client, export_id)


def _interrupted(client: ExportClient, export_id: str) -> dict[str, Any]:
    """Ask whether to abort; either way the command ends here."""
    try:
        abort = typer.confirm(f"\nAbort export {export_id} on the server?", default=True, err=True)
    except (KeyboardInterrupt, typer.Abort):
        abort = False
    if abort:
        record = client.abort(export_id)
        _err.print(f"aborted: {_line(record)}")
        raise typer.Exit(int(FINISHED.get(record["status"], ExitCode.ABORTED)))
    _err.print(f"Left running on the server: dwelltime export status {export_id}")
    raise typer.Exit(130)


@export_app.command("start")
def start(
    url: Url = DEFAULT_URL,
    token: Token = None,
    param: ParamOption = None,
    query: QueryOption = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow it with a progress bar, then download it.")
    ] = False,
    output: Output = None,
    interval: Annotated[
        float, typer.Option(min=0.05, help="Seconds between status polls with --wait.")
    ] = 0.5,
) -> None:
    """Start an export (same parameters as `dwelltime report`); prints its exportId."""
    try:
        params = raw_parameters(query, param or [])
    except InvalidParameters as error:
        for message in error.messages or [error.message]:
            _err.print(f"[red]error[/red] {message}")
        raise typer.Exit(int(ExitCode.BAD_PARAMETERS)) from error
    with _client(url, token) as client:
        export_id = str(client.start(params)["exportId"])
        _out.print(export_id)
        if not wait:
            return
        record = _follow(client, export_id, interval)
        code = FINISHED[record["status"]]
        if code is not ExitCode.OK:
            _err.print(f"[red]{record['status']}[/red] {_line(record)}")
            raise typer.Exit(int(code))
        target = _target(output, record)
        size = client.download(export_id, target)
        _err.print(f"{record['completed']:,} issues → {target} ({size:,} bytes)")


@export_app.command("status")
def status(
    export_id: ExportId, url: Url = DEFAULT_URL, token: Token = None, as_json: AsJson = False
) -> None:
    """Show one export; exits 3 if it Failed, 4 if it was Aborted."""
    with _client(url, token) as client:
        record = client.status(export_id)
    if as_json:
        _out.print_json(json.dumps(record))
    else:
        _out.print(_line(record))
    code = FINISHED.get(record["status"], ExitCode.OK)
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


@export_app.command("list")
def list_exports(
    url: Url = DEFAULT_URL,
    token: Token = None,
    page: Annotated[int, typer.Option(min=0, help="Page number, from 0.")] = 0,
    page_size: Annotated[int, typer.Option(min=1, max=1000, help="Exports per page.")] = 20,
    as_json: AsJson = False,
) -> None:
    """My exports, newest first."""
    with _client(url, token) as client:
        body = client.page(page, page_size)
    if as_json:
        _out.print_json(json.dumps(body))
        return
    table = Table("exportId", "status", "progress", "file", "size", "message")
    for record in body["elements"]:
        total = record["total"]
        progress = f"{record['completed']}/{total}" if total else "-"
        size = f"{record['size']:,}" if record.get("size") is not None else ""
        table.add_row(
            record["exportId"],
            record["status"],
            progress,
            record.get("fileName") or "",
            size,
            record.get("message") or "",
        )
    _out.print(table)
    shown = page * page_size + len(body["elements"])
    _out.print(
        f"{shown} of {body['total']}" + ("" if body["last"] else f" (next: --page {page + 1})")
    )


@export_app.command("download")
def download(
    export_id: ExportId, url: Url = DEFAULT_URL, token: Token = None, output: Output = None
) -> None:
    """Download the file of a Successful export."""
    with _client(url, token) as client:
        record = client.status(export_id)
        target = _target(output, record)
        size = client.download(export_id, target)
    _err.print(f"{target} ({size:,} bytes)")


@export_app.command("abort")
def abort(export_id: ExportId, url: Url = DEFAULT_URL, token: Token = None) -> None:
    """Abort a Queued or Running export; prints its final state."""
    with _client(url, token) as client:
        record = client.abort(export_id)
    _out.print(_line(record))
