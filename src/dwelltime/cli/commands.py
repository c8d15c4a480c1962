"""Imports every command module so their commands are registered on the app."""

from __future__ import annotations

from dwelltime.cli import (
    calendar,  # noqa: F401
    demo,  # noqa: F401
    paramset,  # noqa: F401
    report,  # noqa: F401
    serve,  # noqa: F401
    store,  # noqa: F401
    token,  # noqa: F401
    worker,  # noqa: F401
)
