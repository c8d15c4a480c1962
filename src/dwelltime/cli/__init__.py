"""The `dwelltime` command: one typer app, one module per command group."""

from __future__ import annotations

import sys

from dwelltime.cli.app import app
from dwelltime.cli.boundary import errors_as_messages


def main() -> None:
    """Entry point of the `dwelltime` console script."""
    # Importing a command module registers its commands on `app`; only the one run is.
    from dwelltime.cli.commands import register

    with errors_as_messages():
        register(sys.argv[1:])
        app()
