"""Cross-checks between report parameters that are each valid on their own (SPEC §3, §4, §5).

Each check returns the problems it finds, worded like the single-parameter ones: the
parameter to change first, then why.
"""

from __future__ import annotations

from dwelltime.domain.calendars import CalendarSpec, business_day_ms
from dwelltime.params.model import OutputType, ReportParams, ReportType

_AGGREGATE_CSVS = frozenset(
    {
        OutputType.CSV_AVERAGE,
        OutputType.CSV_SUM,
        OutputType.CSV_MEDIAN,
        OutputType.CSV_STANDARD_DEVIATION,
    }
)

# `fields=sprint` reads the sprints, but no change item carries this id: measuring
# it would credit the current sprints for the whole life, a silently wrong report.
_SPRINT = "sprint"


def report_problems(
    params: ReportParams, *, time_period_given: bool, failed: set[str]
) -> list[str]:
    """What `columnsBy` requires or forbids; `failed` names parameters already refused."""
    report = params.columns_by
    problems: list[str] = []
    if params.output_type in _AGGREGATE_CSVS and not report.is_aggregated:
        problems.append(
            f"outputType: {params.output_type.value} is an aggregate, but {report.value} "
            "reports are not aggregated (use CSV, XLSX or XLS)"
        )
    if time_period_given and not report.is_time_period_report:
        problems.append(
            f"timePeriod: only statusDurationByTimePeriod and timePeriodDurationByStatus "
            f"use it, not {report.value}"
        )
    if report.is_any_field_report and not params.history_fields and "historyFields" not in failed:
        problems.append(f"historyFields: is required for columnsBy={report.value}")
    if report.is_any_field_report and _SPRINT in params.history_fields:
        problems.append(
            f"historyFields: {_SPRINT} is the Sprint column's name, but Jira records Sprint "
            "changes under the site's Sprint custom field: name that field's id instead "
            "(customfield_10020 on most Jira Cloud sites; GET /rest/fields lists them)"
        )
    if params.history_fields and not report.is_any_field_report:
        problems.append(
            "historyFields: only anyFieldDuration and anyFieldDurationExpanded use it, "
            f"not {report.value}"
        )
    if params.assignees is not None and not report.is_assignee_report:
        problems.append(
            "assignees: only assigneeDuration, statusDurationByAssignee and "
            f"assigneeDurationByStatus use it, not {report.value}"
        )
    if report is ReportType.GROUP_DURATION and not params.groups and "groups" not in failed:
        problems.append("groups: is required for columnsBy=groupDuration")
    if (
        report is ReportType.DURATION_BETWEEN_STATUSES
        and not params.dbs_metrics
        and "dbsMetrics" not in failed
    ):
        problems.append("dbsMetrics: is required for columnsBy=durationBetweenStatuses")
    return problems


def business_day_problems(calendar: CalendarSpec | None) -> list[str]:
    """`dayLength=businessDays` needs a calendar whose working days are all equally long."""
    if calendar is None:
        return [
            "dayLength: businessDays needs a business calendar; normalHours has no "
            "working day (choose a calendar or 24HourDays)"
        ]
    if business_day_ms(calendar) is None:
        return [
            f"dayLength: businessDays needs working days of equal length, and calendar "
            f"{calendar.id!r} has working days of different lengths"
        ]
    return []


def order_problems(
    start: tuple[str, str | None, int | None], end: tuple[str, str | None, int | None]
) -> list[str]:
    """A window's start must come before its end; each bound is (name, text, instant)."""
    (start_name, start_text, start_ms), (end_name, end_text, end_ms) = start, end
    if start_ms is None or end_ms is None or start_ms < end_ms:
        return []
    return [f"{end_name}: {end_text!r} is not after {start_name} {start_text!r}"]
