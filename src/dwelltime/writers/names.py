"""Download file names: `<columnsBy>-<filter>-<yyyyMMdd-HHmm>.<ext>`, safe on every filesystem."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

from dwelltime.params.model import ReportParams

#: Longest part taken from a user-supplied label, so names stay well under 255 bytes.
MAX_PART_LENGTH = 60

_UNSAFE_RUN = re.compile(r"[^A-Za-z0-9._-]+")


def filter_label(params: ReportParams) -> str:
    """The filter's part of a file name; a JQL text would make an unreadable one."""
    if params.filter_type == "customjql":
        return "jql"
    prefix = {"jqlfilter": "filter-", "sprint": "sprint-"}.get(params.filter_type, "")
    return prefix + params.filter_value


def download_name(columns_by: str, filter_label: str, now_ms: int, extension: str) -> str:
    """The download name of a report started at `now_ms` (its minute in UTC).

    >>> download_name("statusDuration", "ACME", 1764439451000, "xlsx")
    'statusDuration-ACME-20251129-1804.xlsx'
    """
    stamp = datetime.fromtimestamp(now_ms / 1000, tz=UTC).strftime("%Y%m%d-%H%M")
    return f"{safe_part(columns_by)}-{safe_part(filter_label)}-{stamp}.{extension}"


def safe_part(label: str) -> str:
    """ASCII letters, digits, `.`, `_` and `-` only, so the name is also a plain HTTP header.

    Accents are dropped (`Müller` → `Muller`), any other run of characters becomes one
    `_`, and leading/trailing separators are removed (no hidden or relative names).
    """
    decomposed = unicodedata.normalize("NFKD", label)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    part = _UNSAFE_RUN.sub("_", bare)[:MAX_PART_LENGTH].strip("._-")
    return part or "report"
