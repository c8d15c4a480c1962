"""The reference model's visits: one issue at a time, one change at a time (docs/reports.md).

A visit is `[entered, left)` of one value (a status id, an assignee id, or a
(status, assignee) pair); it is built from the ordered changes, then clipped to the window.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from dwelltime.domain.issues import ASSIGNEE_FIELD, STATUS_FIELD, ChangeItem, History, Issue
from dwelltime.params.model import ReportParams

Value = str | None | tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Window:
    """Where visits count: [start, end); start None = since creation, end = the end instant."""

    start: int | None
    end: int

    @classmethod
    def of(cls, params: ReportParams, now_ms: int) -> Window:
        end = now_ms if params.trim_end_ms is None else min(now_ms, params.trim_end_ms)
        return cls(params.trim_start_ms, end)

    def holds(self, instant: int) -> bool:
        """Whether a change at `instant` happens inside the window."""
        return (self.start is None or self.start <= instant) and instant < self.end


@dataclass(frozen=True, slots=True)
class Change:
    """One change item of the followed field, at the instant it counts for."""

    ts: int
    history_id: int
    item: ChangeItem
    author: str | None


@dataclass(frozen=True, slots=True)
class Visit:
    value: Value
    entered: int
    left: int
    #: who made the change into this visit; None for creation and for a clipped start
    entered_by: str | None
    #: whether a change started the visit (False: creation, or clipped at the trim start)
    by_change: bool
    #: whether a change before the end instant ended it (False: open, or cut by trim end)
    left_by_change: bool


def ordered_histories(issue: Issue) -> list[History]:
    return sorted(issue.histories, key=lambda history: (history.created_ms, history.id))


def changes_of(issue: Issue, field_id: str) -> list[Change]:
    """Every change item of `field_id`, in history order; a change dated before the issue's
    creation counts as made at creation."""
    return [
        Change(max(history.created_ms, issue.created_ms), history.id, item, history.author_name)
        for history in ordered_histories(issue)
        for item in history.items
        if item.effective_field_id == field_id
    ]


def _raw_visits(
    issue: Issue, initial: Value, steps: Sequence[tuple[int, Value, str | None]], end: int
) -> list[Visit]:
    """Visits from creation to `end`: each step (instant, new value, author) before `end`
    closes the current visit and opens the next."""
    visits: list[Visit] = []
    value, entered, author, by_change = initial, issue.created_ms, None, False
    for ts, new_value, step_author in steps:
        if ts >= end:
            break
        visits.append(Visit(value, entered, ts, author, by_change, left_by_change=True))
        value, entered, author, by_change = new_value, ts, step_author, True
    visits.append(Visit(value, entered, end, author, by_change, left_by_change=False))
    return visits


def clip(visits: Sequence[Visit], window: Window) -> list[Visit]:
    """The visits kept by the window, a visit entered before its start re-entered there."""
    kept: list[Visit] = []
    start = window.start
    for visit in visits:
        low = visit.entered if start is None else max(visit.entered, start)
        high = min(visit.left, window.end)
        instant = visit.entered == visit.left and window.holds(visit.entered)
        if not (low < high or instant):
            continue
        if low > visit.entered:
            visit = replace(visit, entered=low, entered_by=None, by_change=False)
        kept.append(visit)
    return kept


def _field_steps(
    changes: Sequence[Change], value_of: Callable[[ChangeItem], str | None]
) -> list[tuple[int, Value, str | None]]:
    return [(change.ts, value_of(change.item), change.author) for change in changes]


def status_visits(issue: Issue, window: Window) -> tuple[list[Visit], list[Visit]]:
    """(all visits up to the end instant, the kept ones) of the issue's status."""
    changes = changes_of(issue, STATUS_FIELD)
    initial = changes[0].item.from_value if changes else issue.status_id
    raw = _raw_visits(issue, initial, _field_steps(changes, _to_value), window.end)
    return raw, clip(raw, window)


def assignee_visits(issue: Issue, window: Window) -> list[Visit]:
    """Kept visits of the issue's assignee (value None = unassigned)."""
    changes = changes_of(issue, ASSIGNEE_FIELD)
    initial = changes[0].item.from_value if changes else issue.assignee_id
    return clip(_raw_visits(issue, initial, _field_steps(changes, _to_value), window.end), window)


def pair_visits(issue: Issue, window: Window) -> list[Visit]:
    """Kept visits of (status, assignee) on one timeline: a history changing both switches
    them together."""
    status_changes = changes_of(issue, STATUS_FIELD)
    assignee_changes = changes_of(issue, ASSIGNEE_FIELD)
    status = status_changes[0].item.from_value if status_changes else issue.status_id
    assignee = assignee_changes[0].item.from_value if assignee_changes else issue.assignee_id
    initial: Value = (status, assignee)
    steps: list[tuple[int, Value, str | None]] = []
    for history in ordered_histories(issue):
        touched = False
        for item in history.items:
            if item.effective_field_id == STATUS_FIELD:
                status, touched = item.to_value, True
            elif item.effective_field_id == ASSIGNEE_FIELD:
                assignee, touched = item.to_value, True
        if touched:
            ts = max(history.created_ms, issue.created_ms)
            steps.append((ts, (status, assignee), history.author_name))
    return clip(_raw_visits(issue, initial, steps, window.end), window)


def transitions(raw: Sequence[Visit], window: Window) -> list[tuple[Value, Value]]:
    """(from, to) of every status change inside the window, in order."""
    return [
        (before.value, after.value)
        for before, after in pairwise(raw)
        if window.holds(after.entered)
    ]


def field_change_instants(issue: Issue, field_id: str, window: Window) -> list[int]:
    """Instants of the changes of `field_id` inside the window, in order."""
    return [change.ts for change in changes_of(issue, field_id) if window.holds(change.ts)]


def _to_value(item: ChangeItem) -> str | None:
    return item.to_value
