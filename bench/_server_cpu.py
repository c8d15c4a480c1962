"""CPU seconds of a PostgreSQL server on this machine, read from /proc: a client's CPU
says nothing of the work a query makes the server do.

The sum covers the server's live processes and, through the postmaster's children
counters, every backend that has already exited (the postmaster reaps them), so the
difference of two readings is the server's CPU in between, whoever's connections used it.
"""

from __future__ import annotations

import os
from pathlib import Path

_PROC = Path("/proc")
_TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu() -> float | None:
    """The local PostgreSQL server's CPU seconds so far; None when none runs here."""
    stats = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
            except OSError:  # the process ended meanwhile
                continue
            name, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")")[-1]
            if name == "postgres":
                stats[int(entry.name)] = fields.split()
    if not stats:
        return None
    # Fields after the name, from 0: state, ppid, …, utime (11), stime, cutime, cstime.
    ticks = sum(int(fields[11]) + int(fields[12]) for fields in stats.values())
    postmasters = [fields for fields in stats.values() if int(fields[1]) not in stats]
    ticks += sum(int(fields[13]) + int(fields[14]) for fields in postmasters)
    return ticks / _TICKS
