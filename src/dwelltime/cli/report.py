"""`dwelltime report`: run one report on the local store synchronously and write its file."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import Progress as Bar

from dwelltime.cli.app import app
from dwelltime.cli.progress_bar import progress_bar
from dwelltime.config import get_settings
from dwelltime.errors import DwelltimeError, InvalidParameters, NotFound, ReportTooLarge
from dwelltime.params.parsing import parse_params
from dwelltime.pipeline import resolve_calendar, run_report
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.param_context import StoreParamContext
from dwelltime.sources.store.source import LocalSource
from dwelltime.writers import file_extension, report_file_name

#: Exit code of a report refused for its parameters (typer's own usage errors use 2 too).
BAD_PARAMETERS = 2

#: The report parameters on a command line, shared by `report` and `export start`.
ParamOption = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A report parameter as name=value (repeatable)."),
]
QueryOption = Annotated[
    str | None,
    typer.Option(help="Parameters as one query string: 'filterType=project&projectKey=ABC'."),
]


class BarProgress:
    """The pipeline's progress shown as a rich bar on stderr."""

    def __init__(self, bar: Bar) -> None:
        self._bar = bar
        self._task = bar.add_task("issues", total=None)

    def started(self, total: int) -> None:
        self._bar.update(self._task, total=total)

    def advanced(self, completed: int) -> None:
        self._bar.update(self._task, completed=completed)

    def should_stop(self) -> bool:
        return False


def raw_parameters(query: str | None, params: Sequence[str]) -> dict[str, list[str]]:
    """`--query` then `--param` pairs; a name given with --param replaces the query's."""
    raw: dict[str, list[str]] = dict(parse_qs(query or "", keep_blank_values=True))
    given: dict[str, list[str]] = {}
    for pair in params:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InvalidParameters([f"--param {pair!r}: expected name=value"])
        given.setdefault(name, []).append(value)
    return raw | given


def parse_now(text: str | None, zone: ZoneInfo) -> int:
    """`now` as epoch ms: epoch ms, an ISO instant, or `yyyy-MM-dd HH:mm` in `zone`."""
    if text is None:
        return time.time_ns() // 1_000_000
    if text.strip().lstrip("-").isdigit():
        return int(text)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidParameters(
            [f"--now: {text!r} is neither epoch milliseconds, an ISO instant nor yyyy-MM-dd HH:mm"]
        ) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return int(moment.timestamp() * 1000)


def output_path(output: Path | None, extension: str, default_name: str) -> Path:
    """`-o` as given, with the format's extension added when it has none; an existing
    directory gets the default file name inside it."""
    if output is None:
        return Path(default_name)
    if output.is_dir():
        return output / default_name
    return output if output.suffix else output.with_name(f"{output.name}.{extension}")


@app.command("report")
def report_command(
    param: ParamOption = None,
    query: QueryOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The file to write (extension added if missing)."),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(help="The report's now: 'yyyy-MM-dd HH:mm' (calendar zone), ISO or epoch ms."),
    ] = None,
) -> None:
    """Run a report (SPEC §3 parameters) on the local store and write it to a file."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    settings = get_settings()
    store = IssueStore.open(settings)
    source = LocalSource(store)
    try:
        params = parse_params(raw_parameters(query, param or []), StoreParamContext(store))
        calendar = resolve_calendar(source, params.calendar_id)
        now_ms = parse_now(now, ZoneInfo(calendar.time_zone) if calendar else ZoneInfo("UTC"))
        extension = file_extension(params.output_type)
        default = report_file_name(params, now_ms)
        path = output_path(output, extension, default)
        stamp = datetime.fromtimestamp(now_ms / 1000, tz=UTC).isoformat(timespec="seconds")
        out.print(f"now: {stamp.replace('+00:00', 'Z')}")
        partial = path.with_name(f".{path.name}.partial")
        with progress_bar("report", err) as bar:
            try:
                with partial.open("wb") as destination:
                    outcome = run_report(
                        params,
                        source,
                        now_ms,
                        destination,
                        BarProgress(bar),
                        batch_size=settings.batch_size,
                        workdir=settings.staging_dir,
                    )
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
    except (InvalidParameters, NotFound, ReportTooLarge) as error:
        for message in error.messages or [error.message]:
            err.print(f"[red]error[/red] {message}")
        raise typer.Exit(code=BAD_PARAMETERS) from error
    except DwelltimeError as error:
        err.print(f"[red]error[/red] {error.message}")
        raise typer.Exit(code=1) from error
    out.print(
        f"[bold]{params.columns_by}[/bold]: {outcome.issues:,} issues, {outcome.rows:,} rows, "
        f"{outcome.columns:,} columns → {path}"
    )
