"""Report parameters (SPEC §3) as one validated, immutable value.

`param_parsing.parse_params` builds a `ReportParams` from query/form/JSON input and
reports every problem at once; everything downstream (engine, writers, exports) reads
this model and never the raw strings, except `raw`, kept for the Parameters sheet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from dwelltime.domain.calendars import NORMAL_HOURS_ID
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD
from dwelltime.domain.selection import DateRangeField, FilterType, Selection


class ReportType(StrEnum):
    """`columnsBy`: which report the columns describe (SPEC §5.3)."""

    STATUS_DURATION = "statusDuration"
    STATUS_COUNT = "statusCount"
    TRANSITION_COUNT = "transitionCount"
    ASSIGNEE_DURATION = "assigneeDuration"
    STATUS_DURATION_BY_ASSIGNEE = "statusDurationByAssignee"
    ASSIGNEE_DURATION_BY_STATUS = "assigneeDurationByStatus"
    GROUP_DURATION = "groupDuration"
    DURATION_BETWEEN_STATUSES = "durationBetweenStatuses"
    STATUS_DURATION_BY_TIME_PERIOD = "statusDurationByTimePeriod"
    TIME_PERIOD_DURATION_BY_STATUS = "timePeriodDurationByStatus"
    FIRST_TRANSITION_TO_STATUS_DATE = "firstTransitionToStatusDate"
    LAST_TRANSITION_TO_STATUS_DATE = "lastTransitionToStatusDate"
    FIRST_TRANSITION_FROM_STATUS_DATE = "firstTransitionFromStatusDate"
    LAST_TRANSITION_FROM_STATUS_DATE = "lastTransitionFromStatusDate"
    STATUS_DURATION_EXPANDED = "statusDurationExpanded"
    ANY_FIELD_DURATION = "anyFieldDuration"
    ANY_FIELD_DURATION_EXPANDED = "anyFieldDurationExpanded"

    @property
    def is_date_report(self) -> bool:
        return self in _DATE_REPORTS

    @property
    def is_time_period_report(self) -> bool:
        return self in (
            ReportType.STATUS_DURATION_BY_TIME_PERIOD,
            ReportType.TIME_PERIOD_DURATION_BY_STATUS,
        )

    @property
    def is_any_field_report(self) -> bool:
        """The reports measuring `historyFields` instead of statuses (SPEC §8.4)."""
        return self in (ReportType.ANY_FIELD_DURATION, ReportType.ANY_FIELD_DURATION_EXPANDED)

    @property
    def is_assignee_report(self) -> bool:
        """The reports with a column per assignee, which `assignees` narrows (SPEC §8.4);
        they follow the assignee's history, so they need its change items."""
        return self in _ASSIGNEE_REPORTS

    @property
    def is_expanded(self) -> bool:
        """One row per visit or stay instead of one per issue."""
        return self in (
            ReportType.STATUS_DURATION_EXPANDED,
            ReportType.ANY_FIELD_DURATION_EXPANDED,
        )

    @property
    def is_aggregated(self) -> bool:
        """Date reports and the one-row-per-visit reports have no aggregate sheets."""
        return not self.is_date_report and not self.is_expanded


_ASSIGNEE_REPORTS = frozenset(
    {
        ReportType.ASSIGNEE_DURATION,
        ReportType.STATUS_DURATION_BY_ASSIGNEE,
        ReportType.ASSIGNEE_DURATION_BY_STATUS,
    }
)

_DATE_REPORTS = frozenset(
    {
        ReportType.FIRST_TRANSITION_TO_STATUS_DATE,
        ReportType.LAST_TRANSITION_TO_STATUS_DATE,
        ReportType.FIRST_TRANSITION_FROM_STATUS_DATE,
        ReportType.LAST_TRANSITION_FROM_STATUS_DATE,
    }
)


class CalculatedField(StrEnum):
    """`calc:` field ids (SPEC §8.5): columns the engine computes instead of reading."""

    PROJECT_KEY = "calc:projectKey"
    ISSUE_TYPE = "calc:issueType"
    CURRENT_STATUS = "calc:currentStatus"
    LEAD_TIME = "calc:leadTime"
    AGE = "calc:age"

    @property
    def is_duration(self) -> bool:
        return self in (CalculatedField.LEAD_TIME, CalculatedField.AGE)


#: The source field each calculated field is computed from (None: the batch has it).
CALCULATION_INPUTS: dict[CalculatedField, str | None] = {
    CalculatedField.PROJECT_KEY: None,  # the key's prefix
    CalculatedField.ISSUE_TYPE: "issuetype",
    CalculatedField.CURRENT_STATUS: "status",  # the catalog name of the id, else this
    CalculatedField.LEAD_TIME: "resolutiondate",
    CalculatedField.AGE: None,  # created and now
}


class OutputType(StrEnum):
    XLS = "XLS"
    XLSX = "XLSX"
    CSV = "CSV"
    CSV_AVERAGE = "CSVAVERAGE"
    CSV_SUM = "CSVSUM"
    CSV_MEDIAN = "CSVMEDIAN"
    CSV_STANDARD_DEVIATION = "CSVSTANDARDDEVIATION"


class DayLength(StrEnum):
    HOURS_24 = "24HourDays"
    BUSINESS_DAYS = "businessDays"


class ViewFormat(StrEnum):
    DAYS = "days"
    HOURS = "hours"
    MINUTES = "minutes"
    SECONDS = "seconds"
    HUMAN_READABLE = "humanReadable"


class MultiVisitBehavior(StrEnum):
    TOTAL = "total"
    FIRST = "first"
    LAST = "last"
    AVERAGE = "average"


class AverageDenominator(StrEnum):
    NON_NULL = "nonNull"
    ALL = "all"


class TimePeriod(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_CALCULATED = frozenset(CalculatedField)


@dataclass(frozen=True, slots=True)
class StatusGroup:
    """A consolidated column: the sum of its member statuses (SPEC §5.3 groupDuration)."""

    name: str
    statuses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DbsPoint:
    """Where a duration-between-statuses metric starts or stops.

    `type` is creation (start only), status (entering one of `ids`) or field (a change of
    `field_id`); `occurrence` picks the first or the last such event.
    """

    type: str  # "creation" | "status" | "field"
    ids: tuple[str, ...] = ()
    field_id: str | None = None
    occurrence: str = "first"  # "first" | "last"


@dataclass(frozen=True, slots=True)
class DbsMetric:
    name: str
    start: DbsPoint
    stop: DbsPoint
    pause_statuses: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportParams:
    """One report's complete, validated configuration.

    Dates are already resolved to epoch milliseconds in the calendar's time zone
    (UTC for normalHours). `statuses` None means every status, `assignees` None no
    selection (every assignee has a column). `raw` keeps the
    parameters as given (wire names) for the Parameters sheet and the export record.
    """

    filter_type: FilterType
    filter_value: str
    columns_by: ReportType
    output_type: OutputType
    calendar_id: str = NORMAL_HOURS_ID
    day_length: DayLength = DayLength.HOURS_24
    view_format: ViewFormat = ViewFormat.MINUTES
    statuses: tuple[str, ...] | None = None
    include_deleted_statuses: bool = False
    groups: tuple[StatusGroup, ...] = ()
    fields: tuple[str, ...] = ()
    group_by_fields: tuple[str, ...] = ()
    date_range_field: DateRangeField = "created"
    start_ms: int | None = None
    end_ms: int | None = None
    trim_start_ms: int | None = None
    trim_end_ms: int | None = None
    multi_visit: MultiVisitBehavior = MultiVisitBehavior.TOTAL
    average_denominator: AverageDenominator = AverageDenominator.NON_NULL
    time_period: TimePeriod = TimePeriod.MONTH
    dbs_metrics: tuple[DbsMetric, ...] = ()
    include_transitioned_by: bool = False
    history_fields: tuple[str, ...] = ()
    assignees: tuple[str, ...] | None = None
    raw: Mapping[str, str] = field(default_factory=dict)

    def source_fields(self) -> tuple[str, ...]:
        """Field ids whose display values the report reads: `summary` first (every list
        has a Summary column), then `fields` and `groupByFields`, each calculated field
        replaced by the source field it is computed from."""
        wanted: list[str] = ["summary"]
        for field_id in (*self.fields, *self.group_by_fields):
            if field_id in _CALCULATED:
                source = CALCULATION_INPUTS[CalculatedField(field_id)]
                if source is not None:
                    wanted.append(source)
            else:
                wanted.append(field_id)
        return tuple(dict.fromkeys(wanted))

    @property
    def measured_fields(self) -> tuple[str, ...]:
        """The `historyFields` an any-field report measures (none for other reports)."""
        return self.history_fields if self.columns_by.is_any_field_report else ()

    def selection(self, now_ms: int | None = None) -> Selection:
        """What to ask a source for: the filter, the date range and the fields needed."""
        return Selection(
            filter_type=self.filter_type,
            filter_value=self.filter_value,
            date_field=self.date_range_field,
            start_ms=self.start_ms,
            end_ms=self.end_ms,
            fields=self.source_fields(),
            change_fields=self.change_fields,
            change_authors=self.reads_authors,
            value_fields=self.measured_fields,
            now_ms=now_ms,
        )

    @property
    def reads_authors(self) -> bool:
        """Whether the report shows who made a change: the expanded reports (each visit or
        stay names who started it) and the date reports with transitioned-by columns. No
        other report reads a change's author, so the others' sources skip it."""
        return self.columns_by.is_expanded or (
            self.columns_by.is_date_report and self.include_transitioned_by
        )

    @property
    def change_fields(self) -> tuple[str, ...]:
        """The fields whose change items the report measures, and no others: reading a
        change item costs as much as computing with it, and a status report on a store
        with every field's history must not pay for the assignee's or the labels'.
        Status always; the assignee for assignee reports; the `historyFields` of the
        any-field reports; the fields dbsMetrics points watch. Each once, in that order."""
        wanted = [STATUS_FIELD]
        if self.columns_by.is_assignee_report:
            wanted.append(ASSIGNEE_FIELD)
        wanted.extend(self.measured_fields)
        wanted.extend(
            point.field_id
            for metric in self.dbs_metrics
            for point in (metric.start, metric.stop)
            if point.type == "field" and point.field_id
        )
        return tuple(dict.fromkeys(wanted))
