"""The `dwelltime` command: one typer app, one module per command group."""

from __future__ import annotations

from dwelltime.cli.app import app
from dwelltime.cli.boundary import errors_as_messages


def main() -> None:
    """Entry point of the `dwelltime` console script."""
    # Importing the command modules registers their commands on `app`.
    from dwelltime.cli import commands  # noqa: F401

    with errors_as_messages():
        app()
