"""The `dwelltime` command: one typer app, one module per command group."""

from __future__ import annotations

import sys

from dwelltime.cli.app import app


def main() -> None:
    """Entry point of the `dwelltime` console script."""
    # Importing a command module registers its commands on `app`; only the one run is.
    from dwelltime.cli.commands import register

    register(sys.argv[1:])
    app()
