"""`JiraSource`: the `IssueSource` of a token bound to a Jira site, read through the mirror.

Jira decides the selection (the listing runs with the user's credentials, so its
permissions apply); the numbers are computed from the store, whose copies of the selected
issues are brought up to date batch by batch, so progress moves while Jira is read. A
re-export of a selection the store confirmed computes from the store's copy while Jira is
asked, and again from Jira's answers if they refute it (`guess`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import polars as pl

from dwelltime.config import DEFAULT_BATCH_SIZE
from dwelltime.domain.calendars import CalendarSpec
from dwelltime.domain.issue_batch import TRANSITION_COLUMNS, VISITED_STATUS_COLUMNS, IssueBatch
from dwelltime.domain.issues import SavedFilter, Status
from dwelltime.domain.selection import Selection
from dwelltime.sources.base import Unconfirmed
from dwelltime.sources.jira.editions import SiteApi
from dwelltime.sources.jira.fetch_ahead import FetchAhead
from dwelltime.sources.jira.guess import Guess
from dwelltime.sources.jira.listings import Compared, Lister, ListingPlan
from dwelltime.sources.jira.mirror import Mirror
from dwelltime.sources.jira.read_ahead import ReadAhead
from dwelltime.sources.store.batches import read_batch
from dwelltime.sources.store.calendars import load_calendar
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.sql_lists import id_chunks

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
        self._mirror = Mirror(store, api)
        self._lister = Lister(store, api, self._mirror, batch_size)
        self._read_ahead: ReadAhead | None = None
        self._resolved: tuple[Selection, list[int]] | None = None
        self._catalog: Future[list[Status]] | None = None  # Jira's, asked beside the listing
        self._statuses: list[Status] | None = None
        self._guess: Guess | None = None
        self._planned: ListingPlan | None = None  # made by `computing`, not guessed on
        self._stale: frozenset[int] = frozenset()  # of the resolved selection: to fetch first
        self._rows: dict[int, int] = {}  # Jira id -> store row, of issues known current
        self._fields: tuple[str, ...] = ()  # whose histories the resolved selection needs
        #: The plan of the resolved listing, whose fetched issues are then confirmed.
        self._listed: ListingPlan | None = None
        #: Told Jira's estimate of the selection's size while the exact listing runs.
        self.on_estimate: Callable[[int], None] | None = None

    @property
    def requests(self) -> int:
        """Requests sent to Jira so far (bench/ and tests count them)."""
        return self._api.client.requests

    @contextmanager
    def computing(self, selection: Selection) -> Iterator[None]:
        """Jira's catalog is asked at once, beside the listing (it was a round trip
        before it); a whole selection the store confirmed with its rows and catalog is
        guessed (`Guess`): computed from the record while Jira lists it."""
        whole = selection.whole()
        with ThreadPoolExecutor(2, thread_name_prefix="jira-beside") as beside:
            if self._statuses is None and self._catalog is None:
                self._catalog = beside.submit(self._mirror.statuses)
            if selection == whole and not self._resolves(whole):
                self._guess = self._guessed(whole, beside)
            try:
                yield
            finally:
                self._guess = self._planned = None  # leaving waits for what was asked beside

    def _guessed(self, whole: Selection, beside: ThreadPoolExecutor) -> Guess | None:
        """A guess of `whole`, when the store's record of it holds rows still valid and
        Jira's catalog, and the report follows ids (the record's order)."""
        plan = self._lister.plan(whole)
        known = plan.known
        if known is None or known.rows is None or known.statuses is None or plan.ordered:
            self._planned = plan  # the listing at `count` goes by it
            return None
        assert self._catalog is not None
        self._fields = whole.change_fields
        listing = beside.submit(self._lister.listing, plan, reads_ahead=False, fields=self._fields)
        return Guess(plan, listing, self._catalog)

    def statuses(self) -> list[Status]:
        """The site's status catalog, as Jira lists it now (kept in the store too); while
        a guess stands, the one Jira listed when the store confirmed the selection."""
        if self._guess is not None:
            return self._guess.statuses
        if self._statuses is None:
            catalog = self._catalog
            self._statuses = self._mirror.statuses() if catalog is None else catalog.result()
        return self._statuses

    def count(self, selection: Selection) -> int:
        return len(self._ids(selection))

    def batches(self, selection: Selection, batch_size: int) -> Iterator[IssueBatch]:
        guess = self._guess
        if guess is not None and selection == guess.plan.selection:
            yield from self._guessed_batches(guess, selection, batch_size)
            return
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
        if self._listed is not None:
            self._lister.confirm_fetched(self._listed, stale)

    def _guessed_batches(
        self, guess: Guess, selection: Selection, batch_size: int
    ) -> Iterator[IssueBatch]:
        """The record's rows in batches, until Jira refutes the guess; then, or once the
        last is given and Jira's answers are all in, the listing is taken as any other
        export's (its result recorded), and `Unconfirmed` raised if the guess fell."""
        rows = guess.rows
        for start in range(0, len(rows), batch_size):
            if guess.refuted_yet():
                break
            with self._store.engine.connect() as connection:
                batch = read_batch(connection, rows[start : start + batch_size], selection)
            yield batch
        standing = guess.confirmed()
        self._guess = None
        self._take(guess.plan, guess.listing.result())
        if not standing:
            raise Unconfirmed(f"Jira did not confirm the store's copy of {guess.plan.jql}")

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

    def _resolves(self, whole: Selection) -> bool:
        return self._resolved is not None and self._resolved[0] == whole

    def _ids(self, selection: Selection) -> list[int]:
        """The window of `selection` (its whole listing is asked of Jira once and kept,
        so a page's count of the whole selection costs no second listing; while a guess
        stands, the record's)."""
        whole = selection.whole()
        guess = self._guess
        if guess is not None and guess.plan.selection == whole:
            ids = guess.ids
        else:
            if not self._resolves(whole):
                self._list(whole, reads_ahead=selection == whole)
            assert self._resolved is not None
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

    def _list(self, whole: Selection, *, reads_ahead: bool) -> None:
        """List `whole` in Jira now and take the result (`_take`)."""
        if self._read_ahead is not None:
            self._read_ahead.close()
            self._read_ahead = None
        planned, self._planned = self._planned, None
        plan = planned if planned is not None and planned.selection == whole else None
        plan = plan or self._lister.plan(whole)
        self._fields = whole.change_fields
        compared = self._lister.listing(
            plan, reads_ahead=reads_ahead, fields=self._fields, on_estimate=self.on_estimate
        )
        self._take(plan, compared)

    def _take(self, plan: ListingPlan, compared: Compared) -> None:
        """`compared` as the resolved selection: its ids in the report's order, compared
        with the store (`_stale`, `_rows`); what it found current is recorded for the
        next export, with Jira's catalog."""
        self._resolved = (plan.selection, compared.ids)
        self._stale, self._rows = compared.stale, compared.rows
        self._read_ahead = compared.read_ahead
        self._listed = plan if plan.confirming else None
        if plan.confirming:
            self._lister.record(plan, compared, self.statuses())
