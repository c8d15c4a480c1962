"""Name search and paging shared by the calendar and parameter-set searches (SPEC §8.1)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from dwelltime.errors import InvalidParameters

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
#: Timepiece documents `exact` and `partial` for parameter sets, `exact` and `contain` for
#: calendars; each endpoint takes all of them.
SEARCH_TYPES = {"exact": "exact", "partial": "partial", "contain": "partial", "contains": "partial"}


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a search: its elements and where it sits among `total` matches."""

    elements: list[T]
    page_number: int
    page_size: int
    total: int

    @property
    def last(self) -> bool:
        return (self.page_number + 1) * self.page_size >= self.total


def search_page(
    items: Sequence[T],
    name_of: Callable[[T], str],
    name: str | None,
    search_type: str | None,
    page_number: int,
    page_size: int,
) -> Page[T]:
    """The `page_number`th page of `items` whose name matches `name`, ignoring case.

    `exact` compares whole names, `partial` (the default) finds `name` inside them; no name
    matches everything.
    """
    problems = []
    kind = SEARCH_TYPES.get((search_type or "partial").strip().lower())
    if kind is None:
        problems.append(f"searchType: must be exact or partial, got {search_type!r}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        problems.append(f"pageSize: must be 1-{MAX_PAGE_SIZE}, got {page_size}")
    if page_number < 0:
        problems.append(f"pageNumber: must be 0 or more, got {page_number}")
    if problems:
        raise InvalidParameters(problems)
    wanted = (name or "").strip().casefold()
    matches = [
        item
        for item in items
        if not wanted
        or (
            name_of(item).casefold() == wanted
            if kind == "exact"
            else wanted in name_of(item).casefold()
        )
    ]
    start = page_number * page_size
    return Page(matches[start : start + page_size], page_number, page_size, len(matches))
