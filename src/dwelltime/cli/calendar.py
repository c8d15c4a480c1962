"""`dwelltime calendar import` and `calendar list`: business calendars in the local store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dwelltime.cli.app import app
from dwelltime.config import get_settings
from dwelltime.definitions.calendars import CalendarService
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.caller import Caller
from dwelltime.errors import ImportRejected
from dwelltime.sources.store.issue_store import IssueStore

calendar_app = typer.Typer(
    help="Business calendars (Timepiece JSON): import them, list them.", no_args_is_help=True
)
app.add_typer(calendar_app, name="calendar")

_HOUR_MS = 3_600_000


@calendar_app.command("import")
def import_command(
    file: Annotated[
        Path,
        typer.Argument(help="A calendar JSON object, or an array of them (SPEC §4)."),
    ],
) -> None:
    """Store the calendars of FILE and print their ids (the values `calendar=` takes).

    The file's ids are kept, replacing a stored calendar with the same id; a calendar
    without an id gets a new number. A file with any problem stores nothing.
    """
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        err.print(f"[red]rejected[/red] {file}: cannot be read ({error.strerror or error})")
        raise typer.Exit(code=1) from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        err.print(f"[red]rejected[/red] {file}: not JSON text ({error})")
        raise typer.Exit(code=1) from error
    calendars = CalendarService(IssueStore.open(get_settings()).engine)
    try:
        imported = calendars.import_json(Caller.operator(), data, source=str(file))
    except ImportRejected as error:
        err.print(f"[red]rejected[/red] {error.message}")
        for message in error.messages or []:
            err.print(f"  {message}")
        raise typer.Exit(code=1) from error
    for calendar in imported:
        action = "replaced" if calendar.replaced else "imported"
        out.print(f"{action} calendar [bold]{calendar.spec.id}[/bold]: {calendar.spec.name}")


@calendar_app.command("list")
def list_command() -> None:
    """List the stored calendars: id, name, time zone, weekly working hours, holidays."""
    calendars = CalendarService(IssueStore.open(get_settings()).engine).all()
    out = Console(highlight=False, soft_wrap=True)
    if not calendars:
        out.print("No calendars stored; `dwelltime calendar import FILE` adds some.")
        return
    table = Table("id", "name", "time zone", "weekly hours", "holidays")
    for spec in calendars:
        table.add_row(
            spec.id, spec.name, spec.time_zone, _weekly_hours(spec), str(len(spec.holidays))
        )
    out.print(table)


def _weekly_hours(spec: CalendarSpec) -> str:
    """Working hours of a week without holidays, e.g. `40` or `37.5`."""
    hours = sum(w.end_ms - w.start_ms for w in spec.working_times) / _HOUR_MS
    return f"{hours:.2f}".rstrip("0").rstrip(".")
