"""The two JSON-valued report parameters: `groups` and `dbsMetrics` (SPEC §3, §5.4).

Each value is JSON text (an array, or one object); several values concatenate. Every
shape error names the parameter and the position, e.g. `groups[2].statuses`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dwelltime.params.model import DbsMetric, DbsPoint, StatusGroup
from dwelltime.params.values import MAX_ID_CHARS, ParamProblem, clean_text

MAX_GROUPS = 100
MAX_METRICS = 50
MAX_STATUSES_PER_ENTRY = 1_000
_MAX_NAME_CHARS = 255
_START_TYPES = ("creation", "status", "field")
_STOP_TYPES = ("status", "field")
_OCCURRENCES = ("first", "last")


def parse_groups(values: Sequence[str]) -> tuple[StatusGroup, ...]:
    entries = _json_objects("groups", values, MAX_GROUPS)
    groups = tuple(
        StatusGroup(
            name=_name(f"groups[{index}].name", entry.get("name")),
            statuses=_ids(f"groups[{index}].statuses", entry.get("statuses"), required=True),
        )
        for index, entry in enumerate(entries)
    )
    _unique_names("groups", [group.name for group in groups])
    return groups


def parse_dbs_metrics(values: Sequence[str]) -> tuple[DbsMetric, ...]:
    entries = _json_objects("dbsMetrics", values, MAX_METRICS)
    metrics = tuple(_metric(f"dbsMetrics[{index}]", entry) for index, entry in enumerate(entries))
    _unique_names("dbsMetrics", [metric.name for metric in metrics])
    return metrics


def _metric(where: str, entry: dict[str, Any]) -> DbsMetric:
    pause = entry.get("pauseAt")
    pause_statuses: tuple[str, ...] = ()
    if pause is not None:
        if not isinstance(pause, dict):
            raise ParamProblem(f'{where}.pauseAt: expected an object like {{"ids": ["10041"]}}')
        if str(pause.get("type", "status")).casefold() != "status":
            raise ParamProblem(f"{where}.pauseAt.type: only 'status' is supported")
        pause_statuses = _ids(f"{where}.pauseAt.ids", pause.get("ids"), required=False)
    return DbsMetric(
        name=_name(f"{where}.name", entry.get("name")),
        start=_point(f"{where}.startAt", entry.get("startAt"), _START_TYPES),
        stop=_point(f"{where}.stopAt", entry.get("stopAt"), _STOP_TYPES),
        pause_statuses=pause_statuses,
    )


def _point(where: str, value: Any, types: tuple[str, ...]) -> DbsPoint:
    if not isinstance(value, dict):
        raise ParamProblem(f"{where}: expected an object with a type ({', '.join(types)})")
    kind = _one_of(f"{where}.type", value.get("type"), types)
    occurrence = _one_of(f"{where}.occurrence", value.get("occurrence", "first"), _OCCURRENCES)
    if kind == "status":
        ids = _ids(f"{where}.ids", value.get("ids"), required=True)
        return DbsPoint(type=kind, ids=ids, occurrence=occurrence)
    if kind == "field":
        field_id = value.get("fieldId")
        if not isinstance(field_id, str) or not field_id.strip() or len(field_id) > MAX_ID_CHARS:
            raise ParamProblem(f"{where}.fieldId: a field id is required for type 'field'")
        field = clean_text(f"{where}.fieldId", field_id)
        return DbsPoint(type=kind, field_id=field, occurrence=occurrence)
    return DbsPoint(type=kind, occurrence=occurrence)


def _json_objects(name: str, values: Sequence[str], limit: int) -> list[dict[str, Any]]:
    entries: list[Any] = []
    for value in values:
        text = clean_text(name, value)
        if not text:
            continue
        try:
            parsed = json.loads(text)
        except RecursionError:
            raise ParamProblem(f"{name}: the JSON is nested too deeply") from None
        except ValueError as error:
            raise ParamProblem(f"{name}: not valid JSON ({error})") from None
        entries.extend(parsed if isinstance(parsed, list) else [parsed])
    if len(entries) > limit:
        raise ParamProblem(f"{name}: at most {limit} entries are accepted, got {len(entries):,}")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ParamProblem(f"{name}[{index}]: expected a JSON object")
    return entries


def _name(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ParamProblem(f"{where}: a non-empty text is required")
    return clean_text(where, value, _MAX_NAME_CHARS)


def _ids(where: str, value: Any, *, required: bool) -> tuple[str, ...]:
    """Status ids as a JSON list; numbers are accepted for ids (Jira sends both)."""
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        raise ParamProblem(f"{where}: expected a non-empty list of status ids")
    if len(value) > MAX_STATUSES_PER_ENTRY:
        raise ParamProblem(f"{where}: at most {MAX_STATUSES_PER_ENTRY:,} ids are accepted")
    ids: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int):
            raise ParamProblem(f"{where}: {item!r:.40} is not a status id")
        text = clean_text(where, str(item), MAX_ID_CHARS)
        if not text:
            raise ParamProblem(f"{where}: an empty status id")
        ids.append(text)
    return tuple(dict.fromkeys(ids))


def _one_of(where: str, value: Any, choices: tuple[str, ...]) -> str:
    if isinstance(value, str) and value.casefold() in choices:
        return value.casefold()
    raise ParamProblem(f"{where}: {value!r:.40} is not one of {', '.join(choices)}")


def _unique_names(name: str, names: list[str]) -> None:
    seen: set[str] = set()
    for entry_name in names:
        if entry_name in seen:
            raise ParamProblem(f"{name}: the name {entry_name!r} is used twice")
        seen.add(entry_name)
