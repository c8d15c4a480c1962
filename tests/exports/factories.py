"""Plain functions that build export records for tests."""

from __future__ import annotations

import json
import uuid
from typing import Any

from dwelltime.exports.records import ExportRecord, now_ms
from dwelltime.exports.status import ExportStatus

CSV_PARAMS = {
    "filterType": ["project"],
    "projectKey": ["PAY"],
    "columnsBy": ["statusDuration"],
    "outputType": ["CSV"],
}


def make_record(**overrides: Any) -> ExportRecord:
    """A Queued CSV export of user alice created now; any field can be overridden."""
    created = overrides.pop("created_ms", now_ms())
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "owner": "alice",
        "params": json.dumps(CSV_PARAMS),
        "output_type": "CSV",
        "file_name": "statusDuration-PAY.csv",
        "content_type": "text/csv; charset=utf-8",
        "now_ms": created,
        "created_ms": created,
        "status": ExportStatus.QUEUED,
    }
    values.update(overrides)
    return ExportRecord(**values)
