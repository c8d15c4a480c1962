"""Every command registered on the app, as `dwelltime --help` sees them."""

from __future__ import annotations

from dwelltime.cli.commands import register_all

register_all()
