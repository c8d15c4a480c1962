"""The one interface every source of issues implements.

A source resolves a `Selection` (which issues, which fields) and yields `IssueBatch`es:
columnar slices with complete histories, in a stable order. The engine consumes
batches and never learns whether they came from the local store or a Jira site.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol

import polars as pl

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection


class Unconfirmed(Exception):
    """Raised by `IssueSource.batches` inside `computing` when what the source answered
    so far (its `statuses`, `count` and batches) came from a guess that its own source of
    truth has now refuted: the caller computes the report again, from `statuses`, whose
    answers are then the confirmed ones (a source raises it at most once per `computing`).
    A Jira-bound source guesses from what the store confirmed at the last export."""


class IssueSource(Protocol):
    """Where issues come from; implementations: sources.local.LocalSource."""

    def computing(self, selection: Selection) -> AbstractContextManager[None]:
        """The span of one computation of `selection` by a caller that handles
        `Unconfirmed` (`pipeline.computed_report`): within it a source may answer from a
        guess while it asks its own source of truth beside the computation; everything
        it asked in the background has ended when the span does. Elsewhere (a catalog
        route, a count) its answers are never guesses."""
        ...

    def statuses(self) -> list[Status]:
        """The status catalog (deleted statuses are absent; histories still name them)."""
        ...

    def count(self, selection: Selection) -> int:
        """How many issues `selection` covers (within its window), known before any batch
        is read."""
        ...

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        """The selected issues in a stable order, `batch_size` issues at a time; only those
        inside the selection's window (`start_index`, `max_issues`) are read."""
        ...

    def visited_statuses(self, selection: Selection, deleted: bool) -> pl.DataFrame:
        """The status ids the whole `selection`'s histories visit (VISITED_STATUS_COLUMNS),
        found without reading its issues: a page's columns are the whole report's.
        `deleted`: also those the catalog lacks, with their latest history names."""
        ...

    def visited_transitions(self, selection: Selection) -> pl.DataFrame:
        """The (from, to) status transitions the whole `selection`'s histories make
        (TRANSITION_COLUMNS), deleted statuses included: a transitionCount page's columns
        are the whole report's."""
        ...

    def resume_key(self, selection: Selection) -> tuple[Any, ...] | None:
        """The report-order key of the last issue of `selection`'s window (JSON values),
        for a keyset page after it (`Selection.after`); None for an empty window."""
        ...

    def newest_row(self) -> int | None:
        """The newest issue the source holds now, as a bound for `Selection.ceiling`, so a
        walk covers only the issues held when it began (None: it cannot bound one)."""
        ...

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        """A stored business calendar, or None."""
        ...

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        """A saved filter (for filterType=jqlfilter), or None."""
        ...
