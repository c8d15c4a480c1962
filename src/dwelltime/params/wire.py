"""Parameters as they arrive: which names are known, their values as lists of text, and a
saved parameter set (`paramSetId`) filling in what the request leaves out.

Everything after this reads `dict[str, list[str]]` of known names only; unknown names are
dropped here (SPEC §3: unknown parameters are ignored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

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


def known_values(raw: Mapping[str, Sequence[str]], problems: list[str]) -> dict[str, list[str]]:
    """Known parameters as lists of text; JSON scalars become their text form. A value of
    the wrong shape is added to `problems` and left out."""
    values: dict[str, list[str]] = {}
    for name in KNOWN_PARAMETERS:
        given = raw.get(name)
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
    merged = {
        name: texts
        for name in KNOWN_PARAMETERS
        if name != "paramSetId" and (texts := as_texts(saved.get(name, ()))) is not None
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
