"""`dwelltime demo-data`: fill an empty local store with deterministic synthetic Jira data."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from dwelltime.cli.app import app
from dwelltime.cli.progress_bar import progress_bar
from dwelltime.config import get_settings
from dwelltime.errors import DwelltimeError
from dwelltime.sources.demo.generator import MAX_PROJECTS, write_demo
from dwelltime.sources.store.issue_store import IssueStore, WriteCounts


@app.command("demo-data")
def demo_data_command(
    issues: Annotated[int, typer.Option(min=0, help="How many issues to generate.")] = 2_000,
    projects: Annotated[
        int, typer.Option(min=1, max=MAX_PROJECTS, help="How many projects (and teams).")
    ] = 3,
    seed: Annotated[int, typer.Option(help="The same seed always gives the same data.")] = 1,
    if_empty: Annotated[
        bool,
        typer.Option("--if-empty", help="Do nothing (successfully) when the store holds issues."),
    ] = False,
) -> None:
    """Fill an empty local store with a realistic, reproducible synthetic Jira.

    Projects with their workflows, histories, sprints, saved filters and two business
    calendars; see docs/demo.md.
    """
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    settings = get_settings()
    store = IssueStore.open(settings)
    if if_empty and not store.is_empty():
        out.print(f"The store in {settings.home} already holds issues: no demo data added.")
        return
    with progress_bar("demo data", err) as progress:
        task = progress.add_task("issues", total=issues)

        def advance(counts: WriteCounts) -> None:
            progress.advance(task, counts.issues)

        try:
            total = write_demo(store, issues, projects, seed, on_chunk=advance)
        except DwelltimeError as error:
            err.print(f"[red]error[/red] {error.message}")
            for message in error.messages or []:
                err.print(f"  {message}")
            raise typer.Exit(code=1) from error
    out.print(
        f"[bold]demo data[/bold] (seed {seed}): {total.issues:,} issues in {projects} projects, "
        f"{total.histories:,} histories, {total.status_changes:,} status changes "
        f"in {settings.home}"
    )
