"""The parameters only synchronous endpoints take (SPEC §8.1), read ignoring case like every
report parameter, and the answer formats they offer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from dwelltime.errors import InvalidParameters
from dwelltime.params.model import OutputType
from dwelltime.params.values import ParamProblem, single
from dwelltime.params.wire import canonical_name

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class Answer(StrEnum):
    """How a synchronous endpoint answers: Timepiece's JSON, the simplified JSON, or a file."""

    JSON = "json"
    SIMPLIFIED = "jsonSimplified"
    CSV = "csv"


AGGREGATION_TYPES = {
    "average": OutputType.CSV_AVERAGE,
    "sum": OutputType.CSV_SUM,
    "median": OutputType.CSV_MEDIAN,
    "standarddeviation": OutputType.CSV_STANDARD_DEVIATION,
}


def value(raw: Mapping[str, Sequence[str]], name: str) -> str | None:
    """The one value of `name` (any case), None when absent or blank."""
    folded = name.casefold()
    values = [text for key, texts in raw.items() if key.casefold() == folded for text in texts]
    try:
        return single(name, values)
    except ParamProblem as problem:
        raise InvalidParameters([str(problem)]) from problem


def without(raw: Mapping[str, Sequence[str]], *names: str) -> dict[str, list[str]]:
    """`raw` without `names` (any case), the others under their canonical spelling."""
    dropped = {name.casefold() for name in names}
    return {
        canonical_name(key): list(texts)
        for key, texts in raw.items()
        if key.casefold() not in dropped
    }


def answer(raw: Mapping[str, Sequence[str]], offered: Sequence[Answer]) -> Answer:
    """The `outputType` of a synchronous request among `offered` (the first by default)."""
    given = value(raw, "outputType")
    if given is None:
        return offered[0]
    for option in offered:
        if option.value.casefold() == given.casefold():
            return option
    choices = ", ".join(option.value for option in offered)
    raise InvalidParameters([f"outputType: {given!r:.80} is not one of {choices}"])


def number(raw: Mapping[str, Sequence[str]], name: str, default: int, low: int, high: int) -> int:
    """A whole-number parameter within [low, high]."""
    text = value(raw, name)
    if text is None:
        return default
    if not text.isdigit() or not low <= int(text) <= high:
        raise InvalidParameters(
            [f"{name}: must be a whole number {low}-{high:,}, got {text!r:.40}"]
        )
    return int(text)
