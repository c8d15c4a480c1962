"""Reference models of field values, one issue at a time.

Display values, the model of `sources.fields.display_columns`; and the reference model's
any-field reports (docs/reports.md, "Any-field reports"): one issue, one field, one
history at a time, the set of values held after each history is written down, then each
value's stays are read off that list of states, left to right.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dwelltime.domain.issues import Issue
from dwelltime.engine.output.field_titles import field_title
from dwelltime.sources.fields import render_json_value
from tests.engine.reference.visits import Visit, Window, changes_of, clip, ordered_histories


def _instant(ms: int | None) -> str | None:
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def _joined(values: tuple[str, ...]) -> str | None:
    return ", ".join(values) if values else None


def display_value(issue: Issue, field_id: str) -> str | None:
    """The value of `field_id` on `issue` as report text, or None when empty."""
    promoted = {
        "key": issue.key,
        "summary": issue.summary,
        "issuetype": issue.issue_type,
        "status": issue.status_name,
        "priority": issue.priority,
        "assignee": issue.assignee_name,
        "reporter": issue.reporter_name,
        "project": issue.project_key,
        "created": _instant(issue.created_ms),
        "updated": _instant(issue.updated_ms),
        "resolutiondate": _instant(issue.resolution_date_ms),
        "resolution": issue.resolution,
        "labels": _joined(issue.labels),
        "components": _joined(issue.components),
        "fixVersions": _joined(issue.fix_versions),
        "sprint": _joined(tuple(sprint.name for sprint in issue.sprints)),
    }
    if field_id in promoted:
        return promoted[field_id]
    return render_json_value(issue.fields.get(field_id))


#: A value as the reference identifies it: ("id", id), ("text", text) or NONE.
ValueId = tuple[str, str]
NONE: ValueId = ("none", "")
NONE_TITLE = "(none)"
ADD_REMOVE = ("components", "fixVersions", "versions")


def _named(ident: str | None, text: str | None) -> list[tuple[ValueId, str | None]]:
    """Values of one side of a change item (labels are handled by the caller)."""
    if ident is not None and ident.strip() != "":
        inner = ident.strip()
        if inner.startswith("["):
            inner = inner[1:]
        if inner.endswith("]"):
            inner = inner[:-1]
        ids = [piece.strip() for piece in inner.split(",")]
        ids = [piece for piece in ids if piece != ""]
        if len(ids) == 1:
            return [(("id", ids[0]), text if text else None)]
        names = [piece.strip() for piece in (text or "").split(",")]
        if len(names) == len(ids):
            return [(("id", i), n if n else None) for i, n in zip(ids, names, strict=True)]
        return [(("id", i), None) for i in ids]
    if text:
        return [(("text", text), text)]
    return []


def side(field_id: str, ident: str | None, text: str | None) -> list[tuple[ValueId, str | None]]:
    if field_id == "labels":
        words = (text or "").split()
        return [(("text", word), word) for word in words]
    return _named(ident, text)


def current_values(issue: Issue, field_id: str) -> list[tuple[ValueId, str]]:
    """What the field holds now, from the issue's own attributes or raw JSON."""
    found: list[tuple[str | None, str | None]] = []
    if field_id == "priority":
        found = [(None, issue.priority)]
    elif field_id == "labels":
        found = [(None, label) for label in issue.labels]
    elif field_id == "components":
        found = [(None, name) for name in issue.components]
    elif field_id == "fixVersions":
        found = [(None, name) for name in issue.fix_versions]
    elif field_id == "issuetype":
        found = [(None, issue.issue_type)]
    else:
        raw: Any = issue.fields.get(field_id)
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict):
                name = item.get("name") or item.get("value")
                found.append((str(item["id"]) if "id" in item else None, name))
            elif item not in (None, ""):
                found.append((None, str(item)))
    values: list[tuple[ValueId, str]] = []
    for ident, name in found:
        if not name:
            continue
        values.append((("id", ident) if ident else ("text", name), name))
    return values


@dataclass(frozen=True, slots=True)
class State:
    at: int
    by: str | None
    by_change: bool
    values: frozenset[ValueId]


def states(issue: Issue, field_id: str, window: Window) -> list[State]:
    """The field's states from creation on, one per history touching it, before the end."""
    changes = changes_of(issue, field_id)
    if not changes:
        held = {value for value, _ in current_values(issue, field_id)}
        return [State(issue.created_ms, None, False, frozenset(held))]
    if field_id in ADD_REMOVE:
        first_seen: dict[ValueId, str] = {}
        names: set[str] = set()
        for change in changes:
            for value, name in side(field_id, change.item.from_value, change.item.from_string):
                first_seen.setdefault(value, "removed")
                names.add(name or "")
            for value, name in side(field_id, change.item.to_value, change.item.to_string):
                first_seen.setdefault(value, "added")
                names.add(name or "")
        held = {value for value, how in first_seen.items() if how == "removed"}
        for value, name in current_values(issue, field_id):
            if value not in first_seen and name not in names:
                held.add(value)
    else:
        first = changes[0].item
        held = {value for value, _ in side(field_id, first.from_value, first.from_string)}
    result = [State(issue.created_ms, None, False, frozenset(held))]
    for history in ordered_histories(issue):
        items = [item for item in history.items if item.effective_field_id == field_id]
        if not items:
            continue
        ts = max(history.created_ms, issue.created_ms)
        if ts >= window.end:
            break
        if field_id in ADD_REMOVE:
            for item in items:
                for value, _ in side(field_id, item.from_value, item.from_string):
                    held.discard(value)
                for value, _ in side(field_id, item.to_value, item.to_string):
                    held.add(value)
        else:
            last = items[-1]
            held = {value for value, _ in side(field_id, last.to_value, last.to_string)}
        result.append(State(ts, history.author_name, True, frozenset(held)))
    return result


def stays(issue: Issue, field_id: str, window: Window) -> list[Visit]:
    """Kept stays of every value of the field, in the order they began."""
    timeline = states(issue, field_id, window)
    opened: dict[ValueId, Visit] = {}
    done: list[tuple[int, Visit]] = []
    order: dict[ValueId, int] = {}
    counter = 0
    for state in timeline:
        held = state.values or frozenset({NONE})
        for value in list(opened):
            if value not in held:
                stay = opened.pop(value)
                done.append((order.pop(value), _ended(stay, state.at)))
        for value in sorted(held):
            if value not in opened:
                opened[value] = Visit(value, state.at, state.at, state.by, state.by_change, True)
                order[value] = counter
                counter += 1
    for value, stay in opened.items():
        done.append((order[value], _ended(stay, window.end, by_change=False)))
    ordered = [stay for _, stay in sorted(done, key=lambda pair: pair[0])]
    return clip(ordered, window)


def _ended(stay: Visit, left: int, by_change: bool = True) -> Visit:
    return Visit(stay.value, stay.entered, left, stay.entered_by, stay.by_change, by_change)


def latest_names(issues: Sequence[Issue], field_id: str) -> dict[ValueId, str]:
    """For each id value: the name the latest history gave it, a current value's name
    (later issues last) winning over every history."""
    spoken: list[tuple[int, int, ValueId, str]] = []
    for issue in issues:
        for history in ordered_histories(issue):
            for item in history.items:
                if item.effective_field_id != field_id:
                    continue
                for ident, text in (
                    (item.from_value, item.from_string),
                    (item.to_value, item.to_string),
                ):
                    for value, name in side(field_id, ident, text):
                        if name is not None:
                            spoken.append((history.created_ms, history.id, value, name))
    names = {value: name for _, _, value, name in sorted(spoken, key=lambda s: (s[0], s[1]))}
    for issue in issues:
        for value, name in current_values(issue, field_id):
            names[value] = name
    return names


@dataclass(frozen=True, slots=True)
class FieldColumn:
    field_id: str
    title: str
    #: the values this column adds up: its own and those known only by their text
    values: tuple[ValueId, ...]


def field_columns(
    issues: Sequence[Issue], fields: Sequence[str], held: Sequence[set[tuple[str, ValueId]]]
) -> list[FieldColumn]:
    """`Field: Value` columns in historyFields order, values by title, `(none)` last."""
    seen = set().union(*held) if held else set()
    columns: list[FieldColumn] = []
    for field_id in fields:
        values = {value for field, value in seen if field == field_id}
        names = latest_names(issues, field_id)
        ids = {value: names.get(value) or value[1] for value in values if value[0] == "id"}
        owners: dict[ValueId, list[ValueId]] = {value: [value] for value in ids}
        titles: dict[ValueId, str] = dict(ids)
        for value in values:
            if value[0] == "id":
                continue
            if value == NONE:
                titles[value] = NONE_TITLE
                owners[value] = [value]
                continue
            matching = [owner for owner, title in ids.items() if title == value[1]]
            if len(matching) == 1:
                owners[matching[0]].append(value)
            else:
                titles[value] = value[1]
                owners[value] = [value]
        counts = Counter(titles.values())
        shown = {
            value: f"{title} ({value[1]})" if counts[title] > 1 and value[0] == "id" else title
            for value, title in titles.items()
        }
        keys = {value: f"{value[0]}:{value[1]}" for value in shown}
        for value in sorted(
            shown,
            key=lambda v: (v == NONE, shown[v].casefold(), shown[v], keys[v]),
        ):
            columns.append(
                FieldColumn(
                    field_id, f"{field_title(field_id)}: {shown[value]}", tuple(owners[value])
                )
            )
    return columns
