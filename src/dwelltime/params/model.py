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
    def measures_assignee(self) -> bool:
        """Reports whose columns follow the assignee's history (they need its changes)."""
        return self in _ASSIGNEE_REPORTS

    @property
    def is_aggregated(self) -> bool:
        """Date reports and the one-row-per-visit report have no aggregate sheets."""
        return not self.is_date_report and self is not ReportType.STATUS_DURATION_EXPANDED


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
    (UTC for normalHours). `statuses` None means every status. `raw` keeps the
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
    raw: Mapping[str, str] = field(default_factory=dict)

    def selection(self, now_ms: int | None = None) -> Selection:
        """What to ask a source for: the filter, the date range and the fields needed.

        `summary` always comes first: every list sheet has a Summary column.
        """
        fields = tuple(dict.fromkeys(("summary", *self.fields, *self.group_by_fields)))
        return Selection(
            filter_type=self.filter_type,
            filter_value=self.filter_value,
            date_field=self.date_range_field,
            start_ms=self.start_ms,
            end_ms=self.end_ms,
            fields=fields,
            change_fields=self.change_fields,
            now_ms=now_ms,
        )

    @property
    def change_fields(self) -> tuple[str, ...]:
        """The fields whose change items the report measures, and no others: reading a
        change item costs as much as computing with it, and a status report on a store
        with every field's history must not pay for the assignee's or the labels'."""
        wanted = [STATUS_FIELD]
        if self.columns_by.measures_assignee:
            wanted.append(ASSIGNEE_FIELD)
        wanted.extend(
            point.field_id
            for metric in self.dbs_metrics
            for point in (metric.start, metric.stop)
            if point.type == "field" and point.field_id
        )
        return tuple(dict.fromkeys(wanted))
