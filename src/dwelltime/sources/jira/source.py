"""`JiraSource`: the `IssueSource` of a token bound to a Jira site, read through the mirror.

Jira decides the selection (the listing runs with the user's credentials, so its
permissions apply); the numbers are computed from the store, whose copies of the selected
issues are brought up to date batch by batch, so progress moves while Jira is read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import polars as pl

from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import VISITED_STATUS_COLUMNS, IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.errors import NotFound
from dwelltime.sources.jira.editions import SiteApi
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.selection_jql import is_ordered, selection_jql, within_dates
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.sql_lists import id_chunks


class JiraSource:
    """Selections resolved by Jira, histories completed in the store, batches from the store.

    Like `LocalSource`, a selection is resolved once and remembered, so `count()` and the
    `batches()` that follow cover the same issues.
    """

    def __init__(self, store: IssueStore, api: SiteApi) -> None:
        self._store = store
        self._api = api
        self._mirror = Mirror(store, api)
        self._resolved: tuple[Selection, list[int]] | None = None
        self._statuses: list[Status] | None = None
        self._stale: set[int] = set()  # of the resolved selection: to fetch before reading

    @property
    def requests(self) -> int:
        """Requests sent to Jira so far (bench/ and tests count them)."""
        return self._api.client.requests

    def statuses(self) -> list[Status]:
        """The site's status catalog, as Jira lists it now (kept in the store too)."""
        if self._statuses is None:
            self._statuses = self._mirror.statuses()
        return self._statuses

    def count(self, selection: Selection) -> int:
        return len(self._ids(selection))

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        chunks = list(id_chunks(self._ids(selection), batch_size))
        # The next chunk is fetched while the engine works on this one, so Jira's budget is
        # not left idle during the computation.
        with ThreadPoolExecutor(1, thread_name_prefix="jira-ahead") as ahead:
            fetching = [ahead.submit(self._complete, chunk) for chunk in chunks[:1]]
            for index, chunk in enumerate(chunks):
                fetching.pop(0).result()
                if index + 1 < len(chunks):
                    fetching.append(ahead.submit(self._complete, chunks[index + 1]))
                rows = self._mirror.row_ids(chunk)
                with self._store.engine.connect() as connection:
                    yield read_batch(connection, rows, selection)

    def _complete(self, chunk: Sequence[int]) -> None:
        self._mirror.complete([issue_id for issue_id in chunk if issue_id in self._stale])

    def visited_statuses(self, selection: Selection, deleted: bool) -> pl.DataFrame:
        """None known ahead: only the issues a page reads have their histories fetched, so
        a page of a Jira site shows the columns of its own issues."""
        return pl.DataFrame(schema=VISITED_STATUS_COLUMNS)

    def calendar(self, calendar_id: str) -> CalendarSpec | None:
        """Business calendars are dwelltime's own: they come from the store."""
        return load_calendar(self._store.engine, calendar_id)

    def saved_filter(self, filter_id: str) -> SavedFilter | None:
        jql = self._api.filter_jql(filter_id)
        return (
            None if jql is None else SavedFilter(id=filter_id, name=f"filter {filter_id}", jql=jql)
        )

    def _check_sprint(self, selection: Selection) -> None:
        """`sprint = ID` of an unknown sprint is a Jira error; say it in dwelltime's words."""
        if selection.filter_type == "sprint" and self._api.sprint(selection.filter_value) is None:
            raise NotFound(
                f"Sprint {selection.filter_value} does not exist in Jira or you may not see it."
            )

    def _ids(self, selection: Selection) -> list[int]:
        if self._resolved is None or self._resolved[0] != selection:
            if (
                selection.filter_type == "sprint"
                and self._api.sprint(selection.filter_value) is None
            ):
                raise NotFound(
                    f"Sprint {selection.filter_value} does not exist in Jira or you may not see it."
                )
            jql = selection_jql(selection, self._api.filter_jql)
            listing = within_dates(selection, self._api.listing(jql))
            if not is_ordered(jql):
                listing.sort(key=lambda entry: entry.id)
            self._stale = set(self._mirror.stale(listing))
            self._resolved = (selection, [entry.id for entry in listing])
        return self._resolved[1]
