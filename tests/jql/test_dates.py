"""JQL date operands resolved against a fixed `now` (UTC, weeks from Monday)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dwelltime.jql.dates import DateProblem, date_expr
from dwelltime.jql.nodes import Call, Operand, Value


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


# Sunday 2024-03-31 18:30 UTC: the end of a week, a month and a quarter, in a leap year.
NOW = _ms("2024-03-31 18:30")


@pytest.mark.parametrize(
    ("operand", "expected"),
    [
        pytest.param(Value("2024-02-29"), "2024-02-29 00:00", id="absolute-day"),
        pytest.param(Value("2024/2/9 7:05", quoted=True), "2024-02-09 07:05", id="slashes-time"),
        pytest.param(Value("-7d"), "2024-03-24 18:30", id="minus-days"),
        pytest.param(Value("4h"), "2024-03-31 22:30", id="plus-hours-unsigned"),
        pytest.param(Value("-2w"), "2024-03-17 18:30", id="minus-weeks"),
        pytest.param(Value("-90m"), "2024-03-31 17:00", id="minutes-lower-m"),
        pytest.param(Value("-1M"), "2024-02-29 18:30", id="month-clamps-to-leap-day"),
        pytest.param(Value("-1y 1d", quoted=True), "2023-03-30 18:30", id="sign-covers-all-parts"),
        pytest.param(Call("now"), "2024-03-31 18:30", id="now"),
        pytest.param(Call("startOfDay"), "2024-03-31 00:00", id="start-of-day"),
        pytest.param(Call("startOfDay", ("-1",)), "2024-03-30 00:00", id="start-of-yesterday"),
        pytest.param(Call("startOfWeek"), "2024-03-25 00:00", id="week-starts-monday"),
        pytest.param(Call("startOfWeek", ("+1",)), "2024-04-01 00:00", id="next-week"),
        pytest.param(Call("startOfMonth", ("-1",)), "2024-02-01 00:00", id="last-month"),
        pytest.param(Call("startOfMonth", ("+2w",)), "2024-04-01 00:00", id="offset-own-unit"),
        pytest.param(Call("startOfYear", ("-1",)), "2023-01-01 00:00", id="last-year"),
    ],
)
def test_start_and_relative_instants(operand: Operand, expected: str) -> None:
    assert date_expr(operand).resolve(NOW) == _ms(expected)


@pytest.mark.parametrize(
    ("operand", "next_start"),
    [
        pytest.param(Call("endOfDay"), "2024-04-01 00:00", id="day"),
        pytest.param(Call("endOfWeek"), "2024-04-01 00:00", id="week-ends-sunday"),
        pytest.param(Call("endOfMonth", ("-1",)), "2024-03-01 00:00", id="february-leap"),
        pytest.param(Call("endOfMonth"), "2024-04-01 00:00", id="month"),
        pytest.param(Call("endOfYear"), "2025-01-01 00:00", id="year"),
    ],
)
def test_ends_are_the_last_millisecond(operand: Operand, next_start: str) -> None:
    assert date_expr(operand).resolve(NOW) == _ms(next_start) - 1


@pytest.mark.parametrize(
    "operand",
    [
        pytest.param(Value("yesterday"), id="word"),
        pytest.param(Value("2024-13-01"), id="month-13"),
        pytest.param(Value("-7x"), id="unit"),
        pytest.param(Value("7 d", quoted=True), id="space-inside"),
        pytest.param(Call("startOfDay", ("1", "2")), id="two-arguments"),
        pytest.param(Call("openSprints"), id="not-a-date-function"),
    ],
)
def test_refused(operand: Operand) -> None:
    with pytest.raises(DateProblem):
        date_expr(operand)


def test_leaving_the_calendar_is_a_problem_not_a_crash() -> None:
    late_now = _ms("9990-06-01 00:00")
    with pytest.raises(DateProblem, match="out of range"):
        date_expr(Call("startOfYear", ("+20",))).resolve(late_now)
