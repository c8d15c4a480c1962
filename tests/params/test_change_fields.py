"""Which change items a report needs: exactly what it measures, nothing else."""

from __future__ import annotations

import pytest

from dwelltime.params.model import DbsMetric, DbsPoint, OutputType, ReportParams, ReportType


def _params(report: ReportType, metrics: tuple[DbsMetric, ...] = ()) -> ReportParams:
    return ReportParams("project", "P", report, OutputType.CSV, dbs_metrics=metrics)


@pytest.mark.parametrize("report", list(ReportType))
def test_status_always_and_the_assignee_only_for_assignee_reports(report: ReportType) -> None:
    assignee = report in (
        ReportType.ASSIGNEE_DURATION,
        ReportType.STATUS_DURATION_BY_ASSIGNEE,
        ReportType.ASSIGNEE_DURATION_BY_STATUS,
    )
    expected = ("status", "assignee") if assignee else ("status",)
    assert _params(report).change_fields == expected
    assert _params(report).selection().change_fields == expected


def test_metric_fields_are_read_once_each() -> None:
    metric = DbsMetric(
        "m",
        DbsPoint("field", field_id="labels"),
        DbsPoint("field", field_id="priority"),
    )
    again = DbsMetric("n", DbsPoint("creation"), DbsPoint("field", field_id="labels"))
    params = _params(ReportType.DURATION_BETWEEN_STATUSES, (metric, again))
    assert params.change_fields == ("status", "labels", "priority")


@pytest.mark.parametrize("report", list(ReportType))
@pytest.mark.parametrize("transitioned_by", [False, True])
def test_authors_only_for_reports_that_show_them(report: ReportType, transitioned_by: bool) -> None:
    params = ReportParams(
        "project", "P", report, OutputType.CSV, include_transitioned_by=transitioned_by
    )
    shows = report.is_expanded or (report.is_date_report and transitioned_by)
    assert params.reads_authors is shows
    assert params.selection().change_authors is shows
