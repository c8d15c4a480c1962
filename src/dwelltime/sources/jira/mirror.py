"""The read-through mirror: bring the store's copies of listed issues up to date.

A listing (ids and `updated`, cheap pages of thousands) is compared with the store; only
issues missing from it, older there, or lacking the histories of a field the caller needs
(`history_fields`) are fetched, in parallel pages, and written through the store in one
transaction per page. An interrupted run loses at most the pages in flight: what was
written stays current and is not fetched again.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace

from dwelltime.domain.issues import Status
from dwelltime.errors import ImportRejected, SourceError
from dwelltime.sources.jira.confirmed import Changes
from dwelltime.sources.jira.editions import FETCH_PAGE, Fetched, Listed, SiteApi
from dwelltime.sources.jira.history_fields import (
    lacking,
    mark_complete,
    mark_partial,
    partial_fields,
    short_marks,
)
from dwelltime.sources.jira_json.documents import parse_documents
from dwelltime.sources.store.data import StoreData
from dwelltime.sources.store.issue_store import IssueStore
from dwelltime.sources.store.source import LocalSource
from dwelltime.sources.store.sql_lists import id_chunks

#: Pages asked ahead of the writes, per request the client may have in flight.
FETCH_QUEUE = 2


class Mirror:
    """Completes issues of one site in the store, as the site's user sees them."""

    def __init__(self, store: IssueStore, api: SiteApi) -> None:
        self._store = store
        self._api = api
        self.site = api.client.credentials.site_url

    def statuses(self) -> list[Status]:
        """The site's status catalog as Jira lists it now, kept in the store too (written
        only when the store holds some other way: a write moves the store's generation,
        which would void what the last export confirmed, `confirmed`)."""
        parsed = parse_documents([self._api.statuses()], "status", statuses_only=True)
        statuses = list(parsed.data.statuses)
        if not set(statuses) <= set(LocalSource(self._store).statuses()):
            self._store.write(StoreData(statuses=statuses))
        return statuses

    def stale(self, listing: Sequence[Listed]) -> list[int]:
        """Ids of `listing` the store lacks, holds older or holds only some histories of,
        in listing order."""
        return self.compare(listing)[0]

    def short_marks(self, fields: Collection[str] | None) -> list[str]:
        """The site's partial-history marks lacking some of `fields` (`compare`'s)."""
        return short_marks(self._store.engine, self.site, _needed(fields))

    def compare(
        self,
        listing: Sequence[Listed],
        fields: Collection[str] | None = None,
        marks: Sequence[str] | None = None,
        changes: Changes | None = None,
    ) -> tuple[list[int], dict[int, int]]:
        """(the stale ids of `listing` in its order, Jira id -> row id of the current ones):
        one pass over the store serves both the fetch and the reads that follow. Current
        means as new as Jira's and holding the histories of `fields` (None: of all).
        `marks`: `short_marks(fields)`, read once for all the pages of one listing (a
        mark another export writes during the listing may then be missed, as one written
        between any comparison and the batch read after it always could). `changes`: of a
        listing of ids alone (`confirmed`), which gives each issue's `updated`
        (`Changes.held`) and, while the store has not moved on, its rows (then only the
        issues Jira changed are looked up)."""
        ids = [entry.id for entry in listing]
        looked_up = ids if changes is None else changes.looked_up(ids)
        stored = self._store.site_rows(self.site, looked_up)
        short = lacking(self._store.engine, self.site, ids, _needed(fields), marks)
        stale: list[int] = []
        current: dict[int, int] = {}
        if changes is not None:
            # Nearly every issue of an unchanged re-export: current at the recorded row,
            # found by set operations, not compared one at a time.
            current = changes.unchanged_rows(ids, short)
            if current:
                listing = [entry for entry in listing if entry.id not in current]
        # One pass (a re-export compares every issue of its selection): held as new as
        # Jira's and with the histories needed, or to fetch.
        for jira_id, _, updated, _, _ in listing:
            if changes is None:
                held = stored.get(jira_id)
            else:
                held, updated = changes.held(jira_id, stored)
            if (
                held is None
                or updated is None
                or held[1] is None
                or held[1] < updated
                or jira_id in short
            ):
                stale.append(jira_id)
            else:
                current[jira_id] = held[0]
        return stale, current

    def row_ids(self, jira_ids: Sequence[int]) -> dict[int, int]:
        """Jira id -> the store's row id of `jira_ids` of this site."""
        return {
            jira_id: row for jira_id, (row, _) in self._store.site_rows(self.site, jira_ids).items()
        }

    def complete(
        self,
        ids: Sequence[int],
        on_written: Callable[[int], None] | None = None,
        fields: Collection[str] | None = None,
        *,
        on_page: Callable[[Sequence[int]], None] | None = None,
        stop: threading.Event | None = None,
    ) -> int:
        """Fetch and store `ids` with full histories of `fields` (None: of every field; the
        fields an issue already holds are asked again, so none is lost); `on_written`
        hears each page's size, `on_page` each page's ids once written (in `ids`' order).
        Once `stop` is set no page is asked for or written any more."""
        asked: frozenset[str] | None = None
        if fields is not None:
            held = partial_fields(self._store.engine, self.site, ids).values()
            asked = frozenset(fields).union(*held)
        pages = iter(id_chunks(ids, FETCH_PAGE))
        written = 0
        concurrency = self._api.client.concurrency
        with ThreadPoolExecutor(concurrency) as pool:
            # Pages are written in order whatever finishes first; a few more than can be in
            # flight are asked ahead of the writes, so the requests never wait for a write
            # and the answers waiting to be written stay few.
            queued: deque[tuple[Sequence[int], Future[Fetched]]] = deque()

            def ask_next() -> None:
                page = next(pages, None)
                if page is not None:
                    queued.append((page, pool.submit(self._api.fetch, page, asked)))

            for _ in range(FETCH_QUEUE * concurrency):
                ask_next()
            if asked is not None:
                # While the first pages are being asked for (marking thousands of issues
                # took 0.17 s of the budget's time), yet before any cut copy is written.
                mark_partial(self._store.engine, self.site, ids, asked)
            while queued and not (stop is not None and stop.is_set()):
                page, answer = queued.popleft()
                fetched = answer.result()
                ask_next()
                written += self._write(fetched)
                if fetched.fields is None:
                    mark_complete(self._store.engine, self.site, page)
                if on_written is not None:
                    on_written(len(fetched.document.get("issues") or []))
                if on_page is not None:
                    on_page(page)
            for _, answer in queued:
                answer.cancel()
        return written

    def _write(self, fetched: Fetched) -> int:
        try:
            parsed = parse_documents([fetched.document])
        except ImportRejected as error:
            raise SourceError(
                f"Jira sent an issue dwelltime cannot read: {error.message}"
            ) from None
        return self._store.write(replace(parsed.data, site=self.site, from_site=True)).issues


def _needed(fields: Collection[str] | None) -> frozenset[str] | None:
    return None if fields is None else frozenset(fields)
