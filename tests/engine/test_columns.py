"""The column count the parameters alone fix (checked against a format's limit before any
issue is read)."""

from __future__ import annotations

from typing import Any

import pytest

from dwelltime.engine.output.columns import planned_column_count
from dwelltime.params.model import DbsMetric, DbsPoint, ReportType, StatusGroup
from tests.engine.reference.issues import params

CYCLE = DbsMetric("Cycle", DbsPoint("creation"), DbsPoint("status", ("3",)))


@pytest.mark.parametrize(
    ("report", "options", "count"),
    [
        pytest.param(ReportType.STATUS_DURATION, {}, None, id="statuses-unknown"),
        pytest.param(
            ReportType.STATUS_DURATION,
            {"statuses": ("1", "3"), "fields": ("summary", "issuetype")},
            5,
            id="key-summary-field-statuses",
        ),
        pytest.param(
            ReportType.STATUS_COUNT,
            {"statuses": ("1",), "group_by_fields": ("issuetype", "priority", "labels")},
            5,
            id="aggregate-sheet-wider",
        ),
        pytest.param(
            ReportType.LAST_TRANSITION_TO_STATUS_DATE,
            {"statuses": ("1", "3"), "include_transitioned_by": True},
            6,
            id="dates-with-authors",
        ),
        pytest.param(ReportType.TRANSITION_COUNT, {"statuses": ("1",)}, None, id="pairs-unknown"),
        pytest.param(
            ReportType.GROUP_DURATION, {"groups": (StatusGroup("A", ("1",)),)}, 3, id="groups"
        ),
        pytest.param(
            ReportType.DURATION_BETWEEN_STATUSES, {"dbs_metrics": (CYCLE, CYCLE)}, 4, id="metrics"
        ),
        pytest.param(ReportType.STATUS_DURATION_EXPANDED, {}, 7, id="expanded"),
    ],
)
def test_planned_column_count(
    report: ReportType, options: dict[str, Any], count: int | None
) -> None:
    assert planned_column_count(params(report, **options)) == count
