"""Invariants that hold whatever the rules' details, checked on the reference model itself,
so that a mistake the engine and the reference could share (both follow docs/reports.md)
still shows: time adds up, counts add up, and every split of time sums to the whole."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings

from dwelltime.engine.table import Cell
from dwelltime.params.model import (
    MultiVisitBehavior,
    ReportParams,
    ReportType,
    StatusGroup,
    ViewFormat,
)
from tests.engine.reference.compare import engine_table
from tests.engine.reference.report import ExpectedReport, expected_report
from tests.engine.reference.visits import Window, status_visits
from tests.engine.strategies import CATALOG, FIELD, STATUS_IDS, Scenario, scenarios

EXAMPLES = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def result_params(scenario: Scenario, **changes: Any) -> ReportParams:
    """`scenario`'s parameters with every status counted, totals, in seconds."""
    return replace(
        scenario.params,
        statuses=None,
        include_deleted_statuses=True,
        multi_visit=MultiVisitBehavior.TOTAL,
        view_format=ViewFormat.SECONDS,
        **changes,
    )


def _run(scenario: Scenario, report: ReportType, **changes: Any) -> ExpectedReport:
    """The reference's report of `scenario` as `report`, every status counted, in ms."""
    report_params = result_params(scenario, columns_by=report, **changes)
    return expected_report(
        scenario.issues, report_params, CATALOG, scenario.calendar, scenario.now_ms
    )


def _ms(cell: Cell) -> Fraction:
    assert isinstance(cell, float)
    return Fraction(str(cell)) * 1000


@EXAMPLES
@given(scenario=scenarios(ReportType.STATUS_DURATION))
def test_normal_hours_durations_add_up_to_the_window(scenario: Scenario) -> None:
    scenario = replace(scenario, calendar=None)
    result = _run(scenario, ReportType.STATUS_DURATION, fields=())
    window = Window.of(scenario.params, scenario.now_ms)
    for index, issue in enumerate(scenario.issues):
        start = max(issue.created_ms, window.start or issue.created_ms)
        expected = max(0, window.end - start)
        cells = result.listing.rows[index][2:]
        assert sum((_ms(c) for c in cells if c is not None), Fraction(0)) == expected


@EXAMPLES
@given(scenario=scenarios(ReportType.STATUS_COUNT))
def test_entries_are_the_transitions_plus_the_state_at_the_start(scenario: Scenario) -> None:
    entries = _run(scenario, ReportType.STATUS_COUNT, fields=())
    moves = _run(scenario, ReportType.TRANSITION_COUNT, fields=())
    window = Window.of(scenario.params, scenario.now_ms)
    for index, issue in enumerate(scenario.issues):
        kept = status_visits(issue, window)[1]
        # the first kept visit is an entry without a transition, unless a change in the
        # window started it (a 0 ms visit exactly at the trim start)
        seeded = 1 if kept and not kept[0].by_change else 0
        entered = sum(c for c in entries.listing.rows[index][2:] if isinstance(c, int))
        moved = sum(c for c in moves.listing.rows[index][2:] if isinstance(c, int))
        assert entered == moved + seeded


@EXAMPLES
@given(scenario=scenarios(ReportType.STATUS_DURATION))
def test_periods_and_assignees_split_each_status_total(scenario: Scenario) -> None:
    totals = _run(scenario, ReportType.STATUS_DURATION, fields=())
    by_period = _run(scenario, ReportType.STATUS_DURATION_BY_TIME_PERIOD, fields=())
    by_assignee = _run(scenario, ReportType.ASSIGNEE_DURATION_BY_STATUS, fields=())
    status_titles = [c.title for c in totals.listing.columns[2:]]
    for index in range(len(scenario.issues)):
        whole = dict(zip(status_titles, totals.listing.rows[index][2:], strict=True))
        for split in (by_period, by_assignee):
            parts: dict[str, Fraction] = {}
            for column, cell in zip(
                split.listing.columns[2:], split.listing.rows[index][2:], strict=True
            ):
                if cell is not None:
                    status = column.title.rsplit(" / ", 1)[0]
                    parts[status] = parts.get(status, Fraction(0)) + _ms(cell)
            assert parts == {t: _ms(c) for t, c in whole.items() if c is not None}


@EXAMPLES
@given(scenario=scenarios(ReportType.STATUS_DURATION))
def test_a_group_of_every_status_is_the_sum_of_all_columns(scenario: Scenario) -> None:
    everything = StatusGroup("All", STATUS_IDS)
    totals = _run(scenario, ReportType.STATUS_DURATION, fields=())
    group = _run(scenario, ReportType.GROUP_DURATION, fields=(), groups=(everything,))
    for index in range(len(scenario.issues)):
        cells = [c for c in totals.listing.rows[index][2:] if c is not None]
        (grouped,) = group.listing.rows[index][2:]
        assert (grouped is None) == (not cells)
        if cells:
            assert _ms(grouped) == sum((_ms(c) for c in cells), Fraction(0))


@EXAMPLES
@given(scenario=scenarios(ReportType.ANY_FIELD_DURATION))
def test_a_single_valued_field_adds_up_to_the_window(scenario: Scenario) -> None:
    # empty counts as the value (none), so a single-valued field always holds one value
    scenario = replace(scenario, calendar=None)
    result = _run(
        scenario, ReportType.ANY_FIELD_DURATION, fields=(), history_fields=("priority", FIELD)
    )
    engine = engine_table(
        scenario.issues,
        replace(result_params(scenario), history_fields=("priority", FIELD)),
        CATALOG,
        None,
        scenario.now_ms,
    )
    window = Window.of(scenario.params, scenario.now_ms)
    for index, issue in enumerate(scenario.issues):
        start = max(issue.created_ms, window.start or issue.created_ms)
        expected = max(0, window.end - start)
        for rows, columns in (
            (result.listing.rows, result.listing.columns),
            ([list(row) for row in engine.listing.rows()], engine.listing.columns),
        ):
            for prefix in ("Priority: ", f"{FIELD}: "):
                cells = [
                    cell
                    for column, cell in zip(columns, rows[index], strict=True)
                    if column.title.startswith(prefix) and cell is not None
                ]
                assert sum((_ms(c) for c in cells), Fraction(0)) == expected
