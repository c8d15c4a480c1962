"""Which module registers each top-level command, imported only when that command runs.

`dwelltime report` must not pay for FastAPI and uvicorn (`serve`) or the importers: each
command module is imported on demand, and all of them only for help or an unknown name.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

#: Top-level command or group name → the `dwelltime.cli` module that registers it.
COMMAND_MODULES = {
    "calendar": "calendar",
    "demo-data": "demo",
    "export": "export",
    "import": "store",
    "paramset": "paramset",
    "report": "report",
    "serve": "serve",
    "store": "store",
    "sync": "sync",
    "token": "token",
    "worker": "worker",
}


def register(arguments: Sequence[str]) -> None:
    """Import the module of the command named in `arguments` (the command line after the
    program name), or every command module when none is named (help, typos)."""
    name = next((argument for argument in arguments if not argument.startswith("-")), None)
    if name in COMMAND_MODULES:
        modules = [COMMAND_MODULES[name]]
    else:
        modules = sorted(set(COMMAND_MODULES.values()))
    for module in modules:
        importlib.import_module(f"dwelltime.cli.{module}")


def register_all() -> None:
    """Every command on the app, as help lists them (tests use it)."""
    register(())
