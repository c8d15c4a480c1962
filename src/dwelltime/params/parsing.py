"""`parse_params`: SPEC §3 parameters (query/form/JSON, as lists of strings) to ReportParams.

Every parameter is read even after one fails, and the cross-checks run on whatever was
readable, so a request learns all of its problems in one 400 (one message per parameter).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dwelltime.domain.calendars import NORMAL_HOURS_ID, CalendarSpec
from dwelltime.domain.issues import SavedFilter
from dwelltime.domain.selection import DateRangeField, FilterType
from dwelltime.errors import InvalidParameters
from dwelltime.params.checks import business_day_problems, order_problems, report_problems
from dwelltime.params.filters import COMPANIONS, companion_reader
from dwelltime.params.filters import filter_type as filter_type_reader
from dwelltime.params.json_values import parse_dbs_metrics, parse_groups
from dwelltime.params.model import (
    AverageDenominator,
    CalculatedField,
    DayLength,
    MultiVisitBehavior,
    OutputType,
    ReportParams,
    ReportType,
    TimePeriod,
    ViewFormat,
)
from dwelltime.params.values import (
    ParamProblem,
    boolean,
    choice,
    date_ms,
    distinct_texts,
    enum_value,
    field_ids,
    identifier,
    items,
    one_of_copies,
    single,
)
from dwelltime.params.wire import KNOWN_PARAMETERS, known_values, under_param_set

T = TypeVar("T")

_DATE_FIELDS: tuple[DateRangeField, ...] = ("created", "resolved", "updated")
#: `CSVSTDDEV` is the older Timepiece docs' name (SPEC §3).
OUTPUT_TYPE_ALIASES = {"CSVSTDDEV": OutputType.CSV_STANDARD_DEVIATION}
_UTC = ZoneInfo("UTC")


class ParamContext(Protocol):
    """What validation needs to look up: stored calendars, saved filters, parameter sets.

    `checks_jql` is False where a Jira site runs the JQL (all of Jira's JQL is allowed);
    the local store runs only its subset, so queries are checked against it.
    """

    checks_jql: bool

    def calendar(self, calendar_id: str) -> CalendarSpec | None: ...

    def saved_filter(self, filter_id: str) -> SavedFilter | None: ...

    def param_set(self, param_set_id: str) -> Mapping[str, Sequence[str]] | None: ...


def parse_params(raw: Mapping[str, Sequence[str]], context: ParamContext) -> ReportParams:
    """Validated parameters, or InvalidParameters listing every problem found."""
    return _Reader(raw, context).read()


def effective_parameters(
    raw: Mapping[str, Sequence[str]], context: ParamContext
) -> dict[str, list[str]]:
    """The known parameters a report runs with: a saved set (paramSetId) merged under the
    explicit ones. Exports keep these, so a later change to the set cannot change a
    queued or re-run export."""
    values = _Reader(raw, context).values
    return {name: texts for name, texts in values.items() if name != "paramSetId"}


class _Reader:
    """One parse: the effective parameters and the problems collected so far."""

    def __init__(self, raw: Mapping[str, Sequence[str]], context: ParamContext) -> None:
        self.context = context
        self.problems: list[str] = []
        # paramSetId itself is read from the explicit parameters, then the set fills the gaps.
        self.values = known_values(raw, self.problems)
        self.values = self._merge_param_set(self.values)

    def read(self) -> ReportParams:
        filter_type = self.one("filterType", filter_type_reader, required=True)
        filter_value = self._filter_value(filter_type)
        columns_by = self.one("columnsBy", lambda n, t: enum_value(n, t, ReportType), required=True)
        output_type = self.one(
            "outputType",
            lambda n, t: enum_value(n, t, OutputType, OUTPUT_TYPE_ALIASES),
            required=True,
        )
        calendar = self._calendar()
        zone = self._zone(calendar)
        day_length = self.one(
            "dayLength",
            lambda n, t: enum_value(n, t, DayLength, {"calendarDays": DayLength.HOURS_24}),
        )
        time_period = self.one("timePeriod", lambda n, t: enum_value(n, t, TimePeriod))
        groups = self.many("groups", lambda _, values: parse_groups(values))
        dbs_metrics = self.many("dbsMetrics", lambda _, values: parse_dbs_metrics(values))
        start_ms = self.one("startDate", lambda n, t: date_ms(n, t, zone, end=False))
        end_ms = self.one("endDate", lambda n, t: date_ms(n, t, zone, end=True))
        trim_start = self.one("trimHistoryStartDate", lambda n, t: date_ms(n, t, zone, end=False))
        trim_end = self.one("trimHistoryEndDate", lambda n, t: date_ms(n, t, zone, end=True))
        # A required value that is missing has a recorded problem, so the stand-ins below
        # (`or "project"`, …) only let the cross-checks run; such params are never returned.
        params = ReportParams(
            filter_type=filter_type or "project",
            filter_value=filter_value or "",
            columns_by=columns_by or ReportType.STATUS_DURATION,
            output_type=output_type or OutputType.CSV,
            calendar_id=calendar.id if calendar else NORMAL_HOURS_ID,
            day_length=day_length or DayLength.HOURS_24,
            view_format=self.one("viewFormat", lambda n, t: enum_value(n, t, ViewFormat))
            or ViewFormat.MINUTES,
            statuses=self.many("statuses", _identifiers),
            include_deleted_statuses=self.one("includeDeletedStatuses", boolean) or False,
            groups=groups or (),
            fields=self.many("fields", _report_fields) or (),
            group_by_fields=self.many("groupByFields", _report_fields) or (),
            date_range_field=self.one("dateRangeField", _date_field) or "created",
            start_ms=start_ms,
            end_ms=end_ms,
            trim_start_ms=trim_start,
            trim_end_ms=trim_end,
            multi_visit=self.one(
                "multiVisitBehavior", lambda n, t: enum_value(n, t, MultiVisitBehavior)
            )
            or MultiVisitBehavior.TOTAL,
            average_denominator=self.one(
                "averageDenominator", lambda n, t: enum_value(n, t, AverageDenominator)
            )
            or AverageDenominator.NON_NULL,
            time_period=time_period or TimePeriod.MONTH,
            dbs_metrics=dbs_metrics or (),
            include_transitioned_by=self.one("includeTransitionedByColumns", boolean) or False,
            history_fields=self.many("historyFields", field_ids) or (),
            assignees=self.many("assignees", _identifiers),
            raw={
                name: ",".join(self.values[name])
                for name in KNOWN_PARAMETERS
                if name in self.values
            },
        )
        if columns_by is not None:
            self.problems += report_problems(
                params, time_period_given=time_period is not None, failed=self._failed
            )
        if day_length is DayLength.BUSINESS_DAYS and "calendar" not in self._failed:
            self.problems += business_day_problems(calendar)
        self.problems += order_problems(
            self._bound("startDate", start_ms), self._bound("endDate", end_ms)
        )
        self.problems += order_problems(
            self._bound("trimHistoryStartDate", trim_start),
            self._bound("trimHistoryEndDate", trim_end),
        )
        if self.problems:
            raise InvalidParameters(self.problems)
        return params

    # -- reading ---------------------------------------------------------------------------

    @property
    def _failed(self) -> set[str]:
        return {problem.split(":", 1)[0].split("[", 1)[0] for problem in self.problems}

    def one(self, name: str, read: Callable[[str, str], T], *, required: bool = False) -> T | None:
        """A single-valued parameter read by `read`, or None (absent, blank or bad).

        Repeated copies must mean the same once read (`CSV` and `csv` do), not be spelled
        the same.
        """
        try:
            texts = distinct_texts(name, self.values.get(name, ()))
            if not texts and required:
                raise ParamProblem(f"{name}: is required")
            return one_of_copies(name, [read(name, text) for text in texts])
        except ParamProblem as problem:
            self.problems.append(str(problem))
            return None

    def many(self, name: str, read: Callable[[str, Sequence[str]], T]) -> T | None:
        """A list or JSON parameter read by `read`, or None when absent or bad."""
        values = self.values.get(name)
        if not values:
            return None
        try:
            return read(name, values)
        except ParamProblem as problem:
            self.problems.append(str(problem))
            return None

    def _bound(self, name: str, instant: int | None) -> tuple[str, str | None, int | None]:
        """A date parameter as order_problems takes it; read only once it parsed."""
        text = single(name, self.values[name]) if instant is not None else None
        return name, text, instant

    def _merge_param_set(self, explicit: dict[str, list[str]]) -> dict[str, list[str]]:
        """The saved set's parameters, each overridden by an explicitly given one."""
        set_id = self.one("paramSetId", identifier)
        if set_id is None:
            return explicit
        saved = self.context.param_set(set_id)
        if saved is None:
            self.problems.append(f"paramSetId: no saved parameter set with id {set_id!r}")
            return explicit
        return under_param_set(saved, explicit)

    def _filter_value(self, filter_type: FilterType | None) -> str | None:
        if filter_type is None:
            return None
        name = COMPANIONS[filter_type]
        reader = companion_reader(filter_type, self.context.saved_filter, self.context.checks_jql)
        value = self.one(name, reader)
        if value is None and name not in self._failed:
            self.problems.append(f"{name}: is required when filterType is {filter_type}")
        return value

    def _calendar(self) -> CalendarSpec | None:
        calendar_id = self.one("calendar", identifier)
        if calendar_id is None or calendar_id.casefold() == NORMAL_HOURS_ID.casefold():
            return None
        spec = self.context.calendar(calendar_id)
        if spec is None:
            self.problems.append(
                f"calendar: no calendar with id {calendar_id!r} (use {NORMAL_HOURS_ID} or "
                "the id of an imported calendar)"
            )
        return spec

    def _zone(self, calendar: CalendarSpec | None) -> ZoneInfo:
        if calendar is None:
            return _UTC
        try:
            return ZoneInfo(calendar.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            self.problems.append(
                f"calendar: calendar {calendar.id!r} has an unknown time zone "
                f"{calendar.time_zone!r}"
            )
            return _UTC


def _date_field(name: str, text: str) -> DateRangeField:
    picked = choice(name, text, _DATE_FIELDS)
    return next(field for field in _DATE_FIELDS if field == picked)


def _report_fields(name: str, values: Sequence[str]) -> tuple[str, ...]:
    return field_ids(name, values, tuple(CalculatedField))


def _identifiers(name: str, values: Sequence[str]) -> tuple[str, ...]:
    """Opaque ids (statuses, account ids), each at most MAX_ID_CHARS long."""
    ids = items(name, values)
    for ident in ids:
        identifier(name, ident)
    return ids
