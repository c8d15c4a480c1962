"""Imports every command module so their commands are registered on the app."""

from __future__ import annotations

from dwelltime.cli import demo  # noqa: F401
from dwelltime.cli import report  # noqa: F401
from dwelltime.cli import store  # noqa: F401
