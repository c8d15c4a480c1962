"""Small constructors of statuses, histories, issues and parameters for the engine tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from dwelltime.domain.calendars import CalendarSpec, WorkingTime
from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, ChangeItem, History, Issue, Status
from dwelltime.params.model import OutputType, ReportParams, ReportType
from tests.engine.reference.clock import to_ms

HOUR = 3_600_000


def at(text: str, zone: str = "UTC") -> int:
    """Epoch ms of a `YYYY-MM-DD HH:MM[:SS.fff]` wall time in `zone`."""
    return to_ms(datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone)))


def status_item(before: Status, after: Status) -> ChangeItem:
    return ChangeItem(
        STATUS_FIELD, STATUS_FIELD, "jira", before.id, before.name, after.id, after.name
    )


def assignee_item(before: tuple[str, str] | None, after: tuple[str, str] | None) -> ChangeItem:
    """An assignee change between (account id, display name) pairs; None = unassigned."""
    return ChangeItem(
        ASSIGNEE_FIELD,
        ASSIGNEE_FIELD,
        "jira",
        before[0] if before else None,
        before[1] if before else None,
        after[0] if after else None,
        after[1] if after else None,
    )


def field_item(field_id: str, before: str | None, after: str | None) -> ChangeItem:
    return ChangeItem(field_id, field_id, "custom", before, before, after, after)


def history(ident: int, created_ms: int, *items: ChangeItem, author: str | None = "Ann") -> History:
    return History(ident, created_ms, author, author, items)


def issue(
    key: str,
    created_ms: int,
    status: Status,
    histories: Sequence[History] = (),
    **promoted: Any,
) -> Issue:
    """An issue of project P whose current status is `status`."""
    number = int(key.rsplit("-", 1)[1])
    return Issue(
        id=10_000 + number,
        key=key,
        project_key="P",
        summary=f"Summary of {key}",
        created_ms=created_ms,
        status_id=status.id,
        status_name=status.name,
        histories=tuple(histories),
        **promoted,
    )


def params(columns_by: ReportType, **options: Any) -> ReportParams:
    """Parameters of a project report of type `columns_by`; other options as given."""
    return ReportParams(
        filter_type="project",
        filter_value="P",
        columns_by=columns_by,
        output_type=OutputType.CSV,
        **options,
    )


def office_calendar(zone: str = "UTC") -> CalendarSpec:
    """09:00–17:00 Monday to Friday (SPEC §4's worked example)."""
    return CalendarSpec(
        "1",
        "Office",
        zone,
        tuple(WorkingTime(day, 9 * HOUR, 17 * HOUR) for day in range(5)),
    )
