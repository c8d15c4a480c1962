"""JSON Schemas written from SPEC §8.2, for the synchronous endpoints' answers."""

from __future__ import annotations

from typing import Any

_TEXT_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_ENTRY: dict[str, Any] = {
    "type": "object",
    "required": ["id", "value"],
    "properties": {"id": {"type": "string"}, "value": _TEXT_OR_NULL, "raw": _TEXT_OR_NULL},
}
_VALUE_ENTRY: dict[str, Any] = {
    **_ENTRY,
    "properties": {**_ENTRY["properties"], "count": _TEXT_OR_NULL},
}
#: A group field's cell: the issue's (or the aggregate row's) value, never a visit count.
_GROUP_ENTRY: dict[str, Any] = {**_ENTRY, "not": {"required": ["count"]}}
_OPEN_VISIT: dict[str, Any] = {
    "type": "object",
    "required": ["id", "value", "raw", "since", "sinceRaw"],
    "properties": {
        "id": {"type": "string"},
        "value": {"type": "string"},
        "raw": {"type": "string", "pattern": "^[0-9]+$"},
        "since": {"type": "string"},
        "sinceRaw": {"type": "string", "pattern": "^-?[0-9]+$"},
    },
}
_TITLE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "value"],
    "properties": {"id": {"type": "string"}, "value": {"type": "string"}},
}
_VALUE_TITLE: dict[str, Any] = {
    **_TITLE,
    "required": ["id", "value", "isConsolidated"],
    "properties": {**_TITLE["properties"], "isConsolidated": {"type": "boolean"}},
}
_STATUS: dict[str, Any] = {
    "type": "object",
    "required": ["id", "name", "statusCategory"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "statusCategory": {"type": "object", "required": ["name"]},
    },
}


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


REPORT: dict[str, Any] = {
    "type": "object",
    "required": [
        "timeZone",
        "viewFormat",
        "dateFormat",
        "calendar",
        "includedStatuses",
        "excludedStatuses",
        "table",
    ],
    "properties": {
        "timeZone": {"type": "string"},
        "viewFormat": {"enum": ["days", "hours", "minutes", "seconds", "humanReadable"]},
        "dateFormat": {"type": "string"},
        "calendar": {
            "type": "object",
            "required": ["id", "name", "dailyWorkingHours", "timeZone", "is7x24Calendar"],
            "properties": {
                "id": {"type": "string"},
                "dailyWorkingHours": {"type": "number"},
                "is7x24Calendar": {"type": "boolean"},
            },
        },
        "includedStatuses": _list_of(_STATUS),
        "excludedStatuses": _list_of(_STATUS),
        "pageSize": {"type": "integer"},
        "nextPageToken": {"type": "string"},
        "table": {
            "type": "object",
            "required": ["header", "body"],
            "properties": {
                "header": {
                    "type": "object",
                    "required": ["headerColumns", "groupByColumns", "fieldColumns", "valueColumns"],
                    "properties": {
                        "headerColumns": _list_of(_TITLE),
                        "groupByColumns": _list_of(_TITLE),
                        "fieldColumns": _list_of(_TITLE),
                        "valueColumns": _list_of(_VALUE_TITLE),
                    },
                },
                "body": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": _list_of(
                            {
                                "type": "object",
                                "required": [
                                    "headerColumns",
                                    "groupByColumns",
                                    "fieldColumns",
                                    "valueColumns",
                                ],
                                "properties": {
                                    "headerColumns": _list_of(_ENTRY),
                                    "groupByColumns": _list_of(_GROUP_ENTRY),
                                    "fieldColumns": _list_of(_ENTRY),
                                    "valueColumns": _list_of(_VALUE_ENTRY),
                                    "currentState": _list_of(_OPEN_VISIT),
                                    "issueCount": {"type": "string"},
                                },
                            }
                        )
                    },
                },
            },
        },
    },
}

SIMPLIFIED: dict[str, Any] = {
    "type": "object",
    "required": ["columns", "rows"],
    "properties": {
        "columns": _list_of({"type": "string"}),
        "rows": _list_of(_list_of({"type": ["string", "number", "null"]})),
    },
}
