"""Aggregate sheets and rendering: group-by rows, denominators, count columns, view formats."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from dwelltime.domain.issue_batch import VISITED_STATUS_COLUMNS
from dwelltime.domain.issues import Issue
from dwelltime.engine.context import ReportContext
from dwelltime.engine.output.aggregates import AggregateInputs
from dwelltime.engine.output.render import Renderer
from dwelltime.engine.report import ReportEngine
from dwelltime.engine.staging import MemoryStaging
from dwelltime.engine.table import AggregateKind, Cell, ColumnKind
from dwelltime.params.model import (
    AverageDenominator,
    DayLength,
    ReportType,
    StatusGroup,
    ViewFormat,
)
from dwelltime.sources.batches import batch_from_issues
from tests.engine.engine_run import CATALOG, NOW, WORK, listing, revisits, run, worked
from tests.engine.reference.issues import (
    at,
    history,
    issue,
    office_calendar,
    params,
    status_item,
)

AVERAGE, SUM, MEDIAN, STD = (
    AggregateKind.AVERAGE,
    AggregateKind.SUM,
    AggregateKind.MEDIAN,
    AggregateKind.STANDARD_DEVIATION,
)


def grouped_issues() -> list[Issue]:
    """Two Bugs (Open 120/180, In Progress 180/180, Done 60/–) and one issue without type."""
    return [
        replace(worked(), issue_type="Bug"),
        replace(revisits(), issue_type="Bug"),
        issue("P-3", at("2026-11-02 13:30"), WORK),
    ]


@pytest.mark.parametrize(
    ("kind", "denominator", "rows"),
    [
        pytest.param(
            AVERAGE,
            AverageDenominator.NON_NULL,
            [["Bug", 2, 150.0, 180.0, 60.0], [None, 1, None, 150.0, None]],
            id="average-non-null",
        ),
        pytest.param(
            AVERAGE,
            AverageDenominator.ALL,
            [["Bug", 2, 150.0, 180.0, 30.0], [None, 1, 0.0, 150.0, 0.0]],
            id="average-all",
        ),
        pytest.param(
            SUM,
            AverageDenominator.ALL,
            [["Bug", 2, 300.0, 360.0, 60.0], [None, 1, None, 150.0, None]],
            id="sum-stays-empty",
        ),
        pytest.param(
            MEDIAN,
            AverageDenominator.ALL,
            [["Bug", 2, 150.0, 180.0, 30.0], [None, 1, 0.0, 150.0, 0.0]],
            id="median-all",
        ),
        pytest.param(
            STD,
            AverageDenominator.NON_NULL,
            [["Bug", 2, 30.0, 0.0, 0.0], [None, 1, None, 0.0, None]],
            id="std-population",
        ),
        pytest.param(
            STD,
            AverageDenominator.ALL,
            [["Bug", 2, 30.0, 0.0, 30.0], [None, 1, 0.0, 0.0, 0.0]],
            id="std-all",
        ),
    ],
)
def test_grouped_aggregates(
    kind: AggregateKind, denominator: AverageDenominator, rows: list[list[Cell]]
) -> None:
    table = run(
        ReportType.STATUS_DURATION,
        grouped_issues(),
        group_by_fields=("issuetype",),
        average_denominator=denominator,
    )
    sheet = table.aggregates[kind]
    assert [c.title for c in sheet.columns] == [
        "Issue Type",
        "Issue Count",
        "Open",
        "In Progress",
        "Done",
    ]
    assert [list(row) for row in sheet.rows()] == rows
    assert sheet.row_count == 2


def test_group_column_aggregates_its_own_values() -> None:
    """Active = Open + In Progress per issue: 300, 360, 150 → average 270, not 150 + 170."""
    groups = (StatusGroup("Active", ("1", "3")),)
    table = run(ReportType.GROUP_DURATION, grouped_issues(), groups=groups)
    assert [list(row) for row in table.aggregates[AVERAGE].rows()] == [[3, 270.0]]


def test_count_aggregates_are_numbers_except_sum() -> None:
    table = run(ReportType.STATUS_COUNT, grouped_issues())
    kinds = {kind: sheet.columns[-1].kind for kind, sheet in table.aggregates.items()}
    assert kinds == {AVERAGE: ColumnKind.NUMBER, SUM: ColumnKind.COUNT} | {
        MEDIAN: ColumnKind.NUMBER,
        STD: ColumnKind.NUMBER,
    }
    assert [list(row) for row in table.aggregates[AVERAGE].rows()] == [[3, 1.5, 1.33, 1.0]]
    assert [list(row) for row in table.aggregates[SUM].rows()] == [[3, 3, 4, 1]]


def long_stay() -> Issue:
    """In Progress from Friday 16:00 to the next Wednesday 16:00 (SPEC §4's example)."""
    return issue(
        "P-9",
        at("2026-10-23 15:00"),
        WORK,
        [history(1, at("2026-10-23 16:00"), status_item(replace(WORK, id="1"), WORK))],
    )


@pytest.mark.parametrize(
    ("options", "cell"),
    [
        pytest.param({"view_format": ViewFormat.DAYS}, 1.0, id="24h-days-business-time"),
        pytest.param(
            {"view_format": ViewFormat.DAYS, "day_length": DayLength.BUSINESS_DAYS},
            3.0,
            id="business-days",
        ),
        pytest.param({"view_format": ViewFormat.HOURS}, 24.0, id="hours"),
        pytest.param({"view_format": ViewFormat.SECONDS}, 86_400.0, id="seconds"),
        pytest.param(
            {"view_format": ViewFormat.HUMAN_READABLE, "day_length": DayLength.BUSINESS_DAYS},
            "3d",
            id="human-business-days",
        ),
        pytest.param({"view_format": ViewFormat.HUMAN_READABLE}, "1d", id="human-24h"),
    ],
)
def test_rendering_on_a_business_calendar(options: dict[str, Any], cell: Cell) -> None:
    table = run(
        ReportType.STATUS_DURATION,
        [long_stay()],
        calendar=office_calendar(),
        statuses=("3",),
        trim_end_ms=at("2026-10-28 16:00"),
        **options,
    )
    assert listing(table)[1] == [[cell]]


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        pytest.param(59_999, "0m", id="under-a-minute"),
        pytest.param(3_600_000 + 15 * 60_000 + 59_999, "1h 15m", id="minutes-floored"),
        pytest.param(2 * 86_400_000 + 3 * 3_600_000, "2d 3h", id="zero-minutes-omitted"),
    ],
)
def test_human_readable(ms: int, text: str) -> None:
    renderer = Renderer(ViewFormat.HUMAN_READABLE, None, ZoneInfo("UTC"))
    assert renderer.duration(ms) == text


@pytest.mark.parametrize("denominator", list(AverageDenominator))
@pytest.mark.parametrize("group_by", [(), ("issuetype",)], ids=["ungrouped", "grouped"])
def test_merged_inputs_give_the_whole_reports_aggregates(
    denominator: AverageDenominator, group_by: tuple[str, ...]
) -> None:
    """A split export's merge: each issue staged apart (given the whole report's columns),
    its inputs merged, gives every aggregate of the report staged whole."""
    report_params = params(
        ReportType.STATUS_DURATION, group_by_fields=group_by, average_denominator=denominator
    )
    selection = report_params.selection(NOW)
    known = pl.DataFrame(
        [(status.id, None, None, None) for status in CATALOG],
        schema=VISITED_STATUS_COLUMNS,
        orient="row",
    )
    engine = ReportEngine(
        report_params,
        ReportContext(statuses=CATALOG, calendar=None, now_ms=NOW),
        known_statuses=known,
    )
    whole, parts = MemoryStaging(), []
    for one in grouped_issues():
        staged = engine.process(
            batch_from_issues(
                [one], selection.fields, selection.change_fields, selection.value_fields
            )
        )
        whole.add(staged)
        part = MemoryStaging()
        part.add(staged)
        inputs = engine.aggregate_inputs(part)
        assert inputs is not None
        parts.append(inputs)
    merged = engine.finish(MemoryStaging(), AggregateInputs.merged(parts, group_by)).aggregates
    expected = engine.finish(whole).aggregates
    for kind in AggregateKind:
        assert merged[kind].columns == expected[kind].columns
        assert [list(row) for row in merged[kind].rows()] == [
            list(row) for row in expected[kind].rows()
        ]
