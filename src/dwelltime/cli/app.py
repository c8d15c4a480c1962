"""The root typer app that every command module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="dwelltime",
    help="Time in status reports for Jira: import issues, run reports, serve the export API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root() -> None:
    """Time in status reports for Jira: import issues, run reports, serve the export API."""
    # A root callback keeps `dwelltime <command>` a group even when only the one command
    # that runs is registered (typer would otherwise make a lone command the root).
