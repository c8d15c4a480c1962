"""Parameters as they arrive: which names are known, their values as lists of text, and a
saved parameter set (`paramSetId`) filling in what the request leaves out.

Everything after this reads `dict[str, list[str]]` of known names only; unknown names are
dropped here (SPEC §3: unknown parameters are ignored).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from dwelltime.params.filters import COMPANIONS

KNOWN_PARAMETERS = (
    "filterType",
    *COMPANIONS.values(),
    "columnsBy",
    "outputType",
    "calendar",
    "dayLength",
    "viewFormat",
    "statuses",
    "includeDeletedStatuses",
    "groups",
    "fields",
    "groupByFields",
    "historyFields",
    "assignees",
    "startDate",
    "endDate",
    "dateRangeField",
    "trimHistoryStartDate",
    "trimHistoryEndDate",
    "multiVisitBehavior",
    "averageDenominator",
    "timePeriod",
    "dbsMetrics",
    "includeTransitionedByColumns",
    "paramSetId",
)


#: Parameters whose value is itself JSON (SPEC §3): passed on as JSON text.
JSON_VALUED = frozenset({"groups", "dbsMetrics"})


def json_object_params(document: Mapping[str, Any]) -> dict[str, list[str]]:
    """A JSON object of parameters (a request body, a saved set) as name -> values: arrays
    give several values, the JSON-valued parameters stay JSON text, nulls are absent."""
    params: dict[str, list[str]] = {}
    for name, value in document.items():
        if value is None:
            continue
        if name in JSON_VALUED and not isinstance(value, str):
            params[name] = [json.dumps(value)]
        elif isinstance(value, list):
            params[name] = [_json_text(item) for item in value if item is not None]
        else:
            params[name] = [_json_text(value)]
    return params


def _json_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


_BY_FOLDED_NAME = {name.casefold(): name for name in KNOWN_PARAMETERS}


def canonical_name(name: str) -> str:
    """A known parameter's name as SPEC §3 spells it, whatever its case (Timepiece's eazyBI
    guide sends `customJQL`); other names unchanged."""
    return _BY_FOLDED_NAME.get(name.casefold(), name)


def canonical_names(raw: Mapping[str, object]) -> dict[str, object]:
    """`raw` under canonical names; the values of two spellings of one name are kept
    together, so a disagreement between them is refused later, not resolved here."""
    merged: dict[str, object] = {}
    for name, given in raw.items():
        canonical = canonical_name(name)
        if canonical in merged:
            before, after = as_texts(merged[canonical]), as_texts(given)
            merged[canonical] = before + after if before is not None and after is not None else _BAD
        else:
            merged[canonical] = given
    return merged


_BAD = object()  # a value as_texts refuses, so the parameter is reported as badly shaped


def known_values(raw: Mapping[str, Sequence[str]], problems: list[str]) -> dict[str, list[str]]:
    """Known parameters (any case) as lists of text; JSON scalars become their text form. A
    value of the wrong shape is added to `problems` and left out."""
    values: dict[str, list[str]] = {}
    spelled = canonical_names(raw)
    for name in KNOWN_PARAMETERS:
        given = spelled.get(name)
        if given is None:
            continue
        texts = as_texts(given)
        if texts is None:
            problems.append(f"{name}: expected text values")
            continue
        if any(text.strip() for text in texts):
            values[name] = texts
    return values


def under_param_set(
    saved: Mapping[str, Sequence[str]], explicit: dict[str, list[str]]
) -> dict[str, list[str]]:
    """The saved set's parameters, each overridden by an explicitly given one."""
    spelled = canonical_names(saved)
    merged = {
        name: texts
        for name in KNOWN_PARAMETERS
        if name != "paramSetId" and (texts := as_texts(spelled.get(name, ()))) is not None
        if any(text.strip() for text in texts)
    }
    return merged | explicit


def as_texts(given: object) -> list[str] | None:
    """A parameter's values as text; a bare string is one value, not its characters."""
    if isinstance(given, str):
        return [given]
    if not isinstance(given, Sequence):
        return None
    texts: list[str] = []
    for value in given:
        if isinstance(value, bool):
            texts.append("true" if value else "false")
        elif isinstance(value, str | int | float):
            texts.append(str(value))
        else:
            return None
    return texts
