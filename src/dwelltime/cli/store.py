"""`dwelltime import` and `dwelltime store stats`: fill the local store, see what it holds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dwelltime.cli.app import app
from dwelltime.config import get_settings
from dwelltime.domain.sites import RESERVED_SITES, SiteProblem, site_url
from dwelltime.sources.jira_json.importer import import_files
from dwelltime.sources.store.issue_store import IssueStore, WriteCounts
from dwelltime.sources.store.stats import StoreStats

#: Warnings printed per file; a search saved without expand=changelog warns for every issue.
MAX_WARNINGS_SHOWN = 10

store_app = typer.Typer(help="Inspect the local issue store.", no_args_is_help=True)
app.add_typer(store_app, name="store")


@app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH",
            help="Jira JSON files (or folders of them): search results, issues, "
            "NDJSON, changelog pages, bulkfetch changelogs, status lists.",
        ),
    ],
    statuses: Annotated[
        Path | None,
        typer.Option(help="The status catalog (/rest/api/2/status response)."),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="The Jira site the issues come from (its base URL); by default the "
            "one the issues' `self` links name.",
        ),
    ] = None,
) -> None:
    """Import Jira REST JSON into the local store, one transaction per file."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    chosen = _site_option(site)
    store = IssueStore.open(get_settings())
    total = WriteCounts(issues=0, histories=0, status_changes=0)
    rejected = 0
    for result in import_files(store, paths, statuses, chosen):
        if result.counts is None:
            rejected += 1
            err.print(f"[red]rejected[/red] {result.error}")
            continue
        out.print(f"[green]imported[/green] {result.path}: {_counts(result.counts)}")
        for warning in result.warnings[:MAX_WARNINGS_SHOWN]:
            err.print(f"  [yellow]warning[/yellow] {warning}")
        if len(result.warnings) > MAX_WARNINGS_SHOWN:
            err.print(f"  … and {len(result.warnings) - MAX_WARNINGS_SHOWN:,} more warnings")
        total = _add(total, result.counts)
    out.print(f"[bold]total[/bold]: {_counts(total)}")
    if total.issues and not store.has_status_catalog():
        err.print(
            "[yellow]warning[/yellow] the store has no status catalog: import "
            "/rest/api/2/status with --statuses, or reports count every status as deleted."
        )
    if rejected:
        err.print(f"[red]{rejected} file(s) rejected[/red]: nothing of them was stored.")
        raise typer.Exit(code=1)


def _site_option(text: str | None) -> str | None:
    if text is None:
        return None
    if text.strip().casefold() in RESERVED_SITES:
        raise typer.BadParameter(
            f"{text.strip()!r} is reserved (demo data, issues stored before sites); "
            "name the Jira site by its URL",
            param_hint="--site",
        )
    try:
        return site_url(text)
    except SiteProblem as problem:
        raise typer.BadParameter(str(problem), param_hint="--site") from None


@store_app.command("stats")
def stats_command() -> None:
    """Print what the local store holds."""
    _print_stats(IssueStore.open(get_settings()).stats(), Console(highlight=False))


def _print_stats(stats: StoreStats, console: Console) -> None:
    totals = Table(title="Local store", show_header=False)
    totals.add_column("what")
    totals.add_column("count", justify="right")
    for label, value in (
        ("issues", stats.issues),
        ("histories", stats.histories),
        ("change items", stats.change_items),
        ("status changes", stats.status_changes),
        ("statuses", stats.statuses),
        ("users", stats.users),
        ("sprints", stats.sprints),
        ("saved filters", stats.filters),
        ("calendars", stats.calendars),
        ("parameter sets", stats.param_sets),
    ):
        totals.add_row(label, f"{value:,}")
    totals.add_row("first created", _instant(stats.first_created_ms))
    totals.add_row("last updated", _instant(stats.last_updated_ms))
    console.print(totals)
    projects = Table(title="Issues per project")
    projects.add_column("project")
    projects.add_column("name")
    projects.add_column("issues", justify="right")
    for project in stats.projects:
        projects.add_row(project.key, project.name or "", f"{project.issues:,}")
    console.print(projects)
    sites = Table(title="Issues per site")
    sites.add_column("site")
    sites.add_column("issues", justify="right")
    for site, number in stats.sites:
        sites.add_row(site, f"{number:,}")
    console.print(sites)


def _counts(counts: WriteCounts) -> str:
    text = (
        f"{counts.issues:,} issues, {counts.histories:,} histories, "
        f"{counts.status_changes:,} status changes"
    )
    if counts.statuses:
        text += f", {counts.statuses:,} statuses"
    if counts.skipped:
        text += f" ({counts.skipped:,} older copies kept out)"
    return text


def _add(total: WriteCounts, counts: WriteCounts) -> WriteCounts:
    return WriteCounts(
        issues=total.issues + counts.issues,
        histories=total.histories + counts.histories,
        status_changes=total.status_changes + counts.status_changes,
        skipped=total.skipped + counts.skipped,
        statuses=total.statuses + counts.statuses,
    )


def _instant(ms: int | None) -> str:
    if ms is None:
        return "—"
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
