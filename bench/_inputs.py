"""Benchmarks of a store or a server the caller names.

`make bench` runs every script bare; those that measure given inputs cannot invent them,
so bare they say what they need and exit with `NEEDS_INPUTS`, which the runner reports as
not run rather than as failed.
"""

from __future__ import annotations

from collections.abc import Sequence

#: The exit status of a script run without the inputs it measures.
NEEDS_INPUTS = 3


def answer_help(arguments: Sequence[str], usage: str, about: str | None) -> None:
    """Print `about` (the script's docstring) and the usage line for `-h`/`--help`, and exit:
    a script reading its arguments by position would take the option for a HOME."""
    if {"-h", "--help"} & set(arguments):
        print(f"{(about or '').strip()}\n\nusage: {usage}")
        raise SystemExit(0)


def require(arguments: Sequence[str], usage: str) -> None:
    """Exit with `NEEDS_INPUTS` and the usage line when no inputs were given."""
    if not arguments:
        print(f"not run: it needs its inputs; usage: {usage}")
        raise SystemExit(NEEDS_INPUTS)
