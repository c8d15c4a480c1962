"""A hand-computed report whose parameters arrive as wire strings (SPEC §3) through
`parse_params`: dates read in the calendar's zone across a DST change, JSON groups and
metrics; the reference model and the engine must both give the expected cells."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.engine.table import Cell
from dwelltime.params.parsing import parse_params
from dwelltime.sources.jira_json.documents import read_file
from tests.engine.reference.compare import assert_engine_agrees
from tests.engine.reference.issues import at, history, issue, office_calendar, status_item

OPEN = Status("1", "Open")
IN_PROGRESS = Status("3", "In Progress")
DONE = Status("10001", "Done")
BERLIN = office_calendar("Europe/Berlin")


class OneCalendar:
    """Parameter context that knows one calendar and nothing else."""

    checks_jql = True

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        return BERLIN if calendar_id == BERLIN.id else None

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        return None

    def param_set(self, param_set_id: str) -> Mapping[str, Sequence[str]] | None:
        return None


# Berlin leaves summer time on Sunday 2026-10-25. Created Thursday in Open; In Progress from
# Friday 16:00 to Monday 10:00 (Berlin time); Done since. now = Tuesday 00:00 UTC (01:00 CET).
ACROSS_DST = issue(
    "P-1",
    at("2026-10-22 09:00", "Europe/Berlin"),
    DONE,
    [
        history(1, at("2026-10-23 16:00", "Europe/Berlin"), status_item(OPEN, IN_PROGRESS)),
        history(2, at("2026-10-26 10:00", "Europe/Berlin"), status_item(IN_PROGRESS, DONE)),
    ],
)
NOW = at("2026-10-27 00:00")
COMMON = {
    "filterType": ["project"],
    "projectKey": ["P"],
    "outputType": ["CSV"],
    "viewFormat": ["hours"],
    # a wall time in the calendar's zone: 12:00 Berlin (10:00 UTC)
    "trimHistoryStartDate": ["2026-10-23 12:00"],
}


@pytest.mark.parametrize(
    ("extra", "titles", "cells"),
    [
        pytest.param(
            {"columnsBy": ["statusDuration"], "calendar": [BERLIN.id]},
            # Open: Fri 12:00 (trim start) → 16:00 = 4 h; In Progress: Fri 16–17 + Mon 9–10
            # = 2 h; Done: Mon 10–17 = 7 h (Tuesday 01:00 is before the office opens)
            ["Open", "In Progress", "Done"],
            [4.0, 2.0, 7.0],
            id="office",
        ),
        pytest.param(
            # normalHours reads the trim start in UTC: Open 12:00 UTC → 14:00 UTC = 2 h;
            # In Progress Fri 14:00 UTC → Mon 09:00 UTC = 67 h (the night has 25 hours);
            # Done Mon 09:00 UTC → Tue 00:00 UTC = 15 h
            {"columnsBy": ["statusDuration"]},
            ["Open", "In Progress", "Done"],
            [2.0, 67.0, 15.0],
            id="normalHours",
        ),
        pytest.param(
            {
                "columnsBy": ["groupDuration"],
                "calendar": [BERLIN.id],
                "groups": ['[{"name":"Active","statuses":["1","3"]}]'],
            },
            ["Active"],
            [6.0],  # Open 4 h + In Progress 2 h
            id="groups",
        ),
        pytest.param(
            {
                "columnsBy": ["durationBetweenStatuses"],
                "calendar": [BERLIN.id],
                "dbsMetrics": [
                    '[{"name":"Cycle","startAt":{"type":"status","ids":["3"],'
                    '"occurrence":"first"},"stopAt":{"type":"status","ids":["10001"],'
                    '"occurrence":"last"}},{"name":"Lead","startAt":{"type":"creation"},'
                    '"stopAt":{"type":"status","ids":["10001"]},"pauseAt":{"type":"status",'
                    '"ids":["3"]}}]'
                ],
            },
            # Cycle: In Progress entry → Done entry = 2 h; Lead: trim start → Done = 6 h
            # minus the 2 h paused in In Progress = 4 h
            ["Cycle", "Lead"],
            [2.0, 4.0],
            id="dbsMetrics",
        ),
    ],
)
def test_wire_parameters_give_the_hand_computed_cells(
    extra: dict[str, list[str]], titles: list[str], cells: list[Cell]
) -> None:
    report_params = parse_params({**COMMON, **extra}, OneCalendar())
    calendar = BERLIN if "calendar" in extra else None
    expected = assert_engine_agrees(
        [ACROSS_DST], report_params, [OPEN, IN_PROGRESS, DONE], calendar, NOW
    )
    assert [column.title for column in expected.listing.columns] == ["Key", "Summary", *titles]
    assert expected.listing.rows == [["P-1", "Summary of P-1", *cells]]


def test_field_stop_occurrence_on_a_reopened_issue(jira_samples: Path) -> None:
    """SP-5 was resolved on 2021-09-06, reopened and resolved again on 2021-10-11: the
    creation → resolution metric ends at the first resolution or the last, as asked."""
    folder = jira_samples / "jirametrics"
    [sp5] = read_file(folder / "SP-5.json").data.issues
    catalog = list(read_file(folder / "sample_statuses.json", statuses_only=True).data.statuses)
    metrics = [
        {
            "name": name,
            "startAt": {"type": "creation"},
            "stopAt": {"type": "field", "fieldId": "resolution", "occurrence": occurrence},
        }
        for name, occurrence in (("First", "first"), ("Last", "last"))
    ]
    wire = {
        "filterType": ["project"],
        "projectKey": ["SP"],
        "outputType": ["CSV"],
        "viewFormat": ["seconds"],
        "columnsBy": ["durationBetweenStatuses"],
        "dbsMetrics": [json.dumps(metrics)],
    }
    report_params = parse_params(wire, OneCalendar())
    expected = assert_engine_agrees([sp5], report_params, catalog, None, at("2026-11-29 00:00"))
    created = at("2021-06-18 18:41:58.333")
    first = at("2021-09-06 04:34:14.358")
    last = at("2021-10-11 12:49:07.261")
    assert expected.listing.rows == [
        ["SP-5", sp5.summary, (first - created) / 1000, (last - created) / 1000]
    ]
