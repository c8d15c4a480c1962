"""historyFields, assignees and calculated field ids: read, normalised and cross-checked."""

from __future__ import annotations

import pytest

from dwelltime.params.model import ReportType
from tests.params.test_parsing import _parse, _problems


def test_any_field_report_reads_history_fields_and_their_change_items() -> None:
    params = _parse(
        {
            "columnsBy": ["anyFieldDuration"],
            "historyFields": ["priority,labels", "customfield_10020"],
        }
    )
    assert params.columns_by is ReportType.ANY_FIELD_DURATION
    assert params.history_fields == ("priority", "labels", "customfield_10020")
    assert params.change_fields == ("status", "priority", "labels", "customfield_10020")
    selection = params.selection()
    assert selection.change_fields == params.change_fields
    assert selection.value_fields == ("priority", "labels", "customfield_10020")


def test_status_reports_read_no_other_change_items() -> None:
    params = _parse({})
    assert params.change_fields == ("status",)
    assert params.selection().value_fields == ()


def test_assignees_keep_the_selection_order() -> None:
    params = _parse({"columnsBy": ["assigneeDuration"], "assignees": ["acc-3,acc-1", "acc-2"]})
    assert params.assignees == ("acc-3", "acc-1", "acc-2")
    assert _parse({"columnsBy": ["assigneeDuration"]}).assignees is None


def test_calculated_fields_in_any_case_become_their_canonical_ids() -> None:
    params = _parse(
        {"fields": ["CALC:PROJECTKEY,calc:leadtime,summary"], "groupByFields": ["calc:issueType"]}
    )
    assert params.fields == ("calc:projectKey", "calc:leadTime", "summary")
    assert params.group_by_fields == ("calc:issueType",)
    # the source is asked for what they are computed from, never for a calc: id
    assert params.selection().fields == ("summary", "resolutiondate", "issuetype")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param(
            {"fields": ["calc:sprintCount"]},
            "fields: 'calc:sprintCount' is not a calculated field (known: calc:projectKey, "
            "calc:issueType, calc:currentStatus, calc:leadTime, calc:age)",
            id="unknown-calc",
        ),
        pytest.param(
            {"groupByFields": ["calc:"]},
            "groupByFields: 'calc:' is not a calculated field (known: calc:projectKey, "
            "calc:issueType, calc:currentStatus, calc:leadTime, calc:age)",
            id="empty-calc-name",
        ),
        pytest.param(
            {"columnsBy": ["anyFieldDuration"], "historyFields": ["calc:age"]},
            "historyFields: 'calc:age' is not a calculated field (known: none here)",
            id="calc-has-no-history",
        ),
        pytest.param(
            {"columnsBy": ["anyFieldDuration"]},
            "historyFields: is required for columnsBy=anyFieldDuration",
            id="history-fields-required",
        ),
        pytest.param(
            {"columnsBy": ["anyFieldDurationExpanded"], "historyFields": ["bad field"]},
            "historyFields: 'bad field' is not a field id (e.g. customfield_10020)",
            id="bad-history-field",
        ),
        pytest.param(
            {"columnsBy": ["anyFieldDuration"], "historyFields": ["priority,sprint"]},
            "historyFields: sprint is the Sprint column's name, but Jira records Sprint "
            "changes under the site's Sprint custom field: name that field's id instead "
            "(customfield_10020 on most Jira Cloud sites; GET /rest/fields lists them)",
            id="sprint-has-no-history-of-its-own",
        ),
        pytest.param(
            {"historyFields": ["priority"]},
            "historyFields: only anyFieldDuration and anyFieldDurationExpanded use it, not "
            "statusDuration",
            id="history-fields-elsewhere",
        ),
        pytest.param(
            {"assignees": ["acc-1"]},
            "assignees: only assigneeDuration, statusDurationByAssignee and "
            "assigneeDurationByStatus use it, not statusDuration",
            id="assignees-elsewhere",
        ),
        pytest.param(
            {"columnsBy": ["assigneeDuration"], "assignees": ["x" * 256]},
            f"assignees: {'x' * 77 + '...'!r} is longer than 255 characters",
            id="assignee-too-long",
        ),
    ],
)
def test_problems(changes: dict[str, list[str]], expected: str) -> None:
    assert _problems(changes) == [expected]


def test_any_field_expanded_has_no_aggregates() -> None:
    problems = _problems(
        {
            "columnsBy": ["anyFieldDurationExpanded"],
            "historyFields": ["priority"],
            "outputType": ["CSVSUM"],
        }
    )
    assert problems == [
        "outputType: CSVSUM is an aggregate, but anyFieldDurationExpanded reports are not "
        "aggregated (use CSV, XLSX or XLS)"
    ]
