"""Hand-computed any-field reports (SPEC §8.4): a column per (field, value) held, each cell
the time the issue held that value. Every case is also checked against the reference."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import ChangeItem, Issue
from dwelltime.engine.table import AggregateKind
from dwelltime.params.model import DayLength, MultiVisitBehavior, ReportType, ViewFormat
from tests.engine.golden.cases import HEAD, OPEN, aggregate_row, listing, report
from tests.engine.reference.issues import at, history, issue, office_calendar, params

SELECT = "customfield_10010"


def priority(before: tuple[str, str] | None, after: tuple[str, str] | None) -> ChangeItem:
    return ChangeItem(
        "priority", "priority", "jira", *(before or (None, None)), *(after or (None, None))
    )


def labels(before: str, after: str) -> ChangeItem:
    """Jira records labels as the whole set, space-separated, without ids."""
    return ChangeItem("labels", "labels", None, None, before, None, after)


def select(before: tuple[str, str] | None, after: tuple[str, str] | None) -> ChangeItem:
    return ChangeItem(
        "Colour", SELECT, "custom", *(before or (None, None)), *(after or (None, None))
    )


MEDIUM, HIGH, HIGHEST = ("3", "Medium"), ("2", "High"), ("1", "Highest")
# created Sunday Nov 1 as Medium; High on Nov 2, Highest on Nov 4, Medium again on Nov 5
REPRIORITISED = issue(
    "P-1",
    at("2026-11-01 00:00"),
    OPEN,
    [
        history(1, at("2026-11-02 00:00"), priority(MEDIUM, HIGH)),
        history(2, at("2026-11-04 00:00"), priority(HIGH, HIGHEST)),
        history(3, at("2026-11-05 00:00"), priority(HIGHEST, MEDIUM), author="Bo"),
    ],
    priority="Medium",
)
# never re-prioritised: its only value is the current one, which has no id in the issue
NEVER_CHANGED = issue("P-2", at("2026-11-01 00:00"), OPEN, [], priority="High")


def _any_field(issues: list[Issue], calendar: CalendarSpec | None = None, **options: Any) -> Any:
    options.setdefault("view_format", ViewFormat.DAYS)
    return report(issues, params(ReportType.ANY_FIELD_DURATION, **options), calendar)


@pytest.mark.parametrize(
    ("behavior", "medium"),
    [
        pytest.param(MultiVisitBehavior.TOTAL, 26.0, id="total"),
        pytest.param(MultiVisitBehavior.FIRST, 1.0, id="first"),
        pytest.param(MultiVisitBehavior.LAST, 25.0, id="last"),
        pytest.param(MultiVisitBehavior.AVERAGE, 13.0, id="average"),
    ],
)
def test_priority_changed_three_times(behavior: MultiVisitBehavior, medium: float) -> None:
    result = _any_field([REPRIORITISED], history_fields=("priority",), multi_visit=behavior)
    assert listing(result) == (
        [*HEAD, "Priority: High", "Priority: Highest", "Priority: Medium"],
        [["P-1", "Summary of P-1", 2.0, 1.0, medium]],
    )


def test_a_field_never_changed_holds_its_current_value_in_the_column_of_its_id() -> None:
    result = _any_field([REPRIORITISED, NEVER_CHANGED], history_fields=("priority",))
    titles, rows = listing(result)
    assert titles == [*HEAD, "Priority: High", "Priority: Highest", "Priority: Medium"]
    assert rows[1] == ["P-2", "Summary of P-2", 29.0, None, None]
    # the aggregates of the shared column are computed from both issues' values
    assert aggregate_row(result, AggregateKind.SUM) == [2, 31.0, 1.0, 26.0]


# labels "" -> a (Nov 2) -> a b (Nov 3) -> b (Nov 5) -> "" (Nov 10)
RELABELLED = issue(
    "P-3",
    at("2026-11-01 00:00"),
    OPEN,
    [
        history(1, at("2026-11-02 00:00"), labels("", "a")),
        history(2, at("2026-11-03 00:00"), labels("a", "a b")),
        history(3, at("2026-11-05 00:00"), labels("a b", "b")),
        history(4, at("2026-11-10 00:00"), labels("b", "")),
    ],
)


def test_overlapping_labels_each_count_while_held() -> None:
    result = _any_field([RELABELLED], history_fields=("labels",))
    # a and b overlap on Nov 3-5: together more than the 29-day lifetime
    assert listing(result) == (
        [*HEAD, "Labels: a", "Labels: b", "Labels: (none)"],
        [["P-3", "Summary of P-3", 3.0, 7.0, 21.0]],
    )


def test_expanded_rows_are_stays_by_issue_then_entry() -> None:
    result = report(
        [RELABELLED],
        params(
            ReportType.ANY_FIELD_DURATION_EXPANDED,
            history_fields=("labels",),
            view_format=ViewFormat.DAYS,
        ),
    )
    titles, rows = listing(result)
    assert titles == [*HEAD, "Field", "Value", "Entered", "Left", "Duration", "Changed By"]
    assert [(row[2], row[3], row[6], row[7]) for row in rows] == [
        ("Labels", "(none)", 1.0, None),
        ("Labels", "a", 3.0, "Ann"),
        ("Labels", "b", 7.0, "Ann"),
        ("Labels", "(none)", 20.0, "Ann"),
    ]
    entered, left = rows[1][4], rows[1][5]
    assert isinstance(entered, datetime) and isinstance(left, datetime)
    assert (entered.isoformat(), left.isoformat()) == (
        "2026-11-02T00:00:00+00:00",
        "2026-11-05T00:00:00+00:00",
    )


RED = ("10", "Red")
# Red, emptied on Nov 3, Red again on Nov 8
EMPTIED = issue(
    "P-4",
    at("2026-11-01 00:00"),
    OPEN,
    [
        history(1, at("2026-11-03 00:00"), select(RED, None)),
        history(2, at("2026-11-08 00:00"), select(None, RED)),
    ],
    fields={SELECT: {"id": "10", "value": "Red"}},
)


def test_a_field_emptied_and_set_again() -> None:
    total = _any_field([EMPTIED], history_fields=(SELECT,))
    assert listing(total) == (
        [*HEAD, f"{SELECT}: Red", f"{SELECT}: (none)"],
        [["P-4", "Summary of P-4", 24.0, 5.0]],
    )
    first = _any_field([EMPTIED], history_fields=(SELECT,), multi_visit=MultiVisitBehavior.FIRST)
    assert listing(first)[1] == [["P-4", "Summary of P-4", 2.0, 5.0]]


def test_a_trimmed_window_clips_every_stay() -> None:
    result = _any_field(
        [REPRIORITISED],
        history_fields=("priority",),
        trim_start_ms=at("2026-11-03 00:00"),
        trim_end_ms=at("2026-11-06 00:00"),
    )
    # the first Medium stay (Nov 1-2) is outside; High from the window start
    assert listing(result) == (
        [*HEAD, "Priority: High", "Priority: Highest", "Priority: Medium"],
        [["P-1", "Summary of P-1", 1.0, 1.0, 1.0]],
    )


def test_business_calendar_across_the_dst_change() -> None:
    # High from Friday 12:00 to Tuesday 12:00 in Berlin; Sunday Oct 25 has 25 hours
    berlin = "Europe/Berlin"
    urgent = issue(
        "P-5",
        at("2026-10-23 12:00", berlin),
        OPEN,
        [history(1, at("2026-10-27 12:00", berlin), priority(HIGH, MEDIUM))],
        priority="Medium",
    )
    result = report(
        [urgent],
        params(
            ReportType.ANY_FIELD_DURATION,
            history_fields=("priority",),
            view_format=ViewFormat.DAYS,
            day_length=DayLength.BUSINESS_DAYS,
            trim_end_ms=at("2026-10-27 17:00", berlin),
        ),
        office_calendar(berlin),
    )
    # Fri 5 h + Mon 8 h + Tue 3 h = 16 h = 2 business days; Medium Tue 12-17 = 5 h = 0.625
    # days, which Python rounds to 0.62 (binary floats: exactly .625, half to even)
    assert listing(result)[1] == [["P-5", "Summary of P-5", 2.0, 0.62]]


def test_a_renamed_option_keeps_one_column_titled_with_its_current_name() -> None:
    blue, navy = ("20", "Blue"), ("20", "Navy")
    renamed = issue(
        "P-6",
        at("2026-11-01 00:00"),
        OPEN,
        [history(1, at("2026-11-02 00:00"), select(RED, blue))],
        fields={SELECT: {"id": "20", "value": "Navy"}},
    )
    untouched = issue(
        "P-7", at("2026-11-01 00:00"), OPEN, [], fields={SELECT: {"id": navy[0], "value": navy[1]}}
    )
    result = _any_field([renamed, untouched], history_fields=(SELECT,))
    assert listing(result) == (
        [*HEAD, f"{SELECT}: Navy", f"{SELECT}: Red"],
        [["P-6", "Summary of P-6", 28.0, 1.0], ["P-7", "Summary of P-7", 29.0, None]],
    )


def test_several_fields_side_by_side_in_history_fields_order() -> None:
    both = issue(
        "P-8",
        at("2026-11-01 00:00"),
        OPEN,
        [history(1, at("2026-11-02 00:00"), labels("", "x"), priority(MEDIUM, HIGH))],
        priority="High",
        labels=("x",),
    )
    result = _any_field([both], history_fields=("labels", "priority"))
    assert listing(result) == (
        [*HEAD, "Labels: x", "Labels: (none)", "Priority: High", "Priority: Medium"],
        [["P-8", "Summary of P-8", 28.0, 1.0, 28.0, 1.0]],
    )
