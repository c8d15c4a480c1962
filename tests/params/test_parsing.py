"""parse_params: every SPEC §3 parameter read, defaulted and cross-checked."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dwelltime.errors import InvalidParameters
from dwelltime.params.model import (
    AverageDenominator,
    DayLength,
    DbsMetric,
    DbsPoint,
    MultiVisitBehavior,
    OutputType,
    ReportParams,
    ReportType,
    StatusGroup,
    TimePeriod,
    ViewFormat,
)
from dwelltime.params.parsing import parse_params
from tests.params.fake_context import FakeContext

BASE = {
    "filterType": ["project"],
    "projectKey": ["ABC"],
    "columnsBy": ["statusDuration"],
    "outputType": ["CSV"],
}


def _parse(
    changes: Mapping[str, Sequence[str]], context: FakeContext | None = None
) -> ReportParams:
    raw = {**BASE, **changes}
    return parse_params(
        {name: values for name, values in raw.items() if values}, context or FakeContext()
    )


def _problems(
    changes: Mapping[str, Sequence[str]], context: FakeContext | None = None
) -> list[str]:
    with pytest.raises(InvalidParameters) as caught:
        _parse(changes, context)
    assert caught.value.messages is not None
    return caught.value.messages


def _at(text: str, zone: str = "UTC") -> int:
    local = datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))
    return int(local.astimezone(UTC).timestamp() * 1000)


def test_defaults() -> None:
    params = _parse({})
    assert params == ReportParams(
        filter_type="project",
        filter_value="ABC",
        columns_by=ReportType.STATUS_DURATION,
        output_type=OutputType.CSV,
        raw={name: values[0] for name, values in BASE.items()},
    )


@pytest.mark.parametrize(
    ("changes", "attribute", "expected"),
    [
        pytest.param({"filterType": ["PROJECT"]}, "filter_type", "project", id="filter-any-case"),
        pytest.param({"projectKey": ["abc"]}, "filter_value", "ABC", id="project-key-upper"),
        pytest.param(
            {"filterType": ["user"], "user": ["acc-1"]}, "filter_value", "acc-1", id="user"
        ),
        pytest.param(
            {"filterType": ["sprint"], "sprintID": ["175"]}, "filter_value", "175", id="sprint"
        ),
        pytest.param(
            {"filterType": ["Advanced"], "jqlFilterID": ["10"]},
            "filter_type",
            "jqlfilter",
            id="advanced-alias",
        ),
        pytest.param(
            {"filterType": ["customjql"], "customjql": ["status = Done"]},
            "filter_value",
            "status = Done",
            id="customjql",
        ),
        pytest.param(
            {"columnsBy": ["STATUSCOUNT"]},
            "columns_by",
            ReportType.STATUS_COUNT,
            id="columns-any-case",
        ),
        pytest.param(
            {"outputType": ["xlsx"]}, "output_type", OutputType.XLSX, id="output-any-case"
        ),
        pytest.param(
            {"outputType": ["csvMedian"]}, "output_type", OutputType.CSV_MEDIAN, id="aggregate-csv"
        ),
        pytest.param(
            {"calendar": ["NORMALHOURS"]}, "calendar_id", "normalHours", id="normal-hours"
        ),
        pytest.param({"calendar": ["10776"]}, "calendar_id", "10776", id="calendar-id"),
        pytest.param(
            {"dayLength": ["calendarDays"]},
            "day_length",
            DayLength.HOURS_24,
            id="calendar-days-alias",
        ),
        pytest.param(
            {"dayLength": ["businessdays"], "calendar": ["30"]},
            "day_length",
            DayLength.BUSINESS_DAYS,
            id="business-days-shifts",
        ),
        pytest.param(
            {"viewFormat": ["HUMANREADABLE"]},
            "view_format",
            ViewFormat.HUMAN_READABLE,
            id="view-format",
        ),
        pytest.param({"statuses": ["1,3"]}, "statuses", ("1", "3"), id="statuses-comma"),
        pytest.param({"statuses": ["1", "3"]}, "statuses", ("1", "3"), id="statuses-repeated"),
        pytest.param(
            {"statuses": [" 1 ,, 3 ", "1"]}, "statuses", ("1", "3"), id="statuses-trimmed-once"
        ),
        pytest.param(
            {"includeDeletedStatuses": ["TRUE"]},
            "include_deleted_statuses",
            True,
            id="bool-any-case",
        ),
        pytest.param(
            {"includeDeletedStatuses": ["false"]},
            "include_deleted_statuses",
            False,
            id="bool-false",
        ),
        pytest.param(
            {"fields": ["summary,customfield_10020", "assignee"]},
            "fields",
            ("summary", "customfield_10020", "assignee"),
            id="fields",
        ),
        pytest.param(
            {"groupByFields": ["issuetype"]}, "group_by_fields", ("issuetype",), id="group-by"
        ),
        pytest.param(
            {"dateRangeField": ["Resolved"]}, "date_range_field", "resolved", id="date-range-field"
        ),
        pytest.param(
            {"multiVisitBehavior": ["AVERAGE"]},
            "multi_visit",
            MultiVisitBehavior.AVERAGE,
            id="multi-visit",
        ),
        pytest.param(
            {"averageDenominator": ["ALL"]},
            "average_denominator",
            AverageDenominator.ALL,
            id="denominator",
        ),
        pytest.param(
            {"columnsBy": ["statusDurationByTimePeriod"], "timePeriod": ["Quarter"]},
            "time_period",
            TimePeriod.QUARTER,
            id="time-period",
        ),
        pytest.param(
            {
                "columnsBy": ["firstTransitionToStatusDate"],
                "includeTransitionedByColumns": ["true"],
            },
            "include_transitioned_by",
            True,
            id="transitioned-by",
        ),
        pytest.param(
            {"calendar": [""], "statuses": [""]}, "statuses", None, id="blank-means-absent"
        ),
        pytest.param(
            {"columnsBy": ["statusCount", "statusCount"]},
            "columns_by",
            ReportType.STATUS_COUNT,
            id="same-value-twice",
        ),
    ],
)
def test_reads_each_parameter(changes: dict[str, list[str]], attribute: str, expected: Any) -> None:
    assert getattr(_parse(changes), attribute) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"startDate": ["2026-03-01"]}, ("start_ms", _at("2026-03-01 00:00")), id="start-utc"
        ),
        pytest.param(
            {"endDate": ["2026-03-31"]},
            ("end_ms", _at("2026-04-01 00:00")),
            id="date-only-end-is-next-midnight",
        ),
        pytest.param(
            {"endDate": ["2026-03-31 14:30"]},
            ("end_ms", _at("2026-03-31 14:30")),
            id="end-with-time",
        ),
        pytest.param(
            {"trimHistoryStartDate": ["2026-03-29 02:30"], "calendar": ["10776"]},
            ("trim_start_ms", _at("2026-03-29 01:00")),
            id="dst-gap-maps-to-transition",
        ),
        pytest.param(
            {"trimHistoryEndDate": ["2026-03-28"], "calendar": ["10776"]},
            ("trim_end_ms", _at("2026-03-29 00:00", "Europe/Berlin")),
            id="trim-end-berlin",
        ),
        pytest.param(
            {"startDate": ["2026-10-25T02:30"], "calendar": ["10776"]},
            ("start_ms", _at("2026-10-25 00:30")),
            id="repeated-hour-first",
        ),
        pytest.param(
            {"startDate": ["2026-01-01"], "calendar": ["20"]},
            ("start_ms", _at("2026-01-01 00:00", "America/New_York")),
            id="calendar-zone",
        ),
    ],
)
def test_dates_in_the_calendars_zone(
    changes: dict[str, list[str]], expected: tuple[str, int]
) -> None:
    attribute, instant = expected
    assert getattr(_parse(changes), attribute) == instant


def test_groups_and_metrics_from_json() -> None:
    params = _parse(
        {
            "columnsBy": ["durationBetweenStatuses"],
            "groups": ['[{"name":"Dev","statuses":["3",10009]}]', '{"name":"QA","statuses":["4"]}'],
            "dbsMetrics": [
                '[{"name":"Cycle '
                'Time","startAt":{"type":"status","ids":["3"],"occurrence":"first"},'
                '"stopAt":{"type":"status","ids":["10001"],"occurrence":"LAST"},'
                '"pauseAt":{"type":"status","ids":["10041"]}},'
                '{"name":"Lead","startAt":{"type":"creation"},"stopAt":{"type":"field","fieldId":"resolution"}},'
                '{"name":"Last","startAt":{"type":"creation"},"stopAt":{"type":"field","fieldId":"resolution","occurrence":"last"}}]'
            ],
        }
    )
    assert params.groups == (StatusGroup("Dev", ("3", "10009")), StatusGroup("QA", ("4",)))
    assert params.dbs_metrics == (
        DbsMetric(
            "Cycle Time",
            DbsPoint("status", ("3",), occurrence="first"),
            DbsPoint("status", ("10001",), occurrence="last"),
            ("10041",),
        ),
        DbsMetric("Lead", DbsPoint("creation"), DbsPoint("field", field_id="resolution")),
        DbsMetric(
            "Last",
            DbsPoint("creation"),
            DbsPoint("field", field_id="resolution", occurrence="last"),
        ),
    )


def test_param_set_is_overridden_by_explicit_parameters() -> None:
    context = FakeContext(
        param_sets={
            "7": {
                "columnsBy": ["statusCount"],
                "statuses": ["1,2"],
                "viewFormat": ["hours"],
                "paramSetId": ["8"],
            }
        }
    )
    params = _parse({"paramSetId": ["7"], "statuses": ["5"], "viewFormat": [""]}, context)
    assert (params.columns_by, params.statuses, params.view_format) == (
        ReportType.STATUS_DURATION,  # BASE gives columnsBy explicitly
        ("5",),
        ViewFormat.HOURS,  # a blank explicit value does not clear the set's
    )
    assert params.raw["statuses"] == "5" and params.raw["paramSetId"] == "7"


def test_param_set_fills_missing_required_parameters() -> None:
    context = FakeContext(
        param_sets={
            "7": {
                "filterType": ["sprint"],
                "sprintID": ["9"],
                "columnsBy": ["statusCount"],
                "outputType": ["XLSX"],
            }
        }
    )
    params = parse_params({"paramSetId": ["7"]}, context)
    assert (params.filter_type, params.filter_value, params.output_type) == (
        "sprint",
        "9",
        OutputType.XLSX,
    )


def test_raw_keeps_known_parameters_only_comma_joined() -> None:
    params = _parse({"statuses": ["1", "3"], "tisjwt": ["secret"], "somethingElse": ["x"]})
    assert params.raw == {**{name: values[0] for name, values in BASE.items()}, "statuses": "1,3"}


def test_bare_strings_and_json_scalars_are_accepted() -> None:
    raw: dict[str, Any] = {
        **BASE,
        "statuses": "1,3",
        "includeDeletedStatuses": [True],
        "sprintID": [7],
    }
    params = parse_params(raw, FakeContext())
    assert params.statuses == ("1", "3") and params.include_deleted_statuses is True


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"filterType": [], "columnsBy": [], "outputType": []},
            ["filterType: is required", "columnsBy: is required", "outputType: is required"],
            id="required",
        ),
        pytest.param(
            {"projectKey": []},
            ["projectKey: is required when filterType is project"],
            id="companion",
        ),
        pytest.param(
            {"filterType": ["sprint"]},
            ["sprintID: is required when filterType is sprint"],
            id="companion-sprint",
        ),
        pytest.param(
            {"filterType": ["bogus"]},
            [
                "filterType: 'bogus' is not one of project, user, jqlfilter, customjql, sprint, "
                "advanced"
            ],
            id="filter-type",
        ),
        pytest.param(
            {"columnsBy": ["foo"]},
            [
                "columnsBy: 'foo' is not one of statusDuration, statusCount, transitionCount, "
                "assigneeDuration, statusDurationByAssignee, assigneeDurationByStatus, "
                "groupDuration, durationBetweenStatuses, statusDurationByTimePeriod, "
                "timePeriodDurationByStatus, firstTransitionToStatusDate, "
                "lastTransitionToStatusDate, firstTransitionFromStatusDate, "
                "lastTransitionFromStatusDate, statusDurationExpanded, anyFieldDuration, "
                "anyFieldDurationExpanded"
            ],
            id="columns-by",
        ),
        pytest.param(
            {"outputType": ["pdf"]},
            [
                "outputType: 'pdf' is not one of XLS, XLSX, CSV, CSVAVERAGE, CSVSUM, CSVMEDIAN, "
                "CSVSTANDARDDEVIATION"
            ],
            id="output-type",
        ),
        pytest.param(
            {"columnsBy": ["statusCount", "statusDuration"]},
            ["columnsBy: expected one value, got 2 different ones"],
            id="conflicting-copies",
        ),
        pytest.param(
            {"viewFormat": ["days", "hours"]},
            ["viewFormat: expected one value, got 2 different ones"],
            id="conflicting-enum-copies",
        ),
        pytest.param(
            {"calendar": ["\ud800"]},
            ["calendar: the value is not valid Unicode text (a lone surrogate)"],
            id="lone-surrogate",
        ),
        pytest.param(
            {"projectKey": ["A B"]},
            ["projectKey: 'A B' is not a project key (like ABC)"],
            id="project-key",
        ),
        pytest.param(
            {"filterType": ["sprint"], "sprintID": ["next"]},
            ["sprintID: 'next' is not a sprint id (a number)"],
            id="sprint-id",
        ),
        pytest.param(
            {"filterType": ["jqlfilter"], "jqlFilterID": ["99"]},
            ["jqlFilterID: no saved filter with id '99'"],
            id="missing-filter",
        ),
        pytest.param(
            {"filterType": ["jqlfilter"], "jqlFilterID": ["11"]},
            [
                "jqlFilterID: saved filter '11': the operator 'WAS' at column 8 is not "
                "supported: history searches (WAS, CHANGED) are outside the subset; use =, !=, "
                "~, IN, IS EMPTY, <, >"
            ],
            id="saved-filter-outside-subset",
        ),
        pytest.param(
            {"filterType": ["customjql"], "customjql": ["owner = me"]},
            [
                "customjql: the field 'owner' at column 1 is not supported; supported fields: "
                "project, site, key, summary, text, status, statusCategory, assignee, reporter, "
                "issuetype, priority, resolution, labels, component, fixVersion, sprint, "
                "created, updated, resolved and customfield_NNNNN / cf[NNNNN]"
            ],
            id="custom-jql",
        ),
        pytest.param(
            {"calendar": ["42"]},
            [
                "calendar: no calendar with id '42' (use normalHours or the id of an imported "
                "calendar)"
            ],
            id="unknown-calendar",
        ),
        pytest.param(
            {"dayLength": ["weeks"]},
            ["dayLength: 'weeks' is not one of 24HourDays, businessDays"],
            id="day-length",
        ),
        pytest.param(
            {"dayLength": ["businessDays"]},
            [
                "dayLength: businessDays needs a business calendar; normalHours has no working "
                "day (choose a calendar or 24HourDays)"
            ],
            id="business-days-normal-hours",
        ),
        pytest.param(
            {"dayLength": ["businessDays"], "calendar": ["20"]},
            [
                "dayLength: businessDays needs working days of equal length, and calendar '20' "
                "has working days of different lengths"
            ],
            id="business-days-unequal",
        ),
        pytest.param(
            {"dayLength": ["businessDays"], "calendar": ["42"]},
            [
                "calendar: no calendar with id '42' (use normalHours or the id of an imported "
                "calendar)"
            ],
            id="business-days-unknown-calendar-once",
        ),
        pytest.param(
            {"includeDeletedStatuses": ["yes"]},
            ["includeDeletedStatuses: 'yes' is not true or false"],
            id="bool",
        ),
        pytest.param(
            {"fields": ["summary,bad field"]},
            ["fields: 'bad field' is not a field id (e.g. customfield_10020)"],
            id="field-id",
        ),
        pytest.param(
            {"dateRangeField": ["due"]},
            ["dateRangeField: 'due' is not one of created, resolved, updated"],
            id="date-range-field",
        ),
        pytest.param(
            {"startDate": ["03/01/2026"]},
            ["startDate: '03/01/2026' is not a date like 2026-03-31 or 2026-03-31 14:30"],
            id="date-format",
        ),
        pytest.param(
            {"endDate": ["2026-02-30"]},
            ["endDate: '2026-02-30' is not a valid date (day is out of range for month)"],
            id="impossible-date",
        ),
        pytest.param(
            {"endDate": ["2026-02-03 24:00"]},
            ["endDate: '2026-02-03 24:00' is not a valid date (time of day out of range)"],
            id="impossible-time",
        ),
        pytest.param(
            {"startDate": ["2026-03-02"], "endDate": ["2026-03-01"]},
            ["endDate: '2026-03-01' is not after startDate '2026-03-02'"],
            id="start-after-end",
        ),
        pytest.param(
            {
                "trimHistoryStartDate": ["2026-03-01 10:00"],
                "trimHistoryEndDate": ["2026-03-01 10:00"],
            },
            [
                "trimHistoryEndDate: '2026-03-01 10:00' is not after trimHistoryStartDate "
                "'2026-03-01 10:00'"
            ],
            id="empty-trim-window",
        ),
        pytest.param(
            {"columnsBy": ["statusDuration"], "timePeriod": ["week"]},
            [
                "timePeriod: only statusDurationByTimePeriod and timePeriodDurationByStatus use "
                "it, not statusDuration"
            ],
            id="time-period-elsewhere",
        ),
        pytest.param(
            {"columnsBy": ["lastTransitionFromStatusDate"], "outputType": ["CSVSUM"]},
            [
                "outputType: CSVSUM is an aggregate, but lastTransitionFromStatusDate reports "
                "are not aggregated (use CSV, XLSX or XLS)"
            ],
            id="date-report-aggregate",
        ),
        pytest.param(
            {"columnsBy": ["statusDurationExpanded"], "outputType": ["CSVAVERAGE"]},
            [
                "outputType: CSVAVERAGE is an aggregate, but statusDurationExpanded reports are "
                "not aggregated (use CSV, XLSX or XLS)"
            ],
            id="expanded-aggregate",
        ),
        pytest.param(
            {"columnsBy": ["groupDuration"]},
            ["groups: is required for columnsBy=groupDuration"],
            id="groups-required",
        ),
        pytest.param(
            {"columnsBy": ["durationBetweenStatuses"]},
            ["dbsMetrics: is required for columnsBy=durationBetweenStatuses"],
            id="metrics-required",
        ),
        pytest.param(
            {"columnsBy": ["groupDuration"], "groups": ["[{"]},
            [
                "groups: not valid JSON (Expecting property name enclosed in double quotes: line "
                "1 column 3 (char 2))"
            ],
            id="groups-bad-json-once",
        ),
        pytest.param(
            {"groups": ['[{"name":"A","statuses":[]}]']},
            ["groups[0].statuses: expected a non-empty list of status ids"],
            id="group-empty-statuses",
        ),
        pytest.param(
            {"groups": ['[{"name":"A","statuses":["1"]},{"name":"A","statuses":["2"]}]']},
            ["groups: the name 'A' is used twice"],
            id="group-duplicate-name",
        ),
        pytest.param(
            {"groups": ['[{"statuses":["1"]}]']},
            ["groups[0].name: a non-empty text is required"],
            id="group-name",
        ),
        pytest.param(
            {"groups": ['["Dev"]']}, ["groups[0]: expected a JSON object"], id="group-not-object"
        ),
        pytest.param(
            {"groups": ['[{"name":"A","statuses":[true]}]']},
            ["groups[0].statuses: True is not a status id"],
            id="group-bool-id",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":{"type":"status"},"stopAt":{"type":"status","ids":["1"]}}]'
                ]
            },
            ["dbsMetrics[0].startAt.ids: expected a non-empty list of status ids"],
            id="metric-ids",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":{"type":"creation"},"stopAt":{"type":"creation"}}]'
                ]
            },
            ["dbsMetrics[0].stopAt.type: 'creation' is not one of status, field"],
            id="metric-stop-creation",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":{"type":"field"},"stopAt":{"type":"status","ids":["1"]}}]'
                ]
            },
            ["dbsMetrics[0].startAt.fieldId: a field id is required for type 'field'"],
            id="metric-field-id",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":{"type":"creation","occurrence":"middle"},"stopAt":{"type":"status","ids":["1"]}}]'
                ]
            },
            ["dbsMetrics[0].startAt.occurrence: 'middle' is not one of first, last"],
            id="metric-occurrence",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":{"type":"creation"},"stopAt":{"type":"status","ids":["1"]},"pauseAt":["1"]}]'
                ]
            },
            ['dbsMetrics[0].pauseAt: expected an object like {"ids": ["10041"]}'],
            id="metric-pause-shape",
        ),
        pytest.param(
            {
                "dbsMetrics": [
                    '[{"name":"M","startAt":"creation","stopAt":{"type":"status","ids":["1"]}}]'
                ]
            },
            ["dbsMetrics[0].startAt: expected an object with a type (creation, status, field)"],
            id="metric-point-shape",
        ),
        pytest.param(
            {"paramSetId": ["nope"]},
            ["paramSetId: no saved parameter set with id 'nope'"],
            id="param-set",
        ),
        pytest.param(
            {"statuses": ["1\x002"]}, ["statuses: the value contains a control character"], id="nul"
        ),
        pytest.param(
            {"statuses": [",".join(str(n) for n in range(1_001))]},
            ["statuses: at most 1,000 values are accepted, got 1,001"],
            id="too-many-statuses",
        ),
        pytest.param(
            {"fields": [",".join(f"f{n}" for n in range(101))]},
            ["fields: at most 100 values are accepted, got 101"],
            id="too-many-fields",
        ),
        pytest.param(
            {
                "groups": [
                    "[" + ",".join(f'{{"name":"g{n}","statuses":["1"]}}' for n in range(101)) + "]"
                ]
            },
            ["groups: at most 100 entries are accepted, got 101"],
            id="too-many-groups",
        ),
        pytest.param(
            {"user": ["x" * 100_001], "filterType": ["user"]},
            ["user: the value is longer than 100,000 characters"],
            id="huge-value",
        ),
        pytest.param(
            {"groups": ["[" * 100_000]}, ["groups: the JSON is nested too deeply"], id="deep-json"
        ),
    ],
)
def test_problems(changes: dict[str, list[str]], expected: list[str]) -> None:
    assert _problems(changes) == expected


def test_every_problem_is_reported_at_once() -> None:
    problems = _problems(
        {
            "filterType": ["customjql"],
            "customjql": ["status was Done"],
            "columnsBy": ["firstTransitionToStatusDate"],
            "outputType": ["csvAverage"],
            "timePeriod": ["week"],
            "dayLength": ["businessDays"],
            "viewFormat": ["weeks"],
            "startDate": ["2026-03-02"],
            "endDate": ["2026-03-01"],
        }
    )
    assert [problem.split(":")[0] for problem in problems] == [
        "customjql",
        "viewFormat",
        "outputType",
        "timePeriod",
        "dayLength",
        "endDate",
    ]


def test_copies_that_mean_the_same_are_one_value() -> None:
    params = _parse(
        {
            "outputType": ["CSV", "csv"],
            "viewFormat": ["Hours", "hours", ""],
        }
    )
    assert params.output_type is OutputType.CSV
    assert params.view_format is ViewFormat.HOURS
