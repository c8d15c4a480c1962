"""`JiraSource`: the `IssueSource` of a token bound to a Jira site, read through the mirror.

Jira decides the selection (the listing runs with the user's credentials, so its
permissions apply); the numbers are computed from the store, whose copies of the selected
issues are brought up to date batch by batch, so progress moves while Jira is read.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl
import structlog

from dwelltime.config import DEFAULT_BATCH_SIZE
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import TRANSITION_COLUMNS, VISITED_STATUS_COLUMNS, IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.errors import DwelltimeError, NotFound
from dwelltime.sources.jira import confirmed
from dwelltime.sources.jira.editions import ID_FIELDS, LISTING_FIELDS, SiteApi, listing_fields
from dwelltime.sources.jira.fetch_ahead import FetchAhead
from dwelltime.sources.jira.id_ranges import guessed_selection, range_bounds, ranged_listing
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.read_ahead import ReadAhead
from dwelltime.sources.jira.selection_jql import (
    is_ordered,
    selection_jql,
    split_order_by,
    with_clauses,
    within_dates,
)
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.sql_lists import id_chunks

_logger = structlog.get_logger(__name__)

#: Issues per batch where some must be fetched first (see `JiraSource._chunks`).
FETCHED_BATCH = 500


class JiraSource:
    """Selections resolved by Jira, histories completed in the store, batches from the store.

    Like `LocalSource`, a selection is resolved once and remembered, so `count()` and the
    `batches()` that follow cover the same issues.
    """

    def __init__(
        self, store: IssueStore, api: SiteApi, batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        """`batch_size`: of the batches read ahead while Jira lists (`ReadAhead`)."""
        self._store = store
        self._api = api
        self._batch_size = batch_size
        self._mirror = Mirror(store, api)
        self._read_ahead: ReadAhead | None = None
        self._resolved: tuple[Selection, list[int]] | None = None
        self._statuses: list[Status] | None = None
        self._stale: set[int] = set()  # of the resolved selection: to fetch before reading
        self._rows: dict[int, int] = {}  # Jira id -> store row, of issues known current
        self._fields: tuple[str, ...] = ()  # whose histories the resolved selection needs
        #: (JQL, time) of the confirmation the resolved listing recorded, if it did.
        self._confirming: tuple[str, int] | None = None
        #: Told Jira's estimate of the selection's size while the exact listing runs.
        self.on_estimate: Callable[[int], None] | None = None

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
        ids = self._ids(selection)
        read = self._read_ahead.take(ids) if self._read_ahead is not None else []
        self._read_ahead = None
        done = 0
        for future in read:
            batch = future.result()
            done += batch.issues.height
            yield batch
        rest = ids[done:]
        stale = [issue_id for issue_id in rest if issue_id in self._stale]
        # The stale issues are fetched in one run beside the engine, which computes each
        # batch as soon as its own issues are written.
        with FetchAhead(self._mirror, stale, self._fields) as fetching:
            for chunk in self._chunks(rest, batch_size):
                fetching.wait_for(chunk)
                with self._store.engine.connect() as connection:
                    yield read_batch(connection, self._row_ids(chunk), selection)
        self._confirm_fetched(stale)

    def _chunks(self, ids: Sequence[int], batch_size: int) -> list[Sequence[int]]:
        """`ids` in batches of `batch_size`, those with issues to fetch cut to
        `FETCHED_BATCH`: the engine then computes each while the next is fetched, and
        what is left after the last request is one small batch, not a whole one."""
        chunks: list[Sequence[int]] = []
        for chunk in id_chunks(ids, batch_size):
            if any(issue_id in self._stale for issue_id in chunk):
                chunks.extend(id_chunks(chunk, FETCHED_BATCH))
            else:
                chunks.append(chunk)
        return chunks

    def _row_ids(self, chunk: Sequence[int]) -> list[int]:
        """Store rows of `chunk`: known from the listing's comparison, or (just fetched) read.

        An issue deleted in Jira between the listing and its fetch has no row: the report
        leaves it out, as Jira no longer holds it, rather than failing the export."""
        missing = [issue_id for issue_id in chunk if issue_id not in self._rows]
        if missing:
            self._rows.update(self._mirror.row_ids(missing))
        return [self._rows[issue_id] for issue_id in chunk if issue_id in self._rows]

    def visited_statuses(self, selection: Selection, deleted: bool) -> pl.DataFrame:
        """None known ahead: only the issues a page reads have their histories fetched, so
        a page of a Jira site shows the columns of its own issues."""
        return pl.DataFrame(schema=VISITED_STATUS_COLUMNS)

    def visited_transitions(self, selection: Selection) -> pl.DataFrame:
        """None known ahead, as for `visited_statuses`."""
        return pl.DataFrame(schema=TRANSITION_COLUMNS)

    def resume_key(self, selection: Selection) -> tuple[Any, ...] | None:
        """The last issue's Jira id: Jira lists the selection anew on every page."""
        ids = self._ids(selection)
        return (ids[-1],) if ids else None

    def newest_row(self) -> int | None:
        """None: Jira's listing of a later page is Jira's answer then."""
        return None

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
        """The window of `selection` (its whole listing is asked of Jira once and kept,
        so a page's count of the whole selection costs no second listing)."""
        whole = selection.whole()
        if self._resolved is None or self._resolved[0] != whole:
            self._resolved = (whole, self._list(whole, reads_ahead=selection == whole))
        ids = self._resolved[1]
        start = selection.start_index
        if selection.after is not None:
            # Resumed after the last issue a page showed; at its position if Jira no
            # longer lists it.
            start = next(
                (i + 1 for i, issue_id in enumerate(ids) if (issue_id,) == selection.after),
                start,
            )
        stop = None if selection.max_issues is None else start + selection.max_issues
        return ids[start:stop]

    def _list(self, whole: Selection, *, reads_ahead: bool) -> list[int]:
        """The ids of `whole` as Jira lists them now, in the report's order, compared with
        the store (`_stale`, `_rows`): by ids alone and what changed since the store last
        confirmed the selection (`confirmed`) where it did, else by every issue's
        `updated`; what was found current is confirmed for the next export."""
        self._check_sprint(whole)
        jql = selection_jql(whole, self._api.filter_jql)
        dated = whole.start_ms is not None or whole.end_ms is not None
        fields = listing_fields(whole.date_field if dated else None)
        self._fields = whole.change_fields
        ordered = is_ordered(jql)
        if self._read_ahead is not None:
            self._read_ahead.close()
        # Only undated selections are confirmed: a date filter is applied to the listed
        # dates (`within_dates`), which a listing of ids does not hold.
        confirming = self._api.ids_listing_from is not None and not dated
        started_ms = confirmed.now_ms()
        # Rows read from here on are the store's at this generation, or a later one.
        at_generation = confirmed.store_generation(self._store.engine)
        known = self._confirmed(jql, started_ms) if confirming else None
        with ThreadPoolExecutor(1, thread_name_prefix="jira-changed") as asking:
            changes = None if known is None else asking.submit(self._changes, jql, known)
            # Read ahead only for a whole selection: a window's page reads a few issues.
            reading = ReadAhead(
                self._store,
                self._mirror,
                whole,
                self._fields,
                self._batch_size if reads_ahead else None,
                ascending=not ordered,
                changes=changes,
            )
            # Unordered, the report follows issue ids: asking Jira for creation order
            # (ids grow with it) lets batches be read while later pages arrive.
            listed_jql = jql if ordered else f"{jql} ORDER BY created ASC"
            try:
                with _Estimate(self._api, jql, self.on_estimate):
                    if known is not None:
                        bounds = [] if ordered else known.bounds(self._api.listing_range)
                        fields = ID_FIELDS
                    else:
                        bounds = [] if ordered else self._bounds(whole, jql)
                    listing = ranged_listing(
                        self._api, listed_jql, fields, bounds, on_page=reading.page
                    )
                if changes is not None:
                    changes.result()  # its failure fails the listing, even of no issue
            except BaseException:
                reading.close()
                raise
        listing = within_dates(whole, listing)
        if not ordered:
            listing.sort(key=lambda entry: entry.id)
        self._stale, self._rows = set(reading.stale), reading.rows
        self._read_ahead = reading
        ids = [entry.id for entry in listing]
        self._confirming = None
        if confirming:
            current = {issue_id: self._rows[issue_id] for issue_id in ids if issue_id in self._rows}
            confirmed.save(
                self._store.engine,
                self._mirror.site,
                jql,
                self._reader,
                started_ms,
                current,
                at_generation,
            )
            self._confirming = (jql, started_ms)
        return ids

    def _confirmed(self, jql: str, now_ms: int) -> confirmed.Confirmed | None:
        """What the store last confirmed of `jql`, if the listing may go by ids: above
        `ids_listing_from` issues (below, `updated` comes in the one request the ids
        and the changed search would take two for)."""
        least = self._api.ids_listing_from
        known = confirmed.load(self._store.engine, self._mirror.site, jql, self._reader, now_ms)
        return known if known is not None and least is not None and len(known.ids) > least else None

    def _changes(self, jql: str, known: confirmed.Confirmed) -> confirmed.Changes:
        """What Jira lists of the selection as changed since `known` was confirmed."""
        since = with_clauses(split_order_by(jql)[0], known.since_clause(confirmed.now_ms()))
        return confirmed.Changes.of(known, self._api.listing(since, LISTING_FIELDS))

    def _confirm_fetched(self, fetched: Sequence[int]) -> None:
        """The stale issues of the listing, now written, are current too (`confirmed.extend`)."""
        if fetched and self._confirming is not None:
            jql, at_ms = self._confirming
            confirmed.extend(
                self._store.engine, self._mirror.site, jql, self._reader, at_ms, fetched
            )

    @property
    def _reader(self) -> str:
        """Whose listings a confirmation is recorded for: the Cloud account's email."""
        return self._api.client.credentials.email or ""

    def _bounds(self, whole: Selection, jql: str) -> list[int]:
        """Where the listing of an id-ordered selection is cut into ranges asked at once:
        from the store's own copy of it, on the editions whose pages are sequential."""
        size = self._api.listing_range
        if size is None:
            return []
        return range_bounds(self._store, guessed_selection(whole, self._mirror.site, jql), size)


class _Estimate:
    """Asks Jira's approximate-count beside the listing and tells `on_estimate`, unless the
    listing finished first (the exact count then follows at once, and must not be
    overwritten by the estimate). A failed estimate only loses the early total.

    Leaving waits for the request to end: a thread left running would use the site's
    client and budget after the export that asked has moved on (or closed the client). One
    small request, nearly always done before the listing; its retries are bounded."""

    def __init__(self, api: SiteApi, jql: str, on_estimate: Callable[[int], None] | None) -> None:
        self._api = api
        self._jql = jql
        self._on_estimate = on_estimate
        self._lock = threading.Lock()
        self._listed = False
        self._thread: threading.Thread | None = None

    def __enter__(self) -> None:
        if self._on_estimate is not None:
            self._thread = threading.Thread(target=self._ask, name="jira-estimate")
            self._thread.start()

    def __exit__(self, *_: object) -> None:
        with self._lock:
            self._listed = True
        if self._thread is not None:
            self._thread.join()

    def _ask(self) -> None:
        try:
            estimate = self._api.approximate_count(self._jql)
        except DwelltimeError as error:
            _logger.info("jira_estimate_failed", reason=str(error))
            return
        with self._lock:
            if estimate is not None and not self._listed and self._on_estimate is not None:
                self._on_estimate(estimate)
