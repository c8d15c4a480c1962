"""`dwelltime sync`: mirror a Jira selection into the local store, incrementally."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from dwelltime.cli.app import app
from dwelltime.cli.jira_credentials import (
    JiraEmailOption,
    JiraPatFileOption,
    JiraTokenFileOption,
    JiraUrlOption,
    read_credentials,
)
from dwelltime.cli.progress_bar import progress_bar
from dwelltime.config import get_settings
from dwelltime.errors import DwelltimeError
from dwelltime.sources.jira.site import open_site
from dwelltime.sources.jira.sync import SyncOutcome, sync_site
from dwelltime.sources.store.issue_store import IssueStore


class _Bar:
    """SyncProgress on a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._task = progress.add_task("issues", total=None)

    def listing(self, estimate: int | None) -> None:
        about = f"about {estimate:,}" if estimate is not None else "the"
        self._progress.update(self._task, description=f"listing {about} issues")

    def started(self, total: int) -> None:
        self._progress.update(self._task, total=total, description="fetching")

    def advanced(self, count: int) -> None:
        self._progress.advance(self._task, count)


@app.command("sync")
def sync_command(
    jql: Annotated[str, typer.Option("--jql", help="Which issues to mirror (any Jira JQL).")],
    jira_url: JiraUrlOption = None,
    jira_email: JiraEmailOption = None,
    jira_token_file: JiraTokenFileOption = None,
    jira_pat_file: JiraPatFileOption = None,
) -> None:
    """Mirror the issues JQL selects on a Jira site into the local store.

    Later runs fetch only issues updated since the last complete one and remove issues
    deleted in Jira; an interrupted run resumes where it stopped. Exports on the local
    store then need no Jira at all.
    """
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    settings = get_settings()
    try:
        credentials = read_credentials(jira_url, jira_email, jira_token_file, jira_pat_file)
        if credentials is None:
            raise DwelltimeError("sync needs --jira-url and the credentials to read it with.")
        if not jql.strip():
            raise DwelltimeError("--jql is empty: say which issues to mirror.")
        store = IssueStore.open(settings)
        api = open_site(credentials, settings)
        with progress_bar("sync: {task.description}", err) as progress:
            outcome = sync_site(store, api, jql, _Bar(progress))
    except DwelltimeError as error:
        err.print(f"[red]error:[/red] {' '.join([error.message, *(error.messages or [])])}")
        raise typer.Exit(code=1) from error
    Console(highlight=False, soft_wrap=True).print(
        f"[bold]synced[/bold] {credentials.site_url}: {_summary(outcome)}"
    )


def _summary(outcome: SyncOutcome) -> str:
    """What the sync did, in the order it did it."""
    parts = [f"{outcome.listed:,} issues listed"]
    if outcome.changed is not None:
        parts[0] += f" ({outcome.changed:,} updated since the last sync)"
    parts.append(f"{outcome.fetched:,} fetched with full histories")
    if outcome.moved_out:
        parts.append(f"{outcome.moved_out:,} moved out of the selection")
    if outcome.unlisted:
        parts.append(f"{outcome.unlisted:,} fetched by exports only, checked by id")
    if outcome.deleted:
        parts.append(f"{outcome.deleted:,} deleted from the store (gone from Jira)")
    if outcome.kept:
        parts.append(f"{outcome.kept:,} hidden from this account, kept for another's sync")
    parts.append(f"{outcome.requests:,} requests")
    return ", ".join(parts)
