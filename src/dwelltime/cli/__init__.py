"""The `dwelltime` command: one typer app, one module per command group."""

from __future__ import annotations

from dwelltime.cli.app import app


def main() -> None:
    """Entry point of the `dwelltime` console script."""
    # Importing the command modules registers their commands on `app`.
    from dwelltime.cli import commands  # noqa: F401

    app()
